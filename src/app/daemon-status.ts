// What the running daemon reports about itself, kept in the database so `conken status` (another
// process) can show connection state, backlog and the last error without talking to the daemon.
import type { Db } from '../cases/db.ts';
import { statusRows, upsertStatus } from '../cases/daemon-status-store.ts';
import type { App } from './context.ts';
import type { Health } from '../shared/health.ts';
import { ocrModels } from '../extract/ocr/tessdata.ts';

/** `ocr` is not reported by the daemon: it is the models this machine reads scans with (the same install). */
export type Component = 'daemon' | 'source' | 'transport' | 'ocr';

export interface ComponentStatus extends Health {
  component: Component;
  updatedAt: string;
}

export function writeStatus(db: Db, component: Component, health: Health, now = new Date()): void {
  upsertStatus(db, {
    component, state: health.state, detail_json: JSON.stringify({ ...health.detail, ...(health.backlog !== undefined ? { backlog: health.backlog } : {}) }),
    last_error: health.lastError, last_error_at: health.lastErrorAt, updated_at: now.toISOString(),
  });
}

export function readStatus(db: Db): ComponentStatus[] {
  return statusRows(db).map((r) => {
    const detail = r.detail_json ? (JSON.parse(r.detail_json) as Record<string, unknown>) : {};
    const { backlog, ...rest } = detail;
    return {
      component: r.component as Component, state: r.state, lastError: r.last_error, lastErrorAt: r.last_error_at, updatedAt: r.updated_at, detail: rest,
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
export function statusReport(app: Pick<App, 'db' | 'outbox'>): StatusReport {
  const components = readStatus(app.db);
  const ocr = ocrModels();
  components.push({
    component: 'ocr', state: ocr.available ? 'ready' : 'unavailable', lastError: null, lastErrorAt: null, updatedAt: new Date().toISOString(),
    detail: { first: ocr.first, second: ocr.second, latin: ocr.latin, orientation: ocr.orientation },
  });
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
  const retrying = app.outbox.retryingCount();
  return { running, pid, components, outbox: { pending: counts.pending ?? 0, retrying, sent: counts.sent ?? 0, suppressed: counts.suppressed ?? 0 } };
}
