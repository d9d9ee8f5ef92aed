// A matching run (SPEC §5) in three steps, so that a statement import can spread them over two threads and
// two transactions while every other run keeps them in one:
// 1. decideMatching (no I/O): the cases and payments as read → automatic links made or moved, each payment's
//    verdict and ranked candidates, payment findings for the candidate cases, and the cases to move on;
// 2. writeMatchDecision: those decisions written (on any connection: the import's writer thread has its own),
//    the cases to move on queued in payment_case_moves in the same transaction;
// 3. moveCasesOn: every queued case re-evaluated and moved on, its notices queued (main connection).
// runMatching does all three in the caller's transaction. A statement import commits steps 1–2 with its
// payments, then does step 3 in the next transaction; a crash in between leaves the queue, which the next
// run (or the daemon's start) empties first.
import type { App } from './context.ts';
import { CaseIndex, reconcile, type Candidate, type OpenCase, type OpenPayment, type Verdict } from '../payments/matcher.ts';
import type { TransferKey } from '../payments/transfer-name.ts';
import { isClosed, type CaseStatus } from '../cases/status.ts';
import { finding, type Finding } from '../validate/findings.ts';
import { reevaluateCase } from './reevaluate.ts';
import type { MatchingCaseRow, MatchingPaymentRow } from '../cases/case-store.ts';
import { newPaymentsOf, type NewPaymentRows, type NewPayments } from '../payments/new-payments.ts';
import { writeMatchDecision, type MatchDecision } from '../payments/match-writes.ts';
import { moveCasesOnAfterPayments } from './payment-transitions.ts';
import { composeUnrenderedNotices } from './deferred-notices.ts';

export type { NewPayments };

const ATTACH_TO_CASE: ReadonlySet<string> = new Set(['payment.ambiguous', 'payment.amount-mismatch']);
const CANDIDATE_THRESHOLD = 0.5;

function yen(n: number): string {
  return `${n.toLocaleString('ja-JP')}円`;
}

/** The staff findings a payment verdict leaves on a candidate case (names stay in the database, not in logs). */
function caseFinding(v: Extract<Verdict, { status: 'attention' }>, c: Candidate, p: { id: number; paidOn: string; amount: number; transferName: string }, caseNumber: string, fee: number): Finding {
  const what = `入金ID ${p.id}（${p.paidOn} ${yen(p.amount)} 振込名義「${p.transferName}」）`;
  const command = `conken payments link ${p.id} ${caseNumber}`;
  if (v.code === 'payment.amount-mismatch') {
    return finding('payment.amount-mismatch', 'staff', `${what}は振込名義が一致しますが、金額が手数料${yen(fee)}と異なります（差額 ${yen(p.amount - fee)}）。不足分の入金を待つか、この金額で受け付ける場合は \`${command} --accept\` で紐付けてください。`, { field: 'payment' });
  }
  return finding('payment.ambiguous', 'staff', `${what}がこの申請の手数料の可能性がありますが、自動では確定できません（${c.reason}）。確認のうえ \`${command}\` で紐付けてください。`, { field: 'payment' });
}

/** The matcher's view of the cases read for a run. */
export function openCasesOf(caseRows: readonly MatchingCaseRow[]): OpenCase[] {
  return caseRows.map((c) => ({
    id: c.id, digits: c.payment_digits, kana: c.payment_kana, declaredTransferName: c.payment_declared, expectedAmount: c.expected_amount!,
    companyKana: c.payment_company, settledAmount: c.manual_accepted ? Number.MAX_SAFE_INTEGER : c.manual_amount, open: !isClosed(c.status),
  }));
}

