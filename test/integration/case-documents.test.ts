// Migration 8 moves each case's application and computed JSON out of the case row into case_documents: a
// database with cases keeps every application, and the case store still hands out whole CaseRows, so a
// case read from a mail and one read after a status move look as before.
import { afterEach, describe, expect, it } from 'vitest';
import { DatabaseSync } from 'node:sqlite';
import path from 'node:path';
import { harness, mail, tempDir, type Harness } from '../support/harness.ts';
import { MIGRATIONS } from '../../src/cases/migrations.ts';
import { migrate, openDatabase, transaction } from '../../src/cases/db.ts';
import { CaseStore } from '../../src/cases/case-store.ts';
import { PaymentLedger } from '../../src/cases/payment-ledger.ts';
import { OutboxStore } from '../../src/cases/outbox-store.ts';
import { CaseWriter } from '../../src/cases/case-writer.ts';
import type { CaseDecision } from '../../src/cases/transition.ts';

let h: Harness | undefined;
afterEach(() => h?.close());

/** A database as a release before migration 8 left it. */
function databaseAtVersion7(file: string): DatabaseSync {
  const db = new DatabaseSync(file);
  db.exec('PRAGMA foreign_keys = ON');
  db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
  for (const m of MIGRATIONS.filter((m) => m.version <= 7)) {
    transaction(db, () => {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, '2026-11-01T00:00:00.000Z');
    });
  }
  return db;
}

