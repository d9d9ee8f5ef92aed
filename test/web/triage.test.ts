// Mail triage in Debian's Chromium, against the real server and a real SQLite file with mails handled by the
// real pipeline (Word files and a PDF proof: no OCR): a near miss opened (headers, body, its Word file as text)
// and made a renewal; an unrelated mail carrying a proof attached to the case that lacked it; a mail dismissed
// with a reason; a refusal shown on the page. Every decision goes through src/app/mail-triage.ts and is audited.
// And a postal application: the scanned form (a text PDF here) uploaded with its received day becomes a case.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { closeApp } from '../../src/app/context.ts';
import { unrelatedDocx } from '../../scripts/lib/fill-renewal-form.ts';
import { form, harness, mail, PROOF, SAMPLES } from '../support/harness.ts';
import { browserTestsCheck, openSuiteWorkbench, type SuiteWorkbench } from './support/browser.ts';
import { openDb, type WebProcess } from './support/workbench.ts';

vi.setConfig({ testTimeout: 120_000 });

const missing = browserTestsCheck('the workbench browser tests');

const PASSWORD = 'staff-pass-0003';

describe.skipIf(!!missing)('mail triage in the browser (Chromium)', () => {
  let dir: string;
  let wb: SuiteWorkbench | undefined;
  let web: WebProcess;
  let browser: Browser;
  let page: Page;
  let held: string;
  let lacking: string;

  beforeAll(async () => {
    const h = harness();
    dir = h.dir;
    held = (await h.process(await mail({ subject: '【更新申請】プロフェショナル更新申請書添附', text: '更新の書類をお送りします。', attachments: [{ filename: '議事録.docx', content: unrelatedDocx() }], messageId: 'near@example.jp' }))).cases[0]!.number!;
    lacking = (await h.process(await mail({ attachments: [{ filename: '更新申請書.docx', content: form() }] }))).cases[0]!.number!;
    await h.process(await mail({ subject: '先日の件', text: '失礼しました。', attachments: [PROOF], messageId: 'stray@example.jp' }));
    await h.process(await mail({ subject: 'ランチのお誘い', text: '12時にロビーで。', attachments: [{ filename: '議事録.docx', content: unrelatedDocx() }], messageId: 'lunch@example.jp' }));
    closeApp(h.app);
    wb = await openSuiteWorkbench(dir, [{ login: 'saburo', role: 'staff', password: PASSWORD }]);
    ({ web, browser, page } = wb);
  }, 180_000);

  afterAll(() => wb?.close());

  const db = () => openDb(dir);
  const messageRow = (mid: string) => db().prepare('SELECT id, classification, note FROM messages WHERE message_id = ?').get(mid) as { id: number; classification: string; note: string };
  const caseRow = (number: string) => db().prepare('SELECT id, kind, status, notices_suppressed FROM cases WHERE number = ?').get(number) as { id: number; kind: string; status: string; notices_suppressed: number };
  const audited = (action: string, target: number) => (db().prepare("SELECT COUNT(*) AS n FROM audit_log WHERE action = ? AND target = ? AND login = 'saburo'").get(action, String(target)) as { n: number }).n;
  const openFromList = async (subject: string) => {
    await page.goto(`${web.url}/queue/mails`);
    await page.click(`table.list .row-link:text-is("${subject}")`);
    await page.waitForURL(/\/mails\/\d+$/);
  };

  it('a near miss opened (headers, body, its Word file as text) and made a renewal: the held case becomes it', async () => {
    await openFromList('【更新申請】プロフェショナル更新申請書添附');
    const near = messageRow('near@example.jp');
    expect(page.url()).toBe(`${web.url}/mails/${near.id}`);
    expect(await page.locator('.facts').textContent()).toContain('k.konda@example.jp');
    expect(await page.locator('pre.mail-text').textContent()).toContain('更新の書類をお送りします。');
    expect(await page.locator('pre.raw-headers').textContent()).toMatch(/Message-ID: <near@example\.jp>/i);
    expect(await page.locator('header.case-head').textContent()).toContain(held);
    const [doc] = await Promise.all([page.context().waitForEvent('page'), page.click('a[href$="/attachments/0"]')]);
    await doc.waitForLoadState();
    expect(await doc.locator('h1').textContent()).toBe('議事録.docx');
    expect((await doc.locator('pre.doc-text').textContent())!.length).toBeGreaterThan(10);
    await doc.close();
    expect(audited('mail.view', near.id)).toBe(1);

    await page.selectOption('#triage-kind', 'renewal');
    await page.click('form[action$="/case"] button[type="submit"]');
    await page.waitForURL(`${web.url}/cases/${held}`);
    expect(await page.locator('.flash').textContent()).toContain('申請として受け付けました');
    expect(caseRow(held)).toMatchObject({ kind: 'renewal', notices_suppressed: 0 });
    expect(messageRow('near@example.jp').classification).toBe('application');
    expect(await page.locator('section[aria-labelledby="notices-title"]').textContent()).toContain('受付');
    expect(audited('mail.triage.case', near.id)).toBe(1);
  });

  it('an unrelated mail with a proof attached to the case that lacked it (a wrong number refused on the page)', async () => {
    expect(caseRow(lacking).status).toBe('missing-items');
    await openFromList('先日の件');
    const stray = messageRow('stray@example.jp');
    await page.fill('#triage-case', 'R-2026-999999');
    const [refused] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/attach')), page.press('#triage-case', 'Enter')]);
    expect(refused.status()).toBe(422);
    expect(await page.locator('.action-error').textContent()).toContain('受付番号 R-2026-999999 の案件はありません');
    expect(messageRow('stray@example.jp').classification).toBe('ignored');

    await page.fill('#triage-case', lacking.toLowerCase());
    await page.press('#triage-case', 'Enter');
    await page.waitForURL(`${web.url}/cases/${lacking}`);
    expect(await page.locator('.flash').textContent()).toContain('返信として案件に加えました');
    expect(caseRow(lacking).status).toBe('awaiting-payment');
    expect(await page.locator('section[aria-labelledby="attachments-title"]').textContent()).toContain(PROOF.filename);
    expect(await page.locator('table.history').textContent()).toContain('返信の受付');
    expect(messageRow('stray@example.jp').classification).toBe('reply');
    expect(audited('mail.triage.attach', stray.id)).toBe(1);
  });

  it('a mail dismissed with a reason leaves the list', async () => {
    await openFromList('ランチのお誘い');
    const lunch = messageRow('lunch@example.jp');
    await page.fill('#triage-reason', '私信のため');
    await page.press('#triage-reason', 'Enter');
    await page.waitForURL(`${web.url}/queue/mails`);
    expect(await page.locator('.flash').textContent()).toContain('対応不要として閉じました');
    expect(await page.locator('main').textContent()).not.toContain('ランチのお誘い');
    expect(messageRow('lunch@example.jp')).toMatchObject({ classification: 'dismissed', note: '対応不要: 私信のため' });
    expect(audited('mail.triage.dismiss', lunch.id)).toBe(1);
    // Decided: the page says so and offers nothing more.
    await page.goto(`${web.url}/mails/${lunch.id}`);
    expect(await page.locator('form[action$="/dismiss"]').count()).toBe(0);
    expect(await page.locator('main').textContent()).toContain('処理済み');
  });

  it('a postal application uploaded: a case through the same pipeline; without an e-mail address its notices are for printing', async () => {
    await page.click('nav a[href="/postal"]');
    await page.waitForURL(`${web.url}/postal`);
    await page.selectOption('#postal-kind', 'renewal');
    await page.fill('#postal-received', '2026-01-20');
    await page.setInputFiles('#postal-files', [
      { name: 'scan-p1.pdf', mimeType: 'application/pdf', buffer: readFileSync(path.join(SAMPLES, 'forms-pdf', 'renewal-complete.pdf')) },
      { name: '受講証明書.pdf', mimeType: 'application/pdf', buffer: Buffer.from(PROOF.content) },
    ]);
    await page.click('form.postal-form button[type="submit"]');
    await page.waitForURL(/\/cases\/R-2026-\d{6}$/);
    const number = page.url().split('/').pop()!;
    expect(await page.locator('.flash').textContent()).toContain(`${number} として登録しました`);
    expect(await page.locator('.postal-status').textContent()).toContain('2026-01-20 受付');
    expect(await page.locator('.postal-status').textContent()).toContain('申請書のメールアドレスへ');
    const row = db().prepare('SELECT c.applicant_address, m.source FROM cases c JOIN messages m ON m.id = c.origin_message_id WHERE c.number = ?').get(number) as { applicant_address: string; source: string };
    expect(row.source).toBe('postal');
    expect(row.applicant_address).toMatch(/@/);
    expect((db().prepare("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'postal.upload' AND case_number = ? AND login = 'saburo'").get(number) as { n: number }).n).toBe(1);

    // No form read, so no address: mail is held and the page lists what to print.
    await page.goto(`${web.url}/postal`);
    await page.setInputFiles('#postal-files', [{ name: 'scan.pdf', mimeType: 'application/pdf', buffer: Buffer.from(PROOF.content) }]);
    await page.click('form.postal-form button[type="submit"]');
    await page.waitForURL(/\/cases\/R-2026-\d{6}$/);
    expect(await page.locator('.flash').textContent()).toContain('印刷して郵送してください');
    expect(await page.locator('.print-notices').textContent()).toContain('受付のお知らせ');
    expect(await page.locator('.postal-status').textContent()).toContain('通知は印刷して郵送');

    // An upload without the CSRF token is refused before anything is read into a case.
    const cases = () => (db().prepare('SELECT COUNT(*) AS n FROM cases').get() as { n: number }).n;
    const before = cases();
    const forged = await page.evaluate(async () => {
      const f = new FormData();
      f.append('kind', 'renewal');
      f.append('receivedOn', '2026-01-20');
      f.append('files', new Blob(['%PDF-1.4 forged']), 'x.pdf');
      return (await fetch('/postal', { method: 'POST', body: f })).status;
    });
    expect(forged).toBe(403);
    expect(cases()).toBe(before);

    // A file that is not a scan is refused on the page.
    await page.goto(`${web.url}/postal`);
    await page.setInputFiles('#postal-files', [{ name: 'memo.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') }]);
    const [refused] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/postal') && r.request().method() === 'POST'), page.click('form.postal-form button[type="submit"]')]);
    expect(refused.status()).toBe(422);
    expect(await page.locator('.action-error').textContent()).toContain('PDF または画像');
  });

  it('the triage, postal and case-decision routes: nothing without a session, no POST without the CSRF token', async () => {
    const id = messageRow('near@example.jp').id;
    for (const p of [`/mails/${id}`, `/mails/${id}/attachments/0`, `/mails/${id}/attachments/0/download`, '/postal']) {
      const r = await fetch(`${web.url}${p}`, { redirect: 'manual' });
      expect([p, r.status, r.headers.get('location')?.split('?')[0]]).toEqual([p, 303, '/login']);
    }
    const posts = [`/mails/${id}/case`, `/mails/${id}/attach`, `/mails/${id}/dismiss`, `/cases/${lacking}/handle`, `/cases/${lacking}/resend`, `/cases/${lacking}/note`];
    for (const p of posts) {
      const r = await fetch(`${web.url}${p}`, { method: 'POST', body: 'reason=x&kind=renewal&case=x&text=x', headers: { 'content-type': 'application/x-www-form-urlencoded' }, redirect: 'manual' });
      expect([p, r.status]).toEqual([p, 401]);
    }
    // Signed in (the browser's session), but without the token: refused, and the mail stays as it was.
    const dismissed = await page.evaluate(async (url) => (await fetch(url, { method: 'POST', body: new URLSearchParams({ reason: 'x' }) })).status, `/mails/${messageRow('stray@example.jp').id}/dismiss`);
    expect(dismissed).toBe(403);
    expect(messageRow('stray@example.jp').classification).toBe('reply');
  });
});
