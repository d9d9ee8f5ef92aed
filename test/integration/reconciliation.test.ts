// Reconciliation on real files and a real database: the applicants of scripts/lib/statement-data.ts apply
// by mail (real .docx forms), finance imports the sample statements in every format, and each tricky
// transfer must end where SPEC §5 says — no automatic match wrong, nothing counted twice, whatever the
// order; then finance's CLI commands (--json) settle what the machine could not.
import { afterEach, describe, expect, it } from 'vitest';
import path from 'node:path';
import { dataEnv, form, harness, mail, PROOF, ROOT, SAMPLES, type Harness } from '../support/harness.ts';
import { conken } from '../support/cli.ts';
import { readFileSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { importPaymentsFile, runMatching } from '../../src/app/import-payments.ts';
import { importStatement } from '../../src/app/import-statement-file.ts';
import { keyCredits, selectNewRows } from '../../src/payments/new-payments.ts';
import { transaction } from '../../src/cases/db.ts';
import { fingerprintOf } from '../../src/app/import-payments.ts';
import { sendPaymentReminders } from '../../src/app/payment-reminders.ts';
import { APPLICANTS, TRANSFERS } from '../../scripts/lib/statement-data.ts';

const STATEMENTS = ['zengin-furikomi-nyukin-r08.txt', 'zengin-nyushukkin-2026.dat', 'mufg-nyushukkin.csv', 'rakuten-nyushukkin.csv', 'generic-shinkin-web.csv'];
const file = (f: string) => path.join(SAMPLES, 'statements', f);

let h: Harness | undefined;
afterEach(() => h?.close());

/** Every applicant's case, opened by a real mail; applicant id → case number. */
async function applicants(target: Harness): Promise<Map<string, string>> {
  const numbers = new Map<string, string>();
  for (const [i, a] of APPLICANTS.entries()) {
    const o = await target.process(await mail({ from: a.fill.email!, messageId: `stmt-${i}-${process.pid}@example.jp`, attachments: [{ filename: '更新申請書.docx', content: form(a.fill) }, PROOF] }));
    expect(o.cases[0]!.status).toBe('awaiting-payment');
    numbers.set(a.id, o.cases[0]!.number!);
  }
  return numbers;
}

/** Payments and cases as finance and staff see them, independent of ids and of which file brought a row. */
function snapshot(target: Harness) {
  const app = target.app;
  const number = (id: number | null) => (id === null ? null : app.cases.caseById(id)!.number);
  const payments = (app.db.prepare('SELECT * FROM payments').all() as { id: number; paid_on: string; amount: number; transfer_name: string; status: string; finding_code: string | null; candidates_json: string | null }[])
    .map((p) => ({
      key: fingerprintOf({ paidOn: p.paid_on, amount: p.amount, transferName: p.transfer_name }), status: p.status, code: p.finding_code,
      linked: app.payments.linksForPayment(p.id).map((l) => `${number(l.case_id)}:${l.linked_by}`),
      candidates: p.candidates_json ? (JSON.parse(p.candidates_json) as { caseId: number }[]).map((c) => number(c.caseId)) : [],
    }))
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  const cases = app.cases.listCases().map((c) => ({ number: c.number, status: c.status, findings: app.cases.currentFindings(c.id).map((f) => f.code).sort() }));
  return { payments, cases };
}

describe('every sample statement, every tricky case (SPEC §5)', () => {
  it('imports each format; each transfer ends where SPEC §5 says; no automatic match is wrong', async () => {
    h = harness();
    const numbers = await applicants(h);
    const results = STATEMENTS.map((f) => importPaymentsFile(h!.app, file(f), 'test'));
    expect(results.map((r) => r.format)).toEqual(['zengin-furikomi', 'zengin-nyushukkin', 'csv-mufg', 'csv-rakuten', 'csv-generic:shinkin-web']);
    // The overlapping statements add only what the earlier ones did not have.
    const credits = TRANSFERS.filter((t) => t.direction === 'credit');
    expect(results.reduce((a, r) => a + r.new, 0)).toBe(credits.length);
    expect(results.reduce((a, r) => a + r.new + r.duplicate, 0)).toBe(results.reduce((a, r) => a + r.rows, 0));
    expect(results[1]!.debits).toBe(1);

    const app = h.app;
    const all = app.db.prepare('SELECT id, paid_on, amount, transfer_name, status, finding_code, candidates_json FROM payments ORDER BY id').all() as { id: number; paid_on: string; amount: number; transfer_name: string; status: string; finding_code: string | null; candidates_json: string | null }[];
    expect(all).toHaveLength(credits.length);
    const byKey = new Map<string, typeof all>();
    for (const p of all) byKey.set(fingerprintOf({ paidOn: p.paid_on, amount: p.amount, transferName: p.transfer_name }), [...(byKey.get(fingerprintOf({ paidOn: p.paid_on, amount: p.amount, transferName: p.transfer_name })) ?? []), p]);

    const seen = new Map<string, number>();
    for (const t of credits) {
      const key = fingerprintOf({ paidOn: t.date, amount: t.amount, transferName: t.name });
      const n = seen.get(key) ?? 0;
      seen.set(key, n + 1);
      // Identical transfers: the earlier outcome belongs to the first stored, the later to the second.
      const p = byKey.get(key)!.sort((a, b) => (a.status === 'matched' ? -1 : b.status === 'matched' ? 1 : 0))[n]!;
      const links = app.payments.linksForPayment(p.id).map((l) => app.cases.caseById(l.case_id)!.number);
      const candidates = p.candidates_json ? (JSON.parse(p.candidates_json) as { caseId: number }[]).map((c) => app.cases.caseById(c.caseId)!.number) : [];
      const o = t.outcome;
      if (o.kind === 'matched') {
        expect({ id: t.id, links }).toEqual({ id: t.id, links: [numbers.get(o.applicant)] });
      } else if (o.kind === 'attention') {
        expect({ id: t.id, links, code: p.finding_code }).toEqual({ id: t.id, links: [], code: o.code });
        const want = o.candidates.map((a) => numbers.get(a));
        expect({ id: t.id, candidates: o.code === 'payment.bulk' ? [...candidates].sort() : candidates }).toEqual({ id: t.id, candidates: o.code === 'payment.bulk' ? [...want].sort() : want });
      } else {
        expect({ id: t.id, links, status: p.status, candidates }).toEqual({ id: t.id, links: [], status: 'unmatched', candidates: [] });
      }
    }
    // Every automatic link is right: exactly the transfers expected to match, nothing else.
    const autoLinks = app.db.prepare(`SELECT COUNT(*) AS n FROM payment_links WHERE linked_by LIKE 'matcher%'`).get() as { n: number };
    expect(autoLinks.n).toBe(credits.filter((t) => t.outcome.kind === 'matched').length);

    const status = (id: string) => app.cases.caseByNumber(numbers.get(id)!)!;
    const codes = (id: string) => app.cases.currentFindings(status(id).id).map((f) => f.code);
    for (const id of ['konda', 'watanabe', 'sasaki-omp']) expect([id, status(id).status]).toEqual([id, 'ready-for-review']);
    // A payment that needs a person is finance's question: its candidates wait in 入金確認中 (payment-review), no staff exception.
    for (const id of ['yamada', 'kato', 'hanako', 'haruka']) expect([id, status(id).status, codes(id)]).toEqual([id, 'payment-review', ['payment.ambiguous']]);
    for (const id of ['yoshida', 'kobayashi']) expect([id, status(id).status, codes(id)]).toEqual([id, 'payment-review', ['payment.amount-mismatch']]);
    // Bulk and duplicate payments wait in finance's queue too; their unpaid candidates are under review as well.
    for (const id of ['tanaka', 'ito', 'nakamura']) expect([id, status(id).status, codes(id)]).toEqual([id, 'payment-review', ['payment.bulk']]);
    expect(['sasaki-cap', status('sasaki-cap').status, codes('sasaki-cap')]).toEqual(['sasaki-cap', 'payment-review', ['payment.duplicate']]);
    expect(app.cases.listCases().filter((c) => c.status === 'exception').map((c) => c.number)).toEqual([]);
    expect(app.db.prepare("SELECT COUNT(*) AS n FROM findings WHERE code LIKE 'payment.%' AND audience = 'staff'").get()).toEqual({ n: 0 });
    // Every import is recorded: who, when, hash, counts.
    const imports = app.payments.paymentImports();
    expect(imports.map((i) => [i.format, i.actor, i.sha256.length, i.rows_new + i.rows_duplicate === i.rows_total])).toEqual(results.map((r) => [r.format, 'test', 64, true]));
  }, 60_000);

  it('the same statements twice, in any order, leave the same payments and matches', async () => {
    h = harness();
    await applicants(h);
    for (const f of STATEMENTS) importPaymentsFile(h.app, file(f), 'test');
    const forward = snapshot(h);
    h.close();

    h = harness();
    await applicants(h);
    for (const f of [...STATEMENTS].reverse()) importPaymentsFile(h.app, file(f), 'test');
    for (const f of [STATEMENTS[2]!, STATEMENTS[0]!, STATEMENTS[4]!, STATEMENTS[1]!, STATEMENTS[3]!]) {
      const again = importPaymentsFile(h.app, file(f), 'test');
      expect(again.new).toBe(0);
      expect(again.matched).toEqual([]);
    }
    expect(snapshot(h)).toEqual(forward);
  }, 60_000);

  it('on two threads (as `conken payments import` runs it) leave exactly what the single-thread import leaves', async () => {
    const stored = (target: Harness) => ({
      ...snapshot(target),
      rows: (target.app.db.prepare(`SELECT id, import_id, paid_on, amount, transfer_name, digits, kana, entity, fingerprint, occurrence, line, reference, value_date, status, finding_code,
        candidates_json, reason, case_id, matched_by FROM payments ORDER BY id`).all()).map((r) => ({ ...r })),
      raw: (target.app.db.prepare('SELECT id FROM payments ORDER BY id').all() as { id: number }[]).map((r) => target.app.payments.paymentRawLine(r.id)),
      imports: target.app.payments.paymentImports().map((i) => ({ ...i, imported_at: '' })),
      outbox: (target.app.db.prepare('SELECT case_id, kind, to_address, status FROM outbox ORDER BY id').all()).map((r) => ({ ...r })),
      events: (target.app.db.prepare('SELECT case_id, actor, type, data_json FROM events ORDER BY id').all()).map((r) => ({ ...r })),
      queued: target.app.db.prepare('SELECT COUNT(*) AS n FROM payment_case_moves').get(),
    });
    h = harness();
    await applicants(h);
    const one = STATEMENTS.map((f) => importPaymentsFile(h!.app, file(f), 'test'));
    const single = stored(h);
    h.close();

    h = harness();
    await applicants(h);
    const two: Awaited<ReturnType<typeof importStatement>>[] = [];
    for (const f of STATEMENTS) two.push(await importStatement(h.app, readFileSync(file(f)), path.basename(f), 'test'));
    expect(two).toEqual(one);
    const parallel = stored(h);
    expect(parallel.queued).toEqual({ n: 0 });
    // Event data name the import ids and the time of a link: the same ids, other times.
    const events = (x: typeof single) => x.events.map((e) => ({ ...e, data_json: String(e.data_json).replace(/"at":"[^"]*"/g, '') }));
    expect({ ...parallel, events: events(parallel) }).toEqual({ ...single, events: events(single) });
    expect(single.rows.filter((r) => r.status === 'matched').length).toBeGreaterThanOrEqual(3);
    expect(single.raw.every((l) => typeof l === 'string' && l.length > 10)).toBe(true);

    // Again (the same bytes: recorded without parsing): all duplicates, nothing matched, nothing moved.
    for (const [i, f] of STATEMENTS.entries()) {
      expect(await importStatement(h.app, readFileSync(file(f)), path.basename(f), 'test')).toEqual({ ...one[i], new: 0, duplicate: one[i]!.rows, matched: [], needsAttention: 0, unmatched: expect.any(Number) });
    }
    expect(h.app.payments.paymentImports().slice(-STATEMENTS.length).map((i) => [i.rows_new, i.rows_duplicate, i.format])).toEqual(one.map((r) => [0, r.rows, r.format]));
    expect(snapshot(h)).toEqual({ payments: single.payments, cases: single.cases });
  }, 120_000);

  it('on two threads, a rejected file leaves nothing and the next import runs', async () => {
    h = harness();
    await applicants(h);
    const bad = Buffer.concat([readFileSync(file('zengin-nyushukkin-2026.dat')).subarray(0, 450), Buffer.from('x')]);
    await expect(importStatement(h.app, bad, 'bad.dat', 'test')).rejects.toThrow(/全銀形式|レコード/);
    expect(h.app.payments.paymentImports()).toEqual([]);
    expect(h.app.db.prepare('SELECT COUNT(*) AS n FROM payments').get()).toEqual({ n: 0 });
    const ok = await importStatement(h.app, readFileSync(file(STATEMENTS[0]!)), STATEMENTS[0]!, 'test');
    expect(ok.new).toBeGreaterThan(0);
    expect(ok.matched.length).toBeGreaterThan(0);
  }, 60_000);

  it('on two threads: what the main thread read is checked by the data version, which another connection\'s commit changes', () => {
    h = harness();
    const other = new DatabaseSync(h.config.database.path);
    const version = () => Number((h!.app.db.prepare('PRAGMA data_version').get() as { data_version: number }).data_version);
    const before = version();
    expect(version()).toBe(before);
    h.app.payments.insertPaymentImport({ fileName: 'own.csv', sha256: 'own', format: 'simple-csv', actor: 'test', rowsTotal: 0, rowsNew: 0, rowsDuplicate: 0 });
    expect(version()).toBe(before); // its own commits do not count: the import's main thread writes nothing meanwhile
    other.exec("INSERT INTO payment_imports (file_name, sha256, format, actor, imported_at, rows_total, rows_new, rows_duplicate) VALUES ('x', 'x', 'x', 'x', 'x', 0, 0, 0)");
    expect(version()).not.toBe(before);
    other.close();
  });

  it('cases left queued by an import that died between its two transactions are moved on by the next matching run', async () => {
    h = harness();
    const numbers = await applicants(h);
    const konda = h.app.cases.caseByNumber(numbers.get('konda')!)!;
    // The import's first transaction as it commits (payments, link, queued move), without the second.
    transaction(h.app.db, () => {
      const importId = h!.app.payments.insertPaymentImport({ fileName: 'x.csv', sha256: 'x', format: 'simple-csv', actor: 'test', rowsTotal: 1, rowsNew: 1, rowsDuplicate: 0 });
      const credits = [{ line: 2, paidOn: '2026-02-12', amount: 11_000, transferName: konda.payment_declared ?? `${konda.payment_digits}${konda.payment_kana}` }];
      const keyed = keyCredits(credits);
      const firstId = h!.app.payments.nextPaymentId();
      h!.app.payments.insertNewPayments({ importId, firstId, credits, keyed, rows: selectNewRows(keyed.fingerprints, new Map()) });
      h!.app.payments.linkPayment(firstId, konda.id, 'matcher:exact', { amount: 11_000 });
      h!.app.cases.queueCaseMoves([{ caseId: konda.id, paymentFindingsJson: '[]' }]);
    });
    expect(h.app.cases.caseById(konda.id)!.status).toBe('awaiting-payment');
    const run = transaction(h.app.db, () => runMatching(h!.app));
    expect(run.reevaluated).toContain(konda.number);
    expect(h.app.cases.caseById(konda.id)!.status).toBe('ready-for-review');
    expect(h.app.db.prepare('SELECT COUNT(*) AS n FROM payment_case_moves').get()).toEqual({ n: 0 });
    expect(h.app.outbox.outboxForCase(konda.id).map((o) => o.kind)).toContain('review-request');
  }, 60_000);

  it('a payment before its application: linked when the application arrives; candidates appear too', async () => {
    h = harness();
    importPaymentsFile(h.app, file('zengin-furikomi-nyukin-r08.txt'), 'test');
    const konda = APPLICANTS.find((a) => a.id === 'konda')!;
    const kato = APPLICANTS.find((a) => a.id === 'kato')!;
    const a = await h.process(await mail({ attachments: [{ filename: 'a.docx', content: form(konda.fill) }, PROOF] }));
    expect(a.cases[0]!.status).toBe('ready-for-review');
    const b = await h.process(await mail({ from: kato.fill.email!, messageId: `late-${process.pid}@example.jp`, attachments: [{ filename: 'b.docx', content: form(kato.fill) }, PROOF] }));
    expect(b.cases[0]!.status).toBe('payment-review');
    expect(h.app.cases.currentFindings(h.app.cases.caseByNumber(b.cases[0]!.number!)!.id).map((f) => f.code)).toEqual(['payment.ambiguous']);
    // A question for finance, not staff: no staff finding on the case.
    expect(h.app.cases.currentFindings(h.app.cases.caseByNumber(b.cases[0]!.number!)!.id).map((f) => f.audience)).toEqual(['finance']);
  }, 30_000);
});

describe('payment reminders', () => {
  it('mail the applicant after the configured days, at most once per interval', async () => {
    h = harness();
    const o = await h.process(await mail());
    const number = o.cases[0]!.number!;
    const sent = (at: Date) => sendPaymentReminders(h!.app, at);
    const day = (n: number) => new Date(Date.now() + n * 86_400_000);
    expect(sent(day(1))).toEqual([]);
    expect(sent(day(15))).toEqual([number]);
    expect(sent(day(16))).toEqual([]);
    expect(sent(day(23))).toEqual([number]);
    const reminders = h.app.outbox.outboxForCase(h.app.cases.caseByNumber(number)!.id).filter((m) => m.kind === 'payment-reminder');
    expect(reminders).toHaveLength(2);
    expect((JSON.parse(reminders[0]!.mail_json) as { text: string; subject: string }).subject).toContain(number);
  }, 30_000);
});

/** Finance's commands, run as the finance user. */
const financeCli = (args: string[], env: Record<string, string>) => conken(args, { ...env, CONKEN_USER: 'keiri' });

describe("finance's CLI (--json)", () => {
  it('import, unmatched, link (bulk and accepted short), unlink', async () => {
    h = harness();
    const numbers = await applicants(h);
    const env = dataEnv(h.dir);
    const json = async (args: string[]) => {
      const r = await financeCli([...args, '--json'], env);
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout);
    };

    const imported = await json(['payments', 'import', file('zengin-furikomi-nyukin-r08.txt')]);
    expect(imported).toMatchObject({ format: 'zengin-furikomi', rows: 10, new: 10, duplicate: 0, needsAttention: 7 });
    expect(imported.matched.map((m: { case: string }) => m.case).sort()).toEqual(['konda', 'watanabe', 'sasaki-omp'].map((a) => numbers.get(a)).sort());
    expect((await json(['payments', 'import', file('zengin-furikomi-nyukin-r08.txt')]))).toMatchObject({ new: 0, duplicate: 10, matched: [] });

    const queue = await json(['payments', 'unmatched']) as { id: number; amount: number; code: string; candidates: { case: string }[] }[];
    expect(queue.map((p) => p.code).sort()).toEqual(['payment.amount-mismatch', 'payment.amount-mismatch', 'payment.ambiguous', 'payment.ambiguous', 'payment.ambiguous', 'payment.bulk', 'payment.duplicate'].sort());

    // One company paid for three people: one link per case with its share.
    const bulk = queue.find((p) => p.code === 'payment.bulk')!;
    for (const c of bulk.candidates) {
      expect(await json(['payments', 'link', String(bulk.id), c.case, '--amount', '11000'])).toMatchObject({ case: c.case, amount: 11000, status: 'ready-for-review' });
    }
    // Bank fee deducted: finance accepts the short amount.
    const short = queue.find((p) => p.amount === 10560)!;
    expect(await json(['payments', 'link', String(short.id), numbers.get('kobayashi')!, '--accept'])).toMatchObject({ status: 'ready-for-review' });
    // 10,000 without tax linked without --accept: the case still waits, with the finding.
    const noTax = queue.find((p) => p.amount === 10000)!;
    expect(await json(['payments', 'link', String(noTax.id), numbers.get('yoshida')!])).toMatchObject({ status: 'payment-review', amount: 10000 });
    // The second identical transfer belongs to the same person's other qualification.
    const twin = queue.find((p) => p.code === 'payment.duplicate' && p.candidates[0]!.case === numbers.get('sasaki-cap'))!;
    expect(await json(['payments', 'link', String(twin.id), numbers.get('sasaki-cap')!])).toMatchObject({ status: 'ready-for-review' });

    const detail = await json(['case', numbers.get('ito')!]);
    expect(detail.payments).toEqual([expect.objectContaining({ id: bulk.id, amount: 33000, linkedAmount: 11000, matchedBy: 'finance:keiri' })]);

    // Unlink an automatic match: the case waits again and the payment is never linked automatically again.
    const konda = await json(['case', numbers.get('konda')!]);
    const unlinked = await json(['payments', 'unlink', String(konda.payments[0].id)]);
    expect(unlinked).toEqual({ payment: konda.payments[0].id, cases: [{ case: numbers.get('konda'), status: 'awaiting-payment' }] });
    expect((await json(['payments', 'import', file('zengin-furikomi-nyukin-r08.txt')])).matched).toEqual([]);

    const bad = await financeCli(['payments', 'link', '99999', numbers.get('konda')!, '--json'], env);
    expect(bad.code).toBe(2);
    expect(JSON.parse(bad.stdout).error).toMatch(/入金ID 99999/);
    const rejected = await financeCli(['payments', 'import', path.join(SAMPLES, 'statements', 'invalid', 'zengin-trailer-mismatch.txt')], env);
    expect(rejected.code).toBe(2);
    expect(rejected.stderr).toMatch(/取り込みませんでした.*12件目/);
  }, 90_000);
});
