// The job runner (SPEC §6, the office's calendar): each job is declared once (name, schedule from the
// configuration, what it does) and every run is recorded under its (job, period) key before it starts
// (src/cases/job-runs-store.ts), so a restart, a second daemon or a clock change never runs a period twice,
// and a period the daemon was down for runs at its next start (catchUp). Schedules are node-cron expressions
// in Asia/Tokyo.
import cron from 'node-cron';
import type { App } from '../context.ts';
import { nextOccurrence, periodKey, previousOccurrence } from './schedule.ts';
import type { JobRunRow } from '../../cases/job-runs-store.ts';

export interface JobContext {
  /** The occurrence the run is for (Tokyo time, YYYY-MM-DDTHH:MM). */
  period: string;
  /** The clock of the run (injected by tests). */
  now: Date;
  /** Say what would be done, change nothing. */
  dryRun: boolean;
}

export interface JobResult {
  /** One line of what it did, for `conken jobs` and the digest: counts and case numbers, never personal data. */
  summary: string;
  detail?: unknown;
}

export interface Job {
  name: string;
  /** In Japanese, for `conken jobs` and the admin page. */
  description: string;
  schedule(app: App): string;
  run(app: App, ctx: JobContext): JobResult | Promise<JobResult>;
}

export interface JobRunOutcome {
  job: string;
  period: string;
  /** false: the period ran (or is running) already, nothing was done. */
  ran: boolean;
  result?: JobResult;
  error?: string;
}

/** A run left 'running' this long ago belonged to a process that died: it may be claimed again. */
const STALE_MS = 3 * 3_600_000;

/** Runs a job for a period unless that period ran already; a dry run claims nothing and changes nothing. */
export async function runJob(app: App, job: Job, period: string, now: Date, options: { dryRun?: boolean } = {}): Promise<JobRunOutcome> {
  if (options.dryRun) return { job: job.name, period, ran: true, result: await job.run(app, { period, now, dryRun: true }) };
  if (!app.jobRuns.claim(job.name, period, now.toISOString(), new Date(now.getTime() - STALE_MS).toISOString())) return { job: job.name, period, ran: false };
  try {
    const result = await job.run(app, { period, now, dryRun: false });
    app.jobRuns.finish(job.name, period, { state: 'done', summary: result.summary }, new Date().toISOString());
    app.log.info({ job: job.name, period, summary: result.summary }, 'job done');
    return { job: job.name, period, ran: true, result };
  } catch (error) {
    const message = (error as Error).message;
    app.jobRuns.finish(job.name, period, { state: 'failed', error: message }, new Date().toISOString());
    app.log.error({ job: job.name, period, err: message }, 'job failed; it runs again at its next occasion or by hand');
    return { job: job.name, period, ran: true, error: message };
  }
}

/** The period a job is due for at `now` (its latest occurrence), or null when it never occurs. */
export function duePeriod(app: App, job: Job, now: Date): string | null {
  const at = previousOccurrence(job.schedule(app), now);
  return at ? periodKey(at) : null;
}

/**
 * At start: every job whose latest period has not run (the daemon was down at the time) runs now. A job that
 * never ran on this database has missed nothing: its latest period is recorded as the starting point (state
 * 'skipped'), so a first start does not send a digest or purge at an hour nobody chose, and every later
 * period the daemon misses is caught up.
 */
export async function catchUp(app: App, jobs: readonly Job[], now = new Date()): Promise<JobRunOutcome[]> {
  const out: JobRunOutcome[] = [];
  const known = new Set(app.jobRuns.latestRuns().map((r) => r.job));
  for (const job of jobs) {
    const period = duePeriod(app, job, now);
    if (period === null) continue;
    if (!known.has(job.name)) {
      app.jobRuns.baseline(job.name, period, now.toISOString());
      continue;
    }
    const done = app.jobRuns.run(job.name, period);
    if (done?.state === 'done' || done?.state === 'skipped') continue;
    out.push(await runJob(app, job, period, now));
  }
  return out;
}

/** When a running daemon looks for runs a dead process left started (resumeAbandoned): hourly. */
export const SWEEP_CRON = '40 * * * *';

/**
 * A run left 'running' by a process that died is resumed once it is stale, while its period is still the
 * job's latest. A restart soon after the crash cannot tell that run from a second daemon's (catchUp leaves it);
 * without this sweep, a daily job's period would be lost until the next day's, a yearly one's (the CPD audit's
 * draw) until the next year's.
 */
export async function resumeAbandoned(app: App, jobs: readonly Job[], now = new Date()): Promise<JobRunOutcome[]> {
  const out: JobRunOutcome[] = [];
  const staleBefore = new Date(now.getTime() - STALE_MS).toISOString();
  for (const job of jobs) {
    const period = duePeriod(app, job, now);
    if (period === null) continue;
    const row = app.jobRuns.run(job.name, period);
    if (row?.state !== 'running' || row.started_at >= staleBefore) continue;
    out.push(await runJob(app, job, period, now));
  }
  return out;
}

/** Starts every job on its schedule; returns how to stop them. Runs never overlap a run of the same job. */
export function startJobs(app: App, jobs: readonly Job[]): { stop(): Promise<void> } {
  const busy = new Set<string>();
  const exclusive = async (names: readonly string[], fn: () => Promise<unknown>) => {
    if (names.some((n) => busy.has(n))) return;
    for (const n of names) busy.add(n);
    try {
      await fn();
    } catch (error) {
      app.log.error({ err: (error as Error).message }, 'scheduled job could not run');
    } finally {
      for (const n of names) busy.delete(n);
    }
  };
  const tasks = jobs.map((job) => cron.schedule(job.schedule(app), (ctx) => exclusive([job.name], async () => {
    const now = ctx.date ?? new Date();
    const period = duePeriod(app, job, now);
    if (period !== null) await runJob(app, job, period, now);
  }), { timezone: 'Asia/Tokyo', name: job.name }));
  // One job at a time, and only one this process is not running now (its own long run is not abandoned).
  tasks.push(cron.schedule(SWEEP_CRON, async (ctx) => {
    for (const job of jobs) await exclusive([job.name], () => resumeAbandoned(app, [job], ctx.date ?? new Date()));
  }, { timezone: 'Asia/Tokyo', name: 'resume-abandoned-runs' }));
  return { async stop() { await Promise.all(tasks.map((t) => t.stop())); } };
}

export interface JobStatus {
  name: string;
  description: string;
  schedule: string;
  last: Pick<JobRunRow, 'period' | 'state' | 'started_at' | 'finished_at' | 'summary' | 'error'> | null;
  /** The next occurrence (an instant), null when it never occurs. */
  next: string | null;
}

/** What `conken jobs` and the admin page show. */
export function jobStatuses(app: App, jobs: readonly Job[], now = new Date()): JobStatus[] {
  const latest = new Map(app.jobRuns.latestRuns().map((r) => [r.job, r]));
  return jobs.map((job) => {
    const schedule = job.schedule(app);
    const next = nextOccurrence(schedule, now)?.toISOString() ?? null;
    const last = latest.get(job.name);
    return { name: job.name, description: job.description, schedule, last: last ? { period: last.period, state: last.state, started_at: last.started_at, finished_at: last.finished_at, summary: last.summary, error: last.error } : null, next };
  });
}
