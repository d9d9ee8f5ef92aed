// Finance's side of the cases and its exports, in Debian's Chromium against the real server and a real SQLite
// file: applicants who applied by mail (scripts/lib/statement-data.ts, and three more whose names and
// company test the encodings: 髙﨑, ㈱ — in CP932 — and 𠮷, which CP932 lacks), statements imported by the
// CLI's own import (the MUFG sample with the company's bulk transfer, and a simple CSV whose transfer names
// start like formulas), reminders sent by the reminder job. The awaiting-payment list (sorted, filtered,
// moved through by keyboard), a case's payment history (finance's page and the staff's case page), a split
// undone as a whole, the exports downloaded and read back with csv-parse, and the role rules.
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Download, Page } from 'playwright-core';
import { parse } from 'csv-parse/sync';
import iconv from 'iconv-lite';
import { closeApp } from '../../src/app/context.ts';
import { importStatement } from '../../src/app/import-statement-file.ts';
import { sendPaymentReminders } from '../../src/app/payment-reminders.ts';
import { encodeCp932, neutralise } from '../../src/app/finance-exports.ts';
import { harness, SAMPLES } from '../support/harness.ts';
import { APPLICANTS } from '../../scripts/lib/statement-data.ts';
import { browserTestsCheck, newContext } from './support/browser.ts';
import { applyByMail, openFinanceWorkbench, type FinanceWorkbench } from './support/finance.ts';
import { openDb, type WebProcess } from './support/workbench.ts';

vi.setConfig({ testTimeout: 180_000 });

const missing = browserTestsCheck('the finance export browser tests');
const PASSWORD = 'finance-pass-0002';
const DAY = 86_400_000;

/** Applicants beyond the samples: names CP932 has only in its vendor rows (髙, 﨑, ㈱) and one it lacks (𠮷). */
const EXTRA = [
  { id: 'takasaki', fill: { name: '髙﨑 花子', nameKana: 'たかさき はなこ', certificationNumber: 'OMP-2023-0610', feeTransferName: '0610タカサキハナコ', email: 'takasaki@example.jp', company: '㈱髙﨑商事', companyKana: 'かぶしきがいしゃたかさきしょうじ' } },
  { id: 'tsuchiyoshi', fill: { name: '𠮷田 太郎', nameKana: 'よしだ たろう', certificationNumber: 'OMP-2023-0620', feeTransferName: '0620ヨシダタロウ', email: 'yoshida.t@example.jp' } },
];

/** A simple CSV statement whose transfer names start as Excel formulas would (the parser keeps them as text). */
const FORMULAS = ['=1+2', '+81ｱｲｳ', '-ｶｷｸ', '@SUM(A1)'];
/** A company name with CP932's vendor characters, as the bank's CSV may carry it (the statement parser keeps ㈱). */
const COMPANY = '㈱髙﨑商事';
const formulaStatement = Buffer.from(`date,amount,transfer_name\n${[...FORMULAS, COMPANY].map((n, i) => `2026-01-2${i},${1000 + i},"${n}"`).join('\n')}\n`);

describe('the CSV writer’s safeguards (no browser)', () => {
  it('neutralises every formula start, tab and CR included, and nothing else', () => {
    for (const v of ['=1+2', '+81', '-5', '@SUM(A1)', '\tx', '\rx']) expect(neutralise(v)).toBe(`'${v}`);
    for (const v of ['山田', '0123ｺﾝﾀﾞ', "'quoted", ' =x']) expect(neutralise(v)).toBe(v);
  });

  it('CP932: vendor characters kept, variants mapped, missing characters become 〓 and are counted', () => {
    const r = encodeCp932('髙﨑㈱,〜,−,𠮷田,😀');
    expect(iconv.decode(r.bytes, 'cp932')).toBe('髙﨑㈱,～,－,〓田,〓');
    expect(r.replaced).toBe(2);
    expect(r.replacedChars.sort()).toEqual(['😀', '𠮷'].sort());
  });
});

