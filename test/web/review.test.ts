// The reviewer's pages in Debian's Chromium against the real server (`conken web`) and a real SQLite file with
// cases made by the real pipeline and paid through a real statement import: a reviewer logs in, lands on the
// review queue (oldest first), opens a case (summary, reviewer findings, the attachments viewable), approves
// it (certificate PDF attached to the result mail, register extended), returns another with a question, and
// finds the holder in the register, then records a holder revoked (staff may not). Every decision goes through
// src/app/review.ts: the events are the proof.
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import path from 'node:path';
import { closeApp } from '../../src/app/context.ts';
import { importStatementRows } from '../../src/app/import-payments.ts';
import { importRegister } from '../../src/app/register.ts';
import { form, harness, mail, PROOF, ROOT, SAMPLES } from '../support/harness.ts';
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
    // The renewal's check against the register, visible to the reviewer: the holder as the register has them.
    const check = await page.locator('section.register-check').textContent();
    expect(check).toContain('一致：認定番号・資格・氏名・有効期間とも名簿どおりです。');
    expect(check).toMatch(/OMP-2023-0123[\s\S]*今田 健太郎（こんだ けんたろう）[\s\S]*2023-04-01〜2026-03-31[\s\S]*受付日（2026-01-20）時点の状態\s*有効/);
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

    // The state 'expired' (validity ended, not renewed): shown, a filter, and in the export. The renewed
    // holder is active to 2029; OMP-2021-0064 ended 2024-03-31 and was never renewed.
    await page.goto(`${web.url}/register`);
    await page.selectOption('#reg-status', 'expired');
    await page.click('button:has-text("絞り込む")');
    await page.waitForURL(/status=expired/);
    const expired = await page.locator('table.register tbody').textContent();
    expect(expired).toMatch(/OMP-2021-0064[\s\S]*2021-04-01〜2024-03-31\s*期限切れ/);
    expect(expired).not.toContain('OMP-2023-0123');
    expect(expired).not.toContain('OMP-2020-0042'); // lapsed: recorded, not expired
    const expiredCsv = await (await page.request.get(`${web.url}/register/export.csv?status=expired`)).text();
    expect(expiredCsv).toContain('OMP-2021-0064,OMP,森 陽介,もり ようすけ,2021-04-01,2024-03-31,expired,');
    expect(expiredCsv).not.toContain('OMP-2023-0123');
    await page.click('text=OMP-2021-0064');
    expect(await page.locator('dl.holder').textContent()).toContain('期限切れ（有効期間が 2024-03-31 に終わり、更新されていません）');
  });

  it('a reviewer records a holder revoked with a reason, after a confirmation; staff may not; a POST without CSRF is refused', async () => {
    const holderUrl = `${web.url}/register/holders/CAP-2023-0456`;
    const recorded = () => (db().prepare("SELECT status FROM certified_holders WHERE certification_number = 'CAP-2023-0456'").get() as { status: string }).status;
    await page.goto(holderUrl);
    await page.check('input[name=status][value=revoked]');
    await page.fill('#holder-status-reason', '倫理規程違反により理事会で認定取消を決定');
    await page.click('button:has-text("確認へ進む")');
    // The confirmation: what changes and why, nothing recorded yet.
    const confirm = await page.locator('section.holder-status .confirm').textContent();
    expect(confirm).toContain('「有効」から「取消」に変更します');
    expect(confirm).toContain('理由：倫理規程違反により理事会で認定取消を決定');
    expect(recorded()).toBe('active');
    await page.click('button:has-text("変更を確定する")');
    await page.waitForURL(holderUrl);
    expect(await page.locator('p.flash').textContent()).toContain('認定番号 CAP-2023-0456 を「取消」として記録しました（以前：有効）');
    expect(await page.locator('dl.holder').textContent()).toMatch(/状態\s*取消/);
    expect(await page.locator('ul.status-changes').textContent()).toMatch(/有効 → 取消\s*理由：倫理規程違反により理事会で認定取消を決定（reviewer:ito）/);
    expect(recorded()).toBe('revoked');
    const audit = db().prepare("SELECT login, target, detail_json FROM audit_log WHERE action = 'register.set-status'").all();
    expect(audit).toEqual([{ login: 'reviewer:ito', target: 'CAP-2023-0456', detail_json: JSON.stringify({ from: 'active', to: 'revoked' }) }]);
    // The register lists them as revoked.
    await page.goto(`${web.url}/register?status=revoked`);
    expect(await page.locator('table.register tbody').textContent()).toContain('CAP-2023-0456');

    // A POST without the CSRF token (a forged form) changes nothing.
    const forged = await page.request.post(`${holderUrl}/status`, { form: { status: 'active', reason: '偽装', confirmed: 'yes' } });
    expect(forged.status()).toBe(403);
    expect(await forged.text()).toContain('不正な送信です');
    expect(recorded()).toBe('revoked');

    // Staff see the holder but not the form, and their POST (with a valid token) is refused.
    expect((await usersCommand(dir, ['add', 'jiro', '--role', 'staff'], `${PASSWORD}\n`)).code).toBe(0);
    const staffContext = await newContext(browser);
    try {
      const staff = await staffContext.newPage();
      await staff.goto(`${web.url}/login`);
      await staff.fill('#login', 'jiro');
      await staff.fill('#password', PASSWORD);
      await staff.press('#password', 'Enter');
      await staff.waitForURL(`${web.url}/queue`);
      await staff.goto(holderUrl);
      expect(await staff.locator('dl.holder').textContent()).toContain('取消');
      expect(await staff.locator('section.holder-status').count()).toBe(0);
      const csrf = await staff.locator('input[name=_csrf]').first().getAttribute('value');
      const refused = await staff.request.post(`${holderUrl}/status`, { form: { _csrf: csrf!, status: 'active', reason: '事務局で戻す', confirmed: 'yes' } });
      expect(refused.status()).toBe(403);
      expect(await refused.text()).toContain('この画面は使えません'); // the role, not the token
      expect(recorded()).toBe('revoked');
    } finally {
      await staffContext.close();
    }
  });

  it('a certificate layout broken at start closes the review with the file and the problem; the register stays; fixed, the review reopens', async () => {
    const templates = path.join(dir, 'templates');
    mkdirSync(templates, { recursive: true });
    for (const f of readdirSync(path.join(ROOT, 'mail-templates'))) copyFileSync(path.join(ROOT, 'mail-templates', f), path.join(templates, f));
    const layoutFile = path.join(templates, 'certificate.yaml');
    writeFileSync(layoutFile, readFileSync(path.join(ROOT, 'mail-templates', 'certificate.yaml'), 'utf8').replace('size: 40', 'size: -1'));
    const broken = await startWeb(dir, { CONKEN_TEMPLATES_DIR: templates });
    try {
      expect(broken.logs()).toContain(`認定書のレイアウト ${layoutFile} に誤りがあります: key lines.0.size`);
      // The sessions live in the shared database: still logged in from the first server, or log in again.
      await page.goto(`${broken.url}/`);
      if (await page.locator('#login').count()) {
        await page.fill('#login', 'ito');
        await page.fill('#password', PASSWORD);
        await page.press('#password', 'Enter');
      }
      await page.waitForURL(`${broken.url}/review`);
      expect(await page.locator('h1').textContent()).toBe('審査を停止しています');
      const main = await page.locator('main').textContent();
      expect(main).toContain(layoutFile);
      expect(main).toContain('key lines.0.size');
      const response = await page.request.get(`${broken.url}/review/${hanako}`);
      expect(response.status()).toBe(503);
      // A decision sent anyway (a page opened before) is refused the same way: nothing decided.
      const csrf = await page.locator('input[name=_csrf]').first().getAttribute('value');
      expect((await page.request.post(`${broken.url}/review/${hanako}/decide`, { form: { _csrf: csrf!, action: 'reject', reason: 'other' } })).status()).toBe(503);
      expect(events(hanako, 'case.decided')).toEqual([]);
      // The register needs no certificate: still there.
      expect((await page.request.get(`${broken.url}/register`)).status()).toBe(200);
      // Fixed: the next review page opens without a restart.
      copyFileSync(path.join(ROOT, 'mail-templates', 'certificate.yaml'), layoutFile);
      await page.goto(`${broken.url}/review`);
      expect(await page.locator('h1').textContent()).not.toBe('審査を停止しています');
    } finally {
      await broken.stop();
    }
  });
});
