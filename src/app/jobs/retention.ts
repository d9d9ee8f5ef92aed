// The retention job (SPEC §7): closed cases past the retention period (rules/intake.yaml retention) lose their
// personal data; the case number, kind, dates, decision and history stay, and each purge is audited. CPD
// audits whose outcome is older than the same period are purged alike (src/cases/retention-store.ts).
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
  const years = app.rules.intake.retention.closedCaseYears;
  const before = yearsBefore(ctx.now, years).toISOString();
  const due = store.closedBefore(before);
  // CPD audits: the same period from the outcome (an audit is closed when its outcome is recorded).
  const audits = store.auditsDecidedBefore(before);
  // Bank statements finance uploaded: the file goes the same period after its import (it names every payer).
  const statements = store.statementFilesBefore(before);
  const listed = { cases: due.map((c) => c.number), ...(audits.length > 0 ? { audits: audits.map((a) => a.number) } : {}), ...(statements.length > 0 ? { statementImports: statements.map((s) => s.id) } : {}) };
  const more = `${audits.length > 0 ? `, ${audits.length} audits` : ''}${statements.length > 0 ? `, ${statements.length} statement files` : ''}`;
  if (ctx.dryRun) return { summary: `[dry run] ${due.length} closed cases would be purged${more}`, detail: listed };
  if (due.length === 0 && audits.length === 0 && statements.length === 0) return { summary: 'no closed case past the retention period' };
  const at = ctx.now.toISOString();
  const audit = new AuditLog(app.db);
  const files = store.withSecureDelete(() => transaction(app.db, () => {
    const paths = store.purge(due.map((c) => c.id), at);
    for (const c of due) {
      app.cases.addEvent({ caseId: c.id, actor: 'retention', type: 'case.purged', data: { closedAt: c.closedAt, retentionYears: years }, at });
      audit.record({ login: 'system:retention', action: 'case.purge', caseNumber: c.number, detail: { closedAt: c.closedAt }, at });
    }
    for (const p of store.purgeAudits(audits.map((a) => a.id), at, { retentionYears: years })) paths.push(p);
    for (const a of audits) audit.record({ login: 'system:retention', action: 'cpd-audit.purge', caseNumber: a.number, detail: { year: a.year, outcome: a.outcome, decidedAt: a.decidedAt }, at });
    for (const p of store.dropStatementFiles(statements.map((s) => s.id))) paths.push(p);
    for (const s of statements) audit.record({ login: 'system:retention', action: 'statement.purge', detail: { importId: s.id }, at });
    return [...new Set(paths)];
  }));
  store.compact();
  // The files last: a crash before this leaves files nobody refers to, never a reference to a missing file.
  for (const rel of files) rmSync(path.join(app.config.store.dir, rel), { force: true });
  return { summary: `${due.length} closed cases purged, ${files.length} files deleted${audits.length > 0 ? `, ${audits.length} audits purged` : ''}${statements.length > 0 ? `, ${statements.length} statement files deleted` : ''}`, detail: listed };
}
