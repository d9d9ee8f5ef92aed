// Letters in Debian's Chromium, against the real server and a real SQLite file: a paper renewal without an e-mail
// address uploaded on the postal page (a text PDF: no OCR) gets its notices as letters; the queue counts them and
// links to the list; the case page lists them "印刷待ち"; the printable PDF opens inline (safe Content-Disposition)
// and says the notice's text; "郵送済みにする" (a POST with the CSRF token) marks one posted, on the case's history
// and in the audit log. Without a session, without the token, or in the finance role, nothing of it is reachable.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { PDFParse } from 'pdf-parse';
import { harness, PROOF, ROOT, tempDir } from '../support/harness.ts';
import { renewalFormWithoutEmail } from '../support/form-without-email.ts';
import { closeApp } from '../../src/app/context.ts';
import { browserTestsCheck, newContext, openSuiteWorkbench, type SuiteWorkbench } from './support/browser.ts';
import { openDb, type WebProcess } from './support/workbench.ts';

vi.setConfig({ testTimeout: 120_000 });

const missing = browserTestsCheck('the letters browser tests');

const PASSWORD = 'staff-pass-0005';
const FINANCE_PASSWORD = 'finance-pass-0005';
// The list's screenshot goes to docs/ with CONKEN_SCREENSHOTS=docs (as the other workbench suites do).
const SHOTS = process.env.CONKEN_SCREENSHOTS === 'docs' ? path.join(ROOT, 'docs') : tempDir('conken-shots-');

