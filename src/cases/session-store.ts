// Web sessions on the project's SQLite (the store @fastify/session calls): a session survives a restart of
// the workbench, and disabling a user or logging out ends their sessions everywhere. The store itself
// enforces the idle and absolute timeouts, so an old cookie is worth nothing even if a browser keeps it.
// SQL for web_sessions and web_secrets lives here only.
import { randomBytes } from 'node:crypto';
import type { Db } from './db.ts';

type Callback = (err?: unknown) => void;
type GetCallback = (err: unknown, session?: unknown) => void;

export interface SessionLimits {
  idleMs: number;
  absoluteMs: number;
}

export class SqliteSessionStore {
  readonly db: Db;
  readonly limits: SessionLimits;
  private readonly now: () => number;
  private lastSweep = 0;
  constructor(db: Db, limits: SessionLimits, now: () => number = Date.now) {
    this.db = db;
    this.limits = limits;
    this.now = now;
  }

  private expired(row: { created_at: number; last_seen_at: number }, at: number): boolean {
    return at - row.last_seen_at > this.limits.idleMs || at - row.created_at > this.limits.absoluteMs;
  }

  get(sid: string, callback: GetCallback): void {
    try {
      const row = this.db.prepare('SELECT data_json, created_at, last_seen_at FROM web_sessions WHERE sid = ?').get(sid) as { data_json: string; created_at: number; last_seen_at: number } | undefined;
      if (!row) return callback(null, null);
      if (this.expired(row, this.now())) {
        this.db.prepare('DELETE FROM web_sessions WHERE sid = ?').run(sid);
        return callback(null, null);
      }
      callback(null, JSON.parse(row.data_json));
    } catch (error) {
      callback(error);
    }
  }

  /** Saving a session is also its sign of life: last_seen_at moves on, created_at stays. */
  set(sid: string, session: unknown, callback: Callback): void {
    try {
      const at = this.now();
      const userId = (session as { userId?: number }).userId ?? null;
      // A sign of life alone (rolling sessions save on every request) never waits for a writer: a statement
      // import's writer thread holds the write lock for seconds while this thread must answer it, so waiting
      // here would stall both until the busy timeout. Skipped instead; the next request records it.
      const data = JSON.stringify(session);
      const stored = this.db.prepare('SELECT data_json FROM web_sessions WHERE sid = ?').get(sid) as { data_json: string } | undefined;
      if (stored?.data_json === data) {
        if (this.touchWithoutWaiting(sid, at)) this.sweep(at);
        return callback();
      }
      this.db.prepare(`INSERT INTO web_sessions (sid, user_id, data_json, created_at, last_seen_at) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (sid) DO UPDATE SET user_id = excluded.user_id, data_json = excluded.data_json, last_seen_at = excluded.last_seen_at`)
        .run(sid, userId, data, at, at);
      this.sweep(at);
      callback();
    } catch (error) {
      callback(error);
    }
  }

  /** last_seen_at moved on unless another connection holds the write lock (then false, at once). */
  private touchWithoutWaiting(sid: string, at: number): boolean {
    const { timeout } = this.db.prepare('PRAGMA busy_timeout').get() as { timeout: number };
    this.db.exec('PRAGMA busy_timeout = 0');
    try {
      this.db.prepare('UPDATE web_sessions SET last_seen_at = ? WHERE sid = ?').run(at, sid);
      return true;
    } catch (error) {
      if ((error as { errcode?: number }).errcode === 5) return false;
      throw error;
    } finally {
      this.db.exec(`PRAGMA busy_timeout = ${timeout}`);
    }
  }

  destroy(sid: string, callback: Callback): void {
    try {
      this.db.prepare('DELETE FROM web_sessions WHERE sid = ?').run(sid);
      callback();
    } catch (error) {
      callback(error);
    }
  }

  /** Ends every session of a user (disabled, or a new password). */
  destroyForUser(userId: number): number {
    return Number(this.db.prepare('DELETE FROM web_sessions WHERE user_id = ?').run(userId).changes);
  }

  /** Expired sessions removed now and then (at most once a minute), not on every request. */
  private sweep(at: number): void {
    if (at - this.lastSweep < 60_000) return;
    this.lastSweep = at;
    this.db.prepare('DELETE FROM web_sessions WHERE last_seen_at < ? OR created_at < ?').run(at - this.limits.idleMs, at - this.limits.absoluteMs);
  }
}

/** The key that signs session cookies: made at random once per database and kept in it. */
export function cookieSecret(db: Db): string {
  const row = db.prepare("SELECT value FROM web_secrets WHERE name = 'session-cookie'").get() as { value: string } | undefined;
  if (row) return row.value;
  const value = randomBytes(48).toString('base64url');
  db.prepare("INSERT OR IGNORE INTO web_secrets (name, value, created_at) VALUES ('session-cookie', ?, ?)").run(value, new Date().toISOString());
  return (db.prepare("SELECT value FROM web_secrets WHERE name = 'session-cookie'").get() as { value: string }).value;
}
