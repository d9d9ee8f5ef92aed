// The reviewer's pages in Debian's Chromium against the real server (`conken web`) and a real SQLite file with
// cases made by the real pipeline and paid through a real statement import: a reviewer logs in, lands on the
// review queue (oldest first), opens a case (summary, reviewer findings, the attachments viewable), approves
// it (certificate PDF attached to the result mail, register extended), returns another with a question, and
// finds the holder in the register. Every decision goes through src/app/review.ts: the events are the proof.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import path from 'node:path';
import { closeApp } from '../../src/app/context.ts';
import { importStatementRows } from '../../src/app/import-payments.ts';
import { importRegister } from '../../src/app/register.ts';
import { form, harness, mail, PROOF, SAMPLES } from '../support/harness.ts';
import { browserTestsCheck, launchChromium, newContext } from './support/browser.ts';
import { openDb, startWeb, usersCommand, type WebProcess } from './support/workbench.ts';

vi.setConfig({ testTimeout: 180_000 });

const missing = browserTestsCheck("the reviewer's browser tests");

const PASSWORD = 'review-pass-0001';

describe.skipIf(!!missing)('the reviewer in the browser (Chromium)', () => {
  let dir: string;
  let web: WebProcess;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let konda: string;
  let hanako: string;

  beforeAll(async () => {
    const h = harness();
    dir = h.dir;
    importRegister(h.app, path.join(SAMPLES, 'registry.csv'));
    konda = (await h.process(await mail(), 'a.eml')).cases[0]!.number!;
    const other = { certificationNumber: 'OMP-2023-0777', name: '山田 花子', nameKana: 'やまだ はなこ', feeTransferName: '0777ヤマダハナコ' };
    hanako = (await h.process(await mail({ from: '山田 花子 <hanako.y@example.com>', date: new Date('2026-01-21T10:00:00+09:00'), attachments: [{ filename: '更新申請書.docx', content: form(other) }, PROOF] }), 'b.eml')).cases[0]!.number!;
    importStatementRows(h.app, 'bank.csv', 'hash-web-review', 'simple-csv', [
      { line: 2, paidOn: '2026-01-22', amount: 11000, transferName: '0123ｺﾝﾀﾞｹﾝﾀﾛｳ' },
      { line: 3, paidOn: '2026-01-22', amount: 11000, transferName: '0777ﾔﾏﾀﾞﾊﾅｺ' },
    ], 'test');
    expect([h.app.cases.caseByNumber(konda)!.status, h.app.cases.caseByNumber(hanako)!.status]).toEqual(['ready-for-review', 'ready-for-review']);
    closeApp(h.app);
    expect((await usersCommand(dir, ['add', 'ito', '--role', 'reviewer'], `${PASSWORD}\n`)).code).toBe(0);
    web = await startWeb(dir);
    browser = await launchChromium();
    context = await newContext(browser);
    page = await context.newPage();
  }, 400_000);

  afterAll(async () => {
    await browser?.close();
    await web?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const db = () => openDb(dir);
  const events = (number: string, type: string) => (db().prepare('SELECT e.actor, e.data_json FROM events e JOIN cases c ON c.id = e.case_id WHERE c.number = ? AND e.type = ? ORDER BY e.id')
    .all(number, type) as { actor: string; data_json: string | null }[]).map((r) => ({ actor: r.actor, ...(r.data_json ? JSON.parse(r.data_json) : {}) }));

  it('lands on the review queue, oldest first; the case page shows the summary and its attachments; approve', async () => {
    await page.goto(`${web.url}/`);
    await page.fill('#login', 'ito');
    await page.fill('#password', PASSWORD);
    await page.press('#password', 'Enter');
    await page.waitForURL(`${web.url}/review`);
    expect(await page.locator('table.review-queue tbody tr td:first-child').allTextContents()).toEqual([konda, hanako]);

    await page.click(`text=${konda}`);
    await page.waitForURL(`${web.url}/review/${konda}`);
    expect(await page.locator('pre.summary').first().textContent()).toContain('OMP-2023-0123');
    const attachment = page.locator('ul.attachments a', { hasText: '受講証明書.pdf' });
    const href = await attachment.getAttribute('href');
    const pdf = await page.request.get(`${web.url}${href}`);
    expect(pdf.headers()['content-type']).toBe('application/pdf');

    await page.check('input[name=action][value=approve]');
    await page.click('button:has-text("この内容で決定する")');
    await page.waitForURL(`${web.url}/review`);
    expect(await page.locator('p.flash').textContent()).toContain('認定番号 OMP-2023-0123、有効期間 2026-04-01〜2029-03-31');
    expect(await page.locator('table.review-queue tbody tr').count()).toBe(1);
    expect(events(konda, 'case.decided')).toEqual([expect.objectContaining({ actor: 'reviewer:ito', decision: 'approved' })]);
    const mail = db().prepare("SELECT o.mail_json FROM outbox o JOIN cases c ON c.id = o.case_id WHERE c.number = ? AND o.kind = 'review-approved'").get(konda) as { mail_json: string };
    expect(JSON.parse(mail.mail_json).attachments).toEqual([expect.objectContaining({ filename: '認定書_OMP-2023-0123.pdf' })]);

    // The decided case again: no form, and a decision sent anyway (a second reviewer's stale page) is refused in words.
    await page.goto(`${web.url}/review/${konda}`);
    expect(await page.locator('form.decision-form').count()).toBe(0);
    expect(await page.locator('ul.attachments').textContent()).toContain('認定書_OMP-2023-0123.pdf');
  });

  it('a question without its text is refused with the reason; a question goes to the applicant; the register finds the holder', async () => {
    await page.goto(`${web.url}/review/${hanako}`);
    // Missing the question's text: the page again with why, nothing decided.
    await page.check('input[name=action][value=return]');
    await page.click('button:has-text("この内容で決定する")');
    expect(await page.locator('.action-error').textContent()).toContain('質問を入力してください');
    await page.check('input[name=action][value=return]');
    await page.fill('#review-text', 'B-2の研修の主催団体名をお知らせください。');
    await page.click('button:has-text("この内容で決定する")');
    await page.waitForURL(`${web.url}/review`);
    expect(await page.locator('p.empty').textContent()).toContain('審査待ちの案件はありません');
    expect(events(hanako, 'review.returned')).toEqual([expect.objectContaining({ actor: 'reviewer:ito' })]);
    const question = db().prepare("SELECT o.mail_json FROM outbox o JOIN cases c ON c.id = o.case_id WHERE c.number = ? AND o.kind = 'review-question'").get(hanako) as { mail_json: string };
    expect(JSON.parse(question.mail_json).text).toContain('B-2の研修の主催団体名をお知らせください。');

    await page.goto(`${web.url}/register?q=${encodeURIComponent('こんだ')}`);
    const rows = page.locator('table.register tbody tr');
    expect(await rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain('2023-04-01〜2029-03-31');
    await page.click('text=OMP-2023-0123');
    expect(await page.locator('main').textContent()).toContain(`${konda}　更新　2026-04-01〜2029-03-31`);
    const csv = await page.request.get(`${web.url}/register/export.csv?qualification=CAP`);
    const text = await csv.text();
    expect(text).toContain('CAP-2023-0456');
    expect(text).not.toContain('OMP-2023-0123');
    const audit = db().prepare("SELECT action FROM audit_log WHERE login = 'reviewer:ito' OR login = 'ito' ORDER BY id").all() as { action: string }[];
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['review.view', 'review.approve', 'review.return', 'register.export']));
  });
});
