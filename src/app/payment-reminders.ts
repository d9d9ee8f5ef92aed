// Payment reminders (SPEC §6): applicants whose case has waited for the fee longer than the configured
// number of days get the payment-reminder notice, at most once per configured interval. Run by node-cron
// in the daemon; `now` is a parameter so the job is testable.
import type { App } from './context.ts';
import { transaction } from '../cases/db.ts';
import { enqueueNotices } from './notify.ts';
import type { CaseStatus } from '../cases/status.ts';

const DAY = 86_400_000;

/** Queues the reminders due at `now`; returns the case numbers reminded. */
export function sendPaymentReminders(app: App, now = new Date()): string[] {
  const { reminderAfterDays, reminderIntervalDays } = app.config.payments;
  return transaction(app.db, () => {
    const reminded: string[] = [];
    for (const c of app.cases.casesAwaitingPayment()) {
      if (!c.applicant_address) continue;
      if (now.getTime() - new Date(c.waiting_since).getTime() < reminderAfterDays * DAY) continue;
      if (c.payment_reminded_at && now.getTime() - new Date(c.payment_reminded_at).getTime() < reminderIntervalDays * DAY) continue;
      const row = app.cases.caseById(c.id)!;
      if (row.notices_suppressed === 1) continue;
      const queued = enqueueNotices(app, row, ['payment-reminder'], { findings: app.cases.currentFindings(c.id), computed: row.computed_json ? JSON.parse(row.computed_json) as Record<string, unknown> : {}, status: row.status as CaseStatus }, now);
      app.cases.updateCase(c.id, { payment_reminded_at: now.toISOString() });
      app.cases.addEvent({ caseId: c.id, actor: 'system', type: 'payment.reminder', data: { queued: queued.length > 0, waitingSince: c.waiting_since } });
      if (queued.length) reminded.push(c.number);
    }
    if (reminded.length) app.log.info({ cases: reminded }, 'payment reminders queued');
    return reminded;
  });
}
