// The cases a matching run touched, moved on together: the same decision reevaluateCase makes for one
// case (fee settled? payment findings replaced; status decided; a new revision only when something
// changed; the notices the transition calls for), made for thousands of cases with a handful of queries
// and bulk writes instead of a dozen statements per case. The notices are queued as snapshots; the
// caller composes them inside its transaction or, for a bulk import, right after the commit.
import type { App } from './context.ts';
import type { MatchingCaseRow } from '../cases/case-store.ts';
import type { EventInsert } from '../cases/case-store.ts';
import { decideStatus, isClosed, type CaseStatus } from '../cases/status.ts';
import type { Finding } from '../validate/findings.ts';
import { isPaymentFinding } from './reevaluate.ts';
import { noticeSnapshot, noticesFor, recipientOf, tokyoDayStart, type NoticeSnapshot } from './notify.ts';

export interface CaseChange {
  /** The matcher's payment findings for the case now (replacing the stored ones). */
  paymentFindings: Finding[];
  /** Its payment_findings_json, when it differs from the stored one. */
  paymentFindingsJson?: string;
}

/**
 * Re-evaluates every case in `changes` (in case-id order, as one by one would) and writes the outcome.
 * `cases` holds the rows the matcher read. Returns each case's status afterwards.
 */
export function moveCasesOnAfterPayments(app: App, cases: ReadonlyMap<number, MatchingCaseRow>, changes: ReadonlyMap<number, CaseChange>, now = new Date()): Map<number, CaseStatus> {
  const ids = [...changes.keys()].sort((a, b) => a - b);
  const statusOf = new Map<number, CaseStatus>();
  if (ids.length === 0) return statusOf;
  const open = ids.filter((id) => !isClosed(cases.get(id)!.status));
  const previousFindings = app.cases.currentFindingsOf(new Map(open.map((id) => [id, cases.get(id)!.revision])));
  const payments = app.cases.paymentsForCases(open);

  const evaluated: { row: MatchingCaseRow; status: CaseStatus; revision: number; findings: Finding[] }[] = [];
  const events: EventInsert[] = [];
  const at = now.toISOString();
  for (const id of ids) {
    const row = cases.get(id)!;
    const change = changes.get(id)!;
    statusOf.set(id, row.status);
    if (isClosed(row.status)) {
      app.cases.setPaymentOutcome(id, null, change.paymentFindingsJson);
      continue;
    }
    const fee = app.rules.kinds[row.kind]?.fee;
    const links = payments.get(id) ?? [];
    // Settled when the linked amounts reach the fee, or finance accepted a short amount (as casePaid).
    const paid = links.some((l) => l.accepted === 1) || (fee !== undefined && links.length > 0 && links.reduce((a, l) => a + l.link_amount, 0) >= fee);
    const previous = previousFindings.get(id)!;
    const findings = [...previous.filter((f) => !isPaymentFinding(f)), ...(paid ? [] : change.paymentFindings)];
    const status = decideStatus(findings, paid);
    if (status === row.status && JSON.stringify(findings) === JSON.stringify(previous)) {
      app.cases.setPaymentOutcome(id, null, change.paymentFindingsJson);
      continue;
    }
    const revision = row.revision + 1;
    app.cases.setPaymentOutcome(id, { status, revision }, change.paymentFindingsJson);
    statusOf.set(id, status);
    evaluated.push({ row, status, revision, findings });
  }
  app.cases.saveFindingsMany(evaluated.map((e) => ({ caseId: e.row.id, revision: e.revision, findings: e.findings })));

  // Notices, with what enqueueNotices reads per case read here for all of them at once.
  const noticed = evaluated.map((e) => ({ ...e, names: noticesFor(e.row.status, e.status, 'payment', { findings: e.findings, computed: {}, status: e.status }, e.row.notices_suppressed === 1) }));
  const withNotices = noticed.filter((e) => e.names.length).map((e) => e.row.id);
  const attachments = app.cases.attachmentsForCases(withNotices);
  const messageIds = app.cases.messageIdsForCases(withNotices);
  const sequences = app.cases.outboxCountsForCases(withNotices);
  const mailsToday = app.cases.mailsPerAddressSince(tokyoDayStart(now));
  const cap = app.rules.intake.autoReplies.maxPerSenderPerDay;
  const outbox: { caseId: number; kind: string; rfcMessageId: string; to: string; audience: string; notice: NoticeSnapshot; status: 'pending' | 'suppressed' }[] = [];
  for (const e of noticed) {
    events.push({ caseId: e.row.id, actor: 'matcher', type: 'case.evaluated', data: { revision: e.revision, status: e.status, previous: e.row.status, trigger: 'payment' }, at });
    if (e.names.length === 0) continue;
    const facts = { c: e.row, status: e.status, findings: e.findings, payments: payments.get(e.row.id) ?? [], attachments: attachments.get(e.row.id) ?? [], messageIds: messageIds.get(e.row.id) ?? [] };
    for (const name of e.names) {
      const to = recipientOf(app, name, e.row.applicant_address);
      if (!to) continue;
      const toReviewer = name === 'review-request';
      const sequenceKey = `${e.row.id}|${name}`;
      const sequence = (sequences.get(sequenceKey) ?? 0) + 1;
      sequences.set(sequenceKey, sequence);
      const notice = noticeSnapshot(app, name, facts, to, sequence);
      const overCap = !toReviewer && (mailsToday.get(to) ?? 0) >= cap;
      if (!toReviewer && !overCap) mailsToday.set(to, (mailsToday.get(to) ?? 0) + 1);
      outbox.push({ caseId: e.row.id, kind: name, rfcMessageId: notice.messageId, to, audience: toReviewer ? 'reviewer' : 'applicant', notice, status: overCap ? 'suppressed' : 'pending' });
      events.push({ caseId: e.row.id, actor: 'system', type: overCap ? 'notice.suppressed' : 'notice.queued', data: { kind: name, messageId: notice.messageId, ...(overCap ? { reason: 'daily limit per sender reached' } : {}) }, at });
    }
  }
  app.cases.enqueueUnrendered(outbox);
  app.cases.addEvents(events);
  return statusOf;
}
