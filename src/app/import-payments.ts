// Finance's statement import and the reconciliation around it, on one thread: a statement in any supported
// format is parsed whole or rejected, its credits stored without duplicates (a re-upload or an overlapping
// statement, also in another format, adds nothing; two genuinely identical transfers on one day stay two),
// then matching runs, and every case a payment settles or puts in doubt goes through the case transition, in
// the same transaction; the notices are composed after the commit. `conken payments import` runs the same steps on two threads
// (import-statement-file.ts). Finance's manual links and unlinks go through here too.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { App } from './context.ts';
import { StatementError, isCredit, type ParsedStatement, type StatementRow } from '../payments/statements/types.ts';
import { parseStatement, type DetectOptions } from '../payments/statements/detect.ts';
import type { Candidate } from '../payments/matcher.ts';
import { fingerprintOf, keyCredits, newPaymentLines } from '../payments/new-payments.ts';
import { sha256 } from '../intake/content-store.ts';
import { relaxDurability, transaction, withBulkSettings } from '../cases/db.ts';
import { isClosed } from '../cases/status.ts';
import { commitCaseChanges, renderQueuedNotices } from './deferred-notices.ts';
import { moveCasesOnByPayment, runMatching, type MatchRun } from './payment-matching.ts';

export { runMatching, type MatchRun };

export interface ImportResult {
  file: string;
  format: string;
  encoding: string | null;
  /** Credit rows in the file (only credits count). */
  rows: number;
  /** Withdrawals and cancelled notices in the file, not counted. */
  debits: number;
  new: number;
  duplicate: number;
  /** Links the matching made in this run. */
  matched: { payment: number; case: string; status: string }[];
  /** This file's new payments that were not linked: candidates or nothing found, for finance to look at. */
  needsAttention: number;
  /** Every payment waiting for finance (all imports). */
  unmatched: number;
}

export { StatementError };

export { fingerprintOf };

export function importPaymentsFile(app: App, file: string, actor = 'cli', options: Omit<DetectOptions, 'rules'> = {}): ImportResult {
  const bytes = readFileSync(file);
  const statement = parseStatement(bytes, { ...options, rules: app.rules.statements });
  return importStatementRows(app, path.basename(file), sha256(bytes), statement.format, statement.rows, actor, { encoding: statement.encoding, ...(statement.source ? { source: statement.source } : {}) });
}

export interface ImportTimings {
  /** Parsing the file, when the import parsed it (the two-thread import does, on its writer thread). */
  parseMs?: number;
  /** The COMMIT alone, when measured apart. */
  commitMs?: number;
  /**
   * The two-thread import: milliseconds from its start until the writer held the lock, until the new payments
   * reached the matcher, until the decisions were sent back, until the commit; and how long the writer took to
   * store the new payments (beside the matching) and then waited for the decisions.
   */
  timeline?: { locked: number; fresh: number; decided: number; committed: number; storeRowsMs: number; waitedMs: number };
  /** Deduplicating and preparing the new rows (the file is parsed before). */
  storeMs: number;
  loadMs: number;
  reconcileMs: number;
  /** Writing the new payments with their verdicts, links, events and payment findings. */
  writeMs: number;
  /** Moving the affected cases on (re-evaluation, findings, events, notices queued). */
  casesMs: number;
  /** The whole transaction, commit included. */
  committedMs: number;
  /** CPU time (this process, all threads) of the transaction and of its case transitions: on a shared machine the wall times above also hold other processes' work. */
  committedCpuMs: number;
  casesCpuMs: number;
  /** After the commit: composing the queued notices, then the checkpoint (see withBulkSettings). */
  afterCommitMs: number;
  noticesRendered: number;
}

