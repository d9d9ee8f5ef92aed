// The payment ledger: statement imports, payments, their links to cases and the matcher's verdicts. What a
// matching run decided is written here (writeMatchDecision), on whichever connection holds the transaction:
// the main one, or a statement import's writer thread. The cases a run touches are moved on by the case
// transition (src/cases/transition.ts), never here.
import { SqlStore, type Params } from './sql-store.ts';
import { unpackRawLines } from '../payments/raw-lines.ts';
import { foldRedacted, redactedFingerprint, selectNewRows, type KeyedCredits, type NewPaymentRows } from '../payments/new-payments.ts';
import type { FreshVerdict, MatchDecision, MatchingPaymentRow, PaymentLinkRow } from '../payments/match-decision.ts';
import type { StatementRow } from '../payments/statements/types.ts';
import type { CaseStore } from './case-store.ts';

export interface PaymentRow {
  id: number;
  import_id: number;
  paid_on: string;
  amount: number;
  transfer_name: string;
  digits: string | null;
  kana: string | null;
  fingerprint: string;
  occurrence: number;
  case_id: number | null;
  matched_by: string | null;
  matched_at: string | null;
  line?: number | null;
  /** Legal-entity mark of the transfer name (e.g. カ for ｶ)), null for a person. */
  entity?: string | null;
  reference?: string | null;
  value_date?: string | null;
  raw_line?: string | null;
  status?: 'matched' | 'attention' | 'unmatched' | 'dismissed';
  finding_code?: string | null;
  candidates_json?: string | null;
  reason?: string | null;
  hold?: number;
}

/** A payment as the matcher reads it. */
export class PaymentLedger extends SqlStore {
  insertPaymentImport(i: { fileName: string; sha256: string; format: string; actor: string; rowsTotal: number; rowsNew: number; rowsDuplicate: number; encoding?: string | null; rowsDebit?: number }): number {
    return this.insert(`INSERT INTO payment_imports (file_name, sha256, format, actor, imported_at, rows_total, rows_new, rows_duplicate, encoding, rows_debit)
      VALUES ($fileName, $sha256, $format, $actor, $at, $rowsTotal, $rowsNew, $rowsDuplicate, $encoding, $rowsDebit)`,
    { fileName: i.fileName, sha256: i.sha256, format: i.format, actor: i.actor, rowsTotal: i.rowsTotal, rowsNew: i.rowsNew, rowsDuplicate: i.rowsDuplicate, encoding: i.encoding ?? null, rowsDebit: i.rowsDebit ?? 0, at: new Date().toISOString() });
  }

  setImportMatched(importId: number, matched: number): void {
    this.stmt('UPDATE payment_imports SET rows_matched = ? WHERE id = ?').run(matched, importId);
  }

  paymentImports(): { id: number; file_name: string; sha256: string; format: string; encoding: string | null; actor: string; imported_at: string; rows_total: number; rows_new: number; rows_duplicate: number; rows_debit: number; rows_matched: number }[] {
    return this.all('SELECT id, file_name, sha256, format, encoding, actor, imported_at, rows_total, rows_new, rows_duplicate, rows_debit, rows_matched FROM payment_imports ORDER BY id');
  }

  /** The earliest import of a file with these bytes, if any. */
  paymentImportBySha256(sha256: string): { format: string; encoding: string | null; rows_total: number; rows_debit: number } | undefined {
    return this.get('SELECT format, encoding, rows_total, rows_debit FROM payment_imports WHERE sha256 = ? ORDER BY id LIMIT 1', sha256);
  }

  /**
   * Stored payments per fingerprint for the dates a statement covers (one query for a whole file). A fingerprint
   * starts with its date and '|', so the dates are a range of the UNIQUE (fingerprint, occurrence) index.
   */
  paymentOccurrencesBetween(first: string, last: string): Map<string, number> {
    const rows = this.all<{ fingerprint: string; n: number }>('SELECT fingerprint, COUNT(*) AS n FROM payments WHERE fingerprint >= ? AND fingerprint < ? GROUP BY fingerprint', `${first}|`, `${last}}`);
    return new Map(rows.map((r) => [r.fingerprint, r.n]));
  }

