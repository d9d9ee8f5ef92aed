// The daemon's watchdog: a small thread that enforces what the main thread cannot enforce on itself.
// - Memory: the process's resident memory (every thread, Buffers and native memory included, which a V8
//   heap limit does not see) is kept under config daemon.memoryLimitMb (1.5 GiB: issue 19). Above it the
//   process is ended at once.
// - Hangs: the main thread bounds each mail with a timer, which cannot fire while its event loop is
//   blocked (a parser looping in JavaScript). When a mail is still in hand some seconds past its bound,
//   the main thread is not answering, and the process is ended.
// Before ending it the watchdog writes why into the mail's attempt record (its own SQLite connection), so
// the next start counts the attempt with its reason (src/cases/intake-attempts.ts); the restart comes from
// the supervisor (bin/conken.js start) or the service manager (systemd Restart=always). A mail that keeps
// doing this is quarantined after daemon.maxAttempts starts: an end in a restart, never in a loop.
// The thread is the same file run with workerData.watchdog; it uses no more than a few MiB.
import { isMainThread, Worker, workerData } from 'node:worker_threads';
import { writeSync } from 'node:fs';
import { openForLastWrite } from '../cases/db.ts';
import { recordWatchdogReason } from '../cases/intake-attempts.ts';

interface WatchdogData {
  watchdog: true;
  /** [0]: the time (ms since the epoch) by which the mail in hand must be done; 0 when none is in hand. */
  shared: SharedArrayBuffer;
  dbPath: string;
  memoryLimitBytes: number;
  graceMs: number;
  everyMs: number;
}

export interface Watchdog {
  /** A mail is in hand until leave(); it must be done by deadline (ms since the epoch). */
  enter(deadline: number): void;
  leave(): void;
  stop(): Promise<void>;
}

export interface WatchdogOptions {
  dbPath: string;
  memoryLimitMb: number;
  /** How long past a mail's deadline the main thread may stay silent before the process is ended. */
  graceMs?: number;
  everyMs?: number;
}

export function startWatchdog(options: WatchdogOptions): Watchdog {
  const shared = new SharedArrayBuffer(8);
  const deadline = new BigInt64Array(shared);
  const data: WatchdogData = {
    watchdog: true, shared, dbPath: options.dbPath, memoryLimitBytes: options.memoryLimitMb * 1024 * 1024,
    graceMs: options.graceMs ?? 5000, everyMs: options.everyMs ?? 200,
  };
  const worker = new Worker(new URL(import.meta.url), { workerData: data, resourceLimits: { maxOldGenerationSizeMb: 32, maxYoungGenerationSizeMb: 8 } });
  // The watchdog never keeps the process alive; if it fails, the daemon goes on without it (and says so).
  worker.unref();
  worker.on('error', (error) => writeSync(2, `${JSON.stringify({ level: 50, time: Date.now(), msg: 'the watchdog thread failed; memory and hang bounds are not enforced', err: error.message })}\n`));
  return {
    enter: (at) => { Atomics.store(deadline, 0, BigInt(Math.round(at))); },
    leave: () => { Atomics.store(deadline, 0, 0n); },
    stop: async () => { await worker.terminate(); },
  };
}

function runWatchdog(data: WatchdogData): void {
  const deadline = new BigInt64Array(data.shared);
  const end = (reason: string) => {
    try {
      const db = openForLastWrite(data.dbPath);
      recordWatchdogReason(db, reason);
      db.close();
    } catch { /* the main thread holds the database: the restart records a plain crash instead */ }
    // Written directly to stderr: the main thread, which drains the logger, may be the one that is stuck.
    writeSync(2, `${JSON.stringify({ level: 60, time: Date.now(), pid: process.pid, msg: 'watchdog: ending the process; the mail in hand counts as a failed attempt', reason })}\n`);
    process.kill(process.pid, 'SIGKILL');
  };
  setInterval(() => {
    const rss = process.memoryUsage.rss();
    if (rss > data.memoryLimitBytes) {
      // Rounded up: a process just past the limit must not read as using exactly the limit (700 MiB of 700).
      end(`memory: the process used ${Math.ceil(rss / 1048576)} MiB, over the limit of ${Math.round(data.memoryLimitBytes / 1048576)} MiB`);
      return;
    }
    const due = Number(Atomics.load(deadline, 0));
    if (due > 0 && Date.now() > due + data.graceMs) end(`hang: the mail was not done ${Math.round((Date.now() - due) / 1000)} s past its time bound and the process did not answer`);
  }, data.everyMs);
}

if (!isMainThread && (workerData as Partial<WatchdogData> | null)?.watchdog) runWatchdog(workerData as WatchdogData);
