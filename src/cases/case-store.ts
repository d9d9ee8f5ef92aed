// The case store: every read and write of cases, messages, attachments, findings, events, payments
// and the outbox goes through here. Callers group writes with transaction() from db.ts.
import type { Db } from './db.ts';
import { unpackRawLines } from '../payments/raw-lines.ts';
import type { NewPaymentRows } from '../payments/new-payments.ts';
import type { CaseStatus } from './status.ts';
import type { Finding } from '../validate/findings.ts';

export interface CaseRow {
  id: number;
  number: string;
  kind: string;
  status: CaseStatus;
  applicant_address: string | null;
  received_at: string;
  origin_message_id: number | null;
  form_attachment_id: number | null;
  application_json: string | null;
  computed_json: string | null;
  intake_findings_json: string;
  payment_digits: string | null;
  payment_kana: string | null;
  expected_amount: number | null;
  payment_declared?: string | null;
  payment_company?: string | null;
  payment_findings_json?: string;
  payment_reminded_at?: string | null;
  revision: number;
  notices_suppressed: number;
  created_at: string;
  updated_at: string;
}

export interface MessageInsert {
  dedupeKey: string;
  messageId: string | null;
  sha256: string;
  rawPath: string;
  source: string;
  sourceRef: string | null;
  receivedAt: string;
  from: string | null;
  subject: string | null;
  classification: string;
  note: string | null;
}

export interface AttachmentRow {
  id: number;
  message_id: number;
  filename: string;
  from_archive: string | null;
  detected_type: string;
  size: number;
  sha256: string;
  store_path: string;
  role: 'form' | 'form-page' | 'document' | 'unsupported' | 'unreadable';
  form_kind: string | null;
  note: string | null;
  facts_json: string | null;
}

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
  status?: 'matched' | 'attention' | 'unmatched';
  finding_code?: string | null;
  candidates_json?: string | null;
  reason?: string | null;
  hold?: number;
}

/** A payment as the matcher reads it. */
export interface MatchingPaymentRow {
  id: number;
  transfer_name: string;
  digits: string | null;
  kana: string | null;
  entity: string | null;
  amount: number;
  paid_on: string;
  hold: number;
  auto_case: number | null;
  status: string;
  finding_code: string | null;
  candidates_json: string | null;
}

/** A case as the matcher and the payment-triggered transitions read it (no application JSON). */
export interface MatchingCaseRow {
  id: number;
  number: string;
  kind: string;
  status: CaseStatus;
  revision: number;
  notices_suppressed: number;
  applicant_address: string | null;
  received_at: string;
  payment_digits: string | null;
  payment_kana: string | null;
  payment_declared: string | null;
  payment_company: string | null;
  expected_amount: number | null;
  payment_findings_json: string;
  manual_amount: number;
  manual_accepted: number;
  auto_links: number;
}

/** The verdict of a new payment that differs from the default one (unmatched, no finding, no candidates). */
export type FreshVerdict =
  | { id: number; status: 'matched'; caseId: number; matchedBy: string; matchedAt: string }
  | { id: number; status: 'attention' | 'unmatched'; findingCode: string | null; candidatesJson: string | null; reason: string | null };

export interface PaymentLinkRow {
  payment_id: number;
  case_id: number;
  amount: number;
  accepted: number;
  linked_by: string;
  linked_at: string;
}

export interface OutboxRow {
  id: number;
  case_id: number | null;
  kind: string;
  rfc_message_id: string;
  to_address: string;
  audience: string;
  /** '' while the notice waits to be rendered (notice_json says what to render). */
  mail_json: string;
  notice_json?: string | null;
  status: 'pending' | 'sent' | 'suppressed';
  attempts: number;
  next_attempt_at: string;
  last_error: string | null;
  created_at: string;
  sent_at: string | null;
}

export interface EventInsert {
  caseId?: number | null;
  messageId?: number | null;
  actor: string;
  type: string;
  data?: unknown;
  at?: string;
}

