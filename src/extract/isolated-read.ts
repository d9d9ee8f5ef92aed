// Untrusted attachments (.docx, .pdf) are parsed in a worker thread, never on the main thread: the main
// event loop keeps running (IMAP IDLE, the sender, SIGTERM) whatever a file does, and a file that needs
// more memory or time than any form is stopped there (V8 heap limit, wall-clock timeout, terminate) and
// becomes an `unreadable` verdict instead of ending the process. Measured before: a .docx with a 60 MB
// document.xml took the process to 4.5 GB and killed it; a 100,000-page PDF blocked the loop for minutes.
//
// Workers are reused, not spawned per file: starting a worker and loading mammoth and pdf.js into it costs
// ~200–350 ms on this machine, as much as reading a form (100–300 ms). A file the readers refuse leaves
// its worker in use; a worker that crashed, timed out or ran out of memory is discarded (its heap may be
// in any state), as is one that has read MAX_TASKS_PER_WORKER files or whose heap stays large after a
// file. The idle worker is unref'd so that it never keeps the process alive.
import { Worker } from 'node:worker_threads';
import { UnreadableFileError } from './readers/reader.ts';
import type { DocumentModel } from './document.ts';
import type { FileProblem } from '../shared/file-type.ts';

export type IsolatedTask =
  | { op: 'read'; format: 'docx' | 'pdf'; bytes: Uint8Array; filename: string }
  | { op: 'render-pdf'; bytes: Uint8Array; pages: number[]; scale: number }
  | { op: 'pdf-page-count'; bytes: Uint8Array };

type ResultOf<T extends IsolatedTask> =
  T extends { op: 'read' } ? DocumentModel : T extends { op: 'render-pdf' } ? Uint8Array[] : number;

export interface IsolationLimits {
  /** Wall-clock time after which the worker is terminated. */
  timeoutMs?: number;
  /** V8 old-generation heap of the worker, in MB (a worker with other limits is not shared). */
  heapMb?: number;
}

/**
 * Old-generation heap of a reading worker. With the young generation, code and the bounded buffers
 * (a docx package ≤ 32 MB, PDF streams checked before pdf.js inflates them) one input stays near
 * 1 GB at worst, well under the 1.5 GiB the daemon allows for any single input.
 */
export const WORKER_HEAP_MB = 640;
const WORKER_YOUNG_MB = 32;
/** A form reads in well under a second and renders in a few; a file still busy after this is stopped. */
export const READ_TIMEOUT_MS = 30_000;
export const RENDER_TIMEOUT_MS = 60_000;
const MAX_TASKS_PER_WORKER = 100;
/** Heap still in use after a file above which the worker is replaced rather than reused. */
const RECYCLE_HEAP_BYTES = 256 * 1024 * 1024;
/**
 * One file at a time: the intake reads a mail's files one after another anyway, and one worker at a time
 * is what keeps the whole process (main thread + worker) under 1.5 GiB whatever the files.
 */
const MAX_WORKERS = 1;

interface Reply { id: number; ok: boolean; result?: unknown; error?: { message: string; problem: FileProblem }; heapUsed: number }

interface PooledWorker { worker: Worker; tasks: number; shared: boolean }

const WORKER_URL = new URL('./isolated-worker.ts', import.meta.url);
const idle: PooledWorker[] = [];
let running = 0;
const waiting: (() => void)[] = [];
let nextId = 1;

function spawn(heapMb: number, shared: boolean): PooledWorker {
  const worker = new Worker(WORKER_URL, {
    resourceLimits: { maxOldGenerationSizeMb: heapMb, maxYoungGenerationSizeMb: WORKER_YOUNG_MB, stackSizeMb: 4 },
  });
  const pooled = { worker, tasks: 0, shared };
  // An idle worker that fails or ends has no task listening: its error must not become an unhandled
  // 'error' event (that would end the process), and it leaves the pool.
  worker.on('error', () => undefined);
  worker.on('exit', () => { const at = idle.indexOf(pooled); if (at >= 0) idle.splice(at, 1); });
  return pooled;
}

async function slot(): Promise<void> {
  while (running >= MAX_WORKERS) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
}

function release(): void {
  running--;
  waiting.shift()?.();
}

/**
 * Starts the shared reading worker now, idle and unref'd (it loads the readers as it starts), for a caller
 * that knows a file is coming: `conken extract` of a .docx or PDF starts it before loading the rest of its
 * code, so that the worker's start and this thread's overlap (bin/conken.js). The first readIsolated takes it.
 */
export function startReader(): void {
  if (idle.length > 0 || running > 0) return;
  const pooled = spawn(WORKER_HEAP_MB, true);
  pooled.worker.unref();
  idle.push(pooled);
}

/** Runs one task in a reading worker; a worker that dies or overruns gives UnreadableFileError. */
export async function readIsolated<T extends IsolatedTask>(task: T, limits: IsolationLimits = {}): Promise<ResultOf<T>> {
  const timeoutMs = limits.timeoutMs ?? (task.op === 'render-pdf' ? RENDER_TIMEOUT_MS : READ_TIMEOUT_MS);
  const shared = limits.heapMb === undefined;
  await slot();
  const pooled = (shared ? idle.pop() : undefined) ?? spawn(limits.heapMb ?? WORKER_HEAP_MB, shared);
  const { worker } = pooled;
  worker.ref();
  const id = nextId++;
  let keep = false;
  try {
    return await new Promise<ResultOf<T>>((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        reject(new UnreadableFileError(`読み取りが時間内に終わりません（${Math.round(timeoutMs / 1000)}秒で打ち切り）`, 'too-large'));
      }, timeoutMs);
      const onMessage = (reply: Reply) => {
        if (reply.id !== id) return;
        cleanup();
        pooled.tasks++;
        keep = pooled.shared && pooled.tasks < MAX_TASKS_PER_WORKER && reply.heapUsed < RECYCLE_HEAP_BYTES;
        if (reply.ok) resolve(reply.result as ResultOf<T>);
        else {
          // The file's own failure: the worker is fine, unless its heap says otherwise.
          reject(new UnreadableFileError(reply.error!.message, reply.error!.problem));
        }
      };
      const onError = (error: Error & { code?: string }) => {
        cleanup();
        reject(error.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? new UnreadableFileError(`読み取りに必要なメモリが上限（${limits.heapMb ?? WORKER_HEAP_MB}MB）を超えました`, 'too-large')
          : new UnreadableFileError(`読み取り中に読み取り用スレッドが停止しました: ${error.message}`, 'damaged'));
      };
      const onExit = (code: number) => {
        cleanup();
        reject(new UnreadableFileError(`読み取り用スレッドが終了しました（終了コード ${code}）`, 'damaged'));
      };
      const cleanup = () => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      // The bytes are copied, not transferred: the caller keeps using them (stored with the case).
      worker.postMessage({ id, task });
    });
  } finally {
    if (keep && idle.length === 0) {
      worker.unref();
      idle.push(pooled);
    } else {
      // Awaited: the next file's worker starts only once this one is gone (one worker's memory at a time).
      await worker.terminate().catch(() => undefined);
    }
    release();
  }
}

/** Ends the idle reading workers (tests, and a clean shutdown that wants no thread left). */
export async function shutdownReaders(): Promise<void> {
  await Promise.all(idle.splice(0).map((p) => p.worker.terminate()));
}
