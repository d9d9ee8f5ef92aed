// The staff's morning mail (SPEC §6): only what needs a person — cases opened since the last digest by status,
// exceptions left waiting, payments finance must look at, mails that failed to send, jobs that failed — in
// Japanese, with links into the workbench, and none at all when there is nothing to say. Case numbers and
// counts only: the digest holds no applicant's name or address.
import type { App } from '../context.ts';
import type { JobContext, JobResult } from './job-runner.ts';
import { periodInstant, previousOccurrence } from './schedule.ts';
import { stableMessageId } from '../../cases/notice-snapshot.ts';
import type { OutgoingMail } from '../../outbound/outgoing-mail.ts';
import { tokyoDate } from '../../shared/calendar.ts';
import { auditStore } from '../audit.ts';
import { CASE_STATUS_LABELS, type CaseStatus } from '../../cases/status.ts';

export interface DigestFacts {
  since: string;
  newCases: { status: string; label: string; count: number }[];
  stale: { total: number; cases: { number: string; received_at: string }[] };
  unmatched: number;
  attention: number;
  failedMails: number;
  /** Notices to applicants without an e-mail address, waiting to be printed and posted (src/app/letters.ts). */
  lettersToPrint: number;
  failedJobs: { job: string; period: string; error: string }[];
  /** CPD audits needing staff, per year: replies received and not checked yet, overdue (src/app/audit.ts). */
  audits: { year: number; received: number; overdue: number }[];
}

/** What the digest for a period would say; `since` is the previous digest's time (or a day before). */
export function digestFacts(app: App, period: string, now: Date): DigestFacts {
  const at = periodInstant(period);
  const previous = previousOccurrence(app.config.jobs.digestCron, new Date(at.getTime() - 60_000)) ?? new Date(at.getTime() - 86_400_000);
  const since = previous.toISOString();
  const staleBefore = new Date(now.getTime() - app.config.jobs.digestStaleDays * 86_400_000).toISOString();
  // Up to the digest's own time: what came after is the next digest's (a late run counts nothing twice).
  const opened = app.cases.casesOpenedBetween(since, at.toISOString());
  return {
    since,
    newCases: [...opened].map(([status, count]) => ({ status, label: CASE_STATUS_LABELS[status as CaseStatus] ?? status, count })),
    stale: app.cases.exceptionsWaitingSince(staleBefore),
    unmatched: app.payments.countUnlinkedPayments(),
    attention: app.payments.countAttentionPayments(),
    failedMails: app.outbox.retryingCount(),
    lettersToPrint: app.outbox.lettersWaitingCount(),
    failedJobs: app.jobRuns.failedSince(since).filter((r) => r.job !== 'daily-digest').map((r) => ({ job: r.job, period: r.period, error: r.error ?? '' })),
    audits: auditStore(app).needingStaff(),
  };
}

/** Is there anything a person must do? (Unmatched payments alone, without a question, wait for finance's own round.) */
function worthSaying(f: DigestFacts): boolean {
  return f.newCases.length > 0 || f.stale.total > 0 || f.attention > 0 || f.failedMails > 0 || f.lettersToPrint > 0 || f.failedJobs.length > 0 || f.audits.length > 0;
}

export function composeDigest(app: App, f: DigestFacts, period: string): OutgoingMail {
  const base = (app.config.web.publicUrl || `http://${app.config.web.host}:${app.config.web.port}`).replace(/\/$/, '');
  const newCasesTotal = f.newCases.reduce((a, c) => a + c.count, 0);
  const auditsTotal = f.audits.reduce((a, y) => a + y.received + y.overdue, 0);
  const total = newCasesTotal + f.stale.total + f.attention + f.failedMails + f.lettersToPrint + f.failedJobs.length + auditsTotal;
  const sinceDate = new Date(f.since);
  const { subject, text } = app.templates.render('staff-digest', {
    date: tokyoDate(periodInstant(period)), total, since: `${tokyoDate(sinceDate)} ${new Date(sinceDate.getTime() + 9 * 3_600_000).toISOString().slice(11, 16)}`,
    newCases: f.newCases, newCasesTotal,
    staleDays: app.config.jobs.digestStaleDays, staleTotal: f.stale.total,
    staleExceptions: f.stale.cases.map((c) => ({ number: c.number, received: tokyoDate(new Date(c.received_at)), url: `${base}/cases/${c.number}` })),
    unmatched: f.unmatched, attention: f.attention, paymentsUrl: `${base}/finance`,
    failedMails: f.failedMails, lettersToPrint: f.lettersToPrint, lettersUrl: `${base}/letters`, failedJobs: f.failedJobs, workbenchUrl: `${base}/`,
    auditsTotal, audits: f.audits.flatMap((y) => [
      ...(y.received > 0 ? [{ label: `${y.year}年 書類が届き確認待ち`, count: y.received, url: `${base}/audit?year=${y.year}&state=received` }] : []),
      ...(y.overdue > 0 ? [{ label: `${y.year}年 提出期限切れ（結果未記録）`, count: y.overdue, url: `${base}/audit?year=${y.year}&state=overdue` }] : []),
    ]),
  });
  return {
    from: app.config.mail.from, to: app.config.jobs.staffAddress, subject, text,
    messageId: stableMessageId('digest', period.replace(/[^0-9]/g, ''), 1, app.config.mail.messageIdDomain),
    headers: { 'Auto-Submitted': 'auto-generated' },
  };
}

/** The job: compose the period's digest and queue it (once per period: its Message-ID is the period's). */
export function runDailyDigest(app: App, ctx: JobContext): JobResult {
  const f = digestFacts(app, ctx.period, ctx.now);
  if (!worthSaying(f)) return { summary: 'nothing needs staff: no digest' };
  const mail = composeDigest(app, f, ctx.period);
  const summary = `digest: ${f.newCases.reduce((a, c) => a + c.count, 0)} new cases, ${f.stale.total} waiting exceptions, ${f.attention} payments to check, ${f.failedMails} mails retrying, ${f.failedJobs.length} failed jobs, ${f.lettersToPrint} letters to print, ${f.audits.reduce((a, y) => a + y.received + y.overdue, 0)} CPD audits to check`;
  if (ctx.dryRun) return { summary: `[dry run] ${summary}`, detail: { subject: mail.subject, text: mail.text } };
  app.writer.queueOfficeMail({ kind: 'staff-digest', rfcMessageId: mail.messageId, to: mail.to, mail });
  return { summary };
}
