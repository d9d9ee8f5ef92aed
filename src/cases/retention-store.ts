// Retention (SPEC §7): a closed case past its retention period loses its personal data — the application and
// the figures computed from it, the applicant's address, the payment key, the messages of its findings, the
// senders and subjects of its mails, its attachments' names and facts, its notices' text and addresses, and
// the free text staff wrote on it — while its number, kind, dates, decision and history (events, audit log)
// stay. The database is written with secure_delete on, then rebuilt and its WAL truncated, so the old values
// do not linger in free pages or old frames. The files (raw mails, attachments, crops) are listed for the
// caller to delete from the content store, each only when no case that keeps its data still refers to it.
import type { Db } from './db.ts';
import { redactedFingerprint } from '../payments/new-payments.ts';
import { packRawLines, unpackRawLines } from '../payments/raw-lines.ts';

export const PURGED_TEXT = '（保存期間の経過により削除）';

export interface PurgeCandidate {
  id: number;
  number: string;
  status: string;
  closedAt: string;
}

export interface AuditPurgeCandidate {
  id: number;
  number: string;
  year: number;
  outcome: string;
  decidedAt: string;
}

/**
 * A stored mail whose data is gone (SQL over `m.id`): a reply of a purged audit, or a mail only purged cases
 * refer to. Everything else — open cases' mails, mails no case took — still needs its files.
 */
const PURGED_MESSAGE = `((EXISTS (SELECT 1 FROM cpd_audit_messages am WHERE am.message_id = m.id) OR EXISTS (SELECT 1 FROM case_messages cm WHERE cm.message_id = m.id))
  AND NOT EXISTS (SELECT 1 FROM case_messages cm JOIN cases c ON c.id = cm.case_id WHERE cm.message_id = m.id AND c.purged_at IS NULL)
  AND NOT EXISTS (SELECT 1 FROM cpd_audit_messages am WHERE am.message_id = m.id
    AND NOT EXISTS (SELECT 1 FROM cpd_audit_events e WHERE e.audit_id = am.audit_id AND e.type = 'audit.purged')))`;

export class RetentionStore {
  private readonly db: Db;
  constructor(db: Db) {
    this.db = db;
  }

  /** Closed cases (approved, rejected) closed before an instant and not purged yet, oldest first. */
  closedBefore(beforeIso: string, limit = 1000): PurgeCandidate[] {
    return (this.db.prepare(`SELECT id, number, status, updated_at AS closedAt FROM cases WHERE status IN ('approved', 'rejected') AND purged_at IS NULL AND updated_at < ?
      ORDER BY updated_at, id LIMIT ?`).all(beforeIso, limit) as unknown as PurgeCandidate[]);
  }

  /**
   * Purges the cases (inside the caller's transaction, with secureDelete on); returns the store paths their
   * data used that no other (unpurged) case refers to.
   */
  purge(caseIds: readonly number[], at: string): string[] {
    if (caseIds.length === 0) return [];
    const ids = JSON.stringify(caseIds);
    const inCases = '(SELECT value FROM json_each(?))';
    // The files: the cases' mails and attachments, and the crops the OCR evidence points at.
    const candidates = new Set<string>();
    for (const r of this.db.prepare(`SELECT m.raw_path AS p FROM case_messages cm JOIN messages m ON m.id = cm.message_id WHERE cm.case_id IN ${inCases}
        AND NOT EXISTS (SELECT 1 FROM case_messages o JOIN cases c ON c.id = o.case_id WHERE o.message_id = m.id AND c.purged_at IS NULL AND c.id NOT IN ${inCases})
      UNION SELECT a.store_path FROM case_attachments ca JOIN attachments a ON a.id = ca.attachment_id WHERE ca.case_id IN ${inCases}`).all(ids, ids, ids) as { p: string }[]) candidates.add(r.p);
    for (const r of this.db.prepare(`SELECT d.application_json AS j FROM case_documents d WHERE d.case_id IN ${inCases}`).all(ids) as { j: string | null }[]) {
      for (const m of (r.j ?? '').matchAll(/"crop":"([^"]+)"/g)) candidates.add(m[1]!);
    }
    // The messages only these cases refer to lose their sender and subject; their attachments their names.
    this.db.prepare(`UPDATE messages SET from_address = NULL, subject = NULL, note = NULL WHERE id IN (SELECT message_id FROM case_messages WHERE case_id IN ${inCases})
      AND NOT EXISTS (SELECT 1 FROM case_messages o JOIN cases c ON c.id = o.case_id WHERE o.message_id = messages.id AND c.purged_at IS NULL AND c.id NOT IN ${inCases})`).run(ids, ids);
    this.db.prepare(`UPDATE attachments SET filename = ?, note = NULL, facts_json = NULL WHERE id IN (SELECT attachment_id FROM case_attachments WHERE case_id IN ${inCases})`).run(PURGED_TEXT, ids);
    this.db.prepare(`DELETE FROM case_documents WHERE case_id IN ${inCases}`).run(ids);
    this.db.prepare(`UPDATE findings SET message = ? WHERE case_id IN ${inCases}`).run(PURGED_TEXT, ids);
    this.db.prepare(`UPDATE outbox SET mail_json = '{}', notice_json = NULL, to_address = '', last_error = NULL WHERE case_id IN ${inCases}`).run(ids);
    // What people wrote about the case (notes, reasons) may name people: kept apart from the append-only events.
    this.db.prepare(`UPDATE case_texts SET text = ? WHERE case_id IN ${inCases}`).run(PURGED_TEXT, ids);
    this.redactPayments(ids);
    this.db.prepare(`UPDATE cases SET applicant_address = NULL, intake_findings_json = '[]', payment_findings_json = '[]', handled_findings_json = '[]',
        payment_digits = NULL, payment_kana = NULL, payment_declared = NULL, payment_company = NULL, purged_at = ?, updated_at = updated_at
      WHERE id IN ${inCases}`).run(at, ids);
    // A file still used by a case, an audit or a mail that keeps its data stays.
    const used = this.usedPaths();
    return [...candidates].filter((p) => !used.has(p));
  }