  /** How many payments with this fingerprint are stored (identical transfers are counted, not merged). */
  paymentOccurrences(fingerprint: string): number {
    return this.get<{ n: number }>('SELECT COUNT(*) AS n FROM payments WHERE fingerprint IN (?, ?)', fingerprint, redactedFingerprint(fingerprint))!.n;
  }

  /** The id the next inserted payment would get (call inside the importing transaction). */
  nextPaymentId(): number {
    return this.get<{ next: number }>('SELECT COALESCE(MAX(id), 0) + 1 AS next FROM payments')!.next;
  }

  /**
   * An import's new payments (a statement has up to 100,000), written from the parsed rows and their keys,
   * each with the verdict the matching gave it if it is not the default one (unmatched, no finding, no
   * candidates), so no row is written twice. One prepared single-row INSERT per row (measured faster than
   * multi-row VALUES batches), a statement per shape so that the columns a new payment leaves at their
   * defaults are not bound: raw_line and hold always, the link mirror of an unlinked payment.
   */
  insertNewPayments(p: NewPaymentRows, verdicts: readonly (FreshVerdict | undefined)[] = []): void {
    const COMMON = 'id, import_id, paid_on, amount, transfer_name, digits, kana, entity, fingerprint, occurrence, line, reference, value_date';
    const insert = (columns: string) => this.stmt(`INSERT INTO payments (${columns}) VALUES (${columns.split(',').map(() => '?').join(', ')})`);
    const plain = insert(COMMON);
    const unlinked = insert(`${COMMON}, status, finding_code, candidates_json, reason`);
    const linked = insert(`${COMMON}, status, case_id, matched_by, matched_at`);
    const { credits, keyed, rows } = p;
    for (let i = 0; i < rows.index.length; i++) {
      const at = rows.index[i]!;
      const row = credits[at]!;
      const key = keyed.keys[at]!;
      const id = p.firstId + i;
      const v = verdicts[i];
      if (v === undefined) {
        plain.run(id, p.importId, row.paidOn, row.amount, row.transferName, key.digits, key.kana, key.entity, keyed.fingerprints[at]!, rows.occurrence[i]!, row.line, row.reference ?? null, row.valueDate ?? null);
      } else if (v.status === 'matched') {
        linked.run(id, p.importId, row.paidOn, row.amount, row.transferName, key.digits, key.kana, key.entity, keyed.fingerprints[at]!, rows.occurrence[i]!, row.line, row.reference ?? null, row.valueDate ?? null,
          'matched', v.caseId, v.matchedBy, v.matchedAt);
      } else {
        unlinked.run(id, p.importId, row.paidOn, row.amount, row.transferName, key.digits, key.kana, key.entity, keyed.fingerprints[at]!, rows.occurrence[i]!, row.line, row.reference ?? null, row.valueDate ?? null,
          v.status, v.findingCode, v.candidatesJson, v.reason);
      }
    }
  }

  /**
   * The verdicts of an import's new payments, written after the matching by the statement import that
   * stored them first with the default verdict (unmatched, no finding, no candidates).
   */
  setNewPaymentVerdicts(updates: readonly FreshVerdict[]): void {
    const linked = this.stmt("UPDATE payments SET status = 'matched', case_id = ?, matched_by = ?, matched_at = ? WHERE id = ?");
    const other = this.stmt('UPDATE payments SET status = ?, finding_code = ?, candidates_json = ?, reason = ? WHERE id = ?');
    for (const u of updates) {
      if (u.status === 'matched') linked.run(u.caseId, u.matchedBy, u.matchedAt, u.id);
      else other.run(u.status, u.findingCode, u.candidatesJson, u.reason, u.id);
    }
  }

