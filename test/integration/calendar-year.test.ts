// The office's calendar over a whole simulated year (SPEC §6, issue 18): every job of src/app/jobs/index.ts
// driven through the job runner from 1 January to 31 December 2027 at each of its fire times, as the daemon's
// node-cron would (startJobs, with its hourly sweep), with the clock injected — the process's own clock is set
// to each fire time, so what the app stamps (cases opened, runs finished, events) is on the simulated calendar
// too. Against a real register (holders in every state), real cases (closed old ones, one awaiting its fee,
// renewals applied in the window) and real payments. Over the year the process dies in the middle of two
// runs (restarted five minutes later: the sweep resumes the run; restarted hours later: the start does), the
// machine is off over a day of fire times (the next start catches up), and an injected fault (the mail server
// down) fails one run. It checks that every period ran once and never twice, the renewal reminders (first and
// second, once per holder and year, never to a lapsed, revoked or expired holder or one who applied), the
// payment reminders' weekly rhythm, the staff's digest (its content, and none on a quiet day), the CPD audit's
// draw and follow-up, and that retention purged each closed case on the day it passed the period and nothing
// else.
//
// Narrower tests of the same jobs stay where they are (test/integration/jobs.test.ts: the runner over a month
// of restarts and second daemons, schedules; renewal-reminders.test.ts: the reminder's text and form;
// retention.test.ts: the scan for personal data after a purge; the CPD audit's own tests: the draw's
// reproducibility and replies). This one is about the calendar as a whole.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { form, harness, mail, PROOF, type Harness } from '../support/harness.ts';
import { RegisterStore, type HolderInput } from '../../src/cases/register-store.ts';
import { catchUp, duePeriod, resumeAbandoned, runJob, SWEEP_CRON, type Job } from '../../src/app/jobs/job-runner.ts';
import { JOBS } from '../../src/app/jobs/index.ts';
import { nextOccurrence, periodKey, previousOccurrence } from '../../src/app/jobs/schedule.ts';
import { importStatementRows } from '../../src/app/import-payments.ts';
import { reviewCase } from '../../src/app/review.ts';
import { dismissPayment } from '../../src/app/finance-actions.ts';
import { recordAuditOutcome } from '../../src/app/audit.ts';
import type { OutgoingMail } from '../../src/outbound/outgoing-mail.ts';

vi.setConfig({ testTimeout: 900_000, hookTimeout: 300_000 });

const tokyo = (local: string) => new Date(`${local}+09:00`);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

// The calendar's disturbances (Tokyo time).
const FIRST_START = tokyo('2026-12-31T12:00:00');
const YEAR_END = tokyo('2028-01-01T00:00:00');
/** The process dies in the middle of the retention run of 10 March; it is started again at 07:00. */
const CRASH = { job: 'retention', period: '2027-03-10T03:30', at: tokyo('2027-03-10T03:30:00'), restart: tokyo('2027-03-10T07:00:00') };
/**
 * The process dies in the middle of the CPD audit's yearly draw and is started again five minutes later: too
 * soon to tell the run from a second daemon's, so the start leaves it; the hourly sweep resumes it once stale.
 */
const QUICK = { job: 'cpd-audit', period: '2027-01-15T10:00', at: tokyo('2027-01-15T10:00:00'), restart: tokyo('2027-01-15T10:05:00'), resumed: tokyo('2027-01-15T13:40:00') };
/** The machine is off from Thursday 10 June 07:00 to Friday 11 June 12:00. */
const DOWN = { from: tokyo('2027-06-10T07:00:00'), to: tokyo('2027-06-11T12:00:00') };
/** When the daemon was not running. */
const OUTAGES: [Date, Date][] = [
  // (From just after the crash: what ran at that minute before the crashing job did, ran.)
  [new Date(QUICK.at.getTime() + 1), QUICK.restart], [new Date(CRASH.at.getTime() + 1), CRASH.restart], [DOWN.from, DOWN.to],
];
/** The mail server is down for the payment reminders of Monday 2 August: that run fails. */
const FAULT = { job: 'payment-reminders', period: '2027-08-02T09:00' };

const holder = (n: string, over: Partial<HolderInput> = {}): HolderInput => ({
  certificationNumber: `OMP-2024-${n}`, qualification: 'OMP', name: `認定 太郎${n}`, nameKana: 'にんてい たろう', validFrom: '2024-04-01', validTo: '2027-03-31',
  status: 'active', email: `holder${n}@example.jp`, ...over,
});

