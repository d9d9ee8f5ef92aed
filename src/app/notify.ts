// Which notices a decision causes, written to the outbox inside the decision's own transaction
// (transactional outbox). Automatic mails to one address are capped per day (SPEC §2).
import type { App } from './context.ts';
import type { CaseRow } from '../cases/case-store.ts';
import type { CaseStatus } from '../cases/status.ts';
import type { Evaluation } from './evaluate.ts';
import { composeNotice, type NoticeContext } from '../outbound/compose.ts';
import { stableMessageId } from '../outbound/outgoing-mail.ts';
import type { TemplateName } from '../outbound/templates.ts';
import { tokyoDate } from '../shared/calendar.ts';

export type Trigger = 'mail' | 'reply' | 'payment';

/** The notices a transition calls for, in the order the applicant should read them. */
export function noticesFor(prev: CaseStatus | null, next: CaseStatus, trigger: Trigger, evaluation: Evaluation, suppressed: boolean): TemplateName[] {
  const out: TemplateName[] = [];
  const applicantFindings = evaluation.findings.some((f) => f.audience === 'applicant');
  if (!suppressed) {
    if (prev === null) out.push('acknowledgement');
    if (trigger !== 'payment' && applicantFindings) out.push('missing-items');
    // Back from a payment question (exception) to waiting: the applicant was told about the fee already.
    if (next === 'awaiting-payment' && prev !== 'awaiting-payment' && !(trigger === 'payment' && prev === 'exception')) out.push('awaiting-payment');
    if (next === 'ready-for-review' && prev !== 'ready-for-review') out.push('accepted');
  }
  if (next === 'ready-for-review' && prev !== 'ready-for-review') out.push('review-request');
  return out;
}

/** Start of the current Tokyo day as an ISO instant. */
function tokyoDayStart(now: Date): string {
  return new Date(`${tokyoDate(now)}T00:00:00+09:00`).toISOString();
}

export function enqueueNotices(app: App, c: CaseRow, names: readonly TemplateName[], evaluation: Evaluation, now = new Date()): string[] {
  if (names.length === 0) return [];
  const kindRules = app.rules.kinds[c.kind];
  const application = c.application_json ? (JSON.parse(c.application_json) as Record<string, unknown>) : null;
  const payments = app.cases.paymentsForCase(c.id);
  const attachments = app.cases.caseAttachments(c.id).filter((a) => a.role === 'form' || a.role === 'form-page' || a.role === 'document');
  const thread = app.cases.caseMessages(c.id).map((m) => m.message_id).filter((id): id is string => !!id).reverse();
  const ctx: NoticeContext = {
    caseNumber: c.number,
    kind: c.kind,
    kindLabel: kindRules?.label ?? '申請',
    fee: kindRules?.fee ?? 0,
    applicantName: typeof application?.name === 'string' ? application.name : null,
    receivedDate: tokyoDate(new Date(c.received_at)),
    findings: evaluation.findings,
    application,
    computed: evaluation.computed,
    attachments: attachments.map((a) => ({ filename: a.filename, storePath: a.store_path, role: a.role })),
    paymentSummary: payments.length ? payments.map((p) => `${p.paid_on} ${p.amount.toLocaleString('ja-JP')}円 ${p.transfer_name}`).join(' / ') : '未確認',
    status: c.status,
  };
  const queued: string[] = [];
  for (const name of names) {
    const toReviewer = name === 'review-request';
    const to = toReviewer ? app.config.mail.reviewer : c.applicant_address;
    if (!to) continue;
    const sequence = app.cases.countOutboxForCase(c.id, name) + 1;
    const messageId = stableMessageId(c.number, name, sequence, app.config.mail.messageIdDomain);
    const mail = composeNotice(app.templates, name, ctx, { from: app.config.mail.from, to, messageId, thread });
    const overCap = !toReviewer && app.cases.countMailsTo(to, tokyoDayStart(now)) >= app.rules.intake.autoReplies.maxPerSenderPerDay;
    app.cases.enqueue({ caseId: c.id, kind: name, rfcMessageId: messageId, to, audience: toReviewer ? 'reviewer' : 'applicant', mail, status: overCap ? 'suppressed' : 'pending' });
    app.cases.addEvent({ caseId: c.id, actor: 'system', type: overCap ? 'notice.suppressed' : 'notice.queued', data: { kind: name, messageId, ...(overCap ? { reason: 'daily limit per sender reached' } : {}) } });
    queued.push(name);
  }
  return queued;
}
