// Re-evaluating a stored case when something other than a mail changed (a payment arrived, was linked or
// unlinked, or the matcher's findings about it changed): same application, same intake findings, same date
// of receipt; only the fee and the payment findings differ, so only the outcome may move on. The form is
// not validated again: the findings of the last evaluation stand, with the payment findings replaced.
import type { App } from './context.ts';
import type { CaseStatus } from '../cases/status.ts';
import type { Finding } from '../validate/findings.ts';
import { decideStatus, isClosed } from '../cases/status.ts';
import { enqueueNotices, noticesFor, type Trigger } from './notify.ts';
import { casePaid, paymentFindingsOf } from './payment-state.ts';

/** Findings the matcher puts on a case (they are replaced, never accumulated). */
export function isPaymentFinding(f: Finding): boolean {
  return f.field === 'payment' && (f.code === 'payment.ambiguous' || f.code === 'payment.amount-mismatch');
}

/** Call inside a transaction. Writes a new revision only when the status or the findings change. */
export function reevaluateCase(app: App, caseId: number, trigger: Trigger, paymentFindings?: readonly Finding[]): { id: number; number: string; status: CaseStatus } {
  const row = app.cases.casePaymentState(caseId, paymentFindings === undefined)!;
  if (isClosed(row.status)) return row;
  const fee = app.rules.kinds[row.kind]?.fee;
  const previous = app.cases.currentFindings(caseId);
  const paid = casePaid(app, caseId, fee);
  const findings = [...previous.filter((f) => !isPaymentFinding(f)), ...(paid ? [] : paymentFindings ?? paymentFindingsOf(row))];
  const status = decideStatus(findings, paid);
  if (status === row.status && JSON.stringify(findings) === JSON.stringify(previous)) return row;
  const revision = row.revision + 1;
  app.cases.updateCase(caseId, { status, revision });
  app.cases.saveFindings(caseId, revision, findings);
  app.cases.addEvent({ caseId, actor: trigger === 'payment' ? 'matcher' : 'system', type: 'case.evaluated', data: { revision, status, previous: row.status, trigger } });
  const names = noticesFor(row.status, status, trigger, { findings, computed: {}, status }, row.notices_suppressed === 1);
  if (names.length) {
    const full = app.cases.caseById(caseId)!;
    enqueueNotices(app, full, names, { findings, computed: full.computed_json ? (JSON.parse(full.computed_json) as Record<string, unknown>) : {}, status });
  }
  return { id: row.id, number: row.number, status };
}