/** A renewal application of a holder of the register, sent on `date` (Tokyo), with its form and a proof. */
function renewalMail(h: { number: string; name: string; kana: string; transfer: string; email: string }, date: Date, extra: Record<string, unknown> = {}) {
  const day = `${date.getFullYear()}年${date.getMonth() + 1}月${date.getDate()}日`;
  return mail({
    from: `${h.name} <${h.email}>`, date, messageId: `apply-${h.number}-${date.getTime()}@example.jp`,
    attachments: [{ filename: '更新申請書.docx', content: form({ certificationNumber: h.number, name: h.name, nameKana: h.kana, email: h.email, feeTransferName: h.transfer, applicationDate: day, feeTransferDate: day, ...extra }) }, PROOF],
  });
}

describe('a simulated year of the office calendar', () => {
  let h: Harness;
  const at = (d: Date) => vi.setSystemTime(d);
  const fired: { job: string; period: string; at: string; ran: boolean; error?: string; summary?: string }[] = [];
  const cases: Record<string, string> = {};
  const executed = new Map<string, number>();
  let jobs: Job[];

  beforeAll(async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    h = harness();
    const register = new RegisterStore(h.app.db);

    // ── 2026: three renewals approved in February (the CPD audit's population for 2027's draw), one
    // application left waiting for its fee. ──
    at(tokyo('2026-01-10T09:00:00'));
    const renewed2026 = [
      { number: 'OMP-2023-0123', name: '今田 健太郎', kana: 'こんだ けんたろう', transfer: '0123コンダケンタロウ', paid: '0123ｺﾝﾀﾞｹﾝﾀﾛｳ', email: 'k.konda@example.jp' },
      { number: 'OMP-2023-0777', name: '山田 花子', kana: 'やまだ はなこ', transfer: '0777ヤマダハナコ', paid: '0777ﾔﾏﾀﾞﾊﾅｺ', email: 'h.yamada@example.jp' },
      { number: 'OMP-2023-0888', name: '鈴木 一郎', kana: 'すずき いちろう', transfer: '0888スズキイチロウ', paid: '0888ｽｽﾞｷｲﾁﾛｳ', email: 'i.suzuki@example.jp' },
    ];
    const waiting = { number: 'OMP-2023-0999', name: '佐藤 次郎', kana: 'さとう じろう', transfer: '0999サトウジロウ', email: 'j.sato@example.jp' };
    for (const p of [...renewed2026, waiting]) {
      register.upsertImported({ certificationNumber: p.number, qualification: 'OMP', name: p.name, nameKana: p.kana, validFrom: '2023-04-01', validTo: '2026-03-31', status: 'active', email: p.email }, new Date().toISOString());
    }
    for (const [i, p] of [...renewed2026, waiting].entries()) {
      const sent = tokyo(`2026-01-2${i}T10:00:00`);
      at(sent);
      const r = await h.process(await renewalMail({ ...p }, sent, { applicationDate: `2026年1月2${i}日`, feeTransferDate: '2026年1月15日' }));
      cases[p.number] = r.cases[0]!.number!;
      expect([p.number, r.cases[0]!.status]).toEqual([p.number, 'awaiting-payment']);
    }
    at(tokyo('2026-01-28T12:00:00'));
    importStatementRows(h.app, 'bank-2026-01.csv', 'hash-2026-01', 'simple-csv', renewed2026.map((p, i) => ({ line: i + 2, paidOn: '2026-01-27', amount: 11_000, transferName: p.paid })), 'test');
    for (const p of renewed2026) {
      const approvedOn = tokyo('2026-02-20T10:00:00');
      at(approvedOn);
      expect(h.app.cases.caseByNumber(cases[p.number]!)!.status).toBe('ready-for-review');
      expect((await reviewCase(h.app, cases[p.number]!, { action: 'approve', reviewer: 'reviewer:ito', address: 'test' }, approvedOn)).status).toBe('approved');
    }
    expect(h.app.cases.caseByNumber(cases[waiting.number]!)!.status).toBe('awaiting-payment');

    // ── 2022: two renewals approved, one in February and one at the end of September: five years on, in 2027,
    // each is past the retention period on its own day. ──
    const cpd2021 = { A: [1, 2, 3].map((m) => ({ title: `コン検認定 研修${m}`, date: `2021年${m + 5}月10日`, hours: '10', points: '10' })) };
    const closed2022 = [
      { number: 'OMP-2019-0011', name: '高橋 三郎', kana: 'たかはし さぶろう', transfer: '0011タカハシサブロウ', paid: '0011ﾀｶﾊｼｻﾌﾞﾛｳ', email: 's.takahashi@example.jp', decided: tokyo('2022-02-20T10:00:00') },
      { number: 'OMP-2019-0022', name: '伊藤 四郎', kana: 'いとう しろう', transfer: '0022イトウシロウ', paid: '0022ｲﾄｳｼﾛｳ', email: 's.ito@example.jp', decided: tokyo('2022-09-30T15:00:00') },
    ];
    for (const [i, p] of closed2022.entries()) {
      at(tokyo('2022-01-05T09:00:00'));
      register.upsertImported({ certificationNumber: p.number, qualification: 'OMP', name: p.name, nameKana: p.kana, validFrom: '2019-04-01', validTo: '2022-03-31', status: 'active', email: p.email }, new Date().toISOString());
      const sent = tokyo(`2022-01-1${i}T10:00:00`);
      at(sent);
      const r = await h.process(await renewalMail(p, sent, { applicationDate: `2022年1月1${i}日`, feeTransferDate: '2022年1月10日', cpd: cpd2021, statedTotals: { A: '30' } }));
      cases[p.number] = r.cases[0]!.number!;
      at(tokyo('2022-01-20T12:00:00'));
      importStatementRows(h.app, `bank-${p.number}.csv`, `hash-${p.number}`, 'simple-csv', [{ line: 2, paidOn: '2022-01-20', amount: 11_000, transferName: p.paid }], 'test');
      expect([p.number, h.app.cases.caseByNumber(cases[p.number]!)!.status]).toEqual([p.number, 'ready-for-review']);
    }
    for (const p of closed2022) {
      at(p.decided);
      expect((await reviewCase(h.app, cases[p.number]!, { action: 'approve', reviewer: 'reviewer:ito', address: 'test' }, p.decided)).status).toBe('approved');
    }

    // ── The register at the end of 2026: holders in every state. ──
    at(tokyo('2026-12-20T12:00:00'));
    const now = new Date().toISOString();
    register.upsertImported(holder('0001'), now); // due this fiscal year, never applies: both reminders
    register.upsertImported(holder('0002', { validTo: '2028-03-31' }), now); // due next year: none
    register.upsertImported(holder('0003', { status: 'lapsed' }), now); // lapsed: none
    register.upsertImported(holder('0004', { status: 'revoked' }), now); // revoked: none
    register.upsertImported(holder('0005', { validFrom: '2022-04-01', validTo: '2025-03-31' }), now); // expired: none
    register.upsertImported(holder('0006'), now); // applies on 1 January before the reminders go: none
    register.upsertImported(holder('0007'), now); // applies on 20 January: the first reminder only
    register.upsertImported(holder('0008', { email: null }), now); // no address to write to
    // Each job as declared, counting what it really did (not what the record says), with the one injected fault.
    jobs = JOBS.map((job) => ({
      ...job,
      run: (app, ctx) => {
        const key = `${job.name} ${ctx.period}`;
        executed.set(key, (executed.get(key) ?? 0) + 1);
        if (job.name === FAULT.job && ctx.period === FAULT.period) throw new Error('connect ECONNREFUSED 127.0.0.1:587');
        return job.run(app, ctx);
      },
    }));

    // ── The year. ──
    at(FIRST_START);
    await catchUp(h.app, jobs, FIRST_START);
    const next = new Map(jobs.map((j) => [j.name, nextOccurrence(j.schedule(h.app), FIRST_START)!.getTime()]));
    const events: { at: number; what: () => Promise<void> }[] = [
      // Holder 0006 applies on New Year's Day before the 10:00 reminders; 0007 on 20 January; both pay within days.
      { at: tokyo('2027-01-01T09:05:00').getTime(), what: async () => { cases['0006'] = await apply('0006', tokyo('2027-01-01T09:05:00')); } },
      { at: tokyo('2027-01-05T12:00:00').getTime(), what: async () => pay('0006', '2027-01-05') },
      { at: tokyo('2027-01-20T12:00:00').getTime(), what: async () => { cases['0007'] = await apply('0007', tokyo('2027-01-20T12:00:00')); } },
      { at: tokyo('2027-01-25T12:00:00').getTime(), what: async () => pay('0007', '2027-01-25') },
      // The CPD audit's holder sent nothing by the deadline (overdue on 15 February): staff record the outcome on
      // Wednesday 17 February.
      { at: tokyo('2027-02-17T12:00:00').getTime(), what: async () => {
        const audit = h.app.db.prepare('SELECT number FROM cpd_audits WHERE year = 2026').get() as { number: string };
        expect(recordAuditOutcome(h.app, audit.number, { outcome: 'failed', reason: '期限までに書類の提出がありませんでした', actor: 'staff:sato', login: 'sato' }, new Date()).outcome).toBe('failed');
      } },
      // A deposit nobody can place (a wrong amount from an unknown sender) arrives on Thursday 1 July; finance
      // sets it aside on Monday 5 July.
      { at: tokyo('2027-07-01T12:00:00').getTime(), what: async () => { importStatementRows(h.app, 'bank-2027-07.csv', 'hash-2027-07', 'simple-csv', [{ line: 2, paidOn: '2027-07-01', amount: 10_000, transferName: '0123ｺﾝﾀﾞｹﾝﾀﾛｳ' }], 'test'); } },
      { at: tokyo('2027-07-05T12:00:00').getTime(), what: async () => {
        const p = h.app.db.prepare("SELECT id FROM payments WHERE status != 'dismissed' ORDER BY id DESC LIMIT 1").get() as { id: number };
        dismissPayment(h.app, p.id, 'refunded', '振込元に返金しました', 'finance:kato');
      } },
    ];
    const apply = async (n: string, date: Date) => {
      at(date);
      const cpd = { A: [2024, 2025, 2026].map((y) => ({ title: `コン検認定 研修${y}`, date: `${y}年6月10日`, hours: '10', points: '10' })) };
      const r = await h.process(await renewalMail({ number: `OMP-2024-${n}`, name: `認定 太郎${n}`, kana: 'にんてい たろう', transfer: `${n}ニンテイタロウ`, email: `holder${n}@example.jp` }, date, { cpd, statedTotals: { A: '30' } }));
      return r.cases[0]!.number!;
    };
    const pay = (n: string, day: string) => {
      importStatementRows(h.app, `bank-${n}.csv`, `hash-${n}`, 'simple-csv', [{ line: 2, paidOn: day, amount: 11_000, transferName: `${n}ﾆﾝﾃｲﾀﾛｳ` }], 'test');
    };

    const crashes = new Set([CRASH, QUICK]);
    let wentDown = false;
    let nextSweep = nextOccurrence(SWEEP_CRON, FIRST_START)!.getTime();
    for (;;) {
      const t = Math.min(...next.values(), events[0]?.at ?? Infinity, nextSweep);
      if (t >= YEAR_END.getTime()) break;
      if (!wentDown && t >= DOWN.from.getTime()) {
        // The machine is off over these fire times; it comes back and the daemon starts: its catch-up.
        wentDown = true;
        for (const job of jobs) next.set(job.name, nextOccurrence(job.schedule(h.app), DOWN.to)!.getTime());
        nextSweep = nextOccurrence(SWEEP_CRON, DOWN.to)!.getTime();
        h.restart();
        at(DOWN.to);
        for (const o of await catchUp(h.app, jobs, DOWN.to)) fired.push({ ...o, at: DOWN.to.toISOString(), summary: o.result?.summary });
        continue;
      }
      if (nextSweep === t) {
        // The daemon's hourly look for runs a dead process left started (startJobs' sweep).
        nextSweep = nextOccurrence(SWEEP_CRON, new Date(t))!.getTime();
        at(new Date(t));
        for (const o of await resumeAbandoned(h.app, jobs, new Date(t))) fired.push({ ...o, at: new Date(t).toISOString(), summary: o.result?.summary });
        continue;
      }
      if (events[0]?.at === t) {
        at(new Date(t));
        await events.shift()!.what();
        continue;
      }
      for (const job of jobs) {
        if (next.get(job.name) !== t) continue;
        next.set(job.name, nextOccurrence(job.schedule(h.app), new Date(t))!.getTime());
        const now = new Date(t);
        at(now);
        const period = duePeriod(h.app, job, now)!;
        const crash = [...crashes].find((c) => c.job === job.name && c.period === period);
        if (crash) {
          // The run starts (its period claimed, as runJob does first) and the process dies before it ends.
          crashes.delete(crash);
          expect(h.app.jobRuns.claim(job.name, period, now.toISOString(), new Date(now.getTime() - 3 * HOUR).toISOString())).toBe(true);
          // Down until the restart: the fire times in between pass unseen, and the start catches up.
          for (const j of jobs) next.set(j.name, nextOccurrence(j.schedule(h.app), crash.restart)!.getTime());
          nextSweep = nextOccurrence(SWEEP_CRON, crash.restart)!.getTime();
          h.restart();
          at(crash.restart);
          for (const o of await catchUp(h.app, jobs, crash.restart)) fired.push({ ...o, at: crash.restart.toISOString(), summary: o.result?.summary });
          break;
        }
        const o = await runJob(h.app, job, period, now);
        fired.push({ job: o.job, period: o.period, at: now.toISOString(), ran: o.ran, error: o.error, summary: o.result?.summary });
      }
    }
  });

  afterAll(() => {
    h?.close();
    vi.useRealTimers();
  });

  const runs = (job: string) => h.app.db.prepare('SELECT period, state, attempts, started_at, error FROM job_runs WHERE job = ? ORDER BY period').all(job) as { period: string; state: string; attempts: number; started_at: string; error: string | null }[];
  const fireTimes = (job: Job) => {
    const out: Date[] = [];
    for (let t = nextOccurrence(job.schedule(h.app), FIRST_START); t && t < YEAR_END; t = nextOccurrence(job.schedule(h.app), t)) out.push(t);
    return out;
  };
  const saying = (job: string, quiet: RegExp) => fired.filter((f) => f.job === job && !quiet.test(f.summary ?? '')).map((f) => [f.period, f.summary]);

  it('runs every job once for every period of the year, never twice, through a crash, a day down and a failure', async () => {
    expect(jobs.map((j) => j.name)).toEqual(expect.arrayContaining(['rematch', 'payment-reminders', 'renewal-reminders', 'daily-digest', 'retention']));
    for (const job of jobs) {
      const all = fireTimes(job);
      // Fire times while the daemon was not running: only the latest of each outage runs, at the next start.
      const inOutage = (t: Date) => OUTAGES.some(([from, to]) => t >= from && t <= to);
      const caughtUp = OUTAGES.map(([from, to]) => all.filter((t) => t >= from && t <= to).at(-1)).filter((t): t is Date => !!t);
      const expected = [...all.filter((t) => !inOutage(t)), ...caughtUp].map(periodKey).sort();
      const rows = runs(job.name);
      // The first start records each job's latest period as its starting point, and runs none of it.
      expect(rows.filter((r) => r.state === 'skipped').map((r) => r.period), job.name).toEqual([periodKey(previousOccurrence(job.schedule(h.app), FIRST_START)!)]);
      expect(rows.filter((r) => r.state !== 'skipped').map((r) => r.period), job.name).toEqual(expected);
      // What the job itself did, counted outside the record: each period's work once.
      expect([...executed].filter(([k]) => k.startsWith(`${job.name} `)).map(([k, n]) => [k.slice(job.name.length + 1), n]).sort(), job.name)
        .toEqual(expected.map((p) => [p, 1]));
      for (const t of caughtUp) expect(rows.find((r) => r.period === periodKey(t))!.started_at, `${job.name} ${periodKey(t)}`).toBe(OUTAGES.find(([from, to]) => t >= from && t <= to)![1].toISOString());
      const crashed = [CRASH, QUICK].filter((c) => c.job === job.name).map((c) => [c.period, 2]);
      expect(rows.filter((r) => r.attempts !== 1 && r.state !== 'skipped').map((r) => [r.period, r.attempts]), job.name).toEqual(crashed);
      expect(rows.filter((r) => r.state === 'failed').map((r) => [r.period, r.error]), job.name).toEqual(job.name === FAULT.job ? [[FAULT.period, 'connect ECONNREFUSED 127.0.0.1:587']] : []);
      // A second daemon (or a restart) asking for the latest period again: nothing runs.
      expect((await runJob(h.app, job, expected.at(-1)!, new Date(YEAR_END.getTime() - HOUR))).ran, job.name).toBe(false);
    }
    // The run the crash left started was finished by the next start; the missed day's runs by the start after it.
    expect(runs(CRASH.job).find((r) => r.period === CRASH.period)).toMatchObject({ state: 'done', started_at: CRASH.restart.toISOString() });
    // The draw left started at 10:00 and the daemon back at 10:05: the start leaves it (it might be another
    // daemon's), the sweeps at 10:40–12:40 too (not stale yet), the one at 13:40 resumes it — once.
    expect(fired.filter((f) => f.job === QUICK.job && f.period === QUICK.period).map((f) => [f.at, f.ran])).toEqual([[QUICK.restart.toISOString(), false], [QUICK.resumed.toISOString(), true]]);
    expect(runs('daily-digest').map((r) => r.period)).not.toContain('2027-06-10T08:00');
    expect(runs('daily-digest').find((r) => r.period === '2027-06-11T08:00')).toMatchObject({ state: 'done', started_at: DOWN.to.toISOString() });
  });

  it('reminds holders due to renew once when the window opens and once before it closes, and no one else', () => {
    const reminders = h.app.db.prepare("SELECT to_address, rfc_message_id FROM outbox WHERE kind = 'renewal-reminder' ORDER BY id").all() as { to_address: string; rfc_message_id: string }[];
    expect(reminders.map((r) => [r.to_address, r.rfc_message_id.split('.')[1]])).toEqual([
      ['holder0001@example.jp', 'renewal-reminder-opening'], // due, never applies
      ['holder0007@example.jp', 'renewal-reminder-opening'], // applies on 20 January
      ['holder0001@example.jp', 'renewal-reminder-closing'],
    ]);
    expect(saying('renewal-reminders', /^(not in the renewal window: no reminders|0 (first|second) renewal reminders queued)$/)).toEqual([
      ['2027-01-01T10:00', '2 first renewal reminders queued'],
      ['2027-02-14T10:00', '1 second renewal reminders queued'],
    ]);
    // The two who applied did so as renewals and paid: their cases wait for the reviewer.
    expect([h.app.cases.caseByNumber(cases['0006']!)!.status, h.app.cases.caseByNumber(cases['0007']!)!.status]).toEqual(['ready-for-review', 'ready-for-review']);
  });

  it('reminds the applicant waiting for the fee every seven days, the missed Friday at the restart', () => {
    const waitingCase = cases['OMP-2023-0999']!;
    const remindedAt = (h.app.db.prepare("SELECT e.at FROM events e JOIN cases c ON c.id = e.case_id WHERE c.number = ? AND e.type = 'payment.reminder' ORDER BY e.id").all(waitingCase) as { at: string }[]).map((r) => r.at);
    const want: string[] = [];
    for (let d = tokyo('2027-01-01T09:00:00'); d < DOWN.from; d = new Date(d.getTime() + 7 * DAY)) want.push(d.toISOString()); // Fridays
    want.push(DOWN.to.toISOString()); // Friday 11 June's, at the start after the day down
    for (let d = tokyo('2027-06-19T09:00:00'); d < YEAR_END; d = new Date(d.getTime() + 7 * DAY)) want.push(d.toISOString()); // then Saturdays
    expect(remindedAt).toEqual(want);
    const queued = h.app.db.prepare("SELECT c.number, COUNT(*) AS n FROM outbox o JOIN cases c ON c.id = o.case_id WHERE o.kind = 'payment-reminder' GROUP BY c.number").all();
    expect(queued).toEqual([{ number: waitingCase, n: want.length }]);
  });

  it("sends the staff's digest only on the mornings something needs them, saying what", () => {
    expect(saying('daily-digest', /^nothing needs staff: no digest$/).map(([p]) => p)).toEqual([
      '2027-01-04T08:00', // 0006's application of New Year's Day (a Friday, after that morning's digest)
      '2027-01-21T08:00', // 0007's application
      '2027-02-16T08:00', '2027-02-17T08:00', // the CPD audit overdue, until staff record its outcome
      '2027-07-02T08:00', '2027-07-05T08:00', // the deposit nobody can place, until finance sets it aside
      '2027-08-03T08:00', // the payment reminders' failed run
    ]);
    const digests = (h.app.db.prepare("SELECT to_address, mail_json FROM outbox WHERE kind = 'staff-digest' ORDER BY id").all() as { to_address: string; mail_json: string }[])
      .map((r) => ({ ...(JSON.parse(r.mail_json) as OutgoingMail), to: r.to_address }));
    expect(digests.map((d) => d.to)).toEqual(Array(7).fill('staff@conken.example.jp'));
    expect(digests[0]!.text).toContain('■ 新しい案件（1件）\n・入金待ち：1件');
    expect(digests[1]!.text).toContain('■ 新しい案件（1件）\n・入金待ち：1件');
    for (const d of [digests[2]!, digests[3]!]) {
      expect(d.text).not.toContain('■ 新しい案件');
      expect(d.text).toContain('■ 対応が必要なCPD監査（1件）\n・2026年 提出期限切れ（結果未記録）：1件');
    }
    for (const d of [digests[4]!, digests[5]!]) {
      expect(d.text).not.toContain('■ 新しい案件');
      // (Unmatched: the deposit nobody can place, and nothing else — a purged case's payment stays linked.)
      expect(d.text).toContain('■ 未照合の入金：1件（うち確認が必要なもの 1件）');
    }
    expect(digests[6]!.text).toContain('■ 失敗した定期処理\n・payment-reminders（2027-08-02T09:00）：connect ECONNREFUSED 127.0.0.1:587');
    expect(digests[6]!.text).not.toMatch(/確認が必要なもの [1-9]|CPD監査/);
    // Case numbers and counts only: no holder's or applicant's name or address in any of them.
    for (const d of digests) expect(`${d.subject}\n${d.text}`).not.toMatch(/認定 太郎|今田|山田|鈴木|佐藤|高橋|伊藤|@example\.jp/);
  });

  it('draws the CPD audit once, reminds before its deadline and marks it overdue after', () => {
    expect(saying('cpd-audit', /^$/).map(([p, s]) => [p, s!.replace(/; seed .*$/, '')])).toEqual([['2027-01-15T10:00', '2026: 1 of 3 renewals drawn, 1 requests queued']]);
    expect(saying('cpd-audit-follow-up', /^0 audit reminders, 0 audits overdue$/)).toEqual([
      ['2027-02-07T09:30', '1 audit reminders, 0 audits overdue'],
      ['2027-02-15T09:30', '0 audit reminders, 1 audits overdue'],
    ]);
  });

  // Found by this walk: the purge clears a closed case's payment key, and the next hour's rematch used to lose the
  // case for its payment, unlink it and put a fee settled five years ago back into finance's unmatched payments.
  it("keeps a purged case's payment linked to it through every later rematch", () => {
    const unlinked = h.app.db.prepare("SELECT c.number FROM events e JOIN cases c ON c.id = e.case_id WHERE e.type = 'payment.unlinked' ORDER BY e.id").all();
    expect(unlinked).toEqual([]);
    expect(h.app.payments.countUnlinkedPayments()).toBe(0);
  });

  it('purges each closed case on the day it passes the retention period, and nothing else', () => {
    expect(saying('retention', /^no closed case past the retention period$/)).toEqual([
      ['2027-02-21T03:30', expect.stringMatching(/^1 closed cases purged, [1-9]\d* files deleted$/)], // approved 20 February 2022
      ['2027-10-01T03:30', expect.stringMatching(/^1 closed cases purged, [1-9]\d* files deleted$/)], // approved 30 September 2022
    ]);
    const purged = h.app.db.prepare("SELECT case_number, at FROM audit_log WHERE action = 'case.purge' ORDER BY id").all();
    expect(purged).toEqual([
      { case_number: cases['OMP-2019-0011'], at: tokyo('2027-02-21T03:30:00').toISOString() },
      { case_number: cases['OMP-2019-0022'], at: tokyo('2027-10-01T03:30:00').toISOString() },
    ]);
    for (const n of ['OMP-2019-0011', 'OMP-2019-0022']) expect(h.app.cases.caseByNumber(cases[n]!)).toMatchObject({ status: 'approved', application_json: null });
    // Closed in 2026, still waiting for the fee, or applied this year: all there.
    for (const n of ['OMP-2023-0123', 'OMP-2023-0777', 'OMP-2023-0888', 'OMP-2023-0999', '0006', '0007']) {
      expect(h.app.cases.caseByNumber(cases[n]!)!.application_json, n).toMatch(/certificationNumber/);
    }
  });
});
