// The case store: every read and write of cases, messages, attachments, findings, events, payments
// and the outbox goes through here. Callers group writes with transaction() from db.ts.
import type { Db } from './db.ts';
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
  role: 'form' | 'document' | 'unsupported' | 'unreadable';
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
}

export interface OutboxRow {
  id: number;
  case_id: number | null;
  kind: string;
  rfc_message_id: string;
  to_address: string;
  audience: string;
  mail_json: string;
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

export class CaseStore {
  readonly db: Db;
  constructor(db: Db) {
    this.db = db;
  }

  private get<T>(sql: string, ...params: (string | number | null)[]): T | undefined {
    return this.db.prepare(sql).get(...params) as T | undefined;
  }
  private all<T>(sql: string, ...params: (string | number | null)[]): T[] {
    return this.db.prepare(sql).all(...params) as T[];
  }
  private insert(sql: string, params: Params): number {
    return Number(this.db.prepare(sql).run(params).lastInsertRowid);
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
      const viaOutbox = this.get<CaseRow>('SELECT c.* FROM outbox o JOIN cases c ON c.id = o.case_id WHERE o.rfc_message_id = ?', id);
      if (viaOutbox) return viaOutbox;
      const viaMessage = this.get<CaseRow>(`SELECT c.* FROM messages m JOIN case_messages cm ON cm.message_id = m.id JOIN cases c ON c.id = cm.case_id
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

  updateCase(id: number, fields: Partial<Pick<CaseRow, 'status' | 'kind' | 'form_attachment_id' | 'application_json' | 'computed_json' | 'intake_findings_json' | 'payment_digits' | 'payment_kana' | 'expected_amount' | 'revision' | 'notices_suppressed'>>): void {
    const keys = Object.keys(fields);
    if (keys.length === 0) return;
    const sets = keys.map((k) => `${k} = $${k}`).join(', ');
    this.db.prepare(`UPDATE cases SET ${sets}, updated_at = $updatedAt WHERE id = $id`).run({ ...(fields as Params), updatedAt: new Date().toISOString(), id });
  }

  caseById(id: number): CaseRow | undefined {
    return this.get('SELECT * FROM cases WHERE id = ?', id);
  }

  caseByNumber(number: string): CaseRow | undefined {
    return this.get('SELECT * FROM cases WHERE number = ?', number);
  }

  listCases(status?: string): CaseRow[] {
    return status ? this.all('SELECT * FROM cases WHERE status = ? ORDER BY id', status) : this.all('SELECT * FROM cases ORDER BY id');
  }

  /** Cases whose fee may still be matched: open, not yet paid, with a payment key. */
  casesAwaitingMatch(): CaseRow[] {
    return this.all(`SELECT c.* FROM cases c WHERE c.status NOT IN ('approved', 'rejected') AND c.payment_digits IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.case_id = c.id)`);
  }

  linkMessage(caseId: number, messageId: number, role: 'original' | 'reply'): void {
    this.db.prepare('INSERT OR IGNORE INTO case_messages (case_id, message_id, role) VALUES (?, ?, ?)').run(caseId, messageId, role);
  }

  caseMessages(caseId: number): { id: number; message_id: string | null; subject: string | null; received_at: string; role: string; raw_path: string }[] {
    return this.all(`SELECT m.id, m.message_id, m.subject, m.received_at, cm.role, m.raw_path FROM case_messages cm JOIN messages m ON m.id = cm.message_id
      WHERE cm.case_id = ? ORDER BY m.id`, caseId);
  }

  // ── attachments ───────────────────────────────────────────────────────────
  insertAttachment(a: Omit<AttachmentRow, 'id'>): number {
    return this.insert(`INSERT INTO attachments (message_id, filename, from_archive, detected_type, size, sha256, store_path, role, form_kind, note, facts_json)
      VALUES ($message_id, $filename, $from_archive, $detected_type, $size, $sha256, $store_path, $role, $form_kind, $note, $facts_json)`, a as unknown as Params);
  }

  linkAttachment(caseId: number, attachmentId: number): void {
    this.db.prepare('INSERT OR IGNORE INTO case_attachments (case_id, attachment_id) VALUES (?, ?)').run(caseId, attachmentId);
  }

  caseAttachments(caseId: number): AttachmentRow[] {
    return this.all('SELECT a.* FROM case_attachments ca JOIN attachments a ON a.id = ca.attachment_id WHERE ca.case_id = ? ORDER BY a.id', caseId);
  }

  // ── findings ──────────────────────────────────────────────────────────────
  saveFindings(caseId: number, revision: number, findings: readonly Finding[]): void {
    const stmt = this.db.prepare('INSERT INTO findings (case_id, revision, code, field, row, audience, message) VALUES (?, ?, ?, ?, ?, ?, ?)');
    for (const f of findings) stmt.run(caseId, revision, f.code, f.field ?? null, f.row ?? null, f.audience, f.message);
  }

  /** Findings of the case's latest evaluation (earlier revisions stay for the audit trail). */
  currentFindings(caseId: number): Finding[] {
    const rows = this.all<{ code: string; field: string | null; row: number | null; audience: string; message: string }>(
      `SELECT code, field, row, audience, message FROM findings WHERE case_id = ? AND revision = (SELECT revision FROM cases WHERE id = ?) ORDER BY id`, caseId, caseId);
    return rows.map((r) => ({ code: r.code, audience: r.audience, message: r.message, ...(r.field !== null ? { field: r.field } : {}), ...(r.row !== null ? { row: r.row } : {}) }) as Finding);
  }

  // ── events (append-only) ──────────────────────────────────────────────────
  addEvent(e: EventInsert): void {
    this.db.prepare('INSERT INTO events (at, case_id, message_id, actor, type, data_json) VALUES (?, ?, ?, ?, ?, ?)')
      .run(e.at ?? new Date().toISOString(), e.caseId ?? null, e.messageId ?? null, e.actor, e.type, e.data === undefined ? null : JSON.stringify(e.data));
  }

  events(caseId: number): { at: string; actor: string; type: string; data_json: string | null }[] {
    return this.all('SELECT at, actor, type, data_json FROM events WHERE case_id = ? ORDER BY id', caseId);
  }

  // ── payments ──────────────────────────────────────────────────────────────
  insertPaymentImport(i: { fileName: string; sha256: string; format: string; actor: string; rowsTotal: number; rowsNew: number; rowsDuplicate: number }): number {
    return this.insert(`INSERT INTO payment_imports (file_name, sha256, format, actor, imported_at, rows_total, rows_new, rows_duplicate)
      VALUES ($fileName, $sha256, $format, $actor, $at, $rowsTotal, $rowsNew, $rowsDuplicate)`, { ...i, at: new Date().toISOString() });
  }

  /** How many payments with this fingerprint are stored (identical transfers are counted, not merged). */
  paymentOccurrences(fingerprint: string): number {
    return this.get<{ n: number }>('SELECT COUNT(*) AS n FROM payments WHERE fingerprint = ?', fingerprint)!.n;
  }

  insertPayment(p: Omit<PaymentRow, 'id' | 'case_id' | 'matched_by' | 'matched_at'>): number {
    return this.insert(`INSERT INTO payments (import_id, paid_on, amount, transfer_name, digits, kana, fingerprint, occurrence)
      VALUES ($import_id, $paid_on, $amount, $transfer_name, $digits, $kana, $fingerprint, $occurrence)`, p as unknown as Params);
  }

  unlinkedPayments(): PaymentRow[] {
    return this.all('SELECT * FROM payments WHERE case_id IS NULL ORDER BY paid_on, id');
  }

  paymentsForCase(caseId: number): PaymentRow[] {
    return this.all('SELECT * FROM payments WHERE case_id = ? ORDER BY paid_on, id', caseId);
  }

  linkPayment(paymentId: number, caseId: number, by: string): void {
    this.db.prepare('UPDATE payments SET case_id = ?, matched_by = ?, matched_at = ? WHERE id = ? AND case_id IS NULL').run(caseId, by, new Date().toISOString(), paymentId);
  }

  // ── outbox ────────────────────────────────────────────────────────────────
  enqueue(o: { caseId: number | null; kind: string; rfcMessageId: string; to: string; audience: string; mail: unknown; status: 'pending' | 'suppressed' }): boolean {
    const now = new Date().toISOString();
    const result = this.db.prepare(`INSERT OR IGNORE INTO outbox (case_id, kind, rfc_message_id, to_address, audience, mail_json, status, next_attempt_at, created_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(o.caseId, o.kind, o.rfcMessageId, o.to, o.audience, JSON.stringify(o.mail), o.status, now, now);
    return Number(result.changes) > 0;
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
    this.db.prepare(`UPDATE outbox SET status = 'sent', sent_at = ?, attempts = attempts + 1, last_error = NULL WHERE id = ? AND status = 'pending'`).run(new Date().toISOString(), id);
  }

  markFailed(id: number, error: string, nextAttemptAt: string): void {
    this.db.prepare('UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE id = ?').run(error.slice(0, 500), nextAttemptAt, id);
  }

  outboxForCase(caseId: number): OutboxRow[] {
    return this.all('SELECT * FROM outbox WHERE case_id = ? ORDER BY id', caseId);
  }

  outboxCounts(): Record<string, number> {
    const rows = this.all<{ status: string; n: number }>('SELECT status, COUNT(*) AS n FROM outbox GROUP BY status');
    return Object.fromEntries(rows.map((r) => [r.status, r.n]));
  }
}
