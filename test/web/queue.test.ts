// The staff's work in Debian's Chromium, against the real server and a real SQLite file with cases made by
// the real pipeline (a noisy 200 dpi scan of a certification form read by OCR, and a Word form sent under a subject
// that is almost right): log in, find the case in the queue, confirm an OCR'd value as read with one key,
// correct another, save-and-next; attachments viewed and downloaded. Every change goes through confirmField:
// the events it writes are the proof. Screenshots of the pages go to docs/ with CONKEN_SCREENSHOTS=docs.
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { closeApp } from '../../src/app/context.ts';
import { shutdownOcr } from '../../src/extract/ocr/ocr-engine.ts';
import { fieldSources, type ApplicationBase } from '../../src/extract/forms/form-kind.ts';
import { harness, mail, PROOF, ROOT, SAMPLES, sampleForm, sampleMail, tempDir } from '../support/harness.ts';
import { browserTestsCheck, launchChromium, newContext } from './support/browser.ts';
import { openDb, startWeb, usersCommand, type WebProcess } from './support/workbench.ts';

// A browser, scrypt logins and a busy 2-core machine: each step may take a while.
vi.setConfig({ testTimeout: 180_000 });

const missing = browserTestsCheck('the workbench browser tests');

/** An <img> that has loaded a picture (run in the page). */
const loaded = (img: unknown) => { const i = img as { complete: boolean; naturalWidth: number }; return i.complete && i.naturalWidth > 0; };

const SHOTS = process.env.CONKEN_SCREENSHOTS === 'docs' ? path.join(ROOT, 'docs') : tempDir('conken-shots-');
const PASSWORD = 'staff-pass-0001';