  /**
   * The source line of a payment as imported: in the payment row (before migration 7), in its import's JSON
   * array (migrations 7–8) or in its import's packed blob (src/payments/raw-lines.ts).
   */
  paymentRawLine(id: number): string | null {
    const row = this.get<{ raw_line: string | null; raw_lines_json: string | null; raw_lines: Uint8Array | null; first_payment_id: number | null; import_id: number }>(`SELECT p.raw_line, p.import_id, i.raw_lines_json, i.raw_lines, i.first_payment_id
      FROM payments p JOIN payment_imports i ON i.id = p.import_id WHERE p.id = ?`, id);
    if (!row) return null;
    if (row.raw_line !== null) return row.raw_line;
    if (row.raw_lines !== null && row.first_payment_id !== null) return unpackRawLines(row.raw_lines)[id - row.first_payment_id] ?? null;
    if (row.raw_lines_json === null) return null;
    const first = this.get<{ first: number }>('SELECT MIN(id) AS first FROM payments WHERE import_id = ?', row.import_id)!.first;
    return (JSON.parse(row.raw_lines_json) as (string | null)[])[id - first] ?? null;
  }

  /** The source lines of an import's new payments, packed (src/payments/raw-lines.ts); the first has id firstPaymentId, the others follow. */
  setImportRawLines(importId: number, firstPaymentId: number, packed: Uint8Array): void {
    this.stmt('UPDATE payment_imports SET raw_lines = ?, first_payment_id = ? WHERE id = ?').run(packed, firstPaymentId, importId);
  }

  /** Automatic links of a bulk run (the payments are new: nothing to update). */
  insertPaymentLinks(rows: readonly Omit<PaymentLinkRow, 'accepted'>[]): void {
    const stmt = this.stmt('INSERT INTO payment_links (payment_id, case_id, amount, accepted, linked_by, linked_at) VALUES (?, ?, ?, 0, ?, ?)');
    for (const l of rows) stmt.run(l.payment_id, l.case_id, l.amount, l.linked_by, l.linked_at);
  }

  /** Payments without any link (of one import, or all). */
  countUnlinkedPayments(importId?: number): number {
    const where = "p.status != 'dismissed' AND NOT EXISTS (SELECT 1 FROM payment_links l WHERE l.payment_id = p.id)";
    return importId === undefined
      ? this.get<{ n: number }>(`SELECT COUNT(*) AS n FROM payments p WHERE ${where}`)!.n
      : this.get<{ n: number }>(`SELECT COUNT(*) AS n FROM payments p WHERE p.import_id = ? AND ${where}`, importId)!.n;
  }

  paymentById(id: number): PaymentRow | undefined {
    return this.get('SELECT * FROM payments WHERE id = ?', id);
  }

  /** Payments with no link at all (matched or not yet). */
  unlinkedPayments(): PaymentRow[] {
    return this.all("SELECT p.* FROM payments p WHERE p.status != 'dismissed' AND NOT EXISTS (SELECT 1 FROM payment_links l WHERE l.payment_id = p.id) ORDER BY p.paid_on, p.id");
  }

  /** Is there an unlinked payment with one of these digits or names (so a new application is worth a matching run)? */
  unlinkedPaymentLike(keys: readonly { digits: string | null; kana: string | null }[]): boolean {
    for (const k of keys) {
      // Same digits, or a person's same name on a transfer without digits (each through its partial index).
      const hit = this.get<{ n: number }>(`SELECT EXISTS (SELECT 1 FROM payments p WHERE p.digits = ?
          AND NOT EXISTS (SELECT 1 FROM payment_links l WHERE l.payment_id = p.id))
        OR EXISTS (SELECT 1 FROM payments p WHERE p.digits IS NULL AND p.entity IS NULL AND p.kana = ?
          AND NOT EXISTS (SELECT 1 FROM payment_links l WHERE l.payment_id = p.id)) AS n`, k.digits, k.kana)!.n === 1;
      if (hit) return true;
    }
    return false;
  }