type Params = Record<string, string | number | null>;

/**
 * A whole case row: the case's own columns and, beside them in case_documents (migration 8), its
 * application and computed JSON. Readers of a whole CaseRow select `${CASE_COLUMNS} FROM ${CASES}` (or join
 * `cases c` and add WITH_DOCUMENTS after its ON clause).
 */
const CASE_COLUMNS = 'c.*, d.application_json, d.computed_json';
const WITH_DOCUMENTS = 'LEFT JOIN case_documents d ON d.case_id = c.id';
const CASES = `cases c ${WITH_DOCUMENTS}`;
/** The CaseRow columns that live in case_documents. */
const DOCUMENT_COLUMNS: ReadonlySet<string> = new Set(['application_json', 'computed_json']);

export class CaseStore {
  readonly db: Db;
  constructor(db: Db) {
    this.db = db;
  }

  private readonly statements = new Map<string, ReturnType<Db['prepare']>>();
  /** Prepared once per SQL text: bulk imports run the same statements 100,000 times. */
  private stmt(sql: string): ReturnType<Db['prepare']> {
    let s = this.statements.get(sql);
    if (!s) this.statements.set(sql, (s = this.db.prepare(sql)));
    return s;
  }
  private get<T>(sql: string, ...params: (string | number | null)[]): T | undefined {
    return this.stmt(sql).get(...params) as T | undefined;
  }
  private all<T>(sql: string, ...params: (string | number | null)[]): T[] {
    return this.stmt(sql).all(...params) as T[];
  }
  /**
   * all(), for the bulk readers (the matcher reads every case and every open payment): node:sqlite makes
   * each row a dictionary-mode object, large and slow to read; here the rows come as arrays and become plain
   * objects of one shape (made by a function generated from the statement's column names, so every field
   * is an in-object property). 20,000 case rows took ≈ 18 MB the other way, all of it kept until the commit.
   */
  private allCompact<T>(sql: string, ...params: (string | number | null)[]): T[] {
    let entry = this.compact.get(sql);
    if (!entry) {
      const stmt = this.db.prepare(sql);
      stmt.setReturnArrays(true);
      const fields = stmt.columns().map((c, i) => `${JSON.stringify(c.name)}: r[${i}]`).join(', ');
      this.compact.set(sql, (entry = { stmt, make: new Function('r', `return { ${fields} };`) as (r: unknown[]) => unknown }));
    }
    const rows = entry.stmt.all(...params) as unknown as unknown[][];
    const out: T[] = new Array(rows.length);
    for (let i = 0; i < rows.length; i++) out[i] = entry.make(rows[i]!) as T;
    return out;
  }
  private readonly compact = new Map<string, { stmt: ReturnType<Db['prepare']>; make: (r: unknown[]) => unknown }>();

  private insert(sql: string, params: Params): number {
    return Number(this.stmt(sql).run(params).lastInsertRowid);
  }

  // ── messages ──────────────────────────────────────────────────────────────
  messageByKey(dedupeKey: string): { id: number; classification: string } | undefined {
    return this.get('SELECT id, classification FROM messages WHERE dedupe_key = ?', dedupeKey);
  }

  insertMessage(m: MessageInsert): number {
    return this.insert(`INSERT INTO messages (dedupe_key, message_id, sha256, raw_path, source, source_ref, received_at, from_address, subject, classification, note, processed_at)
      VALUES ($dedupeKey, $messageId, $sha256, $rawPath, $source, $sourceRef, $receivedAt, $from, $subject, $classification, $note, $processedAt)`,
    { ...m, processedAt: new Date().toISOString() } as unknown as Params);
  }

  messageRaw(id: number): { raw_path: string; message_id: string | null; subject: string | null } | undefined {
    return this.get('SELECT raw_path, message_id, subject FROM messages WHERE id = ?', id);
  }

