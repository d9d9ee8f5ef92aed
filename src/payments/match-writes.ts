// Writing what a matching run decided (src/app/payment-matching.ts, step 2), on whichever connection holds
// the transaction: the main one, or a statement import's writer thread (src/app/statement-import-worker.ts),
// which is why this module needs nothing but the case store.
import type { CaseStore, EventInsert, FreshVerdict, PaymentLinkRow } from '../cases/case-store.ts';
import type { NewPaymentRows } from './new-payments.ts';

/** What a matching run decided; plain data, so it can be handed to another thread. */
export interface MatchDecision {
  /** Earlier payments' changes, in the order a one-by-one run makes them. */
  earlier: (
    | { op: 'unlink'; payment: number; caseId: number }
    | { op: 'link'; payment: number; caseId: number; amount: number }
    | { op: 'verdict'; payment: number; status: string; findingCode: string | null; candidatesJson: string | null; reason: string | null }
  )[];
  /** New payments whose verdict is not the default (unmatched, no finding, no candidates). */
  fresh: FreshVerdict[];
  freshLinks: Omit<PaymentLinkRow, 'accepted'>[];
  /** In the order a one-by-one run writes them; written after the new payments exist. */
  events: EventInsert[];
  /** Cases to move on, with the matcher's payment findings for each. */
  moves: { caseId: number; paymentFindingsJson: string }[];
  newlyLinked: { payment: number; caseId: number }[];
}

/**
 * Step 2: write a decision (inside the caller's transaction). An import's new payments are either written
 * here, once, with their verdicts (`insert`), or were stored before with the default verdict and get theirs now.
 */
export function writeMatchDecision(store: CaseStore, decision: MatchDecision, insert?: NewPaymentRows): void {
  for (const e of decision.earlier) {
    if (e.op === 'unlink') store.unlinkPayment(e.payment, e.caseId);
    else if (e.op === 'link') store.linkPayment(e.payment, e.caseId, 'matcher:exact', { amount: e.amount });
    else store.setPaymentVerdict(e.payment, { status: e.status, findingCode: e.findingCode, candidatesJson: e.candidatesJson, reason: e.reason });
  }
  if (insert) {
    const verdicts: (FreshVerdict | undefined)[] = new Array(insert.rows.index.length);
    for (const v of decision.fresh) verdicts[v.id - insert.firstId] = v;
    store.insertNewPayments(insert, verdicts);
  } else {
    store.setNewPaymentVerdicts(decision.fresh);
  }
  store.insertPaymentLinks(decision.freshLinks);
  store.addEvents(decision.events);
  store.queueCaseMoves(decision.moves);
}