  /**
   * The matcher's input: payments not linked by finance, with their automatic link if any. A payment linked to a
   * purged case is settled history: the purge cleared the case's payment key, so a rematch could no longer find the
   * case and would let go of a fee paid years ago.
   */
  paymentsForMatching(exceptImport = -1): MatchingPaymentRow[] {
    return this.allCompact(`SELECT p.id, p.transfer_name, p.digits, p.kana, p.entity, p.amount, p.paid_on, p.hold, p.status, p.finding_code, p.candidates_json, a.case_id AS auto_case
      FROM payments p LEFT JOIN payment_links a ON a.payment_id = p.id AND a.linked_by LIKE 'matcher%'
      WHERE p.import_id != ? AND p.status != 'dismissed' AND NOT EXISTS (SELECT 1 FROM payment_links l WHERE l.payment_id = p.id AND l.linked_by NOT LIKE 'matcher%')
        AND NOT EXISTS (SELECT 1 FROM payment_links l JOIN cases c ON c.id = l.case_id WHERE l.payment_id = p.id AND c.purged_at IS NOT NULL)`, exceptImport);
  }

  setPaymentVerdict(id: number, v: { status: string; findingCode: string | null; candidatesJson: string | null; reason: string | null }): void {
    this.stmt('UPDATE payments SET status = ?, finding_code = ?, candidates_json = ?, reason = ? WHERE id = ?').run(v.status, v.findingCode, v.candidatesJson, v.reason, id);
  }

  setPaymentHold(id: number, hold: boolean): void {
    this.stmt('UPDATE payments SET hold = ? WHERE id = ?').run(hold ? 1 : 0, id);
  }

  paymentsForCase(caseId: number): (PaymentRow & { link_amount: number; accepted: number; linked_by: string })[] {
    return this.all(`SELECT p.*, l.amount AS link_amount, l.accepted, l.linked_by FROM payment_links l JOIN payments p ON p.id = l.payment_id
      WHERE l.case_id = ? ORDER BY p.paid_on, p.id`, caseId);
  }

  /** paymentsForCase of many cases in one query (each list in paid_on, id order). */
  paymentsForCases(caseIds: readonly number[]): Map<number, (PaymentRow & { link_amount: number; accepted: number; linked_by: string })[]> {
    const out = new Map<number, (PaymentRow & { link_amount: number; accepted: number; linked_by: string; link_case: number })[]>();
    const rows = this.all<PaymentRow & { link_amount: number; accepted: number; linked_by: string; link_case: number }>(`SELECT p.*, l.amount AS link_amount, l.accepted, l.linked_by, l.case_id AS link_case
      FROM payment_links l JOIN payments p ON p.id = l.payment_id WHERE l.case_id IN (SELECT value FROM json_each(?)) ORDER BY l.case_id, p.paid_on, p.id`, JSON.stringify(caseIds));
    for (const r of rows) {
      const list = out.get(r.link_case);
      if (list) list.push(r);
      else out.set(r.link_case, [r]);
    }
    return out;
  }

  linksForPayment(paymentId: number): PaymentLinkRow[] {
    return this.all('SELECT * FROM payment_links WHERE payment_id = ? ORDER BY case_id', paymentId);
  }

  /** Link a payment to a case (the whole amount unless told otherwise); by = 'matcher:exact' or 'finance:<who>'. */
  linkPayment(paymentId: number, caseId: number, by: string, options: { amount?: number; accepted?: boolean } = {}): void {
    const now = new Date().toISOString();
    const amount = options.amount ?? this.get<{ amount: number }>('SELECT amount FROM payments WHERE id = ?', paymentId)!.amount;
    this.stmt(`INSERT INTO payment_links (payment_id, case_id, amount, accepted, linked_by, linked_at) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (payment_id, case_id) DO UPDATE SET amount = excluded.amount, accepted = excluded.accepted, linked_by = excluded.linked_by, linked_at = excluded.linked_at`)
      .run(paymentId, caseId, amount, options.accepted ? 1 : 0, by, now);
    this.stmt(`UPDATE payments SET case_id = COALESCE(case_id, ?), matched_by = COALESCE(matched_by, ?), matched_at = COALESCE(matched_at, ?), status = 'matched', finding_code = NULL, candidates_json = NULL, reason = NULL WHERE id = ?`)
      .run(caseId, by, now, paymentId);
  }

