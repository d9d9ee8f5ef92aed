// A statement file imported on two threads (what `conken payments import` does). The writer thread
// (statement-import-worker.ts) parses the file, stores its new payments and commits; this thread reads and
// indexes the cases meanwhile, matches the new payments as soon as they are parsed, and sends the decisions
// back. The import's payments, verdicts and links commit together, as in the single-thread import
// (importStatementRows); the cases they move on are moved in the next transaction, from the queue the
// commit left (payment_case_moves), and their notices are composed after that. Only the database's own
// file can be shared by two connections: an in-memory database takes the single-thread import.
import { Worker } from 'node:worker_threads';
import type { App } from './context.ts';
import { changeStamp, readTransaction, transaction, withBulkSettings } from '../cases/db.ts';
import { parseStatement } from '../payments/statements/detect.ts';
import { StatementError } from '../payments/statements/types.ts';
import { CaseIndex } from '../payments/matcher.ts';
import { sha256 } from '../intake/content-store.ts';
import { matchRunResult, moveCasesOn, type NewPayments } from './payment-matching.ts';
import { decideMatching, openCasesOf, type MatchDecision, type MatchingCaseRow, type MatchingPaymentRow } from '../payments/match-decision.ts';
import { composeQueuedNotices, importStatementRows, type ImportResult, type ImportTimings } from './import-payments.ts';
import type { FromWorker, ToWorker, WorkerInput } from './statement-import-protocol.ts';

export interface ImportStatementOptions {
  era?: 'auto' | 'wareki' | 'seireki';
  /** ISO date standing for today (tests, benchmarks). */
  today?: string;
  onTimings?: (t: ImportTimings) => void;
  /** Where the import is (a page shows it while a large file imports): each phase once, in this order. */
  onPhase?: (phase: ImportPhase) => void;
  /** The import's row in payment_imports, once it exists (the workbench links its result page). */
  onImportId?: (importId: number) => void;
}

/** parsing (the writer thread parses, keys and picks the new rows), matching, writing (and commit), cases (moved on, notices composed), done. */
export type ImportPhase = 'parsing' | 'matching' | 'writing' | 'cases' | 'done';

