// A matching run (SPEC §5) in three steps, so that a statement import can spread them over two threads and
// two transactions while every other run keeps them in one:
// 1. decideMatching (src/payments/match-decision.ts, no I/O): the cases and payments as read → automatic
//    links made or moved, each payment's verdict and ranked candidates, payment findings for the candidate
//    cases, and the cases to move on;
// 2. the payment ledger writes them (on any connection: the import's writer thread has its own), the cases to
//    move on queued in payment_case_moves in the same transaction;
// 3. moveCasesOn: every queued case goes through the case transition (trigger `payment`) on the main connection.
// runMatching does all three in the caller's transaction. A statement import commits steps 1–2 with its
// payments, then does step 3 in the next transaction; a crash in between leaves the queue, which the next
// run (or the daemon's start) empties first. Notices are composed after the caller's commit (commitCaseChanges).
import type { App } from './context.ts';
import { CaseIndex } from '../payments/matcher.ts';
import type { CaseStatus } from '../cases/status.ts';
import type { Finding } from '../validate/findings.ts';
import { newPaymentsOf, type NewPaymentRows, type NewPayments } from '../payments/new-payments.ts';
import { decideMatching, openCasesOf, type MatchDecision } from '../payments/match-decision.ts';
import { decideTransition } from '../cases/transition.ts';
import type { CaseChange } from '../cases/case-writer.ts';
import { feeSettled } from './payment-state.ts';

export type { NewPayments };

export interface MovedCases {
  /** Each moved case's status afterwards. */
  statusOf: Map<number, CaseStatus>;
  numberOf: Map<number, string>;
}

/** A case whose fee or payment findings changed; `paymentFindingsJson` undefined keeps the stored findings. */
export interface PaymentMove {
  caseId: number;
  paymentFindingsJson?: string;
}

/**
 * The case transition for cases whose fee or payment findings changed, one or thousands at once (inside the
 * caller's transaction): the case rows, their findings and payments are read in bulk, each case decided,
 * and the writer applies every decision with the same statements.
 */
export function moveCasesOnByPayment(app: App, moves: readonly PaymentMove[], actor: string, now = new Date()): MovedCases {
  const statusOf = new Map<number, CaseStatus>();
  const numberOf = new Map<number, string>();
  if (moves.length === 0) return { statusOf, numberOf };
  const sorted = [...moves].sort((a, b) => a.caseId - b.caseId);
  const heads = app.cases.caseHeads(sorted.map((m) => m.caseId));
  const open = [...heads.values()].filter((h) => h.status !== 'approved' && h.status !== 'rejected');
  const previousFindings = app.cases.currentFindingsOf(new Map(open.map((h) => [h.id, h.revision])));
  const payments = app.payments.paymentsForCases(open.map((h) => h.id));
  const changes: CaseChange[] = [];
  for (const m of sorted) {
    const head = heads.get(m.caseId);
    if (!head) continue;
    numberOf.set(head.id, head.number);
    statusOf.set(head.id, head.status);
    const columns = m.paymentFindingsJson !== undefined && m.paymentFindingsJson !== head.payment_findings_json ? { payment_findings_json: m.paymentFindingsJson } : undefined;
    const paymentFindings = JSON.parse(m.paymentFindingsJson ?? head.payment_findings_json ?? '[]') as Finding[];
    const decision = decideTransition({
      status: head.status, findings: previousFindings.get(head.id) ?? [], noticesSuppressed: head.notices_suppressed === 1,
      paid: feeSettled(payments.get(head.id) ?? [], app.rules.kinds[head.kind]?.fee), paymentFindings,
    }, { type: 'payment', actor }, app.rules);
    if (!decision.newRevision && !columns) continue;
    changes.push({ case: head, decision, ...(columns ? { columns } : {}), trigger: 'payment' });
  }
  for (const a of app.writer.apply(changes, now)) statusOf.set(a.caseId, a.status);
  return { statusOf, numberOf };
}

/**
 * Step 3: moves on every case queued by step 2 (or left by a crash), inside the caller's transaction: the
 * case rows are read again, so whatever happened since the decision (another run, a mail) is taken into account.
 */
export function moveCasesOn(app: App): MovedCases {
  return moveCasesOnByPayment(app, app.cases.takeCaseMoves(), 'matcher');
}

export interface MatchRun {
  matched: { payment: number; case: string; status: string }[];
  /** Cases re-evaluated because their fee or their payment findings changed. */
  reevaluated: string[];
  /** How many of the new payments this run linked. */
  freshLinked: number;
  /** Milliseconds: loading and indexing, reconciling (deciding), writing, moving the cases on. */
  timings: { loadMs: number; reconcileMs: number; writeMs: number; casesMs: number; casesCpuMs: number };
}

/** The run's result as callers report it, once the cases are moved on. */
export function matchRunResult(decision: MatchDecision, numberOfCase: (id: number) => string, moved: MovedCases, statusBefore: (id: number) => string): Pick<MatchRun, 'matched' | 'reevaluated' | 'freshLinked'> {
  const matched = decision.newlyLinked.map((l) => ({ payment: l.payment, case: numberOfCase(l.caseId), status: moved.statusOf.get(l.caseId) ?? statusBefore(l.caseId) }));
  const reevaluated = [...moved.statusOf.keys()].sort((a, b) => a - b).map((id) => moved.numberOf.get(id) ?? numberOfCase(id));
  return { matched, reevaluated, freshLinked: decision.freshLinks.length };
}

/**
 * A whole matching run over every stored payment and case, inside the caller's transaction: cases left
 * queued by an interrupted import are moved on first, then the run decides, writes and moves its cases on.
 * `fresh` are an import's new payments, not stored yet (consecutive ids, every column set but the verdict):
 * they are written once, with their verdicts. The notices are composed after the caller's commit.
 */
export function runMatching(app: App, fresh?: NewPaymentRows): MatchRun {
  const left = moveCasesOn(app);
  const t0 = performance.now();
  const caseRows = app.cases.casesForMatching();
  const stored = fresh ? app.payments.paymentsForMatching(fresh.importId) : app.payments.paymentsForMatching();
  const index = new CaseIndex(openCasesOf(caseRows));
  const t1 = performance.now();
  const newPayments: NewPayments | null = fresh ? newPaymentsOf(fresh) : null;
  const decision = decideMatching(caseRows, index, stored, newPayments);
  const t2 = performance.now();
  app.payments.writeMatchDecision(app.cases, decision, fresh);
  const t3 = performance.now();
  const cpu3 = process.cpuUsage();
  const moved = moveCasesOn(app);
  for (const [id, status] of left.statusOf) if (!moved.statusOf.has(id)) moved.statusOf.set(id, status);
  for (const [id, number] of left.numberOf) if (!moved.numberOf.has(id)) moved.numberOf.set(id, number);
  const byId = new Map(caseRows.map((c) => [c.id, c]));
  const result = matchRunResult(decision, (id) => byId.get(id)?.number ?? moved.numberOf.get(id)!, moved, (id) => byId.get(id)!.status);
  if (result.matched.length || result.reevaluated.length) app.log.info({ matched: result.matched.map((m) => `${m.payment}→${m.case}`), reevaluated: result.reevaluated }, 'payments matched');
  const cpu = process.cpuUsage(cpu3);
  return { ...result, timings: { loadMs: t1 - t0, reconcileMs: t2 - t1, writeMs: t3 - t2, casesMs: performance.now() - t3, casesCpuMs: (cpu.user + cpu.system) / 1000 } };
}