  /** Remove a link (or every link of the payment when caseId is null); the payment's mirror columns follow. */
  unlinkPayment(paymentId: number, caseId: number | null): number {
    const removed = caseId === null
      ? Number(this.stmt('DELETE FROM payment_links WHERE payment_id = ?').run(paymentId).changes)
      : Number(this.stmt('DELETE FROM payment_links WHERE payment_id = ? AND case_id = ?').run(paymentId, caseId).changes);
    const first = this.get<PaymentLinkRow>('SELECT * FROM payment_links WHERE payment_id = ? ORDER BY linked_at, case_id LIMIT 1', paymentId);
    this.stmt(`UPDATE payments SET case_id = ?, matched_by = ?, matched_at = ?, status = CASE WHEN ? IS NULL THEN 'unmatched' ELSE 'matched' END WHERE id = ?`)
      .run(first?.case_id ?? null, first?.linked_by ?? null, first?.linked_at ?? null, first?.case_id ?? null, paymentId);
    return removed;
  }

  /**
   * Records a statement import and picks its new payments (the multiset rule of src/payments/new-payments.ts
   * over what is stored for the file's dates): call inside the importing transaction.
   */
  recordImport(cases: CaseStore, credits: readonly StatementRow[], keyed: KeyedCredits, file: { fileName: string; sha256: string; format: string; encoding: string | null; actor: string; debits: number }): NewPaymentRows {
    const storedCounts = credits.length ? foldRedacted(keyed.fingerprints, this.paymentOccurrencesBetween(keyed.first, keyed.last)) : new Map<string, number>();
    const rows = selectNewRows(keyed.fingerprints, storedCounts);
    const importId = this.insertPaymentImport({ fileName: file.fileName, sha256: file.sha256, format: file.format, actor: file.actor, rowsTotal: credits.length, rowsNew: rows.index.length, rowsDuplicate: rows.duplicate, encoding: file.encoding, rowsDebit: file.debits });
    cases.addEvent({ actor: file.actor, type: 'payments.imported', data: { importId, fileName: file.fileName, sha256: file.sha256, format: file.format, rows: credits.length, debits: file.debits, new: rows.index.length, duplicate: rows.duplicate } });
    return { importId, firstId: this.nextPaymentId(), credits, keyed, rows };
  }

  /**
   * Writes what a matching run decided (inside the caller's transaction). An import's new payments are either
   * written here, once, with their verdicts (`insert`), or were stored before with the default verdict and get
   * theirs now. The cases to move on are queued (payment_case_moves) for the case transition.
   */
  writeMatchDecision(cases: CaseStore, decision: MatchDecision, insert?: NewPaymentRows): void {
    for (const e of decision.earlier) {
      if (e.op === 'unlink') this.unlinkPayment(e.payment, e.caseId);
      else if (e.op === 'link') this.linkPayment(e.payment, e.caseId, 'matcher:exact', { amount: e.amount });
      else this.setPaymentVerdict(e.payment, { status: e.status, findingCode: e.findingCode, candidatesJson: e.candidatesJson, reason: e.reason });
    }
    if (insert) {
      const verdicts: (FreshVerdict | undefined)[] = new Array(insert.rows.index.length);
      for (const v of decision.fresh) verdicts[v.id - insert.firstId] = v;
      this.insertNewPayments(insert, verdicts);
    } else {
      this.setNewPaymentVerdicts(decision.fresh);
    }
    this.insertPaymentLinks(decision.freshLinks);
    cases.addEvents(decision.events);
    cases.queueCaseMoves(decision.moves);
  }
  // ——— Finance in the workbench (src/app/finance-*.ts, src/web/routes/finance*.ts) ———

