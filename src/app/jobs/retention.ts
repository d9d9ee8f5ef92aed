// The retention job (SPEC §7): closed cases past the retention period (rules/intake.yaml retention) lose their
// personal data; the case number, kind, dates, decision and history stay, and each purge is audited.
import { rmSync } from 'node:fs';
import path from 'node:path';
import type { App } from '../context.ts';
import type { JobContext, JobResult } from './job-runner.ts';
import { RetentionStore } from '../../cases/retention-store.ts';
import { AuditLog } from '../../cases/audit-log.ts';
import { transaction } from '../../cases/db.ts';

/** Years back from `now`, by the calendar (29 February falls to 28 February). */
function yearsBefore(now: Date, years: number): Date {
  const d = new Date(now);
  d.setUTCFullYear(d.getUTCFullYear() - Math.floor(years));
  return new Date(d.getTime() - (years % 1) * 365.25 * 86_400_000);
}

export function runRetention(app: App, ctx: JobContext): JobResult {
  const store = new RetentionStore(app.db);
  const before = yearsBefore(ctx.now, app.rules.intake.retention.closedCaseYears).toISOString();
  const due = store.closedBefore(before);
  if (ctx.dryRun) return { summary: `[dry run] ${due.length} closed cases would be purged`, detail: { cases: due.map((c) => c.number) } };
  if (due.length === 0) return { summary: 'no closed case past the retention period' };
  const at = ctx.now.toISOString();
  const audit = new AuditLog(app.db);
  const files = store.withSecureDelete(() => transaction(app.db, () => {
    const paths = store.purge(due.map((c) => c.id), at);
    for (const c of due) {
      app.cases.addEvent({ caseId: c.id, actor: 'retention', type: 'case.purged', data: { closedAt: c.closedAt, retentionYears: app.rules.intake.retention.closedCaseYears }, at });
      audit.record({ login: 'system:retention', action: 'case.purge', caseNumber: c.number, detail: { closedAt: c.closedAt }, at });
    }
    return paths;
  }));
  store.compact();
  // The files last: a crash before this leaves files nobody refers to, never a reference to a missing file.
  for (const rel of files) rmSync(path.join(app.config.store.dir, rel), { force: true });
  return { summary: `${due.length} closed cases purged, ${files.length} files deleted`, detail: { cases: due.map((c) => c.number) } };
}