  /** The case a mail refers to: one of our notices (outbox) or a mail already on the case. */
  caseByReferences(ids: readonly string[]): CaseRow | undefined {
    for (const id of ids) {
      const viaOutbox = this.get<CaseRow>(`SELECT ${CASE_COLUMNS} FROM outbox o JOIN cases c ON c.id = o.case_id ${WITH_DOCUMENTS} WHERE o.rfc_message_id = ?`, id);
      if (viaOutbox) return viaOutbox;
      const viaMessage = this.get<CaseRow>(`SELECT ${CASE_COLUMNS} FROM messages m JOIN case_messages cm ON cm.message_id = m.id JOIN cases c ON c.id = cm.case_id ${WITH_DOCUMENTS}
        WHERE m.message_id = ? ORDER BY c.id LIMIT 1`, id);
      if (viaMessage) return viaMessage;
    }
    return undefined;
  }

  // ── cases ─────────────────────────────────────────────────────────────────
  /** Next case number for a prefix and year, e.g. R-2026-000123. Call inside the creating transaction. */
  allocateNumber(prefix: string, year: number): string {
    const row = this.get<{ last: number }>('INSERT INTO case_sequences (prefix, year, last) VALUES (?, ?, 1) ON CONFLICT (prefix, year) DO UPDATE SET last = last + 1 RETURNING last', prefix, year);
    return `${prefix}-${year}-${String(row!.last).padStart(6, '0')}`;
  }

  insertCase(c: { number: string; kind: string; status: CaseStatus; applicantAddress: string | null; receivedAt: string; originMessageId: number | null; noticesSuppressed: boolean }): number {
    const now = new Date().toISOString();
    return this.insert(`INSERT INTO cases (number, kind, status, applicant_address, received_at, origin_message_id, notices_suppressed, created_at, updated_at)
      VALUES ($number, $kind, $status, $applicantAddress, $receivedAt, $originMessageId, $suppressed, $now, $now)`,
    { number: c.number, kind: c.kind, status: c.status, applicantAddress: c.applicantAddress, receivedAt: c.receivedAt, originMessageId: c.originMessageId, suppressed: c.noticesSuppressed ? 1 : 0, now });
  }

  updateCase(id: number, fields: Partial<Pick<CaseRow, 'status' | 'kind' | 'form_attachment_id' | 'application_json' | 'computed_json' | 'intake_findings_json' | 'payment_digits' | 'payment_kana' | 'expected_amount' | 'payment_declared' | 'payment_company' | 'payment_findings_json' | 'payment_reminded_at' | 'revision' | 'notices_suppressed'>>): void {
    const keys = Object.keys(fields);
    if (keys.length === 0) return;
    const own = keys.filter((k) => !DOCUMENT_COLUMNS.has(k));
    const documents = keys.filter((k) => DOCUMENT_COLUMNS.has(k));
    const values = fields as Params;
    const sets = own.map((k) => `${k} = $${k}, `).join('');
    this.stmt(`UPDATE cases SET ${sets}updated_at = $updatedAt WHERE id = $id`).run({ ...Object.fromEntries(own.map((k) => [k, values[k]!])), updatedAt: new Date().toISOString(), id });
    if (documents.length) {
      this.stmt(`INSERT INTO case_documents (case_id, ${documents.join(', ')}) VALUES ($id, ${documents.map((k) => `$${k}`).join(', ')})
        ON CONFLICT (case_id) DO UPDATE SET ${documents.map((k) => `${k} = excluded.${k}`).join(', ')}`)
        .run({ ...Object.fromEntries(documents.map((k) => [k, values[k]!])), id });
    }
  }

