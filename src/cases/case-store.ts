// The case store: cases with their mails, attachments, findings and events (reads, and the writes that are
// not a change of the case's state: messages, attachments, links, events). A case's status, findings and
// outbox rows are written by case-writer.ts only (one way a case changes).
import { SqlStore, type Params } from './sql-store.ts';
import type { MatchingCaseRow } from '../payments/match-decision.ts';
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
  /** Findings staff marked handled (HandledFinding[]): left out of every later evaluation. */
  handled_findings_json?: string;
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

export interface StoredMessageRow {
  id: number;
  dedupe_key: string;
  message_id: string | null;
  sha256: string;
  raw_path: string;
  source: string;
  source_ref: string | null;
  received_at: string;
  from_address: string | null;
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

export interface EventInsert {
  caseId?: number | null;
  messageId?: number | null;
  actor: string;
  type: string;
  data?: unknown;
  at?: string;
}


/**
 * A whole case row: the case's own columns and, beside them in case_documents (migration 8), its
 * application and computed JSON. Readers of a whole CaseRow select `${CASE_COLUMNS} FROM ${CASES}` (or join
 * `cases c` and add WITH_DOCUMENTS after its ON clause).
 */
const CASE_COLUMNS = 'c.*, d.application_json, d.computed_json';
const WITH_DOCUMENTS = 'LEFT JOIN case_documents d ON d.case_id = c.id';
const CASES = `cases c ${WITH_DOCUMENTS}`;

/** Keys of event data that hold what people wrote (kept in case_texts, see addEvents). */
const FREE_TEXT_KEYS = ['text', 'reason', 'question'] as const;

export class CaseStore extends SqlStore {
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

  /** One stored mail as the triage page shows it (raw bytes in the content store at raw_path). */
  messageById(id: number): StoredMessageRow | undefined {
    return this.get(`SELECT id, dedupe_key, message_id, sha256, raw_path, source, source_ref, received_at, from_address, subject, classification, note
      FROM messages WHERE id = ?`, id);
  }

  /** Staff decided what a stored mail is (triage): its classification and note change, nothing else of it. */
  reclassifyMessage(id: number, classification: string, note: string | null): void {
    this.stmt('UPDATE messages SET classification = ?, note = ? WHERE id = ?').run(classification, note, id);
  }

  /** The cases a mail is linked to (the case a near miss was held in, or the case it was a reply to). */
  messageCases(messageId: number): { id: number; number: string; status: string; role: string }[] {
    return this.all(`SELECT c.id, c.number, c.status, cm.role FROM case_messages cm JOIN cases c ON c.id = cm.case_id WHERE cm.message_id = ? ORDER BY c.id`, messageId);
  }

  /** The attachments stored with a mail, in the order they were read. */
  messageAttachments(messageId: number): AttachmentRow[] {
    return this.all('SELECT * FROM attachments WHERE message_id = ? ORDER BY id', messageId);
  }

  /** A stored attachment read again (a mail triaged by staff): what it was found to be. */
  updateAttachmentReading(id: number, r: Pick<AttachmentRow, 'detected_type' | 'role' | 'form_kind' | 'note' | 'facts_json'>): void {
    this.stmt('UPDATE attachments SET detected_type = ?, role = ?, form_kind = ?, note = ?, facts_json = ? WHERE id = ?')
      .run(r.detected_type, r.role, r.form_kind, r.note, r.facts_json, id);
  }

