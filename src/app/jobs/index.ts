// The office's calendar: every scheduled job, declared once (src/app/jobs/job-runner.ts runs them).
import type { Job } from './job-runner.ts';
import { commitCaseChanges } from '../deferred-notices.ts';
import { runMatching } from '../payment-matching.ts';
import { dueReminders, sendPaymentReminders } from '../payment-reminders.ts';
import { runDailyDigest } from './daily-digest.ts';
import { runRetention } from './retention.ts';
import { runRenewalReminders } from './renewal-reminders.ts';
import { CPD_AUDIT_JOBS } from './cpd-audit.ts';

export const JOBS: readonly Job[] = [
  {
    name: 'rematch',
    description: '入金と申請の再照合（変更を検知できなかった組み合わせの確認）',
    schedule: (app) => app.config.jobs.rematchCron,
    run(app, ctx) {
      if (ctx.dryRun) return { summary: `[dry run] ${app.payments.countUnlinkedPayments()} unlinked payments would be matched again` };
      const run = commitCaseChanges(app, () => runMatching(app));
      return { summary: `${run.matched.length} payments linked, ${run.reevaluated.length} cases moved on`, detail: { matched: run.matched.map((m) => m.case) } };
    },
  },
  {
    name: 'payment-reminders',
    description: '手数料の入金待ちが続く申請者への入金のお願い',
    schedule: (app) => app.config.payments.reminderCron,
    run(app, ctx) {
      if (ctx.dryRun) {
        const due = dueReminders(app, ctx.now).map((c) => c.number);
        return { summary: `[dry run] ${due.length} reminders due`, detail: { cases: due } };
      }
      const reminded = sendPaymentReminders(app, ctx.now);
      return { summary: `${reminded.length} reminders queued`, detail: { cases: reminded } };
    },
  },
  {
    name: 'renewal-reminders',
    description: '有効期限が今年度末の認定者への更新申請のご案内（受付開始時と締切前）',
    schedule: (app) => app.config.jobs.renewalReminderCron,
    run: runRenewalReminders,
  },
  {
    name: 'daily-digest',
    description: '事務局への毎朝の要対応まとめメール',
    schedule: (app) => app.config.jobs.digestCron,
    run: runDailyDigest,
  },
  {
    name: 'retention',
    description: '保存期間を過ぎた審査済み案件の個人情報の削除',
    schedule: (app) => app.config.jobs.retentionCron,
    run: runRetention,
  },
  ...CPD_AUDIT_JOBS,
];

export function jobNamed(name: string): Job | undefined {
  return JOBS.find((j) => j.name === name);
}