  /**
   * What a payment-triggered re-evaluation changes on a case (updateCase's effect, with fixed statements: a
   * statement import moves 16,000 cases on, and updateCase builds its SQL per call).
   */
  setPaymentOutcome(id: number, outcome: { status: CaseStatus; revision: number } | null, paymentFindingsJson?: string): void {
    const now = new Date().toISOString();
    if (outcome && paymentFindingsJson !== undefined) {
      this.stmt('UPDATE cases SET payment_findings_json = ?, status = ?, revision = ?, updated_at = ? WHERE id = ?').run(paymentFindingsJson, outcome.status, outcome.revision, now, id);
    } else if (outcome) {
      this.stmt('UPDATE cases SET status = ?, revision = ?, updated_at = ? WHERE id = ?').run(outcome.status, outcome.revision, now, id);
    } else if (paymentFindingsJson !== undefined) {
      this.stmt('UPDATE cases SET payment_findings_json = ?, updated_at = ? WHERE id = ?').run(paymentFindingsJson, now, id);
    }
  }

  caseById(id: number): CaseRow | undefined {
    return this.get(`SELECT ${CASE_COLUMNS} FROM ${CASES} WHERE c.id = ?`, id);
  }

  /** What a payment-triggered evaluation needs, without the (large) application and computed JSON. */
  casePaymentState(id: number, withFindings = true): Pick<CaseRow, 'id' | 'number' | 'kind' | 'status' | 'revision' | 'notices_suppressed' | 'payment_findings_json'> | undefined {
    return withFindings
      ? this.get('SELECT id, number, kind, status, revision, notices_suppressed, payment_findings_json FROM cases WHERE id = ?', id)
      : this.get('SELECT id, number, kind, status, revision, notices_suppressed FROM cases WHERE id = ?', id);
  }

  /**
   * The application and computed JSON of many cases, as composing their notices reads them: the application
   * without its `sources` (where each value was read on the form: a third of the JSON, shown by no notice
   * and no reviewer summary), so 14,000 applications composed after an import parse a third less.
   */
  applicationsOf(ids: readonly number[]): Map<number, Pick<CaseRow, 'application_json' | 'computed_json'>> {
    const rows = this.all<{ id: number; application_json: string | null; computed_json: string | null }>(`SELECT case_id AS id, json_remove(application_json, '$.sources') AS application_json, computed_json
      FROM case_documents WHERE case_id IN (SELECT value FROM json_each(?))`, JSON.stringify(ids));
    return new Map(rows.map((r) => [r.id, r]));
  }

  caseByNumber(number: string): CaseRow | undefined {
    return this.get(`SELECT ${CASE_COLUMNS} FROM ${CASES} WHERE c.number = ?`, number);
  }

  listCases(status?: string): CaseRow[] {
    return status ? this.all(`SELECT ${CASE_COLUMNS} FROM ${CASES} WHERE c.status = ? ORDER BY c.id`, status) : this.all(`SELECT ${CASE_COLUMNS} FROM ${CASES} ORDER BY c.id`);
  }

  /** Cases whose fee may still be matched: open, not yet paid, with a payment key. */
  casesAwaitingMatch(): CaseRow[] {
    return this.all(`SELECT ${CASE_COLUMNS} FROM ${CASES} WHERE c.status NOT IN ('approved', 'rejected') AND c.payment_digits IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM payment_links l WHERE l.case_id = c.id)`);
  }

  /** Every case with a payment key (or those of `ids`), with what finance's links already settle (the matcher's input). */
  casesForMatching(ids?: readonly number[]): MatchingCaseRow[] {
    const only = ids ? ' AND c.id IN (SELECT value FROM json_each(?))' : '';
    return this.allCompact(`SELECT c.id, c.number, c.kind, c.status, c.revision, c.notices_suppressed, c.applicant_address, c.received_at,
        c.payment_digits, c.payment_kana, c.payment_declared, c.payment_company, c.expected_amount, c.payment_findings_json,
        COALESCE(l.manual_amount, 0) AS manual_amount, COALESCE(l.manual_accepted, 0) AS manual_accepted, COALESCE(l.auto_links, 0) AS auto_links
      FROM cases c LEFT JOIN (SELECT case_id,
          SUM(CASE WHEN linked_by NOT LIKE 'matcher%' THEN amount ELSE 0 END) AS manual_amount,
          MAX(CASE WHEN linked_by NOT LIKE 'matcher%' THEN accepted ELSE 0 END) AS manual_accepted,
          SUM(CASE WHEN linked_by LIKE 'matcher%' THEN 1 ELSE 0 END) AS auto_links
        FROM payment_links GROUP BY case_id) l ON l.case_id = c.id
      WHERE (c.payment_digits IS NOT NULL OR c.payment_kana IS NOT NULL OR c.payment_declared IS NOT NULL) AND c.expected_amount IS NOT NULL${only}`, ...(ids ? [JSON.stringify(ids)] : []));
  }

