// Running one job by hand: the one entry point of `conken jobs run` and the workbench's jobs page, so both
// look the job up, choose and check the period, and record the run the same way (through runJob's claim).
import type { App } from '../context.ts';
import { duePeriod, runJob, type JobRunOutcome } from './job-runner.ts';
import { periodInstant, periodKey } from './schedule.ts';
import { jobNamed } from './index.ts';

/** A request that cannot run (no such job, a malformed period): its message is for the person who asked. */
export class JobRequestError extends Error {
  readonly code: 'unknown-job' | 'bad-period' | 'never-occurs';
  constructor(code: JobRequestError['code'], message: string) {
    super(message);
    this.code = code;
  }
}

const PERIOD = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/;

/**
 * Runs `name` for `period` (Tokyo time, YYYY-MM-DDTHH:MM), or for its latest occurrence when none is given.
 * A period that ran already is not run again (outcome.ran false); a dry run changes nothing and claims nothing.
 */
export async function runJobByHand(app: App, name: string, options: { period?: string | null; dryRun?: boolean; now?: Date } = {}): Promise<JobRunOutcome> {
  const job = jobNamed(name);
  if (!job) throw new JobRequestError('unknown-job', `ジョブ ${name} はありません（conken jobs で一覧を表示します）`);
  const now = options.now ?? new Date();
  const given = options.period?.trim() || null;
  // Round trip through the instant: 2026-02-30 parses (as 2 March) but is no period of any schedule.
  if (given !== null && (!PERIOD.test(given) || Number.isNaN(periodInstant(given).getTime()) || periodKey(periodInstant(given)) !== given)) {
    throw new JobRequestError('bad-period', `実行する回「${given}」は YYYY-MM-DDTHH:MM（日本時間）の形で、実在する日時を指定してください`);
  }
  const period = given ?? duePeriod(app, job, now);
  if (period === null) throw new JobRequestError('never-occurs', `ジョブ ${name} の予定は一度も巡ってきません（設定の cron 式を確認してください）`);
  return runJob(app, job, period, now, { dryRun: !!options.dryRun });
}