/** Messages from the worker, one at a time; its failure (an uncaught error, an exit) rejects the wait. */
class Inbox {
  private readonly queue: FromWorker[] = [];
  private waiting: { resolve: (m: FromWorker) => void; reject: (e: Error) => void } | null = null;
  private failed: Error | null = null;
  constructor(worker: Worker) {
    worker.on('message', (m: FromWorker) => {
      if (this.waiting) {
        const w = this.waiting;
        this.waiting = null;
        w.resolve(m);
      } else this.queue.push(m);
    });
    const fail = (error: Error) => {
      this.failed ??= error;
      if (this.waiting) {
        const w = this.waiting;
        this.waiting = null;
        w.reject(error);
      }
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the statement import's writer thread ended (exit code ${code})`)));
  }

  async next<T extends FromWorker['type']>(type: T): Promise<Extract<FromWorker, { type: T }>> {
    let message = this.queue.shift();
    if (!message) {
      if (this.failed) throw this.failed;
      message = await new Promise<FromWorker>((resolve, reject) => {
        this.waiting = { resolve, reject };
      });
    }
    if (message.type === 'error') throw message.statement ? new StatementError(message.message) : new Error(message.message);
    if (message.type !== type) throw new Error(`statement import: expected ${type}, got ${message.type}`);
    return message as Extract<FromWorker, { type: T }>;
  }
}

/** What the matcher reads, in one read transaction, with the data version it was read at. */
function readMatchingState(app: App): { caseRows: MatchingCaseRow[]; stored: MatchingPaymentRow[]; version: string } {
  return readTransaction(app.db, () => ({ caseRows: app.cases.casesForMatching(), stored: app.payments.paymentsForMatching(), version: dataVersion(app) }));
}

/**
 * Changes since: another connection's commit changes data_version, this connection's own writes change
 * total_changes() (the import's main thread writes nothing meanwhile, but the same connection may serve
 * something else in the same process).
 */
function dataVersion(app: App): string {
  return changeStamp(app.db);
}

const NO_DECISION: MatchDecision = { earlier: [], fresh: [], freshLinks: [], events: [], moves: [], newlyLinked: [] };

export async function importStatement(app: App, bytes: Uint8Array, fileName: string, actor: string, options: ImportStatementOptions = {}): Promise<ImportResult> {
  const hash = sha256(bytes);
  const detect = { rules: app.rules.statements, ...(options.era ? { era: options.era } : {}), ...(options.today ? { today: options.today } : {}) };
  const phase = options.onPhase ?? (() => {});
  phase('parsing');
  if (app.config.database.path === ':memory:') {
    const statement = parseStatement(bytes, detect);
    return importStatementRows(app, fileName, hash, statement.format, statement.rows, actor, { encoding: statement.encoding, ...(statement.source ? { source: statement.source } : {}), ...(options.onTimings ? { onTimings: options.onTimings } : {}), ...(options.onImportId ? { onImportId: options.onImportId } : {}) });
  }
  // The same bytes again: every row is a duplicate by construction (an import stores each transfer as often as
  // the file shows it, and payments are never removed), so the file is recorded as imported, with nothing new,
  // without parsing it or starting the writer thread.
  const earlier = app.payments.paymentImportBySha256(hash);
  if (earlier) {
    const repeated = recordRepeatedImport(app, fileName, hash, actor, earlier, options.onImportId);
    phase('done');
    return repeated;
  }
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const input: WorkerInput = { dbPath: app.config.database.path, bytes, detect, fileName, sha256: hash, actor };
  const worker = new Worker(new URL('./statement-import-worker.ts', import.meta.url), { workerData: input });
  const inbox = new Inbox(worker);
  const send = (m: ToWorker) => worker.postMessage(m);
  let decision = NO_DECISION;
  let fresh: Extract<FromWorker, { type: 'fresh' }>;
  let committed: Extract<FromWorker, { type: 'committed' }>;
  let caseRows: MatchingCaseRow[];
  let loadMs = 0;
  let reconcileMs = 0;
  let decidedAt = 0;
  let timeline: ImportTimings['timeline'];
  try {
    // The cases and earlier payments are read while the writer parses the file, then checked against the
    // state the import writes on: once the writer holds the lock nobody else can commit, so if nothing was
    // committed since this read (data_version: another connection's commit changes it) the read stands, and
    // otherwise it is made again.
    const tl = performance.now();
    let state = readMatchingState(app);
    let index = new CaseIndex(openCasesOf(state.caseRows));
    loadMs = performance.now() - tl;
    await inbox.next('locked');
    const lockedAt = performance.now() - t0;
    if (dataVersion(app) !== state.version) {
      state = readMatchingState(app);
      index = new CaseIndex(openCasesOf(state.caseRows));
    }
    caseRows = state.caseRows;
    const stored = state.stored;
    fresh = await inbox.next('fresh');
    options.onImportId?.(fresh.importId);
    phase('matching');
    const freshAt = performance.now() - t0;
    const tr = performance.now();
    const count = fresh.paidOn.length;
    if (count) {
      const keys = new Array(count);
      for (let i = 0; i < count; i++) keys[i] = { digits: fresh.digits[i]!, kana: fresh.kana[i]!, entity: fresh.entity[i]! };
      const newPayments: NewPayments = { firstId: fresh.firstId, amount: fresh.amount, paidOn: fresh.paidOn, transferName: fresh.transferName, keys };
      decision = decideMatching(caseRows, index, stored, newPayments);
    }
    reconcileMs = performance.now() - tr;
    send({ type: 'decision', decision });
    phase('writing');
    decidedAt = performance.now() - t0;
    committed = await inbox.next('committed');
    timeline = { locked: lockedAt, fresh: freshAt, decided: decidedAt, committed: performance.now() - t0, storeRowsMs: committed.storeRowsMs, waitedMs: committed.waitedMs };
  } catch (error) {
    send({ type: 'abort', reason: (error as Error).message });
    await worker.terminate();
    throw error;
  }
  const committedAt = performance.now();
  const committedCpu = process.cpuUsage(cpu0);
  await worker.terminate();
  phase('cases');

  // The cases the import's payments settle or question, moved on in the next transaction, then their notices.
  let casesMs = 0;
  let casesCpuMs = 0;
  let noticesRendered = 0;
  const casesFrom = performance.now();
  const result = withBulkSettings(app.db, () => {
    const cpu = process.cpuUsage();
    const moved = transaction(app.db, () => moveCasesOn(app));
    const used = process.cpuUsage(cpu);
    casesMs = performance.now() - casesFrom;
    casesCpuMs = (used.user + used.system) / 1000;
    noticesRendered = composeQueuedNotices(app);
    return moved;
  });
  const byId = new Map(caseRows!.map((c) => [c.id, c]));
  const run = matchRunResult(decision, (id) => byId.get(id)?.number ?? result.numberOf.get(id)!, result, (id) => byId.get(id)!.status);
  const needsAttention = fresh!.paidOn.length - run.freshLinked;
  app.log.info({ importId: fresh!.importId, format: fresh!.format, rows: fresh!.rows, new: fresh!.paidOn.length, duplicate: fresh!.duplicate, matched: run.matched.map((m) => m.case), needsAttention }, 'statement imported');
  options.onTimings?.({
    parseMs: fresh!.parseMs, storeMs: fresh!.storeMs, loadMs, reconcileMs, writeMs: committed!.writeMs, commitMs: committed!.commitMs, casesMs, casesCpuMs,
    committedMs: committedAt - t0, committedCpuMs: (committedCpu.user + committedCpu.system) / 1000, afterCommitMs: performance.now() - casesFrom - casesMs, noticesRendered, ...(timeline ? { timeline } : {}),
  });
  return {
    file: fileName, format: fresh!.format, encoding: fresh!.encoding, rows: fresh!.rows, debits: fresh!.debits, new: fresh!.paidOn.length, duplicate: fresh!.duplicate,
    matched: run.matched, needsAttention, unmatched: app.payments.countUnlinkedPayments(),
  };
}

function recordRepeatedImport(app: App, fileName: string, hash: string, actor: string, earlier: { format: string; encoding: string | null; rows_total: number; rows_debit: number }, onImportId?: (importId: number) => void): ImportResult {
  const rows = earlier.rows_total;
  const importId = transaction(app.db, () => {
    const importId = app.payments.insertPaymentImport({ fileName, sha256: hash, format: earlier.format, actor, rowsTotal: rows, rowsNew: 0, rowsDuplicate: rows, encoding: earlier.encoding, rowsDebit: earlier.rows_debit });
    app.cases.addEvent({ actor, type: 'payments.imported', data: { importId, fileName, sha256: hash, format: earlier.format, rows, debits: earlier.rows_debit, new: 0, duplicate: rows, sameFileAs: 'an earlier import' } });
    app.log.info({ importId, format: earlier.format, rows, new: 0, duplicate: rows }, 'statement imported again (same file)');
    return importId;
  });
  onImportId?.(importId);
  return { file: fileName, format: earlier.format, encoding: earlier.encoding, rows, debits: earlier.rows_debit, new: 0, duplicate: rows, matched: [], needsAttention: 0, unmatched: app.payments.countUnlinkedPayments() };
}