  // ── cases a matching run changed, to be moved on (payment_case_moves) ──────────
  queueCaseMoves(moves: readonly { caseId: number; paymentFindingsJson: string }[]): void {
    const at = new Date().toISOString();
    const stmt = this.stmt('INSERT INTO payment_case_moves (case_id, payment_findings_json, queued_at) VALUES (?, ?, ?) ON CONFLICT (case_id) DO UPDATE SET payment_findings_json = excluded.payment_findings_json, queued_at = excluded.queued_at');
    for (const m of moves) stmt.run(m.caseId, m.paymentFindingsJson, at);
  }

  /** Takes every queued case move (they are deleted: call inside the transaction that makes them). */
  takeCaseMoves(): { caseId: number; paymentFindingsJson: string }[] {
    const rows = this.allCompact<{ caseId: number; paymentFindingsJson: string }>('SELECT case_id AS caseId, payment_findings_json AS paymentFindingsJson FROM payment_case_moves ORDER BY case_id');
    if (rows.length) this.stmt('DELETE FROM payment_case_moves').run();
    return rows;
  }

  linkMessage(caseId: number, messageId: number, role: 'original' | 'reply'): void {
    this.stmt('INSERT OR IGNORE INTO case_messages (case_id, message_id, role) VALUES (?, ?, ?)').run(caseId, messageId, role);
  }

  caseMessages(caseId: number): { id: number; message_id: string | null; subject: string | null; received_at: string; role: string; raw_path: string }[] {
    return this.all(`SELECT m.id, m.message_id, m.subject, m.received_at, cm.role, m.raw_path FROM case_messages cm JOIN messages m ON m.id = cm.message_id
      WHERE cm.case_id = ? ORDER BY m.id`, caseId);
  }

  /** The Message-IDs of many cases' mails, oldest first (caseMessages' order), in one query. */
  messageIdsForCases(caseIds: readonly number[]): Map<number, string[]> {
    const out = new Map<number, string[]>();
    const rows = this.all<{ case_id: number; message_id: string | null }>(`SELECT cm.case_id, m.message_id FROM case_messages cm JOIN messages m ON m.id = cm.message_id
      WHERE cm.case_id IN (SELECT value FROM json_each(?)) ORDER BY cm.case_id, m.id`, JSON.stringify(caseIds));
    for (const r of rows) {
      if (!r.message_id) continue;
      const list = out.get(r.case_id);
      if (list) list.push(r.message_id);
      else out.set(r.case_id, [r.message_id]);
    }
    return out;
  }

  // ── attachments ───────────────────────────────────────────────────────────
  insertAttachment(a: Omit<AttachmentRow, 'id'>): number {
    return this.insert(`INSERT INTO attachments (message_id, filename, from_archive, detected_type, size, sha256, store_path, role, form_kind, note, facts_json)
      VALUES ($message_id, $filename, $from_archive, $detected_type, $size, $sha256, $store_path, $role, $form_kind, $note, $facts_json)`, a as unknown as Params);
  }

  linkAttachment(caseId: number, attachmentId: number): void {
    this.stmt('INSERT OR IGNORE INTO case_attachments (case_id, attachment_id) VALUES (?, ?)').run(caseId, attachmentId);
  }

