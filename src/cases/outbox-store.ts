// The outbox (transactional outbox): notices queued with the decision that caused them, composed, then
// delivered by the sender loop. Rows are inserted by the case writer only (src/cases/case-writer.ts); here
// they are read, composed and marked sent or failed.
//
// A notice to an applicant who gave no e-mail address (a paper application) is a letter: the same row, composed
// by the same function from the same template, with status 'letter' (waiting to be printed; the sender only
// ever takes 'pending') and then 'posted'; its to_address holds the postal recipient as JSON (PostalRecipient),
// so the retention purge, which blanks to_address, removes it with the mail addresses.
import { SqlStore } from './sql-store.ts';

/** Where a letter goes: the applicant's name and address as the form gives them. */
export interface PostalRecipient {
  postalCode: string | null;
  address: string;
  name: string;
}

/**
 * The applicant's postal address from the form, when it gives one a letter can be posted to (an address and a
 * name; a postal code when it reads as one). Null: no letter can be addressed.
 */
export function postalRecipientOf(application: unknown): PostalRecipient | null {
  if (!application || typeof application !== 'object') return null;
  const a = application as { name?: unknown; address?: unknown; postalCode?: unknown };
  const text = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null);
  const name = text(a.name);
  const address = text(a.address);
  if (!name || !address) return null;
  return { postalCode: text(a.postalCode), address, name };
}

/** The statuses of a letter: waiting to be printed, then posted by staff. */
export const LETTER_STATUSES = ['letter', 'posted'] as const;

export function isLetter(row: Pick<OutboxRow, 'status'>): boolean {
  return (LETTER_STATUSES as readonly string[]).includes(row.status);
}

/** A letter's recipient (null for a mail, or once the case was purged). */
export function letterRecipient(row: Pick<OutboxRow, 'status' | 'to_address'>): PostalRecipient | null {
  if (!isLetter(row) || !row.to_address.startsWith('{')) return null;
  return JSON.parse(row.to_address) as PostalRecipient;
}

/** A letter waiting to be printed, with its case (for the list of letters). */
export interface WaitingLetter {
  id: number;
  case_id: number;
  case_number: string;
  kind: string;
  to_address: string;
  mail_json: string;
  created_at: string;
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
  /** A mail: pending → sent (or suppressed by the daily cap). A letter: letter → posted. */
  status: 'pending' | 'sent' | 'suppressed' | 'letter' | 'posted';
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

  /** Letters waiting to be printed, oldest first, with their case numbers. */
  lettersWaiting(limit = 500): WaitingLetter[] {
    return this.all(`SELECT o.id, o.case_id, c.number AS case_number, o.kind, o.to_address, o.mail_json, o.created_at
      FROM outbox o JOIN cases c ON c.id = o.case_id WHERE o.status = 'letter' AND o.to_address != '' ORDER BY o.id LIMIT ?`, limit);
  }

  lettersWaitingCount(): number {
    // A purged case's letter has no address left (the retention purge blanks it): nothing to print.
    return this.get<{ n: number }>("SELECT COUNT(*) AS n FROM outbox WHERE status = 'letter' AND to_address != ''")!.n;
  }

  /** The case number of an outbox row (a letter named by its id alone, as `conken letters` does). */
  caseNumberOfOutboxRow(id: number): string | undefined {
    return this.get<{ number: string }>('SELECT c.number FROM outbox o JOIN cases c ON c.id = o.case_id WHERE o.id = ?', id)?.number;
  }

  /** One outbox row of a case (a letter to print, a mail to show). */
  outboxRowOfCase(caseId: number, id: number): OutboxRow | undefined {
    return this.get('SELECT * FROM outbox WHERE case_id = ? AND id = ?', caseId, id);
  }
}
