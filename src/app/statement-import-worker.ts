// The writer thread of a statement import (src/app/import-statement-file.ts). It owns the import's
// transaction on its own connection: it takes the write lock, tells the main thread (which then reads the
// cases and earlier payments, and indexes them, under that lock), parses the file, picks the new payments,
// hands them to the main thread to be matched, and stores them while the matching runs; then it writes the
// decisions it is sent and commits. Parsing and storing 100,000 rows run beside the matching instead of
// before and after it, on the machine's second core.
import { parentPort, workerData } from 'node:worker_threads';
import { applyBulkSettings, openDatabase, transactionAsync } from '../cases/db.ts';
import { CaseStore } from '../cases/case-store.ts';
import type { DetectOptions } from '../payments/statements/detect.ts';
import { looksLikeZengin, parseZenginStatement } from '../payments/statements/zengin.ts';
import { isCredit, StatementError } from '../payments/statements/types.ts';
import { keyCredits, newPaymentLines, newPaymentsOf } from '../payments/new-payments.ts';
import { PaymentLedger } from '../cases/payment-ledger.ts';
import type { ToWorker, FromWorker, WorkerInput } from './statement-import-protocol.ts';

const input = workerData as WorkerInput;
const port = parentPort!;
const post = (message: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

/** The next message from the main thread. */
function next(): Promise<ToWorker> {
  return new Promise((resolve) => port.once('message', resolve));
}

async function run(): Promise<void> {
  // The file first: it needs no database, and the main thread reads the cases meanwhile.
  const t0 = performance.now();
  // A Zengin file needs only its own parser: the CSV readers (and their libraries) are loaded for CSV only,
  // as loading them costs the thread more than parsing most statements.
  const statement = looksLikeZengin(input.bytes) ? parseZenginStatement(input.bytes, input.detect)
    : (await import('../payments/statements/detect.ts')).parseStatement(input.bytes, input.detect as DetectOptions);
  const credits = statement.rows.filter(isCredit);
  const keyed = keyCredits(credits);
  const t1 = performance.now();
  const db = openDatabase(input.dbPath);
  try {
    // This connection only does the import: the settings of a bulk job, left as they are.
    applyBulkSettings(db);
    const cases = new CaseStore(db);
    const ledger = new PaymentLedger(db);
    let timings = { storeRowsMs: 0, waitedMs: 0, writeMs: 0 };
    let commitStarted = 0;
    await transactionAsync(db, async () => {
      post({ type: 'locked' });
      const debits = statement.rows.length - credits.length;
      const rows = ledger.recordImport(cases, credits, keyed, { fileName: input.fileName, sha256: input.sha256, format: statement.format, encoding: statement.encoding, actor: input.actor, debits });
      const { importId, firstId, rows: fresh } = rows;
      const count = fresh.index.length;
      const matching = newPaymentsOf(rows);
      const digits = matching.keys.map((k) => k.digits);
      const kana = matching.keys.map((k) => k.kana);
      const entity = matching.keys.map((k) => k.entity);
      const { amount, paidOn, transferName } = matching;
      const t2 = performance.now();
      post({ type: 'fresh', importId, firstId, format: statement.format, encoding: statement.encoding, rows: credits.length, debits, duplicate: fresh.duplicate, amount, paidOn, transferName, digits, kana, entity, parseMs: t1 - t0, storeMs: t2 - t1 }, [amount.buffer as ArrayBuffer]);
      // While the main thread matches: the new payments, stored with the default verdict, and their source lines.
      ledger.insertNewPayments(rows);
      const lines = count ? newPaymentLines(credits, fresh, statement.source) : null;
      const t3 = performance.now();
      const message = await next();
      if (message.type !== 'decision') throw new Error(message.type === 'abort' ? message.reason : 'unexpected message');
      const t4 = performance.now();
      ledger.writeMatchDecision(cases, message.decision);
      ledger.setImportMatched(importId, message.decision.newlyLinked.length);
      // Last: any later update of the import's row would rewrite the blob with it.
      if (lines) ledger.setImportRawLines(importId, firstId, lines);
      commitStarted = performance.now();
      timings = { storeRowsMs: t3 - t2, waitedMs: t4 - t3, writeMs: commitStarted - t4 };
    });
    post({ type: 'committed', storeRowsMs: timings.storeRowsMs, waitedMs: timings.waitedMs, writeMs: timings.writeMs, commitMs: performance.now() - commitStarted });
  } finally {
    db.close();
  }
}

run().catch((error: unknown) => {
  post({ type: 'error', message: (error as Error).message, statement: error instanceof StatementError });
});
