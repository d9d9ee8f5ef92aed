// Finance's work in Debian's Chromium, against the real server and a real SQLite file whose applicants applied
// by mail (scripts/lib/statement-data.ts): statements uploaded (chosen, and dropped on the page), a rejected
// one with its line and reason, the queue worked (the top candidate linked by key, a short amount accepted
// with a reason, a deposit set aside as not ours, a link undone), a company's transfer split across three
// employees and one of them undone, the reconciliation exported and read back with a CSV parser; staff may
// look but not change. The database and the audit log are the proof.
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Page } from 'playwright-core';
import { parse } from 'csv-parse/sync';
import { closeApp } from '../../src/app/context.ts';
import { harness, SAMPLES } from '../support/harness.ts';
import { APPLICANTS } from '../../scripts/lib/statement-data.ts';
import { browserTestsCheck, newContext } from './support/browser.ts';
import { applyByMail, openFinanceWorkbench, type FinanceWorkbench } from './support/finance.ts';
import { openDb, type WebProcess } from './support/workbench.ts';

vi.setConfig({ testTimeout: 180_000 });

const missing = browserTestsCheck('the finance browser tests');

const PASSWORD = 'finance-pass-0001';
const statement = (f: string) => path.join(SAMPLES, 'statements', f);

describe.skipIf(!!missing)('finance in the browser (Chromium)', () => {
  let dir: string;
  let wb: FinanceWorkbench | undefined;
  let web: WebProcess;
  let page: Page;
  let login: FinanceWorkbench['login'];
  let numbers = new Map<string, string>();

  beforeAll(async () => {
    const h = harness();
    dir = h.dir;
    numbers = await applyByMail(h, APPLICANTS, 'web-fin');
    closeApp(h.app);
    wb = await openFinanceWorkbench(dir, PASSWORD);
    ({ web, page, login } = wb);
  }, 300_000);

  afterAll(async () => {
    await wb?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const db = () => openDb(dir);
  const paymentId = (name: string) => (db().prepare('SELECT id FROM payments WHERE transfer_name = ? ORDER BY id').get(name) as { id: number }).id;
  const linksOf = (id: number) => (db().prepare('SELECT c.number, l.amount, l.accepted, l.linked_by FROM payment_links l JOIN cases c ON c.id = l.case_id WHERE l.payment_id = ? ORDER BY c.number').all(id) as { number: string; amount: number; accepted: number; linked_by: string }[]).map((r) => ({ ...r }));
  const audit = (action: string) => (db().prepare('SELECT login, case_number, target, detail_json FROM audit_log WHERE action = ? ORDER BY id').all(action) as { login: string; case_number: string | null; target: string | null; detail_json: string | null }[]).map((r) => ({ ...r }));
  const imports = () => (db().prepare('SELECT COUNT(*) AS n FROM payment_imports').get() as { n: number }).n;

  it('uploads: chosen and dropped files imported with their counts and why rows are duplicates; a rejected file names its line; the original downloadable', async () => {
    await login(page, 'keiri');
    expect(page.url()).toBe(`${web.url}/finance/queue`);
    await page.click('.tabs a[href="/finance/imports"]');
    await page.waitForURL(`${web.url}/finance/imports`);

    // Chosen: the upload starts at once; the job's panel polls until the import is done.
    await page.setInputFiles('#statements', statement('payments.csv'));
    const first = page.locator('.job[data-file="payments.csv"]');
    await first.locator('.import-counts').waitFor();
    expect(await first.locator('[data-count="rows"]').textContent()).toContain('6件');
    expect(await first.locator('[data-count="new"]').textContent()).toBe('6件');
    expect(await first.locator('[data-count="matched"]').textContent()).toMatch(/[1-9]件/);

    // A rejected file: the line and the reason in Japanese, nothing of it kept.
    await page.setInputFiles('#statements', statement('invalid/mufg-bad-amount.csv'));
    const bad = page.locator('.job[data-file="mufg-bad-amount.csv"] .error');
    await bad.waitFor();
    expect(await bad.textContent()).toMatch(/1件も登録していません[\s\S]*\d+行目/);
    expect(imports()).toBe(1);

    // Dropped on the page: the MUFG statement overlaps the first upload.
    const bytes = readFileSync(statement('mufg-nyushukkin.csv')).toString('base64');
    // (Run in the page: a file dropped as a user's drag from the desktop delivers it.)
    await page.evaluate(`(() => {
      const raw = Uint8Array.from(atob(${JSON.stringify(bytes)}), (c) => c.charCodeAt(0));
      const transfer = new DataTransfer();
      transfer.items.add(new File([raw], 'mufg-nyushukkin.csv', { type: 'text/csv' }));
      document.getElementById('dropzone').dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    })()`);
    const dropped = page.locator('.job[data-file="mufg-nyushukkin.csv"]');
    await dropped.locator('.import-counts').waitFor();
    expect(await dropped.locator('[data-count="duplicate"]').textContent()).toMatch(/期間の重なる取込で登録済み：取込 #1/);

    // The imports list: who, file, format, encoding, counts; the original file as uploaded.
    await page.goto(`${web.url}/finance/imports`);
    const rows = page.locator('table.imports tbody tr');
    expect(await rows.count()).toBe(2);
    expect(await rows.nth(0).textContent()).toMatch(/mufg-nyushukkin\.csv[\s\S]*三菱UFJ銀行 CSV[\s\S]*Shift_JIS|mufg-nyushukkin\.csv[\s\S]*三菱UFJ銀行 CSV[\s\S]*(cp932|CP932|shift)/i);
    expect(await rows.nth(1).textContent()).toContain('keiri');
    const download = await page.request.get(`${web.url}${await rows.nth(0).locator('a[download]').getAttribute('href')}`);
    expect(Buffer.from(await download.body())).toEqual(readFileSync(statement('mufg-nyushukkin.csv')));
    expect(audit('finance.upload').map((a) => a.login)).toEqual(['keiri', 'keiri']);
    expect(audit('finance.upload.rejected')).toHaveLength(1);

    // The result page of an import: matched (with the cases moved on) and those needing attention.
    await page.goto(`${web.url}/finance/imports/1`);
    expect(await page.locator('table.matched').textContent()).toContain(numbers.get('konda')!);
    expect(await page.locator('table.attention tbody tr').count()).toBeGreaterThan(0);
  });

  it('the queue: the top candidate linked with l, the next payment focused; a short amount accepted with a reason; a deposit set aside; a link undone', async () => {
    await page.goto(`${web.url}/finance/queue`);
    // A payment the machine would not decide (a duplicate, a near name): its top candidate linked with one key.
    const waiting = await page.locator('table.finance-queue > tbody > tr[data-payment]').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-payment'))));
    expect(waiting.length).toBeGreaterThan(4);
    const withCandidates = await page.locator('table.finance-queue > tbody > tr[data-payment]:has(button[data-link-top])').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-payment'))));
    const later = [paymentId('0789ﾖｼﾀﾞﾅｵｺ'), paymentId('カ)テストサポート')];
    const target = withCandidates.find((id) => !later.includes(id) && id !== waiting.at(-1))!;
    expect(target).toBeTruthy();
    const row = page.locator(`#payment-${target}`);
    const top = (await row.locator('button[data-link-top]').locator('xpath=..').locator('input[name="case"]').getAttribute('value'))!;
    await row.locator('.row-link').focus();
    await page.keyboard.press('l');
    await page.locator(`#payment-${target}.done`).waitFor();
    expect(await page.locator(`#payment-${target}`).textContent()).toContain(`${top} に紐付けました`);
    expect(linksOf(target)).toEqual([{ number: top, amount: expect.any(Number), accepted: 0, linked_by: 'finance:keiri' }]);
    const focused = await page.evaluate<string | null>("document.activeElement && document.activeElement.closest('tr') && document.activeElement.closest('tr').getAttribute('data-payment')");
    expect(Number(focused)).toBe(waiting[waiting.indexOf(target) + 1]);
    expect(audit('finance.link').at(-1)).toMatchObject({ login: 'keiri', case_number: top, target: `payment:${target}` });

    // A short amount (10,000 without tax) accepted as the full fee, with a reason on the case's event.
    const short = paymentId('0789ﾖｼﾀﾞﾅｵｺ');
    const yoshida = numbers.get('yoshida')!;
    await page.goto(`${web.url}/finance/payments/${short}`);
    const candidate = page.locator(`table.candidates-full tr[data-case="${yoshida}"]`);
    await candidate.locator('input[name="reason"]').fill('税抜き額での振込。差額は免除');
    await candidate.locator('.accept-short button').click();
    await page.locator('.flash[role="status"]').waitFor();
    expect(await page.locator('.flash[role="status"]').textContent()).toContain('満額として受付');
    expect(linksOf(short)).toEqual([{ number: yoshida, amount: 10000, accepted: 1, linked_by: 'finance:keiri' }]);
    const event = db().prepare(`SELECT e.data_json FROM events e JOIN cases c ON c.id = e.case_id WHERE c.number = ? AND e.type = 'payment.linked' ORDER BY e.id DESC`).get(yoshida) as { data_json: string };
    const data = JSON.parse(event.data_json) as { accepted: boolean; 'reason#': number };
    expect(data.accepted).toBe(true);
    expect(db().prepare('SELECT text FROM case_texts WHERE id = ?').get(data['reason#'])).toEqual({ text: '税抜き額での振込。差額は免除' });
    expect((db().prepare('SELECT status FROM cases WHERE number = ?').get(yoshida) as { status: string }).status).not.toBe('awaiting-payment');

    // An unrelated deposit set aside as not ours: it leaves the queue.
    const unrelated = paymentId('ｶ)ｻﾝﾌﾟﾙｼﾖｳｼﾞ');
    await page.goto(`${web.url}/finance/payments/${unrelated}`);
    await page.fill('#dismiss-reason', '物販の売上入金');
    await page.click('form[action$="/dismiss"] button[type="submit"]');
    await page.locator('.flash[role="status"]').waitFor();
    expect(await page.locator('.flash[role="status"]').textContent()).toContain('対象外にしました');
    expect(db().prepare('SELECT kind, reason, dismissed_by FROM payment_dismissals WHERE payment_id = ?').get(unrelated)).toEqual({ kind: 'not-ours', reason: '物販の売上入金', dismissed_by: 'finance:keiri' });

    // The link made with l undone: the payment waits again and is never linked automatically to that case.
    await page.goto(`${web.url}/finance/payments/${target}`);
    await page.locator(`tr[data-link="${top}"] button`).click();
    await page.locator('.flash[role="status"]').waitFor();
    expect(linksOf(target)).toEqual([]);
    expect((db().prepare('SELECT hold FROM payments WHERE id = ?').get(target) as { hold: number }).hold).toBe(1);

    await page.goto(`${web.url}/finance/queue`);
    const ids = await page.locator('table.finance-queue > tbody > tr[data-payment]').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-payment'))));
    expect(ids).toContain(target);
    expect(ids).not.toContain(unrelated);
    expect(ids).not.toContain(short);
    expect(audit('finance.dismiss')).toHaveLength(1);
    expect(audit('finance.unlink')).toHaveLength(1);
  });

  it('a company transfer split across its three employees (11,000 each by default), one link undone without the others; the export read back', async () => {
    const bulk = paymentId('カ)テストサポート');
    const employees = ['ito', 'nakamura', 'tanaka'].map((id) => numbers.get(id)!).sort();
    await page.goto(`${web.url}/finance/payments/${bulk}`);
    // Too much is refused with the reason, nothing linked.
    for (const c of employees) await page.check(`#pick-${c}`);
    await page.fill(`#amount-${employees[0]}`, '12000');
    expect(await page.locator('#split-sum').textContent()).toBe('34,000');
    await page.click('#split-form button[type="submit"]');
    await page.locator('.error').waitFor();
    expect(await page.locator('.error').textContent()).toContain('超えています');
    expect(linksOf(bulk)).toEqual([]);

    for (const c of employees) await page.check(`#pick-${c}`);
    expect(await page.inputValue(`#amount-${employees[0]}`)).toBe('11000');
    await page.click('#split-form button[type="submit"]');
    await page.locator('.flash[role="status"]').waitFor();
    expect(await page.locator('.flash[role="status"]').textContent()).toContain('3件の案件に振り分けました');
    expect(linksOf(bulk).map((l) => [l.number, l.amount])).toEqual(employees.map((c) => [c, 11000]));

    await page.locator(`tr[data-link="${employees[1]}"] input[name="reason"]`).fill('本人が個別に振込済み');
    await page.locator(`tr[data-link="${employees[1]}"] button`).click();
    await page.locator('.flash[role="status"]').waitFor();
    expect(linksOf(bulk).map((l) => l.number)).toEqual([employees[0], employees[2]]);
    // The payment's history: the three links and the one undone, each with its case and who did it.
    const history = await page.locator('table.history tbody tr').allTextContents();
    expect(history.filter((h) => h.includes('入金の消込') && h.includes('finance:keiri'))).toHaveLength(3);
    expect(history.filter((h) => h.includes('消込の取り消し') && h.includes(employees[1]!))).toHaveLength(1);
    expect(audit('finance.split')).toHaveLength(1);

    // The export: UTF-8 with BOM, one line per link, read back with a CSV parser.
    await page.goto(`${web.url}/finance/export`);
    await page.check('input[name="what"][value="period"]');
    await page.fill('#from', '2026-01-01');
    await page.fill('#to', '2026-02-28');
    const [file] = await Promise.all([page.waitForEvent('download'), page.click('#export-form button[type="submit"]')]);
    const csv = readFileSync((await file.path())!);
    expect([...csv.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = parse(csv, { bom: true, columns: true }) as Record<string, string>[];
    expect(rows.filter((r) => r['入金ID'] === String(bulk)).map((r) => [r['受付番号'], r['割当額'], r['消込状態']])).toEqual([[employees[0], '11000', '分割消込'], [employees[2], '11000', '分割消込']]);
    expect(rows.find((r) => r['振込名義'] === 'ｶ)ｻﾝﾌﾟﾙｼﾖｳｼﾞ')).toMatchObject({ '消込状態': '対象外', '対象外の理由': '物販の売上入金' });
    expect(audit('finance.export')).toHaveLength(1);
  });

  it('staff may look at the queue but not change it', async () => {
    const staff = await newContext(wb!.browser);
    const p = await staff.newPage();
    await login(p, 'hanako');
    await p.goto(`${web.url}/finance/queue`);
    expect(await p.locator('h1').textContent()).toContain('消込待ちの入金');
    expect(await p.locator('button[data-link-top]').count()).toBe(0);
    const token = JSON.parse((await p.locator('body').getAttribute('hx-headers'))!)['x-csrf-token'] as string;
    const id = Number(await p.locator('tr[data-payment]').first().getAttribute('data-payment'));
    const before = linksOf(id);
    const refused = await p.request.post(`${web.url}/finance/payments/${id}/link`, { form: { _csrf: token, case: numbers.get('konda')! } });
    expect(refused.status()).toBe(403);
    expect(linksOf(id)).toEqual(before);
    await staff.close();
  });
});