  /** caseAttachments of many cases in one query. */
  attachmentsForCases(caseIds: readonly number[]): Map<number, AttachmentRow[]> {
    const out = new Map<number, AttachmentRow[]>();
    const rows = this.all<AttachmentRow & { case_id: number }>(`SELECT ca.case_id, a.* FROM case_attachments ca JOIN attachments a ON a.id = ca.attachment_id
      WHERE ca.case_id IN (SELECT value FROM json_each(?)) ORDER BY ca.case_id, a.id`, JSON.stringify(caseIds));
    for (const r of rows) {
      const list = out.get(r.case_id);
      if (list) list.push(r);
      else out.set(r.case_id, [r]);
    }
    return out;
  }

  caseAttachments(caseId: number): AttachmentRow[] {
    return this.all('SELECT a.* FROM case_attachments ca JOIN attachments a ON a.id = ca.attachment_id WHERE ca.case_id = ? ORDER BY a.id', caseId);
  }

  // ── findings ──────────────────────────────────────────────────────────────
  saveFindings(caseId: number, revision: number, findings: readonly Finding[]): void {
    const stmt = this.stmt('INSERT INTO findings (case_id, revision, code, field, row, audience, message) VALUES (?, ?, ?, ?, ?, ?, ?)');
    for (const f of findings) stmt.run(caseId, revision, f.code, f.field ?? null, f.row ?? null, f.audience, f.message);
  }

  /** The findings of many evaluations at once (case, revision, findings in order). */
  saveFindingsMany(rows: readonly { caseId: number; revision: number; findings: readonly Finding[] }[]): void {
    const stmt = this.stmt('INSERT INTO findings (case_id, revision, code, field, row, audience, message) VALUES (?, ?, ?, ?, ?, ?, ?)');
    for (const r of rows) for (const f of r.findings) stmt.run(r.caseId, r.revision, f.code, f.field ?? null, f.row ?? null, f.audience, f.message);
  }

  /** currentFindings of many cases in one query; `revisions` holds each case's current revision. */
  currentFindingsOf(revisions: ReadonlyMap<number, number>): Map<number, Finding[]> {
    const out = new Map<number, Finding[]>();
    for (const id of revisions.keys()) out.set(id, []);
    const rows = this.all<{ case_id: number; revision: number; code: string; field: string | null; row: number | null; audience: string; message: string }>(
      `SELECT f.case_id, f.revision, f.code, f.field, f.row, f.audience, f.message FROM findings f WHERE f.case_id IN (SELECT value FROM json_each(?)) ORDER BY f.id`, JSON.stringify([...revisions.keys()]));
    for (const r of rows) {
      if (revisions.get(r.case_id) !== r.revision) continue;
      out.get(r.case_id)!.push({ code: r.code, audience: r.audience, message: r.message, ...(r.field !== null ? { field: r.field } : {}), ...(r.row !== null ? { row: r.row } : {}) } as Finding);
    }
    return out;
  }

  /** Findings of the case's latest evaluation (earlier revisions stay for the audit trail). */
  currentFindings(caseId: number): Finding[] {
    const rows = this.all<{ code: string; field: string | null; row: number | null; audience: string; message: string }>(
      `SELECT code, field, row, audience, message FROM findings WHERE case_id = ? AND revision = (SELECT revision FROM cases WHERE id = ?) ORDER BY id`, caseId, caseId);
    return rows.map((r) => ({ code: r.code, audience: r.audience, message: r.message, ...(r.field !== null ? { field: r.field } : {}), ...(r.row !== null ? { row: r.row } : {}) }) as Finding);
  }

  // ── events (append-only) ──────────────────────────────────────────────────
  addEvent(e: EventInsert): void {
    this.stmt('INSERT INTO events (at, case_id, message_id, actor, type, data_json) VALUES (?, ?, ?, ?, ?, ?)')
      .run(e.at ?? new Date().toISOString(), e.caseId ?? null, e.messageId ?? null, e.actor, e.type, e.data === undefined ? null : JSON.stringify(e.data));
  }