  /** Where the uploaded statement's bytes are kept (the content store's relative path). */
  setImportStoredPath(importId: number, storedPath: string): void {
    this.stmt('UPDATE payment_imports SET stored_path = ? WHERE id = ?').run(storedPath, importId);
  }

  /** Every import, newest first, with where its file is kept (null: imported by the CLI, not kept). */
  importList(limit = 500): ImportListRow[] {
    return this.all(`SELECT id, file_name, sha256, format, encoding, actor, imported_at, rows_total, rows_new, rows_duplicate, rows_debit, rows_matched, stored_path
      FROM payment_imports ORDER BY id DESC LIMIT ?`, limit);
  }

  importById(id: number): ImportListRow | undefined {
    return this.get(`SELECT id, file_name, sha256, format, encoding, actor, imported_at, rows_total, rows_new, rows_duplicate, rows_debit, rows_matched, stored_path
      FROM payment_imports WHERE id = ?`, id);
  }

  /** The earliest other import of the same bytes (a re-upload), if any. */
  earlierImportOfSameFile(sha256: string, importId: number): number | null {
    return this.get<{ id: number }>('SELECT id FROM payment_imports WHERE sha256 = ? AND id < ? ORDER BY id LIMIT 1', sha256, importId)?.id ?? null;
  }

  /** The first and last booking dates of an import's new payments. */
  importDateRange(importId: number): { first: string; last: string } | null {
    const r = this.get<{ first: string | null; last: string | null }>('SELECT MIN(paid_on) AS first, MAX(paid_on) AS last FROM payments WHERE import_id = ?', importId);
    return r?.first && r.last ? { first: r.first, last: r.last } : null;
  }

  /**
   * Earlier imports holding payments on these dates (through the fingerprint index: a fingerprint starts with
   * its date), with how many: what an overlapping statement's duplicates were already stored by.
   */
  importsCovering(first: string, last: string, beforeImportId: number): { import_id: number; file_name: string; n: number }[] {
    return this.all(`SELECT p.import_id, i.file_name, COUNT(*) AS n FROM payments p JOIN payment_imports i ON i.id = p.import_id
      WHERE p.fingerprint >= ? AND p.fingerprint < ? AND p.import_id < ? GROUP BY p.import_id ORDER BY p.import_id`, `${first}|`, `${last}}`, beforeImportId);
  }

  /** An import's payments with their links (the result page). */
  paymentsOfImport(importId: number): (PaymentRow & { links_json: string | null })[] {
    return this.all(`SELECT p.*, (SELECT json_group_array(json_object('case', c.number, 'status', c.status, 'amount', l.amount, 'by', l.linked_by))
        FROM payment_links l JOIN cases c ON c.id = l.case_id WHERE l.payment_id = p.id) AS links_json
      FROM payments p WHERE p.import_id = ? ORDER BY p.id LIMIT 2000`, importId);
  }

  /**
   * Finance sets a payment aside (not ours, refunded): it leaves the queue, and the matcher never reads it
   * again (paymentsForMatching skips status 'dismissed'). Its former finding and candidates stay for the record.
   */
  dismissPayment(paymentId: number, kind: string, reason: string, by: string, at = new Date().toISOString()): void {
    this.stmt('INSERT INTO payment_dismissals (payment_id, kind, reason, dismissed_by, dismissed_at) VALUES (?, ?, ?, ?, ?)').run(paymentId, kind, reason, by, at);
    this.stmt("UPDATE payments SET status = 'dismissed', hold = 1 WHERE id = ?").run(paymentId);
  }

  dismissalOf(paymentId: number): { kind: string; reason: string; dismissed_by: string; dismissed_at: string } | undefined {
    return this.get('SELECT kind, reason, dismissed_by, dismissed_at FROM payment_dismissals WHERE payment_id = ?', paymentId);
  }