export function importStatementRows(app: App, fileName: string, hash: string, format: string, rows: StatementRow[], actor: string, meta: { encoding?: string; source?: ParsedStatement['source']; onTimings?: (t: ImportTimings) => void; onImportId?: (importId: number) => void } = {}): ImportResult {
  const credits = rows.filter(isCredit);
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  let committedCpu = { user: 0, system: 0 };
  let run: MatchRun | undefined;
  let storeMs = 0;
  let committedAt = 0;
  let noticesRendered = 0;
  const result = withBulkSettings(app.db, () => {
    const imported = transaction(app.db, () => {
      const debits = rows.length - credits.length;
      // The new payments get consecutive ids now and are written once, with their verdicts, after matching.
      const newPayments = app.payments.recordImport(app.cases, credits, keyCredits(credits), { fileName, sha256: hash, format, encoding: meta.encoding ?? null, actor, debits });
      const { importId, firstId, rows: fresh } = newPayments;
      meta.onImportId?.(importId);
      const count = fresh.index.length;
      storeMs = performance.now() - t0;
      // Nothing new: nothing for the matcher to do (the hourly run and new applications cover the rest).
      run = count ? runMatching(app, newPayments) : NOTHING_MATCHED;
      app.payments.setImportMatched(importId, run.matched.length);
      // The source lines, one packed blob per import, not a column per payment; written last, as any later
      // update of the import's row would rewrite the blob with it.
      if (count) app.payments.setImportRawLines(importId, firstId, newPaymentLines(credits, fresh, meta.source));
      // The new payments are linked only by this run's matching.
      const needsAttention = count - run.freshLinked;
      app.log.info({ importId, format, rows: credits.length, new: count, duplicate: fresh.duplicate, matched: run.matched.map((m) => m.case), needsAttention }, 'statement imported');
      return {
        file: fileName, format, encoding: meta.encoding ?? null, rows: credits.length, debits: rows.length - credits.length, new: count, duplicate: fresh.duplicate,
        matched: run.matched, needsAttention,
      };
    });
    committedAt = performance.now();
    committedCpu = process.cpuUsage(cpu0);
    noticesRendered = composeQueuedNotices(app);
    // Read after the commit: a count over every payment (all imports), not one of the import's decisions.
    return { ...imported, unmatched: app.payments.countUnlinkedPayments() };
  });
  meta.onTimings?.({ storeMs, ...run!.timings, committedMs: committedAt - t0, committedCpuMs: cpuMs(committedCpu), afterCommitMs: performance.now() - committedAt, noticesRendered });
  return result;
}

const NOTHING_MATCHED: MatchRun = { matched: [], reevaluated: [], freshLinked: 0, timings: { loadMs: 0, reconcileMs: 0, writeMs: 0, casesMs: 0, casesCpuMs: 0 } };

/**
 * After the commit: compose the notices the run queued. A failure here loses nothing (the decisions and
 * the outbox rows are committed); the sender composes what is left. For the same reason these writes need
 * not be on disk when their transactions return: a composed mail lost in a crash is composed again, from
 * the same durable snapshot, before it is sent. So they commit without waiting for a sync of the WAL
 * (synchronous = NORMAL, as the daemon runs; WAL mode stays consistent either way), instead of one sync per
 * batch of 500 (56 syncs for a 100,000-row statement). withBulkSettings puts the setting back.
 */
export function composeQueuedNotices(app: App): number {
  relaxDurability(app.db);
  try {
    return renderQueuedNotices(app);
  } catch (error) {
    app.log.warn({ err: (error as Error).message }, 'composing queued notices failed; the sender will compose them');
    return 0;
  }
}

function cpuMs(usage: NodeJS.CpuUsage): number {
  return (usage.user + usage.system) / 1000;
}

export class PaymentActionError extends Error {}