  /** Many events, in the order given (ids follow it). */
  addEvents(events: readonly EventInsert[]): void {
    const now = new Date().toISOString();
    const stmt = this.stmt('INSERT INTO events (at, case_id, message_id, actor, type, data_json) VALUES (?, ?, ?, ?, ?, ?)');
    for (const e of events) stmt.run(e.at ?? now, e.caseId ?? null, e.messageId ?? null, e.actor, e.type, e.data === undefined ? null : JSON.stringify(e.data));
  }

  events(caseId: number): { at: string; actor: string; type: string; data_json: string | null }[] {
    return this.all('SELECT at, actor, type, data_json FROM events WHERE case_id = ? ORDER BY id', caseId);
  }

  // ── payments ──────────────────────────────────────────────────────────────
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
    return this.get<{ n: number }>('SELECT COUNT(*) AS n FROM payments WHERE fingerprint = ?', fingerprint)!.n;
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
    const where = 'NOT EXISTS (SELECT 1 FROM payment_links l WHERE l.payment_id = p.id)';
    return importId === undefined
      ? this.get<{ n: number }>(`SELECT COUNT(*) AS n FROM payments p WHERE ${where}`)!.n
      : this.get<{ n: number }>(`SELECT COUNT(*) AS n FROM payments p WHERE p.import_id = ? AND ${where}`, importId)!.n;
  }

  paymentById(id: number): PaymentRow | undefined {
    return this.get('SELECT * FROM payments WHERE id = ?', id);
  }

  /** Payments with no link at all (matched or not yet). */
  unlinkedPayments(): PaymentRow[] {
    return this.all('SELECT p.* FROM payments p WHERE NOT EXISTS (SELECT 1 FROM payment_links l WHERE l.payment_id = p.id) ORDER BY p.paid_on, p.id');
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

  /** The matcher's input: payments not linked by finance, with their automatic link if any. */
  paymentsForMatching(exceptImport = -1): MatchingPaymentRow[] {
    return this.allCompact(`SELECT p.id, p.transfer_name, p.digits, p.kana, p.entity, p.amount, p.paid_on, p.hold, p.status, p.finding_code, p.candidates_json, a.case_id AS auto_case
      FROM payments p LEFT JOIN payment_links a ON a.payment_id = p.id AND a.linked_by LIKE 'matcher%'
      WHERE p.import_id != ? AND NOT EXISTS (SELECT 1 FROM payment_links l WHERE l.payment_id = p.id AND l.linked_by NOT LIKE 'matcher%')`, exceptImport);
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

  /** Cases waiting for their fee, with when they started waiting (the first awaiting-payment notice, else receipt). */
  casesAwaitingPayment(): { id: number; number: string; waiting_since: string; payment_reminded_at: string | null; applicant_address: string | null }[] {
    return this.all(`SELECT c.id, c.number, c.payment_reminded_at, c.applicant_address,
        COALESCE((SELECT MAX(o.created_at) FROM outbox o WHERE o.case_id = c.id AND o.kind = 'awaiting-payment'), c.received_at) AS waiting_since
      FROM cases c WHERE c.status = 'awaiting-payment' ORDER BY c.id`);
  }

  // ── outbox ────────────────────────────────────────────────────────────────
  enqueue(o: { caseId: number | null; kind: string; rfcMessageId: string; to: string; audience: string; mail: unknown; status: 'pending' | 'suppressed' }): boolean {
    const now = new Date().toISOString();
    const result = this.stmt(`INSERT OR IGNORE INTO outbox (case_id, kind, rfc_message_id, to_address, audience, mail_json, status, next_attempt_at, created_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(o.caseId, o.kind, o.rfcMessageId, o.to, o.audience, JSON.stringify(o.mail), o.status, now, now);
    return Number(result.changes) > 0;
  }

  /**
   * Many notices queued unrendered (mail_json '' until rendered; notice_json says what to render). Like
   * enqueue, a Message-ID already in the outbox is skipped.
   */
  enqueueUnrendered(rows: readonly { caseId: number; kind: string; rfcMessageId: string; to: string; audience: string; notice: unknown; status: 'pending' | 'suppressed' }[]): void {
    const now = new Date().toISOString();
    const stmt = this.stmt(`INSERT OR IGNORE INTO outbox (case_id, kind, rfc_message_id, to_address, audience, mail_json, notice_json, status, next_attempt_at, created_at)
      VALUES (?, ?, ?, ?, ?, '', ?, ?, ?, ?)`);
    for (const o of rows) stmt.run(o.caseId, o.kind, o.rfcMessageId, o.to, o.audience, JSON.stringify(o.notice), o.status, now, now);
  }

  /** Notices queued but not rendered yet, oldest first. */
  unrenderedNotices(limit: number): OutboxRow[] {
    return this.all(`SELECT * FROM outbox WHERE mail_json = '' ORDER BY id LIMIT ?`, limit);
  }

  /** The rendered mail replaces what was needed to render it. */
  setRenderedMail(id: number, mail: unknown): void {
    this.stmt(`UPDATE outbox SET mail_json = ?, notice_json = NULL WHERE id = ? AND mail_json = ''`).run(JSON.stringify(mail), id);
  }

  /** Outbox rows per (case, kind) for many cases: the sequence numbers of their next notices. */
  outboxCountsForCases(caseIds: readonly number[]): Map<string, number> {
    const rows = this.all<{ case_id: number; kind: string; n: number }>(`SELECT case_id, kind, COUNT(*) AS n FROM outbox WHERE case_id IN (SELECT value FROM json_each(?)) GROUP BY case_id, kind`, JSON.stringify(caseIds));
    return new Map(rows.map((r) => [`${r.case_id}|${r.kind}`, r.n]));
  }

  /** countMailsTo for every address at once. */
  mailsPerAddressSince(sinceIso: string): Map<string, number> {
    const rows = this.all<{ to_address: string; n: number }>(`SELECT to_address, COUNT(*) AS n FROM outbox WHERE created_at >= ? AND status != 'suppressed' AND audience = 'applicant' GROUP BY to_address`, sinceIso);
    return new Map(rows.map((r) => [r.to_address, r.n]));
  }

  /** Automatic mails to an address created since an instant (for the per-sender daily cap). */
  countMailsTo(address: string, sinceIso: string): number {
    return this.get<{ n: number }>(`SELECT COUNT(*) AS n FROM outbox WHERE to_address = ? AND created_at >= ? AND status != 'suppressed' AND audience = 'applicant'`, address, sinceIso)!.n;
  }

  countOutboxForCase(caseId: number, kind: string): number {
    return this.get<{ n: number }>('SELECT COUNT(*) AS n FROM outbox WHERE case_id = ? AND kind = ?', caseId, kind)!.n;
  }

  duePending(nowIso: string, limit = 50): OutboxRow[] {
    return this.all(`SELECT * FROM outbox WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY id LIMIT ?`, nowIso, limit);
  }

  markSent(id: number): void {
    this.stmt(`UPDATE outbox SET status = 'sent', sent_at = ?, attempts = attempts + 1, last_error = NULL WHERE id = ? AND status = 'pending'`).run(new Date().toISOString(), id);
  }

  markFailed(id: number, error: string, nextAttemptAt: string): void {
    this.stmt('UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE id = ?').run(error.slice(0, 500), nextAttemptAt, id);
  }

  outboxForCase(caseId: number): OutboxRow[] {
    return this.all('SELECT * FROM outbox WHERE case_id = ? ORDER BY id', caseId);
  }

  outboxCounts(): Record<string, number> {
    const rows = this.all<{ status: string; n: number }>('SELECT status, COUNT(*) AS n FROM outbox GROUP BY status');
    return Object.fromEntries(rows.map((r) => [r.status, r.n]));
  }
}
