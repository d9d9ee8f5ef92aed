// A posted reply in Debian's Chromium, against the real server and a real SQLite file: a paper renewal without an
// e-mail address and without the CPD proof is uploaded on /postal (a text PDF: no OCR) and waits for the proof,
// asked by a letter worded for paper; the applicant posts the proof back, and staff attach its scan to the case by
// its number on the same page: the case is read again as after a mail reply (awaiting the fee), the upload is on
// the case's history and in the audit log. Without a session or without the CSRF token nothing is attached.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { harness, PROOF } from '../support/harness.ts';
import { renewalFormWithoutEmail } from '../support/form-without-email.ts';
import { closeApp } from '../../src/app/context.ts';
import { browserTestsCheck, openSuiteWorkbench, type SuiteWorkbench } from './support/browser.ts';
import { openDb, type WebProcess } from './support/workbench.ts';

vi.setConfig({ testTimeout: 120_000 });

const missing = browserTestsCheck('the posted reply browser tests');
const PASSWORD = 'staff-pass-0015';

describe.skipIf(!!missing)('a posted reply attached to its case on /postal, in the browser (Chromium)', () => {
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
    wb = await openSuiteWorkbench(dir, [{ login: 'shiro', role: 'staff', password: PASSWORD }]);
    ({ web, browser, page } = wb);
  }, 180_000);

  afterAll(() => wb?.close());

  const db = () => openDb(dir);
  const caseRow = () => db().prepare('SELECT id, status FROM cases WHERE number = ?').get(number) as { id: number; status: string };
  const applicantNotices = () => (db().prepare("SELECT kind, status FROM outbox WHERE case_id = ? AND audience = 'applicant' ORDER BY id").all(caseRow().id) as { kind: string; status: string }[]).map((o) => [o.kind, o.status]);

  it('the paper form without the proof: missing items, asked by letter', async () => {
    await page.goto(`${web.url}/postal`);
    await page.selectOption('#postal-kind', 'renewal');
    await page.fill('#postal-received', '2026-01-20');
    await page.setInputFiles('#postal-files', [{ name: 'scan.pdf', mimeType: 'application/pdf', buffer: await renewalFormWithoutEmail() }]);
    await page.click('form.postal-form button[type="submit"]');
    await page.waitForURL(/\/cases\/R-2026-\d{6}$/);
    number = page.url().split('/').pop()!;
    expect(caseRow().status).toBe('missing-items');
    expect(applicantNotices()).toEqual([['acknowledgement', 'letter'], ['missing-items', 'letter']]);
  });

  it('an unknown case number is refused on the page, nothing attached', async () => {
    await page.goto(`${web.url}/postal`);
    await page.fill('#reply-case', 'R-2026-999999');
    await page.fill('#reply-received', '2026-01-24');
    await page.setInputFiles('#reply-files', [{ name: '受講証明書.pdf', mimeType: 'application/pdf', buffer: Buffer.from(PROOF.content) }]);
    await page.click('form.postal-reply-form button[type="submit"]');
    expect(await page.locator('p.action-error').textContent()).toContain('受付番号 R-2026-999999 の案件はありません');
    expect(await page.inputValue('#reply-case')).toBe('R-2026-999999');
    expect(caseRow().status).toBe('missing-items');
  });

  it('without a session or without the CSRF token the reply is refused', async () => {
    const form = new FormData();
    form.set('caseNumber', number);
    form.set('receivedOn', '2026-01-24');
    form.set('files', new Blob([Buffer.from(PROOF.content)], { type: 'application/pdf' }), 'proof.pdf');
    expect((await fetch(`${web.url}/postal/reply`, { method: 'POST', body: form, redirect: 'manual' })).status).toBe(401);
    const forged = await page.evaluate(async ({ url, n }) => {
      const f = new FormData();
      f.set('caseNumber', n);
      f.set('receivedOn', '2026-01-24');
      f.set('files', new Blob(['%PDF-1.4'], { type: 'application/pdf' }), 'proof.pdf');
      return (await fetch(url, { method: 'POST', body: f })).status;
    }, { url: '/postal/reply', n: number });
    expect(forged).toBe(403);
    expect(caseRow().status).toBe('missing-items');
  });

  it('the posted proof attached by the case number: read again as a reply, awaiting the fee, on the history and audited', async () => {
    // From the case page: its link opens the postal page with the case number filled in.
    await page.goto(`${web.url}/cases/${number}`);
    await page.click('a.postal-reply-link');
    await page.waitForURL(/\/postal\?case=/);
    expect(await page.inputValue('#reply-case')).toBe(number);
    await page.fill('#reply-received', '2026-01-24');
    await page.setInputFiles('#reply-files', [{ name: '受講証明書.pdf', mimeType: 'application/pdf', buffer: Buffer.from(PROOF.content) }]);
    await page.click('form.postal-reply-form button[type="submit"]');
    await page.waitForURL(`${web.url}/cases/${number}`);
    expect(await page.locator('.flash').textContent()).toContain(`郵送の返信を ${number} に追加しました`);
    expect(caseRow().status).toBe('awaiting-payment');
    expect(applicantNotices()).toEqual([['acknowledgement', 'letter'], ['missing-items', 'letter'], ['awaiting-payment', 'letter']]);
    expect(await page.locator('table.history').textContent()).toContain('郵送の返信の追加');
    expect(await page.locator('body').textContent()).toContain('受講証明書.pdf');
    const audited = db().prepare("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'postal.reply' AND case_number = ? AND login = 'shiro'").get(number) as { n: number };
    expect(audited.n).toBe(1);
    const roles = db().prepare('SELECT cm.role FROM case_messages cm WHERE cm.case_id = ? ORDER BY cm.message_id').all(caseRow().id) as { role: string }[];
    expect(roles.map((r) => r.role)).toEqual(['original', 'reply']);
  });
});