  /**
   * The fees the purged cases were paid with stay in the books — date, amount, the import and the link — but the
   * payer's name goes: the transfer name, its kana and digits, the bank's reference, the matcher's reasons and
   * the statement line kept for the audit trail. The fingerprint hashes the name part (redactedFingerprint), so a
   * re-upload of the same old statement still counts as a duplicate. A payment also linked to a case that keeps
   * its data (one transfer split over two cases) keeps its name until that case goes too.
   */
  private redactPayments(ids: string): void {
    const inCases = '(SELECT value FROM json_each(?))';
    const rows = this.db.prepare(`SELECT p.id, p.fingerprint, p.import_id FROM payments p
      WHERE EXISTS (SELECT 1 FROM payment_links l WHERE l.payment_id = p.id AND l.case_id IN ${inCases})
        AND NOT EXISTS (SELECT 1 FROM payment_links l JOIN cases c ON c.id = l.case_id WHERE l.payment_id = p.id AND c.purged_at IS NULL AND c.id NOT IN ${inCases})`)
      .all(ids, ids) as { id: number; fingerprint: string; import_id: number }[];
    if (rows.length === 0) return;
    const update = this.db.prepare(`UPDATE payments SET transfer_name = ?, kana = NULL, digits = NULL, entity = NULL, reference = NULL, raw_line = NULL,
      candidates_json = NULL, reason = NULL, fingerprint = ? WHERE id = ?`);
    const byImport = new Map<number, number[]>();
    for (const r of rows) {
      update.run(PURGED_TEXT, redactedFingerprint(r.fingerprint), r.id);
      byImport.set(r.import_id, [...(byImport.get(r.import_id) ?? []), r.id]);
    }
    // The statement lines kept per import: the purged payments' lines blanked (null), the others as they were.
    for (const [importId, paymentIds] of byImport) {
      const imp = this.db.prepare('SELECT raw_lines, raw_lines_json, first_payment_id FROM payment_imports WHERE id = ?').get(importId) as
        { raw_lines: Uint8Array | null; raw_lines_json: string | null; first_payment_id: number | null };
      if (imp.raw_lines !== null && imp.first_payment_id !== null) {
        const lines = unpackRawLines(imp.raw_lines);
        for (const id of paymentIds) if (id - imp.first_payment_id < lines.length) lines[id - imp.first_payment_id] = null;
        this.db.prepare('UPDATE payment_imports SET raw_lines = ? WHERE id = ?').run(packRawLines(lines), importId);
      } else if (imp.raw_lines_json !== null) {
        const first = (this.db.prepare('SELECT MIN(id) AS first FROM payments WHERE import_id = ?').get(importId) as { first: number }).first;
        const lines = JSON.parse(imp.raw_lines_json) as (string | null)[];
        for (const id of paymentIds) if (id - first < lines.length) lines[id - first] = null;
        this.db.prepare('UPDATE payment_imports SET raw_lines_json = ? WHERE id = ?').run(JSON.stringify(lines), importId);
      }
    }
  }

