// The record of scheduled job runs (src/app/jobs/): one row per job and period, claimed before the run.
import { SqlStore } from './sql-store.ts';

export interface JobRunRow {
  job: string;
  period: string;
  state: 'running' | 'done' | 'failed' | 'skipped';
  attempts: number;
  started_at: string;
  finished_at: string | null;
  summary: string | null;
  error: string | null;
}

export class JobRunsStore extends SqlStore {
  /**
   * Claims a period for a run: true when it is this caller's to run (never run, or failed, or left running
   * by a process that died longer ago than `staleBefore`); false when it ran or is running elsewhere.
   */
  claim(job: string, period: string, now: string, staleBefore: string): boolean {
    const row = this.get<{ job: string }>(`INSERT INTO job_runs (job, period, state, started_at) VALUES (?, ?, 'running', ?)
      ON CONFLICT (job, period) DO UPDATE SET state = 'running', attempts = attempts + 1, started_at = excluded.started_at, finished_at = NULL, error = NULL
        WHERE job_runs.state = 'failed' OR (job_runs.state = 'running' AND job_runs.started_at < ?)
      RETURNING job`, job, period, now, staleBefore);
    return row !== undefined;
  }

  finish(job: string, period: string, outcome: { state: 'done' | 'failed'; summary?: string; error?: string }, now: string): void {
    this.stmt('UPDATE job_runs SET state = ?, finished_at = ?, summary = ?, error = ? WHERE job = ? AND period = ?')
      .run(outcome.state, now, outcome.summary ?? null, outcome.error?.slice(0, 500) ?? null, job, period);
  }

  /** The period a job starts from on a database where it never ran (not run, never claimable). */
  baseline(job: string, period: string, now: string): void {
    this.stmt(`INSERT OR IGNORE INTO job_runs (job, period, state, attempts, started_at, finished_at, summary) VALUES (?, ?, 'skipped', 0, ?, ?, 'first start: earlier periods are not run')`)
      .run(job, period, now, now);
  }

  run(job: string, period: string): JobRunRow | undefined {
    return this.get('SELECT * FROM job_runs WHERE job = ? AND period = ?', job, period);
  }

  /** The latest run of each job (by period). */
  latestRuns(): JobRunRow[] {
    return this.all(`SELECT r.* FROM job_runs r JOIN (SELECT job, MAX(period) AS period FROM job_runs GROUP BY job) l ON l.job = r.job AND l.period = r.period ORDER BY r.job`);
  }

  /** A job's latest runs, newest period first (the admin's jobs page). */
  recentRuns(job: string, limit: number): JobRunRow[] {
    return this.all('SELECT * FROM job_runs WHERE job = ? ORDER BY period DESC LIMIT ?', job, limit);
  }

  /** Runs that failed and finished since an instant (for the digest). */
  failedSince(sinceIso: string): JobRunRow[] {
    return this.all(`SELECT * FROM job_runs WHERE state = 'failed' AND finished_at >= ? ORDER BY finished_at`, sinceIso);
  }
}