/** Step 1: decide, from the cases and payments as read (the index may be built ahead, e.g. while another thread parses). */
export function decideMatching(caseRows: readonly MatchingCaseRow[], index: CaseIndex, stored: readonly MatchingPaymentRow[], fresh: NewPayments | null, now = new Date().toISOString()): MatchDecision {
  const byId = new Map(caseRows.map((c) => [c.id, c]));
  const storedById = new Map(stored.map((p) => [p.id, p]));
  const freshCount = fresh ? fresh.paidOn.length : 0;
  const firstFreshId = fresh && freshCount ? fresh.firstId : Number.MAX_SAFE_INTEGER;
  const payments: OpenPayment[] = new Array(stored.length + freshCount);
  for (let i = 0; i < stored.length; i++) {
    const p = stored[i]!;
    payments[i] = { id: p.id, transferName: p.transfer_name, amount: p.amount, paidOn: p.paid_on, linkedTo: p.auto_case, hold: p.hold === 1, key: { digits: p.digits, kana: p.kana ?? '', entity: p.entity } };
  }
  for (let i = 0; i < freshCount; i++) {
    payments[stored.length + i] = { id: firstFreshId + i, transferName: fresh!.transferName[i]!, amount: fresh!.amount[i]!, paidOn: fresh!.paidOn[i]!, linkedTo: null, hold: false, key: fresh!.keys[i]! };
  }
  const { verdicts } = reconcile(index, payments);

  const decision: MatchDecision = { earlier: [], fresh: [], freshLinks: [], events: [], moves: [], newlyLinked: [] };
  const affected = new Set<number>();
  const findingsByCase = new Map<number, Finding[]>();
  for (const v of verdicts) {
    const freshIndex = v.paymentId - firstFreshId;
    const earlier = freshIndex >= 0 ? undefined : storedById.get(v.paymentId)!;
    const p = earlier ? { id: earlier.id, paidOn: earlier.paid_on, amount: earlier.amount, transferName: earlier.transfer_name, hold: earlier.hold }
      : { id: v.paymentId, paidOn: fresh!.paidOn[freshIndex]!, amount: fresh!.amount[freshIndex]!, transferName: fresh!.transferName[freshIndex]!, hold: 0 };
    const autoCase = earlier ? earlier.auto_case : null;
    if (v.status === 'matched') {
      if (autoCase !== v.caseId) {
        if (autoCase !== null) {
          decision.earlier.push({ op: 'unlink', payment: p.id, caseId: autoCase });
          affected.add(autoCase);
        }
        if (!earlier) {
          decision.fresh.push({ id: p.id, status: 'matched', caseId: v.caseId, matchedBy: 'matcher:exact', matchedAt: now });
          decision.freshLinks.push({ payment_id: p.id, case_id: v.caseId, amount: p.amount, linked_by: 'matcher:exact', linked_at: now });
        } else {
          decision.earlier.push({ op: 'link', payment: p.id, caseId: v.caseId, amount: p.amount });
        }
        decision.events.push({ caseId: v.caseId, actor: 'matcher', type: 'payment.linked', data: { payment: p.id, rule: v.rule } });
        affected.add(v.caseId);
        decision.newlyLinked.push({ payment: p.id, caseId: v.caseId });
      }
      continue;
    }
    if (autoCase !== null) {
      // An earlier identical payment is the fee for this case: this one becomes the duplicate.
      decision.earlier.push({ op: 'unlink', payment: p.id, caseId: autoCase });
      decision.events.push({ caseId: autoCase, actor: 'matcher', type: 'payment.unlinked', data: { payment: p.id, reason: 'an earlier identical payment was linked instead' } });
      affected.add(autoCase);
    }
    const code = v.status === 'attention' ? v.code : null;
    const candidatesJson = v.candidates.length ? JSON.stringify(v.candidates) : null;
    if (earlier) {
      if (earlier.status !== v.status || (earlier.finding_code ?? null) !== code || (earlier.candidates_json ?? null) !== candidatesJson || autoCase !== null) {
        decision.earlier.push({ op: 'verdict', payment: p.id, status: v.status, findingCode: code, candidatesJson, reason: v.reason });
      }
    } else if (v.status !== 'unmatched' || code !== null || candidatesJson !== null) {
      // (A new payment without a candidate keeps the default verdict: unmatched, no reason.)
      decision.fresh.push({ id: p.id, status: v.status, findingCode: code, candidatesJson, reason: v.reason });
    }
    // A payment finance unlinked by hand stays in their queue but no longer questions the case.
    if (v.status === 'attention' && ATTACH_TO_CASE.has(v.code) && p.hold !== 1) {
      for (const c of v.candidates) {
        const row = byId.get(c.caseId);
        if (c.score < CANDIDATE_THRESHOLD || !row || isClosed(row.status)) continue;
        const list = findingsByCase.get(c.caseId) ?? [];
        list.push(caseFinding(v, c, p, row.number, row.expected_amount!));
        findingsByCase.set(c.caseId, list);
      }
    }
  }
  // A short amount finance linked by hand (without --accept) still leaves the case waiting.
  for (const c of caseRows) {
    if (c.manual_amount > 0 && !c.manual_accepted && c.auto_links === 0 && c.manual_amount < c.expected_amount! && !isClosed(c.status)) {
      const list = findingsByCase.get(c.id) ?? [];
      list.push(finding('payment.amount-mismatch', 'staff', `紐付けた入金の合計（${yen(c.manual_amount)}）が手数料${yen(c.expected_amount!)}に足りません（不足 ${yen(c.expected_amount! - c.manual_amount)}）。不足分の入金を紐付けるか、この金額で受け付ける場合は --accept を付けて紐付け直してください。`, { field: 'payment' }));
      findingsByCase.set(c.id, list);
    }
  }
  // A case moves on when its fee may have changed or its payment findings did.
  for (const c of caseRows) {
    const json = JSON.stringify(findingsByCase.get(c.id) ?? []);
    if (json !== c.payment_findings_json || affected.has(c.id)) decision.moves.push({ caseId: c.id, paymentFindingsJson: json });
  }
  for (const id of affected) if (!byId.has(id)) decision.moves.push({ caseId: id, paymentFindingsJson: JSON.stringify(findingsByCase.get(id) ?? []) });
  return decision;
}


