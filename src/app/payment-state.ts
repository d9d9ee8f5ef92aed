// What the stored payments say about one case: is the fee settled, and which payment findings (staff)
// the matcher left on it. Read by every decision about the case.
import type { App } from './context.ts';
import type { Finding } from '../validate/findings.ts';
import type { HandledFinding } from '../cases/evaluate.ts';

/** Settled when the linked amounts reach the fee, or finance accepted a short amount as the full fee. */
export function feeSettled(links: readonly { link_amount: number; accepted: number }[], fee: number | undefined): boolean {
  if (links.some((l) => l.accepted === 1)) return true;
  return fee !== undefined && links.length > 0 && links.reduce((a, l) => a + l.link_amount, 0) >= fee;
}

export function casePaid(app: App, caseId: number, fee: number | undefined): boolean {
  return feeSettled(app.payments.paymentsForCase(caseId), fee);
}

/** The findings staff marked handled on a case (left out of every evaluation of it). */
export function handledFindingsOf(row: { handled_findings_json?: string | null }): HandledFinding[] {
  return row.handled_findings_json ? (JSON.parse(row.handled_findings_json) as HandledFinding[]) : [];
}

export function paymentFindingsOf(row: { payment_findings_json?: string | null }): Finding[] {
  return row.payment_findings_json ? (JSON.parse(row.payment_findings_json) as Finding[]) : [];
}
