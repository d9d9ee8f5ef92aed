// The outbox (transactional outbox): notices queued with the decision that caused them, composed, then
// delivered by the sender loop. Rows are inserted by the case writer only (src/cases/case-writer.ts); here
// they are read, composed and marked sent or failed.
import { SqlStore } from './sql-store.ts';

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

export class OutboxStore extends SqlStore {
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

  /** Notices still pending after at least one failed attempt. */
  retryingCount(): number {
    return this.get<{ n: number }>("SELECT COUNT(*) AS n FROM outbox WHERE status = 'pending' AND attempts > 0")!.n;
  }
}
