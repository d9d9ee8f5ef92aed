// The office's calendar (src/app/jobs/): schedules read in Tokyo time, every (job, period) run once whatever
// restarts, second daemons or missed days happen, over a simulated month with the clock injected; the staff's
// digest says only what needs a person, once per period.
import { afterEach, describe, expect, it } from 'vitest';
import { harness, mail, dataEnv, form, PROOF, type Harness } from '../support/harness.ts';
import { APPLICANTS } from '../../scripts/lib/statement-data.ts';
import { nextOccurrence, periodInstant, periodKey, previousOccurrence } from '../../src/app/jobs/schedule.ts';
import { catchUp, jobStatuses, runJob, type Job } from '../../src/app/jobs/job-runner.ts';
import { JOBS, jobNamed } from '../../src/app/jobs/index.ts';
import { importStatementRows } from '../../src/app/import-payments.ts';
import { conken } from '../support/cli.ts';
import type { OutgoingMail } from '../../src/outbound/outgoing-mail.ts';

let h: Harness | undefined;
afterEach(() => h?.close());

const tokyo = (local: string) => new Date(`${local}+09:00`);

describe('schedules in Tokyo time', () => {
  it('finds the latest and the next occurrence of daily, weekday, hourly and yearly expressions', () => {
    expect(periodKey(previousOccurrence('0 9 * * *', tokyo('2026-12-07T08:59:00'))!)).toBe('2026-12-06T09:00');
    expect(periodKey(previousOccurrence('0 9 * * *', tokyo('2026-12-07T09:00:00'))!)).toBe('2026-12-07T09:00');
    // Weekdays only: on a Sunday the latest is Friday's.
    expect(periodKey(previousOccurrence('0 8 * * 1-5', tokyo('2026-12-06T12:00:00'))!)).toBe('2026-12-04T08:00');
    expect(periodKey(nextOccurrence('0 8 * * 1-5', tokyo('2026-12-06T12:00:00'))!)).toBe('2026-12-07T08:00');
    expect(periodKey(previousOccurrence('17 * * * *', tokyo('2026-12-06T10:16:59'))!)).toBe('2026-12-06T09:17');
    expect(periodKey(previousOccurrence('0 9 1 1 *', tokyo('2026-12-06T12:00:00'))!)).toBe('2026-01-01T09:00');
    expect(periodInstant('2026-12-07T09:00').toISOString()).toBe('2026-12-07T00:00:00.000Z');
    expect(() => periodInstant('yesterday')).toThrow(/YYYY-MM-DDTHH:MM/);
  });
});