export interface MovedCases {
  /** Each moved case's status afterwards. */
  statusOf: Map<number, CaseStatus>;
  numberOf: Map<number, string>;
}

/**
 * Step 3: moves on every case queued by step 2 (or left by a crash), inside the caller's transaction: the
 * case rows are read again, so whatever happened since the decision (another run, a mail) is taken into
 * account. Notices are composed before returning unless the caller composes them after its commit.
 */
export function moveCasesOn(app: App, options: { composeNotices?: 'now' | 'after-commit' } = {}): MovedCases {
  const moves = app.cases.takeCaseMoves();
  const statusOf = new Map<number, CaseStatus>();
  const numberOf = new Map<number, string>();
  if (moves.length) {
    const rows = app.cases.casesForMatching(moves.map((m) => m.caseId));
    const byId = new Map(rows.map((r) => [r.id, r]));
    const changes = new Map<number, { paymentFindings: Finding[]; paymentFindingsJson?: string }>();
    for (const m of moves) {
      const paymentFindings = JSON.parse(m.paymentFindingsJson) as Finding[];
      const row = byId.get(m.caseId);
      if (!row) {
        // A case the matcher cannot read (its payment key is gone) still moves on, one by one.
        const moved = reevaluateCase(app, m.caseId, 'payment', paymentFindings);
        statusOf.set(m.caseId, moved.status);
        numberOf.set(m.caseId, moved.number);
        continue;
      }
      numberOf.set(row.id, row.number);
      changes.set(row.id, { paymentFindings, ...(m.paymentFindingsJson !== row.payment_findings_json ? { paymentFindingsJson: m.paymentFindingsJson } : {}) });
    }
    for (const [id, status] of moveCasesOnAfterPayments(app, byId, changes)) statusOf.set(id, status);
  }
  if ((options.composeNotices ?? 'now') === 'now') composeUnrenderedNotices(app);
  return { statusOf, numberOf };
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
 * they are written once, with their verdicts. Notices are composed before returning, unless the caller
 * composes them after its commit (renderQueuedNotices), as the bulk paths do.
 */
export function runMatching(app: App, fresh?: NewPaymentRows, options: { composeNotices?: 'now' | 'after-commit' } = {}): MatchRun {
  const left = moveCasesOn(app, { composeNotices: 'after-commit' });
  const t0 = performance.now();
  const caseRows = app.cases.casesForMatching();
  const stored = fresh ? app.cases.paymentsForMatching(fresh.importId) : app.cases.paymentsForMatching();
  const index = new CaseIndex(openCasesOf(caseRows));
  const t1 = performance.now();
  const newPayments: NewPayments | null = fresh ? newPaymentsOf(fresh) : null;
  const decision = decideMatching(caseRows, index, stored, newPayments);
  const t2 = performance.now();
  writeMatchDecision(app.cases, decision, fresh);
  const t3 = performance.now();
  const cpu3 = process.cpuUsage();
  const moved = moveCasesOn(app, options);
  for (const [id, status] of left.statusOf) if (!moved.statusOf.has(id)) moved.statusOf.set(id, status);
  for (const [id, number] of left.numberOf) if (!moved.numberOf.has(id)) moved.numberOf.set(id, number);
  const byId = new Map(caseRows.map((c) => [c.id, c]));
  const result = matchRunResult(decision, (id) => byId.get(id)?.number ?? moved.numberOf.get(id)!, moved, (id) => byId.get(id)!.status);
  if (result.matched.length || result.reevaluated.length) app.log.info({ matched: result.matched.map((m) => `${m.payment}→${m.case}`), reevaluated: result.reevaluated }, 'payments matched');
  const cpu = process.cpuUsage(cpu3);
  return { ...result, timings: { loadMs: t1 - t0, reconcileMs: t2 - t1, writeMs: t3 - t2, casesMs: performance.now() - t3, casesCpuMs: (cpu.user + cpu.system) / 1000 } };
}