describe.skipIf(!!missing)('the exceptions queue in the browser (Chromium)', () => {
  let dir: string;
  let web: WebProcess;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let ocrCase: string;
  let wordCase: string;

  beforeAll(async () => {
    const h = harness();
    dir = h.dir;
    // A noisy 200 dpi scan of the certification form, page by page: values enough for staff to confirm
    // (a phone photo of the same form now reads nearly all of them for sure).
    const scans = ['p2', 'p3', 'p4', 'p6'].map((p, i) => ({
      filename: `scan_${i + 1}.jpg`, contentType: 'image/jpeg',
      content: readFileSync(path.join(SAMPLES, 'scans', `certification-complete-200dpi-noisy-${p}.jpg`)),
    }));
    const photos = await h.process(await mail({
      from: '検定 花子 <hanako.kentei@example.jp>', subject: '【認定申請】プロフェッショナル認定申請書添付_260210', date: new Date('2026-02-13T03:00:00Z'),
      attachments: [...scans, { filename: '試験結果レポート.pdf', content: readFileSync(path.join(SAMPLES, 'forms', 'exam-report-2025.pdf')), contentType: 'application/pdf' }],
    }), 'noisy-scan.eml');
    ocrCase = photos.cases[0]!.number!;
    expect(photos.cases[0]!.status).toBe('exception');
    const other = await h.process(await mail({ attachments: [{ filename: '申請書.docx', content: sampleForm('not-our-form.docx') }, PROOF] }), 'other.eml');
    wordCase = other.cases[0]!.number!;
    expect(other.cases[0]!.status).toBe('exception');
    await h.process(sampleMail('06-unrelated.eml'), '06.eml');
    closeApp(h.app);
    await shutdownOcr();
    expect((await usersCommand(dir, ['add', 'hanako', '--role', 'staff'], `${PASSWORD}\n`)).code).toBe(0);
    web = await startWeb(dir);
    browser = await launchChromium();
    context = await newContext(browser);
    page = await context.newPage();
    mkdirSync(SHOTS, { recursive: true });
  }, 400_000);

  afterAll(async () => {
    await browser?.close();
    await web?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const db = () => openDb(dir);
  const unconfirmedOf = (number: string) => (db().prepare(`SELECT f.field FROM findings f JOIN cases c ON c.id = f.case_id AND f.revision = c.revision
    WHERE c.number = ? AND f.code = 'field.unconfirmed' ORDER BY f.id`).all(number) as { field: string }[]).map((r) => r.field);
  const confirmations = (number: string) => (db().prepare(`SELECT e.actor, e.data_json FROM events e JOIN cases c ON c.id = e.case_id
    WHERE c.number = ? AND e.type = 'field.confirmed' ORDER BY e.id`).all(number) as { actor: string; data_json: string }[]).map((r) => ({ actor: r.actor, ...JSON.parse(r.data_json) }));
  const sourceOf = (number: string, field: string) => {
    const row = db().prepare('SELECT d.application_json FROM cases c JOIN case_documents d ON d.case_id = c.id WHERE c.number = ?').get(number) as { application_json: string };
    return fieldSources(JSON.parse(row.application_json) as ApplicationBase).get(field)!;
  };

  it('login lands on the queue: the cases oldest first, why each waits, counts per reason; the mails tab', async () => {
    await page.goto(`${web.url}/`);
    await page.screenshot({ path: path.join(SHOTS, 'workbench-login.png') });
    await page.fill('#login', 'hanako');
    await page.fill('#password', PASSWORD);
    await page.press('#password', 'Enter');
    await page.waitForURL(`${web.url}/queue`);
    const rows = page.locator('table.queue tbody tr');
    expect(await rows.count()).toBe(2);
    const numbers = await page.locator('table.queue .row-link').allTextContents();
    expect(numbers.sort()).toEqual([ocrCase, wordCase].sort());
    expect(await rows.filter({ hasText: ocrCase }).textContent()).toMatch(/読み取りの確認 ×\d+/);
    expect(await page.locator('.reason-counts').textContent()).toContain('申請書なし');
    await page.screenshot({ path: path.join(SHOTS, 'workbench-queue.png'), fullPage: true });

    // Keyboard: / to the search, a name in kana finds the photographed form's applicant.
    await page.keyboard.press('/');
    expect(await page.evaluate<string>('document.activeElement && document.activeElement.id')).toBe('q');
    await page.keyboard.type('けんてい');
    await page.keyboard.press('Enter');
    await page.waitForURL(/q=/);
    expect(await page.locator('table.queue .row-link').allTextContents()).toEqual([ocrCase]);

    await page.click('.tabs a[href="/queue/mails"]');
    await page.waitForURL(`${web.url}/queue/mails`);
    expect(await page.locator('table.list tbody').textContent()).toContain('自動送信メール');
    await page.screenshot({ path: path.join(SHOTS, 'workbench-mails.png'), fullPage: true });
  });

  it('the case page: a typed value refused, a value confirmed as read with Enter, another corrected, through confirmField', async () => {
    await page.goto(`${web.url}/queue`);
    await page.keyboard.press('j');
    const focused = await page.evaluate<string>('document.activeElement && document.activeElement.textContent');
    await page.goto(`${web.url}/cases/${ocrCase}`);
    expect(focused === ocrCase || focused === wordCase).toBe(true);
    const before = unconfirmedOf(ocrCase);
    expect(before.length).toBeGreaterThan(2);
    // The first value to confirm has the focus, beside the picture of its cell.
    const first = before[0]!;
    expect(await page.evaluate<string>('document.activeElement && document.activeElement.name')).toBe(`v:${first}`);
    const crop = page.locator('.confirm-row').first().locator('.crop img');
    expect(await crop.evaluate(loaded)).toBe(true);
    await page.screenshot({ path: path.join(SHOTS, 'workbench-case.png') });
    const focusedName = () => page.evaluate<string>('document.activeElement && document.activeElement.name');

    // A value that cannot be read as its type is refused with the reason, and stays to confirm. (Which values
    // OCR leaves to confirm changes as the reading improves: any typed one will do, the first included.)
    const typed = before.find((f) => f === 'postalCode' || /(?:hours|points|years|Years|On|Date|\.period)$/.test(f));
    expect(typed, `a postal code, a number or a date among the values to confirm: ${before.join(', ')}`).toBeTruthy();
    await page.locator(`input[name="v:${typed}"]`).fill('あいう');
    await page.locator(`input[name="v:${typed}"]`).press('Enter');
    await page.locator('.confirm-row.has-error .error').waitFor();
    expect(await page.locator('.confirm-row.has-error .error').textContent()).toContain(typed);
    expect(unconfirmedOf(ocrCase)).toEqual(before);
    expect(confirmations(ocrCase)).toEqual([]);
    await expect.poll(focusedName).toBe(`v:${typed}`);

    // The page again, as read: Enter confirms the first value.
    await page.goto(`${web.url}/cases/${ocrCase}`);
    await expect.poll(focusedName).toBe(`v:${first}`);
    await page.keyboard.press('Enter');
    await expect.poll(() => unconfirmedOf(ocrCase).length).toBe(before.length - 1);
    await page.locator('.flash').waitFor();
    expect(confirmations(ocrCase)).toEqual([{ actor: 'staff:hanako', field: first, corrected: false }]);
    expect(sourceOf(ocrCase, first).confirmedBy).toBe('staff:hanako');

    // A free-text value corrected: typed over the reading, Enter.
    const textual = ['address', 'companyKana', 'company', 'feeTransferName', 'certifier.name', 'certifier.organization'];
    const target = unconfirmedOf(ocrCase).find((f) => textual.includes(f))!;
    expect(target).toBeTruthy();
    const input = page.locator(`input[name="v:${target}"]`);
    await input.fill('訂正した値のテスト');
    await input.press('Enter');
    await expect.poll(() => unconfirmedOf(ocrCase).includes(target)).toBe(false);
    expect(confirmations(ocrCase).at(-1)).toEqual({ actor: 'staff:hanako', field: target, corrected: true });
    expect(sourceOf(ocrCase, target).text).toBe('訂正した値のテスト');
    // The page updated in place (htmx): once it has settled, the first value still to confirm has the focus.
    // (Polled: between htmx's swap and its settle the focus briefly sits on the input that took the old id.)
    const firstOnPage = () => page.locator('.confirm-row input[name^="v:"]').first().getAttribute('name');
    await expect.poll(async () => (await focusedName()) === (await firstOnPage())).toBe(true);
    expect(unconfirmedOf(ocrCase).map((f) => `v:${f}`)).toContain(await focusedName());
  });

  it('save-and-next (Ctrl+Enter) confirms every value shown and opens the next case of the queue', async () => {
    const left = unconfirmedOf(ocrCase);
    const done = confirmations(ocrCase).length;
    await page.keyboard.press('Control+Enter');
    await page.waitForURL((url) => url.pathname.startsWith('/cases/') && !url.pathname.endsWith(ocrCase));
    expect(page.url()).toBe(`${web.url}/cases/${wordCase}`);
    expect(unconfirmedOf(ocrCase)).toEqual([]);
    expect(confirmations(ocrCase).slice(done).map((c) => c.field)).toEqual(left);
    expect(await page.locator('.flash').textContent()).toContain(ocrCase);
    // Every confirmation is in the audit log too, with who and from where.
    const audited = db().prepare("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'field.confirm' AND case_number = ? AND login = 'hanako' AND address = '127.0.0.1'").get(ocrCase) as { n: number };
    expect(audited.n).toBe(confirmations(ocrCase).length);
  });

  it('attachments: a Word file shown as its text, a photo inline, downloads with a safe Content-Disposition', async () => {
    await page.goto(`${web.url}/cases/${wordCase}`);
    await page.screenshot({ path: path.join(SHOTS, 'workbench-case-word.png'), fullPage: true });
    const view = page.locator('a', { hasText: '表示' }).first();
    const href = (await view.getAttribute('href'))!;
    await page.goto(`${web.url}${href}`);
    expect(await page.locator('pre.doc-text').textContent()).not.toBe('');
    const download = await context.request.get(`${web.url}${href}/download`);
    expect(download.status()).toBe(200);
    expect(download.headers()['content-disposition']).toBe(`attachment; filename="___.docx"; filename*=UTF-8''${encodeURIComponent('申請書.docx')}`);
    expect(download.headers()['x-content-type-options']).toBe('nosniff');
    expect(download.headers()['content-type']).toBe('application/octet-stream');

    // A PDF opens in the browser's own viewer (inline), never as our page.
    await page.goto(`${web.url}/cases/${wordCase}`);
    const pdfHref = (await page.locator('tr', { hasText: '受講証明書.pdf' }).locator('a', { hasText: '表示' }).getAttribute('href'))!;
    const pdf = await context.request.get(`${web.url}${pdfHref}`);
    expect([pdf.status(), pdf.headers()['content-type'], pdf.headers()['content-disposition']?.split(';')[0]]).toEqual([200, 'application/pdf', 'inline']);
    expect((await pdf.body()).subarray(0, 5).toString()).toBe('%PDF-');
    expect((await page.goto(`${web.url}${pdfHref}`))!.status()).toBe(200);

    await page.goto(`${web.url}/cases/${ocrCase}`);
    const photo = page.locator('tr.preview img').first();
    await photo.scrollIntoViewIfNeeded();
    await expect.poll(() => photo.evaluate(loaded)).toBe(true); // loading="lazy": it loads once in view
    const inline = await context.request.get(`${web.url}${await photo.getAttribute('src')}`);
    expect(inline.headers()['content-disposition']).toMatch(/^inline; filename="[A-Za-z0-9._-]+"; filename\*=UTF-8''/);
    await page.screenshot({ path: path.join(SHOTS, 'workbench-case-confirmed.png') });
    const views = db().prepare("SELECT COUNT(*) AS n FROM audit_log WHERE action IN ('attachment.view', 'attachment.download') AND login = 'hanako'").get() as { n: number };
    expect(views.n).toBeGreaterThanOrEqual(3);
  });
});