  /**
   * Statement files finance uploaded (kept so an import can be downloaded as it came) imported before an instant:
   * a bank statement names every payer of its period, so the file goes when the period is over for all of them;
   * the import's record and its payments stay (without the names of purged cases' payers).
   */
  statementFilesBefore(beforeIso: string): { id: number; path: string }[] {
    return this.db.prepare('SELECT id, stored_path AS path FROM payment_imports WHERE stored_path IS NOT NULL AND imported_at < ? ORDER BY id').all(beforeIso) as { id: number; path: string }[];
  }

  /** Forgets the stored files of these imports (inside the caller's transaction); returns the paths no other import keeps. */
  dropStatementFiles(importIds: readonly number[]): string[] {
    if (importIds.length === 0) return [];
    const ids = JSON.stringify(importIds);
    const paths = (this.db.prepare('SELECT DISTINCT stored_path AS p FROM payment_imports WHERE id IN (SELECT value FROM json_each(?))').all(ids) as { p: string }[]).map((r) => r.p);
    this.db.prepare('UPDATE payment_imports SET stored_path = NULL WHERE id IN (SELECT value FROM json_each(?))').run(ids);
    const kept = new Set((this.db.prepare('SELECT stored_path AS p FROM payment_imports WHERE stored_path IS NOT NULL').all() as { p: string }[]).map((r) => r.p));
    return paths.filter((p) => !kept.has(p));
  }

  // ── CPD audits (src/cases/audit-store.ts) ──
  //
  // An audit whose outcome was recorded longer ago than the period loses what it holds of the person: the copy
  // of the register's e-mail address, the staff's reason (free text that may name them), the replies the
  // holder sent (their attachments deleted, the messages' sender and subject removed, the raw mails' and
  // attachments' files listed for deletion) and the office's mails to them in the outbox (text, address). The
  // audit number, year, certification number, dates, state and outcome, and its events stay; the purge is
  // itself an event (audit.purged), which is how a purged audit is known (cpd_audit_events is append-only, so
  // the mark cannot be lost). A reply message's row stays as an empty stub: the append-only intake events
  // refer to it by id. The draw (cpd_audit_draws, cpd_audit_selections) is not touched, and need not be: it
  // holds certification numbers, hashes, the seed and the login of whoever drew — no name, address or mail —
  // and it is what lets anyone re-draw and verify a year (the database refuses to change it anyway).

  /**
   * Audits whose outcome was recorded before an instant and that are not purged yet, oldest first — or purged
   * but answered since (a reply in the request's thread still joins its audit, years later): that reply is
   * purged at the next run.
   */
  auditsDecidedBefore(beforeIso: string, limit = 1000): AuditPurgeCandidate[] {
    return this.db.prepare(`SELECT id, number, year, outcome, outcome_at AS decidedAt FROM cpd_audits a WHERE outcome IS NOT NULL AND outcome_at < ?
        AND (NOT EXISTS (SELECT 1 FROM cpd_audit_events e WHERE e.audit_id = a.id AND e.type = 'audit.purged')
          OR EXISTS (SELECT 1 FROM cpd_audit_messages am JOIN messages m ON m.id = am.message_id WHERE am.audit_id = a.id
            AND (m.from_address IS NOT NULL OR m.subject IS NOT NULL OR EXISTS (SELECT 1 FROM attachments x WHERE x.message_id = m.id AND x.filename <> '${PURGED_TEXT}'))
            AND NOT EXISTS (SELECT 1 FROM case_messages cm JOIN cases c ON c.id = cm.case_id WHERE cm.message_id = m.id AND c.purged_at IS NULL)
            AND NOT EXISTS (SELECT 1 FROM cpd_audit_messages o WHERE o.message_id = m.id AND o.audit_id <> a.id
              AND NOT EXISTS (SELECT 1 FROM cpd_audit_events e WHERE e.audit_id = o.audit_id AND e.type = 'audit.purged'))))
      ORDER BY outcome_at, id LIMIT ?`).all(beforeIso, limit) as unknown as AuditPurgeCandidate[];
  }

