// A queued notice becomes a mail: its snapshot (what it says, fixed at the decision) plus the case's
// application and computed figures, read when it is composed. The one way a notice's text is made.
import { composeNotice } from './compose.ts';
import type { OutgoingMail } from './outgoing-mail.ts';
import type { Templates } from './templates.ts';
import type { NoticeSnapshot } from '../cases/notice-snapshot.ts';
import type { Channel } from '../validate/index.ts';

/**
 * `channel`: 'post' when the notice is a letter to print (the templates word it for paper); `appliedByPost`: the
 * application came on paper (a letter's always did; a mail's did when the paper form gave an e-mail address).
 */
export function composeFromSnapshot(templates: Templates, s: NoticeSnapshot, application: Record<string, unknown> | null, computed: Record<string, unknown>, channel: Channel = 'mail', appliedByPost = channel === 'post'): OutgoingMail {
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
    ...(s.extra ? { extra: s.extra } : {}),
    channel,
    appliedByPost,
  }, { from: s.from, to: s.to, messageId: s.messageId, thread: s.thread });
}
