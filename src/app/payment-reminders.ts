// Payment reminders (SPEC §6): applicants whose case has waited for the fee longer than the configured
// number of days get the payment-reminder notice, at most once per configured interval. Run by node-cron
// in the daemon; `now` is a parameter so the job is testable. Each reminder is a case transition.
import type { App } from './context.ts';
import { commitCaseChanges } from './deferred-notices.ts';
import { decideTransition } from '../cases/transition.ts';
import { paymentFindingsOf } from './payment-state.ts';

const DAY = 86_400_000;

/** The cases a reminder is due for at `now` (what a dry run lists). */
export function dueReminders(app: App, now = new Date()): { id: number; number: string; waiting_since: string }[] {
  const { reminderAfterDays, reminderIntervalDays } = app.config.payments;
  return app.cases.casesAwaitingPayment().filter((c) => c.applicant_address
    && now.getTime() - new Date(c.waiting_since).getTime() >= reminderAfterDays * DAY
    && !(c.payment_reminded_at && now.getTime() - new Date(c.payment_reminded_at).getTime() < reminderIntervalDays * DAY));
}

/** Queues the reminders due at `now`; returns the case numbers reminded. */
export function sendPaymentReminders(app: App, now = new Date()): string[] {
  return commitCaseChanges(app, () => {
    const reminded: string[] = [];
    for (const c of dueReminders(app, now)) {
      const row = app.cases.caseById(c.id)!;
      if (row.notices_suppressed === 1) continue;
      const decision = decideTransition(
        { status: row.status, findings: app.cases.currentFindings(c.id), noticesSuppressed: false, paid: false, paymentFindings: paymentFindingsOf(row) },
        { type: 'payment-reminder', at: now.toISOString(), waitingSince: c.waiting_since }, app.rules);
      const [applied] = app.writer.apply([{ case: row, decision }], now);
      if (applied!.notices.length) reminded.push(c.number);
    }
    if (reminded.length) app.log.info({ cases: reminded }, 'payment reminders queued');
    return reminded;
  });
}
