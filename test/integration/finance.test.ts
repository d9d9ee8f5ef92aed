// Finance's workbench functions on real files and a real database: the applicants of
// scripts/lib/statement-data.ts apply by mail, statements are imported by the CLI's own import (two threads),
// and finance's decisions go through the case transition: a payment set aside leaves the queue and its
// candidate cases lose its findings; a bulk transfer split across three cases, one link undone; the import
// report names why rows were duplicates; the reconciliation CSV opens in Excel (BOM, formula text neutralised).
import { afterEach, describe, expect, it } from 'vitest';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { form, harness, mail, PROOF, SAMPLES, type Harness } from '../support/harness.ts';
import { importStatement, type ImportPhase } from '../../src/app/import-statement-file.ts';
import { unlinkPayment, linkPayment } from '../../src/app/import-payments.ts';
import { dismissPayment, financeQueue, searchCases, splitPayment } from '../../src/app/finance-actions.ts';
import { reconciliationExport } from '../../src/app/finance-exports.ts';
import { importReport, importJob, retryWithEra, startImportJob, type ImportJob } from '../../src/app/finance-imports.ts';
import { runMatching } from '../../src/app/payment-matching.ts';
import { transaction } from '../../src/cases/db.ts';
import { APPLICANTS } from '../../scripts/lib/statement-data.ts';

const file = (f: string) => path.join(SAMPLES, 'statements', f);
let h: Harness | undefined;
afterEach(() => h?.close());

async function applicants(target: Harness): Promise<Map<string, string>> {
  const numbers = new Map<string, string>();
  for (const [i, a] of APPLICANTS.entries()) {
    const o = await target.process(await mail({ from: a.fill.email!, messageId: `fin-${i}-${process.pid}@example.jp`, attachments: [{ filename: '更新申請書.docx', content: form(a.fill) }, PROOF] }));
    numbers.set(a.id, o.cases[0]!.number!);
  }
  return numbers;
}

const paymentByName = (target: Harness, name: string) => target.app.db.prepare('SELECT * FROM payments WHERE transfer_name = ? ORDER BY id').get(name) as { id: number; status: string; hold: number; candidates_json: string | null };
const statusOf = (target: Harness, number: string) => target.app.cases.caseByNumber(number)!.status;
const paymentFindings = (target: Harness, number: string) => target.app.cases.currentFindings(target.app.cases.caseByNumber(number)!.id).filter((f) => f.code.startsWith('payment.')).map((f) => f.code);

