// Re-evaluating a stored case when something other than a mail changed (a payment arrived): same
// application, same intake findings, same date of receipt; only the outcome may move on.
import type { App } from './context.ts';
import type { CaseRow } from '../cases/case-store.ts';
import type { ApplicationBase } from '../extract/forms/form-kind.ts';
import type { Finding } from '../validate/findings.ts';
import { isClosed } from '../cases/status.ts';
import { tokyoDate } from '../shared/calendar.ts';
import { evaluate } from './evaluate.ts';
import { enqueueNotices, noticesFor, type Trigger } from './notify.ts';
import { casePaid, paymentFindingsOf } from './payment-state.ts';

/** Call inside a transaction. */
export function reevaluateCase(app: App, caseId: number, trigger: Trigger): CaseRow {
  const row = app.cases.caseById(caseId)!;
  if (isClosed(row.status)) return row;
  const fee = app.rules.kinds[row.kind]?.fee;
  const evaluation = evaluate(app.rules, {
    kind: row.kind,
    application: row.application_json ? (JSON.parse(row.application_json) as ApplicationBase) : null,
    received: tokyoDate(new Date(row.received_at)),
    proofCount: app.cases.caseAttachments(caseId).filter((a) => a.role === 'document').length,
    intakeFindings: JSON.parse(row.intake_findings_json) as Finding[],
    paid: casePaid(app, caseId, fee),
    paymentFindings: paymentFindingsOf(row),
  });
  const revision = row.revision + 1;
  app.cases.updateCase(caseId, { status: evaluation.status, revision, computed_json: JSON.stringify(evaluation.computed) });
  app.cases.saveFindings(caseId, revision, evaluation.findings);
  app.cases.addEvent({ caseId, actor: trigger === 'payment' ? 'matcher' : 'system', type: 'case.evaluated', data: { revision, status: evaluation.status, previous: row.status, trigger } });
  const updated = app.cases.caseById(caseId)!;
  enqueueNotices(app, updated, noticesFor(row.status, evaluation.status, trigger, evaluation, row.notices_suppressed === 1), evaluation);
  return updated;
}