/** Finance links a payment to a case by hand (a bulk transfer: once per case, with --amount). */
export function linkPayment(app: App, paymentId: number, caseNumber: string, who: string, options: { amount?: number; accept?: boolean; reason?: string } = {}): { payment: number; case: string; status: string; amount: number } {
  return commitCaseChanges(app, () => {
    const p = app.payments.paymentById(paymentId);
    if (!p) throw new PaymentActionError(`入金ID ${paymentId} はありません`);
    const c = app.cases.caseByNumber(caseNumber);
    if (!c) throw new PaymentActionError(`受付番号 ${caseNumber} の案件はありません`);
    if (isClosed(c.status)) throw new PaymentActionError(`${c.number} は審査済み（${c.status}）のため紐付けできません`);
    const others = app.payments.linksForPayment(paymentId).filter((l) => l.case_id !== c.id);
    // An automatic link to another case gives way to finance's decision.
    for (const l of others.filter((l) => l.linked_by.startsWith('matcher'))) {
      app.payments.unlinkPayment(paymentId, l.case_id);
      app.cases.addEvent({ caseId: l.case_id, actor: `finance:${who}`, type: 'payment.unlinked', data: { payment: paymentId, reason: 'linked by finance to another case' } });
      moveCasesOnByPayment(app, [{ caseId: l.case_id }], `finance:${who}`);
    }
    const allocated = others.filter((l) => !l.linked_by.startsWith('matcher')).reduce((a, l) => a + l.amount, 0);
    const amount = options.amount ?? Math.min(p.amount - allocated, c.expected_amount ?? p.amount);
    if (amount <= 0 || allocated + amount > p.amount) throw new PaymentActionError(`入金ID ${paymentId}（${p.amount}円）は既に${allocated}円が他の案件に割り当てられています（--amount で割り当て額を指定してください）`);
    app.payments.linkPayment(paymentId, c.id, `finance:${who}`, { amount, accepted: !!options.accept });
    app.cases.addEvent({ caseId: c.id, actor: `finance:${who}`, type: 'payment.linked', data: { payment: paymentId, amount, accepted: !!options.accept, ...(options.reason ? { reason: options.reason } : {}) } });
    runMatching(app);
    const moved = moveCasesOnByPayment(app, [{ caseId: c.id }], `finance:${who}`);
    return { payment: paymentId, case: c.number, status: moved.statusOf.get(c.id) ?? c.status, amount };
  });
}

/** Finance undoes a link; the payment is never linked automatically again (hold). */
export function unlinkPayment(app: App, paymentId: number, caseNumber: string | null, who: string, options: { reason?: string } = {}): { payment: number; cases: { case: string; status: string }[] } {
  return commitCaseChanges(app, () => {
    const p = app.payments.paymentById(paymentId);
    if (!p) throw new PaymentActionError(`入金ID ${paymentId} はありません`);
    const c = caseNumber ? app.cases.caseByNumber(caseNumber) : null;
    if (caseNumber && !c) throw new PaymentActionError(`受付番号 ${caseNumber} の案件はありません`);
    const links = app.payments.linksForPayment(paymentId).filter((l) => !c || l.case_id === c.id);
    if (links.length === 0) throw new PaymentActionError(`入金ID ${paymentId} は${c ? ` ${c.number} に` : ''}紐付けられていません`);
    for (const l of links) {
      app.payments.unlinkPayment(paymentId, l.case_id);
      app.cases.addEvent({ caseId: l.case_id, actor: `finance:${who}`, type: 'payment.unlinked', data: { payment: paymentId, ...(options.reason ? { reason: options.reason } : {}) } });
    }
    app.payments.setPaymentHold(paymentId, true);
    runMatching(app);
    const moved = moveCasesOnByPayment(app, links.map((l) => ({ caseId: l.case_id })), `finance:${who}`);
    const cases = links.map((l) => ({ case: moved.numberOf.get(l.case_id) ?? String(l.case_id), status: moved.statusOf.get(l.case_id) ?? '' }));
    return { payment: paymentId, cases };
  });
}

export interface UnmatchedPayment {
  id: number;
  paidOn: string;
  amount: number;
  transferName: string;
  status: string;
  code: string | null;
  reason: string | null;
  reference: string | null;
  candidates: { case: string; status: string; score: number; reason: string }[];
}

/** Finance's queue: every payment without a link, with its finding and ranked candidates. */
export function unmatchedPayments(app: App): UnmatchedPayment[] {
  return app.payments.unlinkedPayments().map((p) => ({
    id: p.id, paidOn: p.paid_on, amount: p.amount, transferName: p.transfer_name, status: p.status ?? 'unmatched', code: p.finding_code ?? null, reason: p.reason ?? null, reference: p.reference ?? null,
    candidates: (p.candidates_json ? (JSON.parse(p.candidates_json) as Candidate[]) : []).map((c) => {
      const row = app.cases.caseById(c.caseId);
      return { case: row?.number ?? String(c.caseId), status: row?.status ?? '', score: c.score, reason: c.reason };
    }),
  }));
}
