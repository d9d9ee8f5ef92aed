// Retention (SPEC §7): a closed case past its retention period loses its personal data — the application and
// the figures computed from it, the applicant's address, the payment key, the messages of its findings, the
// senders and subjects of its mails, its attachments' names and facts, its notices' text and addresses, and
// the free text staff wrote on it — while its number, kind, dates, decision and history (events, audit log)
// stay. The database is written with secure_delete on, then rebuilt and its WAL truncated, so the old values
// do not linger in free pages or old frames. The files (raw mails, attachments, crops) are listed for the
// caller to delete from the content store, each only when no case that keeps its data still refers to it.
import type { Db } from './db.ts';

export const PURGED_TEXT = '（保存期間の経過により削除）';

export interface PurgeCandidate {
  id: number;
  number: string;
  status: string;
  closedAt: string;
}

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
    this.db.prepare(`UPDATE cases SET applicant_address = NULL, intake_findings_json = '[]', payment_findings_json = '[]', handled_findings_json = '[]',
        payment_digits = NULL, payment_kana = NULL, payment_declared = NULL, payment_company = NULL, purged_at = ?, updated_at = updated_at
      WHERE id IN ${inCases}`).run(at, ids);
    // A file still used by a case that keeps its data stays.
    const used = new Set((this.db.prepare(`SELECT m.raw_path AS p FROM messages m WHERE EXISTS (SELECT 1 FROM case_messages cm JOIN cases c ON c.id = cm.case_id WHERE cm.message_id = m.id AND c.purged_at IS NULL)
      UNION SELECT a.store_path FROM attachments a WHERE EXISTS (SELECT 1 FROM case_attachments ca JOIN cases c ON c.id = ca.case_id WHERE ca.attachment_id = a.id AND c.purged_at IS NULL)`).all() as { p: string }[]).map((r) => r.p));
    return [...candidates].filter((p) => !used.has(p));
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
