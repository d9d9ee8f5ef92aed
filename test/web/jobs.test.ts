// The admin's jobs page in Debian's Chromium against the real server (`conken web`) and a real SQLite file: the
// admin sees every job of src/app/jobs/index.ts with its schedule and its runs (a failure left by the daemon
// with its error), tries the daily digest (a dry run: its text shown, nothing queued, nothing claimed) by the
// keyboard alone, runs it for real (one digest queued, the run shown as done), and asking again for the same
// period runs nothing. A staff member is refused the page and its POST; a POST without the CSRF token is refused.
import path from 'node:path';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { closeApp } from '../../src/app/context.ts';
import { importStatementRows } from '../../src/app/import-payments.ts';
import { JOBS } from '../../src/app/jobs/index.ts';
import { cronInWords, summaryInWords } from '../../src/web/routes/jobs.ts';
import { harness, mail, ROOT, tempDir } from '../support/harness.ts';
import { browserTestsCheck, signedInPage } from './support/browser.ts';
import { openDb, startWeb, usersCommand, type WebProcess } from './support/workbench.ts';

vi.setConfig({ testTimeout: 180_000 });

const missing = browserTestsCheck("the jobs page's browser tests");
const SHOTS = process.env.CONKEN_SCREENSHOTS === 'docs' ? path.join(ROOT, 'docs') : tempDir('conken-shots-');
const PASSWORDS = { admin: 'jobs-admin-pass-01', staff: 'jobs-staff-pass-01' };

