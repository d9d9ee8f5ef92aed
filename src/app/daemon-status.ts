// What the running daemon reports about itself, kept in the database so `conken status` (another
// process) can show connection state, backlog and the last error without talking to the daemon.
import type { Db } from '../cases/db.ts';
import type { App } from './context.ts';
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

export interface StatusReport {
  running: boolean;
  pid: number | null;
  components: ComponentStatus[];
  outbox: { pending: number; retrying: number; sent: number; suppressed: number };
}

/** What `conken status` shows: is the daemon alive (its pid), what it last reported, and the outbox now. */
export function statusReport(app: App): StatusReport {
  // A database from before this table existed (opened read-only, so not migrated) has no daemon yet.
  const hasTable = !!app.db.prepare("SELECT name FROM sqlite_master WHERE name = 'daemon_status'").get();
  const components = hasTable ? readStatus(app.db) : [];
  const daemon = components.find((c) => c.component === 'daemon');
  const pid = typeof daemon?.detail?.pid === 'number' ? daemon.detail.pid : null;
  let running = false;
  if (pid !== null && daemon?.state !== 'stopped') {
    try {
      process.kill(pid, 0);
      running = true;
    } catch {
      running = false; // killed without a chance to say so
    }
  }
  const counts = app.outbox.outboxCounts();
  const retrying = (app.db.prepare("SELECT COUNT(*) AS n FROM outbox WHERE status = 'pending' AND attempts > 0").get() as { n: number }).n;
  return { running, pid, components, outbox: { pending: counts.pending ?? 0, retrying, sent: counts.sent ?? 0, suppressed: counts.suppressed ?? 0 } };
}
