// A payment question is finance's (issue 16 point 4), in Debian's Chromium against the real server and a real
// SQLite file: two applicants whose transfer cannot be told apart are 入金確認中 on their case pages and absent
// from the staff's exceptions queue; finance escalate one of them from the payment's page with a note (a POST
// with the CSRF token, audited), after which it is in the staff queue with the note as its reason. Staff may
// not escalate, and a POST without the token is refused. Finance's links to a case open finance's own view
// of it; a case under question is on finance's awaiting-payment list, marked 入金確認中.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { closeApp } from '../../src/app/context.ts';
import { importStatement } from '../../src/app/import-statement-file.ts';
import { form, harness, mail, PROOF } from '../support/harness.ts';
import { APPLICANTS } from '../../scripts/lib/statement-data.ts';
import { browserTestsCheck, launchChromium, newContext } from './support/browser.ts';
import { openDb, startWeb, usersCommand, type WebProcess } from './support/workbench.ts';

vi.setConfig({ testTimeout: 180_000 });

const missing = browserTestsCheck('the finance questions browser tests');
const PASSWORD = 'finance-pass-0002';
const NOTE = '振込名義が「0777ﾔﾏﾀﾞ」のみです。申請者に振込日をご確認ください。';

describe.skipIf(!!missing)('a payment question is finance\'s, in the browser (Chromium)', () => {
  let dir: string;
  let web: WebProcess;
  let browser: Browser;
  const numbers: Record<string, string> = {};
  let paymentId = 0;

  beforeAll(async () => {
    const h = harness();
    dir = h.dir;
    for (const id of ['hanako', 'haruka']) {
      const a = APPLICANTS.find((x) => x.id === id)!;
      const o = await h.process(await mail({ from: a.fill.email!, messageId: `web-fq-${id}-${process.pid}@example.jp`, attachments: [{ filename: '更新申請書.docx', content: form(a.fill) }, PROOF] }));
      numbers[id] = o.cases[0]!.number!;
    }
    await importStatement(h.app, Buffer.from('date,amount,transfer_name\n2026-01-19,11000,0777ﾔﾏﾀﾞ\n'), 'yamada.csv', 'finance:keiri');
    paymentId = (h.app.db.prepare('SELECT id FROM payments WHERE transfer_name = ?').get('0777ﾔﾏﾀﾞ') as { id: number }).id;
    closeApp(h.app);
    expect((await usersCommand(dir, ['add', 'keiri', '--role', 'finance'], `${PASSWORD}\n`)).code).toBe(0);
    expect((await usersCommand(dir, ['add', 'sato', '--role', 'staff'], `${PASSWORD}\n`)).code).toBe(0);
    web = await startWeb(dir);
    browser = await launchChromium();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await web?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const statusOf = (n: string) => (openDb(dir).prepare('SELECT status FROM cases WHERE number = ?').get(n) as { status: string }).status;

  async function loggedIn(user: string): Promise<Page> {
    const page = await (await newContext(browser)).newPage();
    await page.goto(`${web.url}/login`);
    await page.fill('#login', user);
    await page.fill('#password', PASSWORD);
    await page.press('#password', 'Enter');
    await page.waitForURL(/\/(queue|finance\/queue)$/);
    return page;
  }

  it('the candidates show 入金確認中 and are not in the staff queue; escalated by finance, one is, with the note', async () => {
    const staff = await loggedIn('sato');
    await staff.goto(`${web.url}/queue`);
    expect(await staff.locator('table.queue').count()).toBe(0);
    expect(await staff.locator('p.empty').textContent()).toContain('要対応の案件はありません');
    for (const n of [numbers.hanako!, numbers.haruka!]) {
      await staff.goto(`${web.url}/cases/${n}`);
      expect((await staff.locator('h1 .status').textContent())?.trim()).toBe('入金確認中');
      const finance = staff.locator('.audience-finance');
      expect(await finance.locator('h3').textContent()).toContain('経理向け');
      expect(await finance.locator('li').first().textContent()).toContain(`入金ID ${paymentId}`);
    }

    // Finance escalate Hanako's case from the payment's page.
    const keiri = await loggedIn('keiri');
    await keiri.goto(`${web.url}/finance/payments/${paymentId}`);
    await keiri.selectOption('#escalate-case', numbers.hanako!);
    await keiri.fill('#escalate-note', NOTE);
    await keiri.click('#escalate-form button[type="submit"]');
    await keiri.waitForURL(`${web.url}/finance/payments/${paymentId}`);
    expect(await keiri.locator('.flash').first().textContent()).toContain(`${numbers.hanako} の確認を事務局に依頼しました`);
    expect(statusOf(numbers.hanako!)).toBe('exception');
    expect(statusOf(numbers.haruka!)).toBe('payment-review');
    const audit = openDb(dir).prepare("SELECT login, case_number, target FROM audit_log WHERE action = 'finance.escalate'").all().map((r) => ({ ...r }));
    expect(audit).toEqual([{ login: 'keiri', case_number: numbers.hanako, target: `payment:${paymentId}` }]);

    // Staff now see it in their queue, with finance's note as the reason; Haruka is still finance's.
    await staff.goto(`${web.url}/queue`);
    const rows = staff.locator('table.queue tbody tr');
    expect(await rows.count()).toBe(1);
    expect(await rows.first().locator('a.row-link').textContent()).toBe(numbers.hanako);
    expect(await rows.first().locator('.reasons').textContent()).toContain(NOTE);
    await staff.goto(`${web.url}/cases/${numbers.haruka}`);
    expect((await staff.locator('h1 .status').textContent())?.trim()).toBe('入金確認中');

    // The queue's candidate link takes finance to their own view of the case (the staff's /cases/N is 403 for
    // them); staff keep the link to the case page.
    await keiri.goto(`${web.url}/finance/queue`);
    const candidate = keiri.locator(`#payment-${paymentId} table.candidates a`, { hasText: numbers.haruka! });
    expect(await candidate.getAttribute('href')).toBe(`/finance/cases/${numbers.haruka}`);
    const [opened] = await Promise.all([keiri.waitForResponse((r) => r.url() === `${web.url}/finance/cases/${numbers.haruka}`), candidate.click()]);
    expect(opened.status()).toBe(200);
    expect(await keiri.locator('h1').textContent()).toContain(numbers.haruka!);
    expect((await keiri.request.get(`${web.url}/cases/${numbers.haruka}`)).status()).toBe(403);
    await keiri.goto(`${web.url}/finance/payments/${paymentId}`);
    expect(await keiri.locator('table.candidates-full a', { hasText: numbers.haruka! }).getAttribute('href')).toBe(`/finance/cases/${numbers.haruka}`);
    await staff.goto(`${web.url}/finance/queue`);
    expect(await staff.locator(`#payment-${paymentId} table.candidates a`, { hasText: numbers.haruka! }).getAttribute('href')).toBe(`/cases/${numbers.haruka}`);

    // Haruka's case (入金確認中) still waits for its fee: it is on finance's awaiting list, marked as questioned.
    await keiri.goto(`${web.url}/finance/awaiting`);
    const waiting = keiri.locator(`table.awaiting tr[data-case="${numbers.haruka}"]`);
    expect(await waiting.count()).toBe(1);
    expect(await waiting.locator('.tag').textContent()).toBe('入金確認中');
    expect(await keiri.locator(`table.awaiting tr[data-case="${numbers.hanako}"]`).count()).toBe(0);
  });

  it('staff may not escalate, and a POST without the CSRF token is refused', async () => {
    const staff = await loggedIn('sato');
    await staff.goto(`${web.url}/finance/payments/${paymentId}`);
    expect(await staff.locator('#escalate-form').count()).toBe(0);
    const keiri = await loggedIn('keiri');
    const noToken = await keiri.request.post(`${web.url}/finance/payments/${paymentId}/escalate`, { form: { case: numbers.haruka!, note: NOTE } });
    expect(noToken.status()).toBe(403);
    await staff.goto(`${web.url}/finance/payments/${paymentId}`);
    const token = (await staff.locator('input[name="_csrf"]').first().getAttribute('value')) ?? '';
    expect(token).not.toBe('');
    const byStaff = await staff.request.post(`${web.url}/finance/payments/${paymentId}/escalate`, { form: { _csrf: token, case: numbers.haruka!, note: NOTE } });
    expect(byStaff.status()).toBe(403);
    expect(statusOf(numbers.haruka!)).toBe('payment-review');
  });
});
