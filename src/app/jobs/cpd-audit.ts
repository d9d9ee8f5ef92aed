// The annual CPD audit on the office's calendar (src/app/audit.ts does the work):
// - cpd-audit: on the draw date of rules/audit.yaml, the sample of the previous calendar year's approved
//   renewals is drawn and the requests queued. The period's year decides which year is drawn, so a draw
//   the daemon missed (down on the day) is caught up at its next start for the right year; a year drawn by
//   hand already (conken audit draw) is left as it is.
// - cpd-audit-follow-up: every day, the reminder before the deadline (once, to those who have not replied)
//   and the audits whose deadline passed without a reply marked overdue.
import type { App } from '../context.ts';
import type { Job, JobContext, JobResult } from './job-runner.ts';
import { auditStore, drawAudit, auditFollowUp, previewDraw } from '../audit.ts';
import { auditRules, drawCron, followUpCron } from '../audit-rules.ts';

/** The year a draw period audits: the calendar year before the draw's. */
export function auditedYear(period: string): number {
  return Number(period.slice(0, 4)) - 1;
}

export function runAuditDraw(app: App, ctx: JobContext): JobResult {
  const year = auditedYear(ctx.period);
  const store = auditStore(app);
  const draw = store.drawOf(year);
  if (draw && store.selectionsOf(year).length > 0) return { summary: `${year}: drawn already (${draw.recorded_at}), nothing to do` };
  if (ctx.dryRun) {
    const p = previewDraw(app, year);
    return { summary: `[dry run] ${year}: ${p.sampleSize} of ${p.populationCount} renewals would be drawn (population sha256 ${p.populationHash.slice(0, 12)}…)` };
  }
  if (!draw && previewDraw(app, year).populationCount === 0) return { summary: `${year}: no renewals approved, nothing drawn` };
  const r = drawAudit(app, year, { actor: 'job:cpd-audit', now: ctx.now });
  return {
    summary: `${year}: ${r.chosen.length} of ${r.populationCount} renewals drawn${r.resumed ? ' (recorded draw finished)' : ''}, ${r.chosen.filter((c) => c.mailed).length} requests queued; seed ${r.seed}, population sha256 ${r.populationHash}`,
    detail: { audits: r.chosen.map((c) => c.audit) },
  };
}

export function runAuditFollowUp(app: App, ctx: JobContext): JobResult {
  const r = auditFollowUp(app, ctx.now, ctx.dryRun);
  return { summary: `${ctx.dryRun ? '[dry run] ' : ''}${r.reminded.length} audit reminders, ${r.overdue.length} audits overdue`, detail: r };
}

export const CPD_AUDIT_JOBS: readonly Job[] = [
  {
    name: 'cpd-audit',
    description: '年次CPD監査の対象者の抽選と書類提出のお願い（前年に更新が承認された認定者から）',
    schedule: (app) => drawCron(auditRules(app)),
    run: runAuditDraw,
  },
  {
    name: 'cpd-audit-follow-up',
    description: 'CPD監査の提出期限前のご案内と、期限切れの記録',
    schedule: (app) => followUpCron(auditRules(app)),
    run: runAuditFollowUp,
  },
];
