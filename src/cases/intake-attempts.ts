// How often the daemon has started on each mail, kept in the database (migration 10) so that a mail which
// kills the process is counted too: the attempt is committed before the mail is processed, and a row
// still 'processing' when the daemon starts is one the previous process died on. The only SQL on
// intake_attempts is here (the watchdog thread uses recordWatchdogReason on its own connection).
import type { Db } from './db.ts';

export type AttemptState = 'processing' | 'failed' | 'done' | 'quarantined';

export interface AttemptRecord {
  source: string;
  sha256: string;
  ref: string;
  state: AttemptState;
  /** Attempts started since the mail last went through (a success resets the count). */
  attempts: number;
  /** Why each failed attempt failed, oldest first (technical; for staff and the logs, never for applicants). */
  reasons: string[];
  startedAt: string | null;
}

interface Row {
  source: string;
  sha256: string;
  ref: string;
  state: AttemptState;
  attempts: number;
  reasons_json: string;
  last_error: string | null;
  started_at: string | null;
}

function record(row: Row): AttemptRecord {
  return { source: row.source, sha256: row.sha256, ref: row.ref, state: row.state, attempts: row.attempts, reasons: JSON.parse(row.reasons_json) as string[], startedAt: row.started_at };
}

/** What a restart says about a mail the previous process died on when the watchdog left no reason. */
export const DIED_WHILE_PROCESSING = 'crash: the process ended while this mail was being processed (crash, out of memory or killed)';

export class IntakeAttempts {
  private readonly db: Db;
  constructor(db: Db) {
    this.db = db;
  }

  get(source: string, sha256: string): AttemptRecord | undefined {
    const row = this.db.prepare('SELECT * FROM intake_attempts WHERE source = ? AND sha256 = ?').get(source, sha256) as Row | undefined;
    return row ? record(row) : undefined;
  }

  /**
   * Counts one more attempt and marks the mail in hand, committed at once (autocommit: never called inside
   * a transaction), so that it stands even if the process dies the next moment. Returns the attempt count.
   */
  begin(source: string, ref: string, sha256: string, now = new Date()): number {
    const at = now.toISOString();
    const row = this.db.prepare(`INSERT INTO intake_attempts (source, sha256, ref, state, attempts, started_at, updated_at) VALUES (?, ?, ?, 'processing', 1, ?, ?)
      ON CONFLICT(source, sha256) DO UPDATE SET ref = excluded.ref, state = 'processing', last_error = NULL, started_at = excluded.started_at, updated_at = excluded.updated_at,
        attempts = CASE WHEN intake_attempts.state = 'done' THEN 1 ELSE intake_attempts.attempts + 1 END,
        reasons_json = CASE WHEN intake_attempts.state = 'done' THEN '[]' ELSE intake_attempts.reasons_json END
      RETURNING attempts`).get(source, sha256, ref, at, at) as { attempts: number };
    return row.attempts;
  }

  /** The mail went through: its count starts again from nothing should it ever be read again. */
  succeeded(source: string, sha256: string, now = new Date()): void {
    this.db.prepare(`UPDATE intake_attempts SET state = 'done', attempts = 0, reasons_json = '[]', last_error = NULL, updated_at = ? WHERE source = ? AND sha256 = ?`)
      .run(now.toISOString(), source, sha256);
  }

  /** The attempt failed (an error, or over the time bound): the reason is kept for the staff exception. */
  failed(source: string, sha256: string, reason: string, now = new Date()): AttemptRecord | undefined {
    this.db.prepare(`UPDATE intake_attempts SET state = 'failed', reasons_json = json_insert(reasons_json, '$[#]', ?), last_error = NULL, updated_at = ? WHERE source = ? AND sha256 = ?`)
      .run(reason, now.toISOString(), source, sha256);
    return this.get(source, sha256);
  }

  quarantined(source: string, sha256: string, now = new Date()): void {
    this.db.prepare(`UPDATE intake_attempts SET state = 'quarantined', updated_at = ? WHERE source = ? AND sha256 = ?`).run(now.toISOString(), source, sha256);
  }

  /**
   * At start-up: the mails the previous process was processing when it ended. Each becomes a failed attempt
   * with the reason the watchdog recorded before killing it, or DIED_WHILE_PROCESSING.
   */
  recoverInterrupted(now = new Date()): AttemptRecord[] {
    const rows = this.db.prepare(`SELECT * FROM intake_attempts WHERE state = 'processing'`).all() as unknown as Row[];
    for (const row of rows) this.failed(row.source, row.sha256, row.last_error ?? DIED_WHILE_PROCESSING, now);
    return rows.map((row) => this.get(row.source, row.sha256)!);
  }
}

/**
 * The watchdog thread's one write, on its own connection, just before it ends a process whose main thread
 * cannot answer: why the mail in hand is being given up. Best effort (the main thread may hold the lock).
 */
export function recordWatchdogReason(db: Db, reason: string): void {
  db.prepare(`UPDATE intake_attempts SET last_error = ?, updated_at = ? WHERE state = 'processing'`).run(reason, new Date().toISOString());
}