describe('the job runner', () => {
  const counting = (): Job & { runs: string[] } => {
    const runs: string[] = [];
    return { name: 'counting', description: 'テスト', schedule: () => '0 9 * * *', run: (_app, ctx) => { runs.push(ctx.period); return { summary: `ran ${ctx.period}` }; }, runs };
  };

  it('runs each period once over a simulated month of restarts, second daemons and days down', async () => {
    h = harness();
    const job = counting();
    // Every three hours of December, the daemon (re)starting and catching up, twice (a second daemon on the same
    // database); days 10–13 the machine is off.
    for (let t = tokyo('2026-12-01T00:30:00').getTime(); t < tokyo('2027-01-01T00:00:00').getTime(); t += 3 * 3_600_000) {
      const now = new Date(t);
      const day = Number(periodKey(now).slice(8, 10));
      if (day >= 10 && day <= 13) continue;
      await catchUp(h.app, [job], now);
      h.restart();
      await catchUp(h.app, [job], now);
    }
    // The first start (1 December, 00:30) finds 30 November's period due but has missed nothing (the job never
    // ran here): that period is its starting point. Then every day at 09:00, but for the days down: of those
    // only the latest (the 13th's) runs, at the start on the 14th.
    const want = [...Array.from({ length: 9 }, (_, i) => `2026-12-0${i + 1}`), '2026-12-13', ...Array.from({ length: 18 }, (_, i) => `2026-12-${i + 14}`)].map((d) => `${d}T09:00`);
    expect(job.runs).toEqual(want);
    expect(h.app.jobRuns.latestRuns()).toMatchObject([{ job: 'counting', period: '2026-12-31T09:00', state: 'done', attempts: 1 }]);
    expect(h.app.jobRuns.run('counting', '2026-11-30T09:00')).toMatchObject({ state: 'skipped' });
  });

  it('a daemon down at 09:00 runs the missed period at its next start; a finished period never runs again, a failed one may', async () => {
    h = harness();
    const job = counting();
    // The first start: the job never ran here, so nothing was missed.
    expect(await catchUp(h.app, [job], tokyo('2026-12-07T10:00:00'))).toEqual([]);
    const done = await catchUp(h.app, [job], tokyo('2026-12-08T15:00:00'));
    expect(done).toMatchObject([{ job: 'counting', period: '2026-12-08T09:00', ran: true }]);
    expect(await runJob(h.app, job, '2026-12-08T09:00', new Date())).toMatchObject({ ran: false });
    let fail = true;
    const flaky: Job = { ...job, name: 'flaky', run: () => { if (fail) throw new Error('SMTP down'); return { summary: 'ok' }; } };
    expect(await runJob(h.app, flaky, '2026-12-08T09:00', new Date())).toMatchObject({ ran: true, error: 'SMTP down' });
    fail = false;
    expect(await runJob(h.app, flaky, '2026-12-08T09:00', new Date())).toMatchObject({ ran: true, result: { summary: 'ok' } });
    expect(h.app.jobRuns.run('flaky', '2026-12-08T09:00')).toMatchObject({ state: 'done', attempts: 2 });
    // A dry run claims nothing.
    expect(await runJob(h.app, job, '2026-12-09T09:00', new Date(), { dryRun: true })).toMatchObject({ ran: true });
    expect(h.app.jobRuns.run('counting', '2026-12-09T09:00')).toBeUndefined();
    const status = jobStatuses(h.app, [job], tokyo('2026-12-08T15:00:00'));
    expect(status).toEqual([{ name: 'counting', description: 'テスト', schedule: '0 9 * * *', last: expect.objectContaining({ period: '2026-12-08T09:00', state: 'done' }), next: '2026-12-09T00:00:00.000Z' }]);
  });
});

