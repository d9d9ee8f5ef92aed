// What a queued notice says, fixed when the decision that causes it is written: the outbox row holds this
// snapshot until the notice is composed (src/outbound/compose-snapshot.ts) from it and the case's form.
import type { AttachmentRow, CaseRow } from './case-store.ts';
import type { Finding } from '../validate/findings.ts';
import type { NoticeName } from './transition.ts';
import { tokyoDate } from '../shared/calendar.ts';

export type NoticeAudience = 'applicant' | 'reviewer';

/** What the writer needs to address and identify notices: from configuration, templates and rules. */
export interface NoticeSettings {
  from: string;
  reviewerAddress: string;
  messageIdDomain: string;
  /** Automatic mails one applicant address may get per Tokyo day (SPEC §2). */
  maxPerSenderPerDay: number;
  /** Who a notice is for, as its template declares. */
  audienceOf(name: NoticeName): NoticeAudience;
  /** The kind's label and fee, as the notices name them. */
  kindOf(kind: string): { label: string; fee: number } | undefined;
}

/**
 * Everything a notice says, fixed at the decision, except the application form and the figures computed
 * from it (large, and changed only by a new evaluation of the case): those are read when it is composed.
 */
export interface NoticeSnapshot {
  template: NoticeName;
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
  /** What a result notice says besides the case (the reviewer's reason, the certificate): src/cases/transition.ts. */
  extra?: { view?: Record<string, string>; attachments?: { filename: string; storePath: string; contentType?: string }[] };
}

/** The facts about a case a notice is made of (read one case at a time, or in bulk). */
export interface NoticeFacts {
  c: Pick<CaseRow, 'id' | 'number' | 'kind' | 'received_at' | 'applicant_address'>;
  status: string;
  findings: readonly Finding[];
  payments: readonly { paid_on: string; amount: number; transfer_name: string }[];
  attachments: readonly Pick<AttachmentRow, 'filename' | 'store_path' | 'role'>[];
  /** Message-IDs of the case's mails, oldest first. */
  messageIds: readonly string[];
}

/** Stable Message-ID: the same outbox row always yields the same id, so a retry is recognisable. */
export function stableMessageId(caseNumber: string, kind: string, sequence: number, domain: string): string {
  return `${caseNumber}.${kind}.${sequence}@${domain}`;
}

export function noticeSnapshot(settings: NoticeSettings, name: NoticeName, facts: NoticeFacts, to: string, sequence: number): NoticeSnapshot {
  const kind = settings.kindOf(facts.c.kind);
  return {
    template: name,
    caseId: facts.c.id,
    caseNumber: facts.c.number,
    kind: facts.c.kind,
    kindLabel: kind?.label ?? '申請',
    fee: kind?.fee ?? 0,
    receivedDate: tokyoDate(new Date(facts.c.received_at)),
    status: facts.status,
    findings: [...facts.findings],
    attachments: facts.attachments.filter((a) => a.role === 'form' || a.role === 'form-page' || a.role === 'document').map((a) => ({ filename: a.filename, storePath: a.store_path, role: a.role })),
    paymentSummary: facts.payments.length ? facts.payments.map((p) => `${p.paid_on} ${p.amount.toLocaleString('ja-JP')}円 ${p.transfer_name}`).join(' / ') : '未確認',
    from: settings.from,
    to,
    messageId: stableMessageId(facts.c.number, name, sequence, settings.messageIdDomain),
    thread: [...facts.messageIds].reverse(),
  };
}
