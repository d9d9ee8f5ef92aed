// Which notices a decision causes, written to the outbox inside the decision's own transaction
// (transactional outbox). Automatic mails to one address are capped per day (SPEC §2). A notice is fixed
// as a NoticeSnapshot when queued; composing it from the snapshot (here, or after the commit for bulk jobs,
// see deferred-notices.ts) is the one way a notice's text is made.
import type { App } from './context.ts';
import type { AttachmentRow, CaseRow } from '../cases/case-store.ts';
import type { CaseStatus } from '../cases/status.ts';
import type { Evaluation } from './evaluate.ts';
import type { Finding } from '../validate/findings.ts';
import { composeNotice } from '../outbound/compose.ts';
import { stableMessageId, type OutgoingMail } from '../outbound/outgoing-mail.ts';
import type { TemplateName, Templates } from '../outbound/templates.ts';
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
export function tokyoDayStart(now: Date): string {
  return new Date(`${tokyoDate(now)}T00:00:00+09:00`).toISOString();
}

/**
 * Everything a notice says, fixed at the decision, except the application form and the figures computed
 * from it (large, and changed only by a new evaluation of the case): those are read when it is composed.
 */
export interface NoticeSnapshot {
  template: TemplateName;
  caseId: number;
  caseNumber: string;
  kind: string;
  kindLabel: string;
  fee: number;
  receivedDate: string;
  status: string;
  findings: Finding[];
  attachments: { filename: string; storePath: string; role: string }[];
  paymentSummary: string;
  from: string;
  to: string;
  messageId: string;
  /** The applicant's mails, newest first (In-Reply-To / References). */
  thread: string[];
}

/** The facts about a case a notice is made of (read one case at a time, or in bulk). */
export interface NoticeFacts {
  c: Pick<CaseRow, 'id' | 'number' | 'kind' | 'received_at' | 'applicant_address'>;
  status: string;
  findings: Finding[];
  payments: readonly { paid_on: string; amount: number; transfer_name: string }[];
  attachments: readonly Pick<AttachmentRow, 'filename' | 'store_path' | 'role'>[];
  /** Message-IDs of the case's mails, oldest first. */
  messageIds: readonly string[];
}

/** Where a notice goes: the reviewer, or the applicant (null when the case has no address). */
export function recipientOf(app: App, name: TemplateName, applicantAddress: string | null): string | null {
  return name === 'review-request' ? app.config.mail.reviewer : applicantAddress;
}

export function noticeSnapshot(app: App, name: TemplateName, facts: NoticeFacts, to: string, sequence: number): NoticeSnapshot {
  const kindRules = app.rules.kinds[facts.c.kind];
  return {
    template: name,
    caseId: facts.c.id,
    caseNumber: facts.c.number,
    kind: facts.c.kind,
    kindLabel: kindRules?.label ?? '申請',
    fee: kindRules?.fee ?? 0,
    receivedDate: tokyoDate(new Date(facts.c.received_at)),
    status: facts.status,
    findings: facts.findings,
    attachments: facts.attachments.filter((a) => a.role === 'form' || a.role === 'form-page' || a.role === 'document').map((a) => ({ filename: a.filename, storePath: a.store_path, role: a.role })),
    paymentSummary: facts.payments.length ? facts.payments.map((p) => `${p.paid_on} ${p.amount.toLocaleString('ja-JP')}円 ${p.transfer_name}`).join(' / ') : '未確認',
    from: app.config.mail.from,
    to,
    messageId: stableMessageId(facts.c.number, name, sequence, app.config.mail.messageIdDomain),
    thread: [...facts.messageIds].reverse(),
  };
}

/** The mail of a queued notice: its snapshot plus the application and computed figures of the case. */
export function composeFromSnapshot(templates: Templates, s: NoticeSnapshot, application: Record<string, unknown> | null, computed: Record<string, unknown>): OutgoingMail {
  return composeNotice(templates, s.template, {
    caseNumber: s.caseNumber,
    kind: s.kind,
    kindLabel: s.kindLabel,
    fee: s.fee,
    applicantName: typeof application?.name === 'string' ? application.name : null,
    receivedDate: s.receivedDate,
    findings: s.findings,
    application,
    computed,
    attachments: s.attachments,
    paymentSummary: s.paymentSummary,
    status: s.status,
  }, { from: s.from, to: s.to, messageId: s.messageId, thread: s.thread });
}

/** Queues (and composes) the notices of one case's decision. */
export function enqueueNotices(app: App, c: CaseRow, names: readonly TemplateName[], evaluation: Evaluation, now = new Date()): string[] {
  if (names.length === 0) return [];
  const application = c.application_json ? (JSON.parse(c.application_json) as Record<string, unknown>) : null;
  const facts: NoticeFacts = {
    c, status: c.status, findings: evaluation.findings, payments: app.cases.paymentsForCase(c.id), attachments: app.cases.caseAttachments(c.id),
    messageIds: app.cases.caseMessages(c.id).map((m) => m.message_id).filter((id): id is string => !!id),
  };
  const queued: string[] = [];
  for (const name of names) {
    const to = recipientOf(app, name, c.applicant_address);
    if (!to) continue;
    const toReviewer = name === 'review-request';
    const snapshot = noticeSnapshot(app, name, facts, to, app.cases.countOutboxForCase(c.id, name) + 1);
    const mail = composeFromSnapshot(app.templates, snapshot, application, evaluation.computed);
    const overCap = !toReviewer && app.cases.countMailsTo(to, tokyoDayStart(now)) >= app.rules.intake.autoReplies.maxPerSenderPerDay;
    app.cases.enqueue({ caseId: c.id, kind: name, rfcMessageId: snapshot.messageId, to, audience: toReviewer ? 'reviewer' : 'applicant', mail, status: overCap ? 'suppressed' : 'pending' });
    app.cases.addEvent({ caseId: c.id, actor: 'system', type: overCap ? 'notice.suppressed' : 'notice.queued', data: { kind: name, messageId: snapshot.messageId, ...(overCap ? { reason: 'daily limit per sender reached' } : {}) } });
    queued.push(name);
  }
  return queued;
}