  /** Payments waiting for finance per finding code ('none': no candidate), for the queue's counts. */
  waitingCountsByCode(): Map<string, number> {
    const rows = this.all<{ code: string; n: number }>(`SELECT COALESCE(p.finding_code, 'none') AS code, COUNT(*) AS n FROM payments p
      WHERE p.status != 'dismissed' AND NOT EXISTS (SELECT 1 FROM payment_links l WHERE l.payment_id = p.id) GROUP BY 1`);
    return new Map(rows.map((r) => [r.code, r.n]));
  }

  /** One page of the payments waiting for finance (oldest first), of one finding code or all. */
  waitingPage(code: string | null, limit: number, offset: number): PaymentRow[] {
    const where = "p.status != 'dismissed' AND NOT EXISTS (SELECT 1 FROM payment_links l WHERE l.payment_id = p.id)";
    return code === null
      ? this.all(`SELECT p.* FROM payments p WHERE ${where} ORDER BY p.paid_on, p.id LIMIT ? OFFSET ?`, limit, offset)
      : this.all(`SELECT p.* FROM payments p WHERE ${where} AND COALESCE(p.finding_code, 'none') = ? ORDER BY p.paid_on, p.id LIMIT ? OFFSET ?`, code, limit, offset);
  }

  /** What happened to a payment, oldest first: the events naming it (links, unlinks, set-aside), with their case. */
  paymentHistory(paymentId: number): { at: string; actor: string; type: string; case_number: string | null; data_json: string | null }[] {
    return this.all(`SELECT e.at, e.actor, e.type, c.number AS case_number, e.data_json FROM events e LEFT JOIN cases c ON c.id = e.case_id
      WHERE e.type LIKE 'payment.%' AND json_extract(e.data_json, '$.payment') = ? ORDER BY e.id`, paymentId);
  }

  /** Cases as finance compares them with a transfer (names from the application). */
  caseSummaries(ids: readonly number[]): Map<number, FinanceCaseRow> {
    const rows = this.all<FinanceCaseRow>(`${FINANCE_CASE_SELECT} WHERE c.id IN (SELECT value FROM json_each(?))`, JSON.stringify(ids));
    return new Map(rows.map((r) => [r.id, r]));
  }

  /** Every case not decided yet (approved / rejected), newest first: what finance may link a payment to. */
  openCaseSummaries(): FinanceCaseRow[] {
    return this.all(`${FINANCE_CASE_SELECT} WHERE c.status NOT IN ('approved', 'rejected') ORDER BY c.received_at DESC, c.id DESC`);
  }

  /** Payments without any link that the matcher questioned (finding and candidates): finance must look. */
  countAttentionPayments(): number {
    return this.get<{ n: number }>("SELECT COUNT(*) AS n FROM payments p WHERE p.status = 'attention' AND NOT EXISTS (SELECT 1 FROM payment_links l WHERE l.payment_id = p.id)")!.n;
  }
}

const FINANCE_CASE_SELECT = `SELECT c.id, c.number, c.kind, c.status, c.received_at, c.payment_digits, c.payment_kana, c.payment_declared, c.payment_company, c.expected_amount,
    json_extract(d.application_json, '$.name') AS name, json_extract(d.application_json, '$.nameKana') AS kana,
    (SELECT COALESCE(SUM(l.amount), 0) FROM payment_links l WHERE l.case_id = c.id) AS linked_amount
  FROM cases c LEFT JOIN case_documents d ON d.case_id = c.id`;

export interface ImportListRow {
  id: number; file_name: string; sha256: string; format: string; encoding: string | null; actor: string; imported_at: string;
  rows_total: number; rows_new: number; rows_duplicate: number; rows_debit: number; rows_matched: number; stored_path: string | null;
}

export interface FinanceCaseRow {
  id: number; number: string; kind: string; status: string; received_at: string; payment_digits: string | null; payment_kana: string | null;
  payment_declared: string | null; payment_company: string | null; expected_amount: number | null; name: unknown; kana: unknown; linked_amount: number;
}