  /**
   * Purges the audits (inside the caller's transaction, with secureDelete on) and marks each purged (an
   * audit.purged event with `data`); returns the store paths of their replies that nothing kept still uses.
   */
  purgeAudits(auditIds: readonly number[], at: string, data: Record<string, unknown>): string[] {
    if (auditIds.length === 0) return [];
    const ids = JSON.stringify(auditIds);
    const inAudits = '(SELECT value FROM json_each(?))';
    // The replies: only those no case or other audit that keeps its data refers to (a mail is normally one
    // audit's, but a holder may have sent one mail about two things).
    const keptElsewhere = `(EXISTS (SELECT 1 FROM case_messages cm JOIN cases c ON c.id = cm.case_id WHERE cm.message_id = m.id AND c.purged_at IS NULL)
      OR EXISTS (SELECT 1 FROM cpd_audit_messages o WHERE o.message_id = m.id AND o.audit_id NOT IN ${inAudits}
        AND NOT EXISTS (SELECT 1 FROM cpd_audit_events e WHERE e.audit_id = o.audit_id AND e.type = 'audit.purged')))`;
    const messageIds = (this.db.prepare(`SELECT DISTINCT m.id FROM cpd_audit_messages am JOIN messages m ON m.id = am.message_id
      WHERE am.audit_id IN ${inAudits} AND NOT ${keptElsewhere}`).all(ids, ids) as { id: number }[]).map((r) => r.id);
    const msgs = JSON.stringify(messageIds);
    const inMessages = '(SELECT value FROM json_each(?))';
    const candidates = new Set<string>();
    for (const r of this.db.prepare(`SELECT raw_path AS p FROM messages WHERE id IN ${inMessages}
      UNION SELECT store_path FROM attachments WHERE message_id IN ${inMessages}`).all(msgs, msgs) as { p: string }[]) candidates.add(r.p);
    // The proofs' rows go (no case refers to them: audit replies are never read into a case).
    this.db.prepare(`DELETE FROM attachments WHERE message_id IN ${inMessages} AND id NOT IN (SELECT attachment_id FROM case_attachments)`).run(msgs);
    this.db.prepare(`UPDATE attachments SET filename = ?, note = NULL, facts_json = NULL WHERE message_id IN ${inMessages}`).run(PURGED_TEXT, msgs);
    this.db.prepare(`UPDATE messages SET from_address = NULL, subject = NULL, note = NULL WHERE id IN ${inMessages}`).run(msgs);
    this.db.prepare(`UPDATE case_texts SET text = ? WHERE message_id IN ${inMessages}`).run(PURGED_TEXT, msgs);
    // The office's mails to the holder: every one the audit queued (its events name their Message-IDs).
    this.db.prepare(`UPDATE outbox SET mail_json = '{}', notice_json = NULL, to_address = '', last_error = NULL WHERE rfc_message_id IN (
        SELECT json_extract(data_json, '$.messageId') FROM cpd_audit_events WHERE audit_id IN ${inAudits} AND type = 'notice.queued'
        UNION SELECT request_message_id FROM cpd_audits WHERE id IN ${inAudits} UNION SELECT reminder_message_id FROM cpd_audits WHERE id IN ${inAudits})`).run(ids, ids, ids);
    this.db.prepare(`UPDATE cpd_audits SET address = NULL, outcome_reason = ? WHERE id IN ${inAudits}`).run(PURGED_TEXT, ids);
    const mark = this.db.prepare("INSERT INTO cpd_audit_events (audit_id, at, actor, type, data_json) VALUES (?, ?, 'retention', 'audit.purged', ?)");
    for (const id of auditIds) mark.run(id, at, JSON.stringify(data));
    const used = this.usedPaths();
    return [...candidates].filter((p) => !used.has(p));
  }

  /**
   * The store paths a mail or attachment that keeps its data still uses. The store is content-addressed: the
   * same certificate may be attached to a renewal application and to an audit reply, or to a mail no case
   * took; a file goes only when nothing kept refers to it.
   */
  private usedPaths(): Set<string> {
    return new Set((this.db.prepare(`SELECT m.raw_path AS p FROM messages m WHERE NOT ${PURGED_MESSAGE}
      UNION SELECT a.store_path FROM attachments a WHERE NOT ${PURGED_MESSAGE.replaceAll('m.id', 'a.message_id')}
        OR EXISTS (SELECT 1 FROM case_attachments ca JOIN cases c ON c.id = ca.case_id WHERE ca.attachment_id = a.id AND c.purged_at IS NULL)`).all() as { p: string }[]).map((r) => r.p));
  }

  /** Overwrite freed space with zeros while purging (SQLite's secure_delete), then put the setting back. */
  withSecureDelete<T>(fn: () => T): T {
    const before = Number(Object.values(this.db.prepare('PRAGMA secure_delete').get() as Record<string, number>)[0]);
    this.db.exec('PRAGMA secure_delete = ON');
    try {
      return fn();
    } finally {
      this.db.exec(`PRAGMA secure_delete = ${before ? 'ON' : 'OFF'}`);
    }
  }

  /**
   * After the purge's commit: the database rebuilt (VACUUM), so that no free page or unused cell keeps an old
   * copy of what was purged (rows updated or deleted long before the purge left theirs), and the WAL, which
   * held the pages as they were, copied back and truncated. Costs a rewrite of the file; the purge runs
   * rarely (cases close at most a few thousand a year).
   */
  compact(): void {
    this.db.exec('VACUUM');
    this.db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  }
}
