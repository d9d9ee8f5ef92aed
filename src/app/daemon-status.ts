// What the running daemon reports about itself, kept in the database so `conken status` (another
// process) can show connection state, backlog and the last error without talking to the daemon.
import type { Db } from '../cases/db.ts';
import type { Health } from '../shared/health.ts';

export type Component = 'daemon' | 'source' | 'transport';

export interface ComponentStatus extends Health {
  component: Component;
  updatedAt: string;
}

export function writeStatus(db: Db, component: Component, health: Health, now = new Date()): void {
  db.prepare(`INSERT INTO daemon_status (component, state, detail_json, last_error, last_error_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
    ON CONFLICT(component) DO UPDATE SET state = excluded.state, detail_json = excluded.detail_json, last_error = excluded.last_error,
      last_error_at = excluded.last_error_at, updated_at = excluded.updated_at`)
    .run(component, health.state, JSON.stringify({ ...health.detail, ...(health.backlog !== undefined ? { backlog: health.backlog } : {}) }), health.lastError, health.lastErrorAt, now.toISOString());
}

export function readStatus(db: Db): ComponentStatus[] {
  const rows = db.prepare('SELECT component, state, detail_json, last_error, last_error_at, updated_at FROM daemon_status ORDER BY component').all() as {
    component: Component; state: string; detail_json: string | null; last_error: string | null; last_error_at: string | null; updated_at: string;
  }[];
  return rows.map((r) => {
    const detail = r.detail_json ? (JSON.parse(r.detail_json) as Record<string, unknown>) : {};
    const { backlog, ...rest } = detail;
    return {
      component: r.component, state: r.state, lastError: r.last_error, lastErrorAt: r.last_error_at, updatedAt: r.updated_at, detail: rest,
      ...(typeof backlog === 'number' ? { backlog } : {}),
    };
  });
}
