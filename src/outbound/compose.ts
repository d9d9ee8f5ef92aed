// Composes the notices a case decision calls for, from the templates: what the applicant is told,
// what the reviewer receives. Pure apart from the templates it was given.
import type { Finding } from '../validate/findings.ts';
import type { OutgoingMail } from './outgoing-mail.ts';
import type { TemplateName, Templates } from './templates.ts';
import { summariserFor } from './summaries/index.ts';
import type { Channel } from '../validate/index.ts';

export interface NoticeContext {
  caseNumber: string;
  kind: string;
  kindLabel: string;
  fee: number;
  applicantName: string | null;
  receivedDate: string;
  findings: readonly Finding[];
  application: Record<string, unknown> | null;
  computed: Record<string, unknown>;
  attachments: { filename: string; storePath: string; role: string }[];
  paymentSummary: string;
  status: string;
  /** A result notice's own values and files (the reviewer's reason, the certificate PDF). */
  extra?: { view?: Record<string, string>; attachments?: { filename: string; storePath: string; contentType?: string }[] };
  /**
   * How the notice reaches the applicant: a mail (the default) or a printed letter (a paper application
   * without an e-mail address). Templates word it with `channel`, `byMail` and `byPost` (mail-templates/README.md).
   */
  channel?: Channel;
  /** The application came on paper (`appliedByPost` in templates), whichever way the notice goes. */
  appliedByPost?: boolean;
}

export interface Addressing {
  from: string;
  to: string;
  messageId: string;
  /** The applicant's latest mail and the thread before it, for In-Reply-To / References. */
  thread: string[];
}

function baseView(ctx: NoticeContext): Record<string, unknown> {
  return {
    caseNumber: ctx.caseNumber,
    kindLabel: ctx.kindLabel,
    applicantName: ctx.applicantName ?? '',
    receivedDate: ctx.receivedDate.replace(/^(\d{4})-(\d{2})-(\d{2})$/, (_, y, m, d) => `${y}年${Number(m)}月${Number(d)}日`),
    fee: ctx.fee.toLocaleString('ja-JP'),
    channel: ctx.channel ?? 'mail',
    byMail: (ctx.channel ?? 'mail') === 'mail',
    byPost: ctx.channel === 'post',
    appliedByPost: ctx.appliedByPost ?? ctx.channel === 'post',
  };
}

export function composeNotice(templates: Templates, name: TemplateName, ctx: NoticeContext, addressing: Addressing): OutgoingMail {
  const view: Record<string, unknown> = { ...baseView(ctx) };
  if (name === 'missing-items') {
    view.findings = ctx.findings.filter((f) => f.audience === 'applicant').map((f, i) => ({ number: i + 1, message: f.message }));
  }
  if (name === 'review-request') {
    const summary = ctx.application ? summariserFor(ctx.kind)(ctx.application, ctx.computed) : { fieldsTable: '', sections: [] };
    Object.assign(view, summary, {
      reviewerFindings: ctx.findings.filter((f) => f.audience === 'reviewer').map((f) => ({ message: f.message })),
      attachments: ctx.attachments.map((a) => ({ filename: a.filename })),
      paymentSummary: ctx.paymentSummary,
      status: ctx.status,
    });
  }
  if (name === 'review-question') view.question = ctx.findings.filter((f) => f.code === 'review.question').map((f) => f.message).at(-1) ?? '';
  Object.assign(view, ctx.extra?.view);
  const { subject, text } = templates.render(name, view);
  const [latest, ...older] = addressing.thread;
  const toReviewer = name === 'review-request';
  // Our answers to an applicant's mail are replies in their thread: In-Reply-To, References and a
  // "Re:" subject that keeps the case number (so a reply to the reply finds the case either way).
  const threaded = !!latest && !toReviewer;
  return {
    from: addressing.from,
    to: addressing.to,
    subject: threaded ? `Re: ${subject}` : subject,
    text,
    messageId: addressing.messageId,
    ...(threaded ? { inReplyTo: latest, references: [...older.reverse(), latest] } : {}),
    ...(toReviewer ? { attachments: ctx.attachments.map((a) => ({ filename: a.filename, storePath: a.storePath })) } : ctx.extra?.attachments?.length ? { attachments: ctx.extra.attachments } : {}),
    headers: { 'Auto-Submitted': toReviewer ? 'auto-generated' : 'auto-replied', 'X-Conken-Case': ctx.caseNumber },
  };
}