describe("the staff's daily digest", () => {
  it('lists what needs a person since the last digest, once per period, and nothing on a quiet day', async () => {
    h = harness();
    const digest = jobNamed('daily-digest')!;
    // A quiet day: nothing at all.
    const quiet = await runJob(h.app, digest, '2026-01-19T08:00', tokyo('2026-01-19T08:00:00'));
    expect(quiet.result?.summary).toMatch(/nothing needs staff/);
    expect(h.app.outbox.outboxCounts()).toEqual({});

    // A late application (exception) and a payment the matcher questions (10,000 instead of 11,000).
    const late = await h.process(await mail({ date: new Date('2026-03-05T10:00:00+09:00') }));
    expect(late.cases[0]!.status).toBe('exception');
    importStatementRows(h.app, 'p.csv', 'hash-p', 'simple-csv', [{ paidOn: '2026-03-06', amount: 10_000, transferName: '9999ｽｽﾞｷﾀﾛｳ', line: 2 }, { paidOn: '2026-03-06', amount: 10_000, transferName: '0123ｺﾝﾀﾞｹﾝﾀﾛｳ', line: 3 }], 'test');
    // The cases were opened "now" (the clock of the test run): the digest due at the next 08:00 after it.
    const created = new Date(h.app.cases.caseByNumber(late.cases[0]!.number!)!.created_at);
    const period = periodKey(nextOccurrence(h.app.config.jobs.digestCron, created)!);
    const now = periodInstant(period);
    const r = await runJob(h.app, digest, period, new Date(now.getTime() + 4 * 86_400_000));
    expect(r.result?.summary).toMatch(/1 new cases, 1 waiting exceptions, \d+ payments to check/);
    const queued = h.app.outbox.outboxCounts();
    expect(queued.pending).toBeGreaterThanOrEqual(1);
    const row = (h.app.db.prepare("SELECT * FROM outbox WHERE kind = 'staff-digest'").all() as { to_address: string; audience: string; mail_json: string }[]);
    expect(row).toHaveLength(1);
    expect(row[0]).toMatchObject({ to_address: 'staff@conken.example.jp', audience: 'staff' });
    const text = (JSON.parse(row[0]!.mail_json) as OutgoingMail).text;
    expect(text).toContain(late.cases[0]!.number!);
    expect(text).toContain('要対応：1件');
    expect(text).toMatch(/未照合の入金：2件（うち確認が必要なもの [12]件）/);
    // No name, address or e-mail of the applicant in the digest.
    expect(text).not.toMatch(/今田|こんだ|k\.konda|丸の内/);
    // The same period again: not run, not queued twice.
    expect((await runJob(h.app, digest, period, new Date())).ran).toBe(false);
    expect(h.app.db.prepare("SELECT COUNT(*) AS n FROM outbox WHERE kind = 'staff-digest'").get()).toEqual({ n: 1 });
  });

  it('names new cases under payment review in the shared status words (入金確認中), never the raw status', async () => {
    h = harness();
    const numbers: string[] = [];
    for (const id of ['hanako', 'haruka']) {
      const a = APPLICANTS.find((x) => x.id === id)!;
      const o = await h.process(await mail({ from: a.fill.email!, messageId: `digest-pr-${id}-${process.pid}@example.jp`, attachments: [{ filename: '更新申請書.docx', content: form(a.fill) }, PROOF] }));
      numbers.push(o.cases[0]!.number!);
    }
    // One transfer the matcher cannot tell between the two: both cases wait on finance's question.
    importStatementRows(h.app, 'q.csv', 'hash-q', 'simple-csv', [{ paidOn: '2026-01-19', amount: 11_000, transferName: '0777ﾔﾏﾀﾞ', line: 2 }], 'test');
    expect(numbers.map((n) => h!.app.cases.caseByNumber(n)!.status)).toEqual(['payment-review', 'payment-review']);
    const created = new Date(h.app.cases.caseByNumber(numbers[0]!)!.created_at);
    const period = periodKey(nextOccurrence(h.app.config.jobs.digestCron, created)!);
    const r = await runJob(h.app, jobNamed('daily-digest')!, period, new Date(periodInstant(period).getTime() + 3_600_000));
    expect(r.result?.summary).toMatch(/^digest: 2 new cases/);
    const row = h.app.db.prepare("SELECT mail_json FROM outbox WHERE kind = 'staff-digest'").get() as { mail_json: string };
    const text = (JSON.parse(row.mail_json) as OutgoingMail).text;
    expect(text).toContain('■ 新しい案件（2件）\n・入金確認中：2件');
    expect(text).not.toContain('payment-review');
  });

  it('every job is declared once and `conken jobs` lists them with their next run', { timeout: 120_000 }, async () => {
    h = harness();
    expect(JOBS.map((j) => j.name)).toEqual(['rematch', 'payment-reminders', 'renewal-reminders', 'daily-digest', 'retention', 'cpd-audit', 'cpd-audit-follow-up']);
    const r = await conken(['jobs', '--json'], dataEnv(h.dir));
    expect(r.code, r.stderr).toBe(0);
    const list = JSON.parse(r.stdout) as { name: string; next: string | null; last: unknown }[];
    expect(list.map((j) => j.name)).toEqual(['rematch', 'payment-reminders', 'renewal-reminders', 'daily-digest', 'retention', 'cpd-audit', 'cpd-audit-follow-up']);
    expect(list.every((j) => j.next !== null && j.last === null)).toBe(true);
    const dry = await conken(['jobs', 'run', 'payment-reminders', '--dry-run', '--json'], dataEnv(h.dir));
    expect(JSON.parse(dry.stdout)).toMatchObject({ job: 'payment-reminders', ran: true, result: { summary: '[dry run] 0 reminders due' } });
    const unknown = await conken(['jobs', 'run', 'no-such-job'], dataEnv(h.dir));
    expect(unknown.code).toBe(2);
  });
});