describe.skipIf(!!missing)("the admin's jobs page (Chromium)", () => {
  let dir: string;
  let web: WebProcess;
  let admin: { browser: Browser; page: Page };

  beforeAll(async () => {
    const h = harness();
    dir = h.dir;
    // An application awaiting its fee and a payment of the wrong amount for it, which the matcher questions: the
    // digest has something to say whatever the day.
    expect((await h.process(await mail())).cases[0]!.status).toBe('awaiting-payment');
    importStatementRows(h.app, 'p.csv', 'hash-jobs-web', 'simple-csv', [
      { paidOn: '2026-12-01', amount: 10_000, transferName: '9999ｽｽﾞｷﾀﾛｳ', line: 2 },
      { paidOn: '2026-12-01', amount: 10_000, transferName: '0123ｺﾝﾀﾞｹﾝﾀﾛｳ', line: 3 },
    ], 'test');
    // Two failures the daemon left behind, with their errors: the latest stands as the last run, the one before in the list.
    h.app.jobRuns.claim('retention', '2026-11-29T03:30', '2026-11-28T18:30:00.000Z', '2026-11-28T15:30:00.000Z');
    h.app.jobRuns.finish('retention', '2026-11-29T03:30', { state: 'failed', error: 'EACCES: permission denied' }, '2026-11-28T18:31:00.000Z');
    h.app.jobRuns.claim('retention', '2026-11-30T03:30', '2026-11-29T18:30:00.000Z', '2026-11-29T15:30:00.000Z');
    h.app.jobRuns.finish('retention', '2026-11-30T03:30', { state: 'failed', error: 'SQLITE_FULL: database or disk is full' }, '2026-11-29T18:31:00.000Z');
    closeApp(h.app);
    expect((await usersCommand(dir, ['add', 'kanri', '--role', 'admin'], `${PASSWORDS.admin}\n`)).code).toBe(0);
    expect((await usersCommand(dir, ['add', 'sato', '--role', 'staff'], `${PASSWORDS.staff}\n`)).code).toBe(0);
    web = await startWeb(dir);
    admin = await signedInPage(web.url, 'kanri', PASSWORDS.admin);
  }, 300_000);

  afterAll(async () => {
    await admin?.browser.close();
    await web?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const db = () => openDb(dir);
  const digests = () => (db().prepare("SELECT COUNT(*) AS n FROM outbox WHERE kind = 'staff-digest'").get() as { n: number }).n;

  it('lists every job with its schedule in words, its next run and a failure with its error', async () => {
    const { page } = admin;
    await page.click('header.top nav a:has-text("定期ジョブ")');
    await page.waitForURL(`${web.url}/admin/jobs`);
    expect(await page.locator('h1').textContent()).toContain('定期ジョブ');
    const rows = page.locator('table.jobs-overview tbody tr');
    expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-job')))).toEqual(JOBS.map((j) => j.name));
    const digest = page.locator('section#job-daily-digest');
    expect(await digest.locator('dl.facts').first().textContent()).toContain('平日（月〜金）8:00');
    expect(await digest.locator('time').first().getAttribute('datetime')).toMatch(/^\d{4}-\d{2}-\d{2}T23:00:00\.000Z$/);
    expect(await digest.textContent()).toContain('まだ一度も実行されていません');
    const retention = page.locator('section#job-retention');
    expect(await retention.locator('.job-last').textContent()).toContain('失敗');
    expect(await retention.locator('.job-error').textContent()).toBe('エラー：SQLITE_FULL: database or disk is full');
    expect(await retention.locator('.job-failures li').allTextContents()).toEqual(['2026/11/29 03:30 の回（2026/11/29 03:31）：EACCES: permission denied']);
    // Left empty, the period is the latest occurrence: the field says which.
    expect(await retention.locator('input[name=period]').getAttribute('placeholder')).toMatch(/^\d{4}-\d{2}-\d{2}T03:30$/);
  });

  it('a dry run by the keyboard shows the digest it would send and changes nothing; a real run queues it once', async () => {
    const { page } = admin;
    await page.goto(`${web.url}/admin/jobs`);
    // The keyboard alone: to the digest's period field, Tab to the dry-run box, Space, Tab to the button, Enter.
    await page.focus('#period-daily-digest');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Space');
    await page.keyboard.press('Tab');
    expect(await page.evaluate<string>('document.activeElement && document.activeElement.textContent')).toBe('今すぐ実行');
    await Promise.all([page.waitForURL(`${web.url}/admin/jobs/daily-digest/run`), page.keyboard.press('Enter')]);
    const outcome = page.locator('#job-outcome');
    expect(await outcome.locator('h2').textContent()).toContain('試行の結果（変更はしていません）');
    expect(await outcome.locator('p').first().textContent()).toMatch(/^（試行）まとめメール：新しい案件 0件、滞留中の要対応 0件、確認が必要な入金 [12]件/);
    await outcome.locator('summary').click();
    expect(await outcome.locator('pre.job-detail').textContent()).toMatch(/未照合の入金：2件/);
    expect(digests()).toBe(0);
    expect(db().prepare("SELECT COUNT(*) AS n FROM job_runs WHERE job = 'daily-digest'").get()).toEqual({ n: 0 });
    // The form keeps the choice it was sent with.
    expect(await page.locator('section#job-daily-digest input[name=dryRun]').isChecked()).toBe(true);

    // The real run: the dry-run box unticked.
    await page.locator('section#job-daily-digest input[name=dryRun]').uncheck();
    await Promise.all([page.waitForURL(`${web.url}/admin/jobs/daily-digest/run`), page.click('section#job-daily-digest button:has-text("今すぐ実行")')]);
    expect(await outcome.locator('h2').textContent()).toContain('実行の結果');
    expect(await outcome.locator('p').first().textContent()).toMatch(/^まとめメール：新しい案件 0件/);
    expect(digests()).toBe(1);
    const run = db().prepare("SELECT period, state FROM job_runs WHERE job = 'daily-digest'").get() as { period: string; state: string };
    expect(run.state).toBe('done');
    const digest = page.locator('section#job-daily-digest');
    expect(await digest.locator('.job-last').textContent()).toContain('完了');
    expect(await digest.locator('.job-last').textContent()).toContain(`${run.period.slice(0, 10).replace(/-/g, '/')} ${run.period.slice(11)}`);
    expect(await digest.locator('.job-summary').textContent()).toMatch(/^まとめメール：/);
    expect(await page.locator('table.jobs-overview tr[data-job="daily-digest"]').textContent()).toContain('完了');
    await page.screenshot({ path: path.join(SHOTS, 'workbench-jobs.png'), fullPage: true });

    // The same period again: not run, nothing queued twice.
    await page.fill('#period-daily-digest', run.period);
    await Promise.all([page.waitForURL(`${web.url}/admin/jobs/daily-digest/run`), page.click('section#job-daily-digest button:has-text("今すぐ実行")')]);
    expect(await outcome.textContent()).toContain('実行済みか実行中のため、実行しませんでした');
    expect(digests()).toBe(1);
    // A period that is not one: refused in words.
    await page.fill('#period-daily-digest', '2026-02-30T08:00');
    await Promise.all([page.waitForURL(`${web.url}/admin/jobs/daily-digest/run`), page.click('section#job-daily-digest button:has-text("今すぐ実行")')]);
    expect(await page.locator('#job-error').textContent()).toContain('2026-02-30T08:00');

    const audit = db().prepare("SELECT login, action, target, detail_json FROM audit_log WHERE action LIKE 'job.%' ORDER BY id").all() as { login: string; action: string; target: string; detail_json: string }[];
    expect(audit.map((a) => [a.login, a.action, a.target, JSON.parse(a.detail_json).outcome])).toEqual([
      ['kanri', 'job.dry-run', 'daily-digest', 'done'],
      ['kanri', 'job.run', 'daily-digest', 'done'],
      ['kanri', 'job.run', 'daily-digest', 'already-ran'],
    ]);
  });

  it('refuses a staff member the page and its POST, and a POST without the CSRF token', async () => {
    const staff = await signedInPage(web.url, 'sato', PASSWORDS.staff);
    try {
      expect(await staff.page.locator('header.top nav a:has-text("定期ジョブ")').count()).toBe(0);
      const r = await staff.page.goto(`${web.url}/admin/jobs`);
      expect(r!.status()).toBe(403);
      expect(await staff.page.locator('h1').textContent()).toContain('この画面は使えません');
      const token = await staff.page.locator('form[action="/logout"] input[name=_csrf]').inputValue();
      const post = await staff.page.request.post(`${web.url}/admin/jobs/retention/run`, { form: { _csrf: token, period: '' }, maxRedirects: 0 });
      expect(post.status()).toBe(403);
    } finally {
      await staff.browser.close();
    }
    // The admin's own session, without the token (and with a forged one): refused before anything runs.
    const cookie = (await admin.page.context().cookies()).find((c) => c.name === 'conken_session')!;
    const send = (body: string) => fetch(`${web.url}/admin/jobs/retention/run`, { method: 'POST', body, redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `conken_session=${cookie.value}` } });
    expect((await send('period=')).status).toBe(403);
    expect((await send('period=&_csrf=forged')).status).toBe(403);
    expect(db().prepare("SELECT job, state FROM job_runs WHERE job = 'retention'").all()).toEqual([{ job: 'retention', state: 'failed' }, { job: 'retention', state: 'failed' }]);
    expect(db().prepare("SELECT COUNT(*) AS n FROM audit_log WHERE action LIKE 'job.%' AND target = 'retention'").get()).toEqual({ n: 0 });
  });
});

describe("the jobs page's words", () => {
  it('says the schedules our jobs take in words, and leaves any other expression as it is', () => {
    expect(['17 * * * *', '0 9 * * *', '0 8 * * 1-5', '30 3 * * 0,6', '0 10 15 1 *', '0 9 1 * *'].map(cronInWords))
      .toEqual(['毎時17分', '毎日 9:00', '平日（月〜金）8:00', '毎週日・土曜日 3:30', '毎年1月15日 10:00', '毎月1日 9:00']);
    expect(['*/5 * * * *', '0 9-17 * * *', '0 9 * * MON', '0 9 1 * 1', 'nonsense'].map(cronInWords)).toEqual([null, null, null, null, null]);
  });

  it("says the jobs' summaries in Japanese, a dry run's as such, and an unknown line as it is", () => {
    expect(summaryInWords('[dry run] 3 closed cases would be purged')).toBe('（試行）保存期間を過ぎた案件 3件の個人情報を削除します');
    expect(summaryInWords('2 first renewal reminders queued')).toBe('更新申請のご案内（受付開始）2件を送信待ちにしました');
    expect(summaryInWords('digest: 1 new cases, 0 waiting exceptions, 2 payments to check, 0 mails retrying, 1 failed jobs, 3 things unheard of'))
      .toBe('まとめメール：新しい案件 1件、滞留中の要対応 0件、確認が必要な入金 2件、再送中のメール 0件、失敗したジョブ 1件、3 things unheard of');
    expect(summaryInWords('2026: 1 of 3 renewals drawn, 1 requests queued; seed af5f81ce, population sha256 dff0476f'))
      .toBe('2026年分：更新 3件から 1件を抽選、書類提出のお願い 1件を送信待ちにしました（シード af5f81ce、母集団 SHA-256 dff0476f）');
    expect(summaryInWords('[dry run] 0 audit reminders, 1 audits overdue')).toBe('（試行）CPD監査：提出期限前のご案内 0件、期限切れ 1件');
    expect(summaryInWords('2026: 1 of 3 renewals drawn')).toBe('2026: 1 of 3 renewals drawn');
    expect(summaryInWords(null)).toBe('');
  });
});