describe('migration 8: application and computed JSON beside the case row', () => {
  it('keeps every case its application and computed figures, and the case store reads them as before', () => {
    const file = path.join(tempDir(), 'v7.db');
    const old = databaseAtVersion7(file);
    const insert = old.prepare(`INSERT INTO cases (number, kind, status, applicant_address, received_at, application_json, computed_json, payment_digits, payment_kana, expected_amount, revision, created_at, updated_at)
      VALUES (?, 'renewal', ?, ?, '2026-01-20T01:00:00.000Z', ?, ?, ?, ?, 11000, 1, '2026-01-20T01:00:00.000Z', '2026-01-20T01:00:00.000Z')`);
    insert.run('R-2026-000001', 'awaiting-payment', 'a@example.jp', JSON.stringify({ name: '今田 健太郎', nameKana: 'コンダ ケンタロウ', feeTransferName: '0123コンダケンタロウ' }), JSON.stringify({ cpdTotal: 24 }), '0123', 'コンダケンタロウ');
    insert.run('R-2026-000002', 'exception', 'b@example.jp', null, null, null, null);
    insert.run('R-2026-000003', 'awaiting-payment', 'c@example.jp', JSON.stringify({ name: '山田 花子' }), null, '4567', 'ヤマダハナコ');
    old.close();

    const db = openDatabase(file);
    const versions = (db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as { version: number }[]).map((r) => r.version);
    expect(versions).toEqual(MIGRATIONS.map((m) => m.version));
    const caseColumns = (db.prepare('PRAGMA table_info(cases)').all() as { name: string }[]).map((c) => c.name);
    expect(caseColumns).not.toContain('application_json');
    expect(caseColumns).not.toContain('computed_json');

    const store = new CaseStore(db);
    const first = store.caseByNumber('R-2026-000001')!;
    expect(JSON.parse(first.application_json!)).toEqual({ name: '今田 健太郎', nameKana: 'コンダ ケンタロウ', feeTransferName: '0123コンダケンタロウ' });
    expect(JSON.parse(first.computed_json!)).toEqual({ cpdTotal: 24 });
    expect(first).toMatchObject({ number: 'R-2026-000001', status: 'awaiting-payment', payment_digits: '0123', payment_kana: 'コンダケンタロウ', revision: 1 });
    expect(store.caseByNumber('R-2026-000002')).toMatchObject({ application_json: null, computed_json: null, status: 'exception' });
    expect(store.caseById(3)).toMatchObject({ number: 'R-2026-000003', application_json: JSON.stringify({ name: '山田 花子' }), computed_json: null });
    expect(store.listCases().map((c) => [c.number, c.application_json !== null])).toEqual([['R-2026-000001', true], ['R-2026-000002', false], ['R-2026-000003', true]]);
    expect(store.listCases('awaiting-payment').map((c) => c.number)).toEqual(['R-2026-000001', 'R-2026-000003']);
    expect(store.casesAwaitingMatch().map((c) => [c.number, JSON.parse(c.application_json!).name])).toEqual([['R-2026-000001', '今田 健太郎'], ['R-2026-000003', '山田 花子']]);
    expect([...store.applicationsOf([1, 2, 3]).keys()].sort()).toEqual([1, 3]);
    // A reply finds its case through one of our notices or an earlier mail, with the application.
    const writer = new CaseWriter({ cases: store, payments: new PaymentLedger(db), outbox: new OutboxStore(db) }, {
      from: 'intake@conken.example.jp', reviewerAddress: 'reviewer@conken.example.jp', messageIdDomain: 'conken.example.jp', maxPerSenderPerDay: 10,
      audienceOf: () => 'applicant', kindOf: () => ({ label: '更新審査申請', fee: 11000 }),
    });
    const head = (id: number) => store.caseHeads([id]).get(id)!;
    const decided = (status: CaseDecision['status'], over: Partial<CaseDecision> = {}): CaseDecision => ({ status, findings: [], computed: null, newRevision: true, actor: 'test', notices: [], events: [], columns: {}, ...over });
    writer.apply([{ case: head(1), decision: decided('awaiting-payment', { newRevision: false, notices: ['accepted'] }) }]);
    const messageId = store.insertMessage({ dedupeKey: 'mid:mail-3@example.jp', messageId: 'mail-3@example.jp', sha256: 'x', rawPath: 'x', source: 'test', sourceRef: null, receivedAt: '2026-01-20T01:00:00.000Z', from: 'c@example.jp', subject: null, classification: 'application', note: null });
    store.linkMessage(3, messageId, 'original');
    expect(store.caseByReferences(['unknown@example.jp', 'R-2026-000001.accepted.1@conken.example.jp'])).toMatchObject({ number: 'R-2026-000001', application_json: first.application_json });
    expect(store.caseByReferences(['mail-3@example.jp'])).toMatchObject({ number: 'R-2026-000003', application_json: JSON.stringify({ name: '山田 花子' }) });

    // Writes go to the right table: a status move leaves the documents alone, a new evaluation replaces them.
    writer.apply([{ case: head(1), decision: decided('ready-for-review') }]);
    expect(store.caseById(1)).toMatchObject({ status: 'ready-for-review', revision: 2, computed_json: JSON.stringify({ cpdTotal: 24 }) });
    writer.apply([{ case: head(2), decision: decided('exception'), columns: { application_json: JSON.stringify({ name: '新 規' }) } }]);
    writer.apply([{ case: head(1), decision: decided('ready-for-review', { newRevision: false, computed: { cpdTotal: 30 } }) }]);
    expect(store.caseById(2)).toMatchObject({ application_json: JSON.stringify({ name: '新 規' }), computed_json: null, revision: 2 });
    expect(store.caseById(1)).toMatchObject({ application_json: first.application_json, computed_json: JSON.stringify({ cpdTotal: 30 }) });
    writer.apply([{ case: head(3), decision: decided('ready-for-review'), columns: { payment_findings_json: '[]' } }]);
    expect(store.caseById(3)).toMatchObject({ status: 'ready-for-review', revision: 2, payment_findings_json: '[]', application_json: JSON.stringify({ name: '山田 花子' }) });
    // Applying the migrations again changes nothing.
    migrate(db);
    expect(store.listCases()).toHaveLength(3);
    db.close();
  });

  it('a case read from a mail keeps its application with the case store joining it back', async () => {
    h = harness();
    const outcome = await h.process(await mail());
    const number = outcome.cases[0]!.number!;
    const row = h.app.cases.caseByNumber(number)!;
    expect(row.application_json).not.toBeNull();
    expect(JSON.parse(row.application_json!)).toMatchObject({ kind: 'renewal' });
    const stored = h.app.db.prepare('SELECT application_json FROM case_documents WHERE case_id = ?').get(row.id) as { application_json: string };
    expect(stored.application_json).toBe(row.application_json);
  });
});