  /** Mail to the applicant no longer held (staff decided a held mail is an application). */
  releaseNotices(caseId: number): void {
    this.stmt('UPDATE cases SET notices_suppressed = 0 WHERE id = ?').run(caseId);
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

  /** What a decision about many cases reads of each (not the large application JSON). */
  caseHeads(ids: readonly number[]): Map<number, Pick<CaseRow, 'id' | 'number' | 'kind' | 'status' | 'revision' | 'received_at' | 'applicant_address' | 'notices_suppressed' | 'payment_findings_json'>> {
    const rows = this.allCompact<Pick<CaseRow, 'id' | 'number' | 'kind' | 'status' | 'revision' | 'received_at' | 'applicant_address' | 'notices_suppressed' | 'payment_findings_json'>>(
      `SELECT id, number, kind, status, revision, received_at, applicant_address, notices_suppressed, payment_findings_json FROM cases WHERE id IN (SELECT value FROM json_each(?))`, JSON.stringify(ids));
    return new Map(rows.map((r) => [r.id, r]));
  }

  caseById(id: number): CaseRow | undefined {
    return this.get(`SELECT ${CASE_COLUMNS} FROM ${CASES} WHERE c.id = ?`, id);
  }

  /** What a payment-triggered evaluation needs, without the (large) application and computed JSON. */
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

  /** Which of these cases were opened from a message of this intake source (e.g. 'postal': a paper form). */
  casesFromSource(ids: readonly number[], source: string): Set<number> {
    const rows = this.all<{ id: number }>(`SELECT c.id FROM cases c JOIN messages m ON m.id = c.origin_message_id
      WHERE c.id IN (SELECT value FROM json_each(?)) AND m.source = ?`, JSON.stringify(ids), source);
    return new Set(rows.map((r) => r.id));
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
    this.addEvents([e]);
  }

  /**
   * Many events, in the order given (ids follow it). Events are append-only, so the free text people write (a
   * note's `text`, a `reason`, a `question`) goes to case_texts, referred to by id (`text#`, `reason#`, …):
   * retention can remove it while the event stays. events() puts it back.
   */
  addEvents(events: readonly EventInsert[]): void {
    const now = new Date().toISOString();
    const stmt = this.stmt('INSERT INTO events (at, case_id, message_id, actor, type, data_json) VALUES (?, ?, ?, ?, ?, ?)');
    const text = this.stmt('INSERT INTO case_texts (case_id, message_id, text) VALUES (?, ?, ?)');
    for (const e of events) {
      let data = e.data;
      if (data && typeof data === 'object' && !Array.isArray(data)) {
        const own: Record<string, unknown> = { ...(data as Record<string, unknown>) };
        for (const key of FREE_TEXT_KEYS) {
          const value = own[key];
          if (typeof value !== 'string' || value === '') continue;
          delete own[key];
          own[`${key}#`] = Number(text.run(e.caseId ?? null, e.messageId ?? null, value).lastInsertRowid);
        }
        data = own;
      }
      stmt.run(e.at ?? now, e.caseId ?? null, e.messageId ?? null, e.actor, e.type, data === undefined ? null : JSON.stringify(data));
    }
  }

  /** A case's events in order, with the free text they refer to put back in place. */
  events(caseId: number): { at: string; actor: string; type: string; data_json: string | null }[] {
    const rows = this.all<{ at: string; actor: string; type: string; data_json: string | null }>('SELECT at, actor, type, data_json FROM events WHERE case_id = ? ORDER BY id', caseId);
    if (!rows.some((r) => r.data_json?.includes('#"'))) return rows;
    const texts = new Map(this.all<{ id: number; text: string }>('SELECT id, text FROM case_texts WHERE case_id = ?', caseId).map((t) => [t.id, t.text]));
    return rows.map((r) => {
      if (!r.data_json?.includes('#"')) return r;
      const data = JSON.parse(r.data_json) as Record<string, unknown>;
      for (const key of FREE_TEXT_KEYS) {
        const id = data[`${key}#`];
        if (typeof id !== 'number') continue;
        delete data[`${key}#`];
        data[key] = texts.get(id) ?? '';
      }
      return { ...r, data_json: JSON.stringify(data) };
    });
  }

  /** Cases waiting for their fee, with when they started waiting (the first awaiting-payment notice, else receipt). */
  casesAwaitingPayment(): { id: number; number: string; waiting_since: string; payment_reminded_at: string | null; applicant_address: string | null }[] {
    return this.all(`SELECT c.id, c.number, c.payment_reminded_at, c.applicant_address,
        COALESCE((SELECT MAX(o.created_at) FROM outbox o WHERE o.case_id = c.id AND o.kind = 'awaiting-payment'), c.received_at) AS waiting_since
      FROM cases c WHERE c.status = 'awaiting-payment' ORDER BY c.id`);
  }

  // ── for the staff's daily digest (src/app/jobs/daily-digest.ts) ──────────────
  /** Cases opened from one instant up to (not including) another, per status now. */
  casesOpenedBetween(sinceIso: string, untilIso: string): Map<string, number> {
    const rows = this.all<{ status: string; n: number }>('SELECT status, COUNT(*) AS n FROM cases WHERE created_at >= ? AND created_at < ? GROUP BY status', sinceIso, untilIso);
    return new Map(rows.map((r) => [r.status, r.n]));
  }

  /** Exception cases untouched since before an instant, oldest first (numbers and dates only). */
  exceptionsWaitingSince(beforeIso: string, limit = 30): { total: number; cases: { number: string; received_at: string }[] } {
    const total = this.get<{ n: number }>("SELECT COUNT(*) AS n FROM cases WHERE status = 'exception' AND updated_at < ?", beforeIso)!.n;
    const cases = this.all<{ number: string; received_at: string }>("SELECT number, received_at FROM cases WHERE status = 'exception' AND updated_at < ? ORDER BY received_at, id LIMIT ?", beforeIso, limit);
    return { total, cases };
  }

  /** The certification numbers renewal applications received since an instant carry (as read, for the caller to normalise). */
  renewalNumbersSince(sinceIso: string): string[] {
    return this.all<{ n: string | null }>(`SELECT json_extract(d.application_json, '$.certificationNumber') AS n FROM cases c JOIN case_documents d ON d.case_id = c.id
      WHERE c.kind = 'renewal' AND c.received_at >= ?`, sinceIso).map((r) => r.n).filter((n): n is string => !!n);
  }
}