describe.skipIf(!!missing)('finance: awaiting payment, payment history, undo a split, exports (Chromium)', () => {
  let dir: string;
  let wb: FinanceWorkbench | undefined;
  let web: WebProcess;
  let page: Page;
  let login: FinanceWorkbench['login'];
  let numbers = new Map<string, string>();

  beforeAll(async () => {
    const h = harness();
    dir = h.dir;
    numbers = await applyByMail(h, [...APPLICANTS, ...EXTRA], 'web-finx');
    await importStatement(h.app, readFileSync(path.join(SAMPLES, 'statements', 'mufg-nyushukkin.csv')), 'mufg-nyushukkin.csv', 'cli');
    await importStatement(h.app, formulaStatement, 'formulas.csv', 'cli');
    // The reminder job, run as if 40 days had passed: the cases still waiting get one reminder each.
    sendPaymentReminders(h.app, new Date(Date.now() + 40 * DAY));
    closeApp(h.app);
    wb = await openFinanceWorkbench(dir, PASSWORD);
    ({ web, page, login } = wb);
    await login(page, 'keiri');
  }, 300_000);

  afterAll(async () => {
    await wb?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const db = () => openDb(dir);
  const awaiting = () => (db().prepare("SELECT number FROM cases WHERE status IN ('awaiting-payment', 'payment-review') ORDER BY number").all() as { number: string }[]).map((r) => r.number);
  const statusOf = (n: string) => (db().prepare('SELECT status FROM cases WHERE number = ?').get(n) as { status: string }).status;
  const linksOf = (id: number) => (db().prepare('SELECT c.number, l.amount FROM payment_links l JOIN cases c ON c.id = l.case_id WHERE l.payment_id = ? ORDER BY c.number').all(id) as { number: string; amount: number }[]).map((r) => [r.number, r.amount]);
  const audit = (action: string) => (db().prepare('SELECT login, target, detail_json FROM audit_log WHERE action = ? ORDER BY id').all(action) as { login: string; target: string | null; detail_json: string }[]).map((r) => ({ ...r }));

  async function download(p: Page, click: () => Promise<unknown>): Promise<{ bytes: Buffer; file: Download }> {
    const [file] = await Promise.all([p.waitForEvent('download'), click()]);
    return { bytes: readFileSync((await file.path())!), file };
  }

  it('the awaiting-payment list: every waiting case with its fee, since when and its reminders; sorted, filtered, moved through by keyboard', async () => {
    const expected = awaiting();
    expect(expected.length).toBeGreaterThan(5);
    expect(expected).toContain(numbers.get('takasaki'));
    await page.click('.tabs a[href="/finance/awaiting"]');
    await page.waitForURL(`${web.url}/finance/awaiting`);
    const listed = async () => page.locator('table.awaiting tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-case')!));
    expect([...(await listed())].sort()).toEqual(expected);

    const row = page.locator(`table.awaiting tr[data-case="${numbers.get('takasaki')}"]`);
    expect(await row.textContent()).toMatch(/髙﨑 花子[\s\S]*更新申請[\s\S]*円/);
    const reminders = db().prepare("SELECT COUNT(*) AS n, MAX(o.created_at) AS last FROM outbox o JOIN cases c ON c.id = o.case_id WHERE c.number = ? AND o.kind = 'payment-reminder'").get(numbers.get('takasaki')!) as { n: number; last: string };
    expect(reminders.n).toBe(1);
    expect(await row.locator('[data-reminders]').getAttribute('data-reminders')).toBe('1');

    // Sorted by number, descending (the header's link, twice), then filtered by a name in hiragana.
    await page.click('th a[data-sort="number"]');
    await page.waitForURL(/sort=number/);
    await page.click('th a[data-sort="number"]');
    await page.waitForURL(/dir=desc/);
    expect(await listed()).toEqual([...expected].sort().reverse());
    expect(await page.locator('th[aria-sort="descending"]').textContent()).toContain('受付番号');
    await page.fill('#aw-q', 'たかさき');
    await page.press('#aw-q', 'Enter');
    await page.waitForURL(/q=/);
    expect(await listed()).toEqual([numbers.get('takasaki')]);

    // j selects the first row, Enter opens its payment history.
    await page.goto(`${web.url}/finance/awaiting?sort=number`);
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('j');
    await page.keyboard.press('j');
    expect(await page.evaluate<string | null>("document.activeElement && document.activeElement.closest('tr') && document.activeElement.closest('tr').getAttribute('data-case')")).toBe([...expected].sort()[1]);
    await page.keyboard.press('Enter');
    await page.waitForURL(`${web.url}/finance/cases/${[...expected].sort()[1]}`);
    expect(await page.locator('table.case-payment-history').textContent()).toContain('入金の督促');
  });

  it('a split across three employees undone as a whole: every link gone, each case back to awaiting payment, audited; the history shows it on both sides', async () => {
    const bulk = (db().prepare("SELECT id FROM payments WHERE transfer_name LIKE '%テストサポート%' OR transfer_name LIKE '%ﾃｽﾄｻﾎﾟｰﾄ%'").get() as { id: number }).id;
    const employees = ['ito', 'nakamura', 'tanaka'].map((id) => numbers.get(id)!).sort();
    await page.goto(`${web.url}/finance/payments/${bulk}`);
    for (const c of employees) await page.check(`#pick-${c}`);
    await page.click('#split-form button[type="submit"]');
    await page.locator('.flash[role="status"]').waitFor();
    expect(linksOf(bulk)).toEqual(employees.map((c) => [c, 11000]));
    for (const c of employees) expect(statusOf(c)).not.toBe('awaiting-payment');

    await page.fill('#unsplit-reason', '振り分け先の確認中');
    await page.click('#unsplit-form button[type="submit"]');
    await page.locator('.flash[role="status"]').waitFor();
    expect(await page.locator('.flash[role="status"]').textContent()).toContain('3件）をすべて取り消しました');
    expect(linksOf(bulk)).toEqual([]);
    for (const c of employees) expect(statusOf(c)).toBe('awaiting-payment');
    expect((db().prepare('SELECT hold FROM payments WHERE id = ?').get(bulk) as { hold: number }).hold).toBe(1);
    expect(audit('finance.split.undo')).toEqual([expect.objectContaining({ login: 'keiri', target: `payment:${bulk}` })]);
    const unlinked = db().prepare(`SELECT c.number FROM events e JOIN cases c ON c.id = e.case_id WHERE e.type = 'payment.unlinked' AND json_extract(e.data_json, '$.payment') = ? ORDER BY c.number`).all(bulk) as { number: string }[];
    expect(unlinked.map((r) => r.number)).toEqual(employees);
    // Nothing to undo as a whole any more.
    expect(await page.locator('#unsplit-form').count()).toBe(0);

    // Finance's page of one of the cases: linked then unlinked, by whom, with the payment.
    await page.goto(`${web.url}/finance/cases/${employees[0]}`);
    const history = await page.locator('table.case-payment-history tbody tr').allTextContents();
    expect(history.some((h) => h.includes('入金の消込') && h.includes(`入金ID ${bulk}`) && h.includes('一括振込の振り分け') && h.includes('finance:keiri'))).toBe(true);
    expect(history.some((h) => h.includes('消込の取り消し') && h.includes('振り分け先の確認中') && h.includes('finance:keiri'))).toBe(true);

    // The staff's case page loads the same history into its own section.
    const staff = await newContext(wb!.browser);
    const p = await staff.newPage();
    await login(p, 'hanako');
    await p.goto(`${web.url}/cases/${employees[0]}`);
    const section = p.locator('#payment-history table.case-payment-history');
    await section.waitFor();
    expect(await section.textContent()).toContain('消込の取り消し');
    await staff.close();
  });

  it('exports: UTF-8 with BOM and CP932 read back with csv-parse; formulas neutralised; a character CP932 lacks replaced and counted', async () => {
    await page.goto(`${web.url}/finance/export`);
    await page.check('input[name="what"][value="period"]');
    await page.fill('#from', '2026-01-01');
    await page.fill('#to', '2026-02-28');
    const utf8 = await download(page, () => page.click('#export-form button[type="submit"]'));
    expect(utf8.file.suggestedFilename()).toMatch(/\.csv$/);
    expect([...utf8.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = parse(utf8.bytes, { bom: true, columns: true }) as Record<string, string>[];
    // Formula-like transfer names: a leading apostrophe, quoted in the file, text in Excel.
    for (const name of FORMULAS) expect(rows.find((r) => r['振込名義'] === `'${name}`)).toBeTruthy();
    for (const name of FORMULAS) expect(utf8.bytes.toString('utf8')).toContain(`"'${name}"`);
    expect(rows.every((r) => !/^[=+\-@]/.test(r['振込名義']!))).toBe(true);
    expect(new Set(rows.map((r) => r['消込状態']))).toEqual(new Set(['消込済み', '未消込']));

    // One import, only the unlinked payments, in CP932.
    const formulasImport = (db().prepare("SELECT id FROM payment_imports WHERE file_name = 'formulas.csv'").get() as { id: number }).id;
    await page.goto(`${web.url}/finance/export`);
    await page.check('input[name="what"][value="import"]');
    await page.selectOption('#import', String(formulasImport));
    await page.check('input[name="state"][value="unlinked"]');
    await page.check('input[name="encoding"][value="cp932"]');
    const sjis = await download(page, () => page.click('#export-form button[type="submit"]'));
    expect([...sjis.bytes.subarray(0, 3)]).not.toEqual([0xef, 0xbb, 0xbf]);
    const imported = parse(iconv.decode(sjis.bytes, 'cp932'), { columns: true }) as Record<string, string>[];
    expect(imported.map((r) => r['振込名義'])).toEqual([...FORMULAS.map((n) => `'${n}`), COMPANY]);
    expect(imported.every((r) => r['取込ID'] === String(formulasImport) && r['消込状態'] === '未消込')).toBe(true);

    // The awaiting-payment list in CP932: 髙﨑 decoded right (the form reader folds the applicant's ㈱ to (株));
    // 𠮷 (not in CP932) written as 〓, and counted.
    await page.goto(`${web.url}/finance/awaiting`);
    await page.selectOption('#aw-encoding', 'cp932');
    const list = await download(page, () => page.click('#awaiting-export'));
    const waiting = parse(iconv.decode(list.bytes, 'cp932'), { columns: true }) as Record<string, string>[];
    expect(waiting.map((r) => r['受付番号']).sort()).toEqual(awaiting());
    expect(waiting.find((r) => r['受付番号'] === numbers.get('takasaki'))).toMatchObject({ '氏名': '髙﨑 花子', '勤務先': '(株)髙﨑商事', '督促の回数': '1' });
    expect(waiting.find((r) => r['受付番号'] === numbers.get('tsuchiyoshi'))).toMatchObject({ '氏名': '〓田 太郎' });
    const exports = audit('finance.export');
    expect(exports).toHaveLength(3);
    expect(JSON.parse(exports[2]!.detail_json)).toMatchObject({ what: 'awaiting', encoding: 'cp932', replaced: 1 });
    expect(exports[2]!.detail_json).not.toContain('𠮷');
    // The same list in UTF-8 keeps 𠮷.
    await page.selectOption('#aw-encoding', 'utf-8');
    const list8 = await download(page, () => page.click('#awaiting-export'));
    expect((parse(list8.bytes, { bom: true, columns: true }) as Record<string, string>[]).find((r) => r['受付番号'] === numbers.get('tsuchiyoshi'))).toMatchObject({ '氏名': '𠮷田 太郎' });
  });

  it('roles: staff may view the lists, the history and the exports; only finance may undo a split', async () => {
    const staff = await newContext(wb!.browser);
    const p = await staff.newPage();
    await login(p, 'hanako');
    await p.goto(`${web.url}/finance/awaiting`);
    expect(await p.locator('table.awaiting tbody tr').count()).toBe(awaiting().length);
    await p.goto(`${web.url}/finance/cases/${numbers.get('ito')}`);
    expect(await p.locator('table.case-payment-history').count()).toBe(1);
    const csv = await p.request.get(`${web.url}/finance/export?what=awaiting`);
    expect(csv.status()).toBe(200);

    // A payment with two links (made by finance through the CLI's own link), then staff's attempt to undo it.
    const bulk = (db().prepare("SELECT id FROM payments WHERE transfer_name LIKE '%テストサポート%' OR transfer_name LIKE '%ﾃｽﾄｻﾎﾟｰﾄ%'").get() as { id: number }).id;
    await page.goto(`${web.url}/finance/payments/${bulk}`);
    for (const c of ['ito', 'tanaka']) await page.check(`#pick-${numbers.get(c)}`);
    await page.click('#split-form button[type="submit"]');
    await page.locator('.flash[role="status"]').waitFor();
    expect(linksOf(bulk)).toHaveLength(2);
    await p.goto(`${web.url}/finance/payments/${bulk}`);
    expect(await p.locator('#unsplit-form').count()).toBe(0);
    const token = JSON.parse((await p.locator('body').getAttribute('hx-headers'))!)['x-csrf-token'] as string;
    const refused = await p.request.post(`${web.url}/finance/payments/${bulk}/unsplit`, { form: { _csrf: token } });
    expect(refused.status()).toBe(403);
    expect(linksOf(bulk)).toHaveLength(2);
    await staff.close();
  });
});