describe.skipIf(!!missing)('letters for paper applicants without e-mail, in the browser (Chromium)', () => {
  let dir: string;
  let wb: SuiteWorkbench | undefined;
  let web: WebProcess;
  let browser: Browser;
  let page: Page;
  let number: string;

  beforeAll(async () => {
    const h = harness();
    dir = h.dir;
    closeApp(h.app);
    wb = await openSuiteWorkbench(dir, [{ login: 'shiro', role: 'staff', password: PASSWORD }, { login: 'kane', role: 'finance', password: FINANCE_PASSWORD }]);
    ({ web, browser, page } = wb);
  }, 180_000);

  afterAll(() => wb?.close());

  const db = () => openDb(dir);
  const letters = () => db().prepare("SELECT o.id, o.kind, o.status FROM outbox o JOIN cases c ON c.id = o.case_id WHERE c.number = ? AND o.audience = 'applicant' ORDER BY o.id").all(number) as { id: number; kind: string; status: string }[];
  const audited = (action: string, target: number) => (db().prepare("SELECT COUNT(*) AS n FROM audit_log WHERE action = ? AND case_number = ? AND target = ? AND login = 'shiro'").get(action, number, String(target)) as { n: number }).n;

  it('a paper form without an e-mail address: its notices are letters waiting to be printed, counted on the queue', async () => {
    await page.goto(`${web.url}/postal`);
    await page.selectOption('#postal-kind', 'renewal');
    await page.fill('#postal-received', '2026-01-20');
    await page.setInputFiles('#postal-files', [
      { name: 'scan.pdf', mimeType: 'application/pdf', buffer: await renewalFormWithoutEmail() },
      { name: '受講証明書.pdf', mimeType: 'application/pdf', buffer: Buffer.from(PROOF.content) },
    ]);
    await page.click('form.postal-form button[type="submit"]');
    await page.waitForURL(/\/cases\/R-2026-\d{6}$/);
    number = page.url().split('/').pop()!;
    expect(await page.locator('.postal-status').textContent()).toContain('通知は印刷して郵送');
    // A complete paper form: the postal address is the contact, so no e-mail address is asked for (awaiting the fee).
    expect(letters().map((l) => [l.kind, l.status])).toEqual([['acknowledgement', 'letter'], ['awaiting-payment', 'letter']]);

    const box = page.locator('.letters-waiting');
    expect(await box.textContent()).toContain('印刷待ちの郵便が 2 件あります');
    expect(await box.locator('li').count()).toBe(2);
    expect(await page.locator('details.notice summary .tag').allTextContents()).toEqual(['印刷待ち', '印刷待ち']);
    expect(await page.locator('details.notice').first().locator('p.muted').textContent()).toContain('〒100-0005 東京都千代田区丸の内1-2-3サンプルビル5階 今田 健太郎 様（郵送）');

    await page.goto(`${web.url}/queue`);
    const link = page.locator('p.letters-waiting a[href="/letters"]');
    expect((await link.textContent())!.replace(/\s+/g, '')).toBe('印刷待ちの郵便2件');
    await link.click();
    await page.waitForURL(`${web.url}/letters`);
    expect(await page.locator('table.letters tbody tr').count()).toBe(2);
    expect(await page.locator('table.letters tbody tr').first().textContent()).toContain('今田 健太郎 様');
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SHOTS, 'workbench-letters.png'), fullPage: true });
  });

  it('the printable letter opens inline as a PDF with the name, the case number and the notice’s text', async () => {
    const first = letters()[0]!;
    const href = await page.locator('table.letters a.letter-pdf').first().getAttribute('href');
    expect(href).toBe(`/cases/${number}/letters/${first.id}`);
    // Opened as the link does (a new tab): the browser's own PDF viewer gets the file.
    const [tab] = await Promise.all([page.context().waitForEvent('page'), page.locator('table.letters a.letter-pdf').first().click()]);
    await tab.waitForLoadState().catch(() => undefined);
    expect(tab.url()).toBe(`${web.url}${href}`);
    await tab.close();
    const response = await page.context().request.get(`${web.url}${href}`);
    expect(response.status()).toBe(200);
    expect(response.headers()['content-type']).toBe('application/pdf');
    expect(response.headers()['content-disposition']).toBe(`inline; filename="${number}_acknowledgement_${first.id}.pdf"; filename*=UTF-8''${number}_acknowledgement_${first.id}.pdf`);
    expect(response.headers()['cache-control']).toBe('private, no-store');
    const pdf = await response.body();
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const text = (await new PDFParse({ data: new Uint8Array(pdf) }).getText()).text;
    expect(text).toMatch(/^今田 健太郎\s+様$/m);
    expect(text).toContain(number);
    expect(text.replace(/\s+/g, '')).toContain('このたびはプロフェッショナル資格更新審査申請のお申し込みをいただき、ありがとうございます。');
    expect(audited('letter.view', first.id)).toBeGreaterThanOrEqual(1);

    // Another case's number with this letter's id, or an id that is no letter, is simply not there.
    expect((await page.context().request.get(`${web.url}/cases/R-2026-999999/letters/${first.id}`)).status()).toBe(404);
    expect((await page.context().request.get(`${web.url}/cases/${number}/letters/999999`)).status()).toBe(404);
  });

  it('郵送済みにする: from the list and from the case page, once each, on the history and in the audit log', async () => {
    const [first, second] = letters();
    await page.goto(`${web.url}/letters`);
    await page.locator('table.letters tbody tr').first().locator('form.letter-posted button').click();
    await page.waitForURL(`${web.url}/letters`);
    expect(await page.locator('.flash').textContent()).toContain(`${number}: 郵送済みにしました。`);
    expect(await page.locator('table.letters tbody tr').count()).toBe(1);
    expect(letters().map((l) => l.status)).toEqual(['posted', 'letter']);
    expect(audited('letter.posted', first!.id)).toBe(1);

    await page.goto(`${web.url}/cases/${number}`);
    expect(await page.locator('.letters-waiting li').count()).toBe(1);
    await page.locator('.letters-waiting form.letter-posted button').click();
    await page.waitForURL(`${web.url}/cases/${number}`);
    expect(await page.locator('.flash').textContent()).toContain('郵送済みにしました');
    expect(await page.locator('.letters-waiting').count()).toBe(0);
    expect(await page.locator('details.notice summary .tag').allTextContents()).toEqual(['郵送済み', '郵送済み']);
    expect(await page.locator('table.history').textContent()).toContain('郵便を郵送済みにした');
    expect(letters().map((l) => l.status)).toEqual(['posted', 'posted']);
    expect(audited('letter.posted', second!.id)).toBe(1);
    const events = db().prepare("SELECT e.actor FROM events e JOIN cases c ON c.id = e.case_id WHERE c.number = ? AND e.type = 'letter.posted'").all(number) as { actor: string }[];
    expect(events.map((e) => e.actor)).toEqual(['staff:shiro', 'staff:shiro']);

    await page.goto(`${web.url}/queue`);
    expect(await page.locator('p.letters-waiting').count()).toBe(0);
    await page.goto(`${web.url}/letters`);
    expect(await page.locator('.empty').textContent()).toContain('印刷待ちの郵便はありません');
  });

  it('nothing without a session, no POST without the CSRF token, and not for the finance role', async () => {
    const id = letters()[0]!.id;
    for (const p of ['/letters', `/cases/${number}/letters/${id}`]) {
      const r = await fetch(`${web.url}${p}`, { redirect: 'manual' });
      expect([p, r.status, r.headers.get('location')?.split('?')[0]]).toEqual([p, 303, '/login']);
    }
    expect((await fetch(`${web.url}/cases/${number}/letters/${id}/posted`, { method: 'POST', redirect: 'manual' })).status).toBe(401);
    // Signed in, but without the token: refused, and nothing changes.
    db().prepare("UPDATE outbox SET status = 'letter', sent_at = NULL WHERE id = ?").run(id);
    const forged = await page.evaluate(async (url) => (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'from=letters' })).status, `/cases/${number}/letters/${id}/posted`);
    expect(forged).toBe(403);
    expect(letters()[0]!.status).toBe('letter');

    const finance = await (await newContext(browser)).newPage();
    await finance.goto(`${web.url}/login`);
    await finance.fill('#login', 'kane');
    await finance.fill('#password', FINANCE_PASSWORD);
    await Promise.all([finance.waitForURL((u) => !u.pathname.startsWith('/login')), finance.press('#password', 'Enter')]);
    expect((await finance.goto(`${web.url}/letters`))!.status()).toBe(403);
    expect((await finance.context().request.get(`${web.url}/cases/${number}/letters/${id}`)).status()).toBe(403);
    await finance.close();
  });
});