describe('finance in the workbench: the app functions', () => {
  it('an import reports its phases and why its duplicates are duplicates; a job keeps the original file', async () => {
    h = harness();
    await applicants(h);
    const phases: ImportPhase[] = [];
    const ids: number[] = [];
    const first = await importStatement(h.app, readFileSync(file('payments.csv')), 'payments.csv', 'finance:keiri', { onPhase: (p) => phases.push(p), onImportId: (id) => ids.push(id) });
    expect(phases).toEqual(['parsing', 'matching', 'writing', 'cases']);
    expect(ids).toEqual([1]);
    const report = importReport(h.app, 1)!;
    expect(report.matched.map((m) => m.transferName)).toContain('0123ｺﾝﾀﾞｹﾝﾀﾛｳ');
    expect(report.matched.length + report.attention.length).toBe(first.new);

    // The MUFG statement overlaps it: its duplicates were stored by import 1.
    const mufg = await importStatement(h.app, readFileSync(file('mufg-nyushukkin.csv')), 'mufg-nyushukkin.csv', 'finance:keiri', { onImportId: (id) => ids.push(id) });
    expect(mufg.duplicate).toBeGreaterThan(0);
    expect(importReport(h.app, ids[1]!)!.overlaps.map((o) => o.importId)).toEqual([1]);

    // A re-upload through a job: nothing new, named as the same file as import 1, the bytes kept.
    const done = new Promise<ImportJob>((resolve) => {
      startImportJob(h!.app, { bytes: readFileSync(file('payments.csv')), fileName: 'again.csv', userId: 7, login: 'keiri' }, (job) => resolve(job));
    });
    const job = await done;
    expect(job.error).toBeNull();
    expect(importJob(job.id, 7)).toBe(job);
    expect(importJob(job.id, 8)).toBeUndefined();
    const again = importReport(h.app, job.importId!)!;
    expect(again.sameFileAs).toBe(1);
    expect(again.import.rows_new).toBe(0);
    expect(h.app.files.get(again.import.stored_path!)).toEqual(readFileSync(file('payments.csv')));

    // A rejected file: its reason in Japanese naming the line, nothing kept.
    const imports = h.app.payments.importList().length;
    const rejected = await new Promise<ImportJob>((resolve) => {
      startImportJob(h!.app, { bytes: readFileSync(file('invalid/mufg-bad-amount.csv')), fileName: 'bad.csv', userId: 7, login: 'keiri' }, (j) => resolve(j));
    });
    expect(rejected.phase).toBe('failed');
    expect(rejected.error).toMatch(/\d+行目/);
    expect(h.app.payments.importList().length).toBe(imports);
  });

  it('a Zengin file whose era cannot be decided waits for the era choice, then imports with it', async () => {
    h = harness();
    // Looking back 20 years, "080115" is both 令和8年 (2026) and 2008: the file cannot say which.
    h.app.rules.statements.zengin.lookbackYears = 20;
    const bytes = readFileSync(file('zengin-furikomi-nyukin-r08.txt'));
    const run = (start: (done: (job: ImportJob) => void) => ImportJob) => new Promise<ImportJob>((resolve) => { start(resolve); });
    const asked = await run((done) => startImportJob(h!.app, { bytes, fileName: 'r08.txt', userId: 1, login: 'keiri' }, (job) => done(job)));
    expect(asked.eraChoice).toBe(true);
    expect(asked.error).toMatch(/年を判別できません/);
    expect(asked.error).not.toMatch(/--era/);
    expect(h.app.payments.importList()).toEqual([]);
    const chosen = await run((done) => retryWithEra(h!.app, asked, 'wareki', 'keiri', (job) => done(job))!);
    expect(chosen.error).toBeNull();
    expect(h.app.payments.importById(chosen.importId!)!.rows_new).toBeGreaterThan(0);
    expect((h.app.db.prepare('SELECT MIN(paid_on) AS first FROM payments').get() as { first: string }).first).toMatch(/^2026-01/);
    // The bytes are dropped once used: the choice cannot be made twice.
    expect(retryWithEra(h.app, asked, 'seireki', 'keiri')).toBeNull();
  });

  it('set aside, accept short with a reason, split a bulk transfer and undo one link; the export', async () => {
    h = harness();
    const numbers = await applicants(h);
    await importStatement(h.app, readFileSync(file('mufg-nyushukkin.csv')), 'mufg-nyushukkin.csv', 'finance:keiri');
    await importStatement(h.app, readFileSync(file('payments.csv')), 'payments.csv', 'finance:keiri');
    const queue = financeQueue(h.app);
    expect(new Set(queue.map((p) => p.code))).toEqual(new Set(['payment.ambiguous', 'payment.amount-mismatch', 'payment.bulk', 'payment.duplicate', null]));

    // Not ours: the unrelated deposit leaves the queue for good.
    const unrelated = paymentByName(h, 'カ)サンプルシヨウジ');
    dismissPayment(h.app, unrelated.id, 'not-ours', '別事業の入金', 'keiri');
    expect(financeQueue(h.app).some((p) => p.id === unrelated.id)).toBe(false);
    transaction(h.app.db, () => runMatching(h!.app));
    expect(paymentByName(h, 'カ)サンプルシヨウジ').status).toBe('dismissed');
    expect(() => dismissPayment(h!.app, unrelated.id, 'refunded', 'again', 'keiri')).toThrow(/既に対象外/);
    expect(() => dismissPayment(h!.app, unrelated.id, 'refunded', '  ', 'keiri')).toThrow(/理由/);

    // A payment that questioned a case: set aside as refunded, the case loses the finding and moves on.
    const deducted = paymentByName(h, '0111コバヤシリヨウ');
    const kobayashi = numbers.get('kobayashi')!;
    expect(paymentFindings(h, kobayashi)).toEqual(['payment.amount-mismatch']);
    const r = dismissPayment(h.app, deducted.id, 'refunded', '全額返金済み', 'keiri');
    expect(r.cases.map((c) => c.case)).toEqual([kobayashi]);
    expect(paymentFindings(h, kobayashi)).toEqual([]);
    expect(statusOf(h, kobayashi)).toBe('awaiting-payment');
    const dismissed = h.app.cases.events(h.app.cases.caseByNumber(kobayashi)!.id).find((e) => e.type === 'payment.dismissed')!;
    expect(JSON.parse(dismissed.data_json!)).toMatchObject({ payment: deducted.id, kind: 'refunded', reason: '全額返金済み' });

    // The bulk transfer: the company's three employees, 11,000 each; more than the payment is refused.
    const bulk = paymentByName(h, 'カ)テストサポート');
    const employees = ['ito', 'nakamura', 'tanaka'].map((id) => numbers.get(id)!);
    expect(() => splitPayment(h!.app, bulk.id, employees.map((c) => ({ case: c, amount: 12000 })), 'keiri')).toThrow(/超えています/);
    expect(h.app.payments.linksForPayment(bulk.id)).toEqual([]);
    const split = splitPayment(h.app, bulk.id, employees.map((c) => ({ case: c, amount: 11000 })), 'keiri');
    expect(split.links.map((l) => l.case)).toEqual(employees);
    expect(employees.map((c) => statusOf(h!, c))).not.toContain('awaiting-payment');
    unlinkPayment(h.app, bulk.id, employees[1]!, 'keiri', { reason: '別の入金で支払い済み' });
    expect(h.app.payments.linksForPayment(bulk.id).map((l) => h!.app.cases.caseById(l.case_id)!.number).sort()).toEqual([employees[0], employees[2]].sort());
    expect(statusOf(h, employees[1]!)).toBe('awaiting-payment');

    // Accept a short amount with a reason: recorded on the case's event.
    const yoshida = numbers.get('yoshida')!;
    const short = paymentByName(h, '0789ﾖｼﾀﾞﾅｵｺ');
    linkPayment(h.app, short.id, yoshida, 'keiri', { accept: true, reason: '税抜きで振込、差額は免除' });
    const linked = h.app.cases.events(h.app.cases.caseByNumber(yoshida)!.id).filter((e) => e.type === 'payment.linked').map((e) => JSON.parse(e.data_json!));
    expect(linked.at(-1)).toMatchObject({ accepted: true, reason: '税抜きで振込、差額は免除' });
    expect(statusOf(h, yoshida)).not.toBe('awaiting-payment');

    expect(searchCases(h.app, 'よしだ').map((c) => c.number)).toEqual([yoshida]);

    // The export: BOM, one line per link, the set-aside payments, formula-looking text neutralised.
    const csv = reconciliationExport(h.app, { from: '2026-01-01', to: '2026-01-31' }).bytes.toString('utf8');
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    const rows = parse(csv, { bom: true, columns: true }) as Record<string, string>[];
    const bulkRows = rows.filter((x) => x['入金ID'] === String(bulk.id));
    expect(bulkRows.map((x) => [x['受付番号'], x['割当額'], x['消込状態']])).toEqual([employees[0]!, employees[2]!].sort().map((c) => [c, '11000', '分割消込']));
    expect(rows.find((x) => x['入金ID'] === String(unrelated.id))).toMatchObject({ '消込状態': '対象外', '対象外の理由': '別事業の入金' });
    expect(rows.find((x) => x['入金ID'] === String(short.id))).toMatchObject({ '受付番号': yoshida, '満額扱い': '満額扱い' });
  });

  it('a transfer name that looks like a formula is exported as text', async () => {
    h = harness();
    const bytes = Buffer.from('date,amount,transfer_name\n2026-01-15,11000,=1+2\n2026-01-16,500,@SUM(A1)\n2026-01-17,700,+81ｺﾝﾀﾞ\n');
    await importStatement(h.app, bytes, 'odd.csv', 'finance:keiri');
    const rows = parse(reconciliationExport(h.app, { from: '2026-01-01', to: '2026-01-31' }).bytes, { bom: true, columns: true }) as Record<string, string>[];
    expect(rows.map((x) => x['振込名義'])).toEqual(["'=1+2", "'@SUM(A1)", "'+81ｺﾝﾀﾞ"]);
  });
});
