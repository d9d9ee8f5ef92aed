// What the running daemon reports about itself (connection state, backlog, last error), kept in the database
// so `conken status` in another process can show it without talking to the daemon.
import type { Db } from './db.ts';

export interface StatusRow {
  component: string;
  state: string;
  detail_json: string | null;
  last_error: string | null;
  last_error_at: string | null;
  updated_at: string;
}

export function upsertStatus(db: Db, row: StatusRow): void {
  db.prepare(`INSERT INTO daemon_status (component, state, detail_json, last_error, last_error_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
    ON CONFLICT(component) DO UPDATE SET state = excluded.state, detail_json = excluded.detail_json, last_error = excluded.last_error,
      last_error_at = excluded.last_error_at, updated_at = excluded.updated_at`)
    .run(row.component, row.state, row.detail_json, row.last_error, row.last_error_at, row.updated_at);
}

/** Every component's last report; none for a database from before the table existed (opened read-only, not migrated). */
export function statusRows(db: Db): StatusRow[] {
  const hasTable = !!db.prepare("SELECT name FROM sqlite_master WHERE name = 'daemon_status'").get();
  if (!hasTable) return [];
  return db.prepare('SELECT component, state, detail_json, last_error, last_error_at, updated_at FROM daemon_status ORDER BY component').all() as unknown as StatusRow[];
}
