// Retention (SPEC §7, the retention job): a closed case past the retention period loses its personal data —
// checked by scanning the database file (with its WAL) and the content store for the person's name, e-mail
// and address — while its number, kind, dates and decision stay; an open case is untouched. A CPD audit decided
// longer ago than the period loses the holder's data alike (address, reason, replies and their files, the
// office's mails to them); its number, year, dates and outcome, its events and the recorded draw stay, and an
// audit still open (and the proof file it shares with the purged one) is untouched.
import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { form, harness, mail, type Harness } from '../support/harness.ts';
import { importStatementRows } from '../../src/app/import-payments.ts';
import { commitCaseChanges } from '../../src/app/deferred-notices.ts';
import { decideTransition } from '../../src/cases/transition.ts';
import { runJob } from '../../src/app/jobs/job-runner.ts';
import { jobNamed } from '../../src/app/jobs/index.ts';
import { periodKey } from '../../src/app/jobs/schedule.ts';
import { PURGED_TEXT } from '../../src/cases/retention-store.ts';
import { RegisterStore } from '../../src/cases/register-store.ts';
import { transaction } from '../../src/cases/db.ts';
import { auditStore, drawAudit, markProofsComplete, recordAuditOutcome, verifyAudit } from '../../src/app/audit.ts';
import { buildMail } from '../../scripts/lib/mail-builder.ts';
import { PROOF } from '../support/harness.ts';
import type { App } from '../../src/app/context.ts';

let h: Harness | undefined;
afterEach(() => h?.close());

// (The payer's name as the bank wrote it, and as the matcher keys it, are theirs too.)
const STATEMENT_ROW = { paidOn: '2026-01-22', amount: 11_000, transferName: '0123ｺﾝﾀﾞｹﾝﾀﾛｳ', line: 2 };
const PURGED_PERSON = ['今田 健太郎', 'k.konda@example.jp', '丸の内1-2-3', '090-1234-5678', 'ｺﾝﾀﾞｹﾝﾀﾛｳ', 'コンダケンタロウ'];
const KEPT_PERSON = ['山田 花子', 'h.yamada@example.jp'];
// The audited holder's data the audit holds beyond the register: the address they replied from, their file
// (its name and its words), the staff's reason. Their register entry (name, e-mail) stays while the
// certification is active, so those are checked table by table: in no table but the register.
const AUDITED = { name: '監査 太郎', email: 'taro@example.jp', number: 'OMP-2019-0101' };
const AUDIT_PERSON = ['taro.work@company.example', '太郎_CPD記録.txt', '監査太郎 殿の受講記録 2025', '太郎さんの受講証明書を確認しました'];
const OPEN_AUDITED = { name: '監査 花子', email: 'hanako@example.jp', number: 'OMP-2019-0202' };

const tokyo = (local: string) => new Date(`${local}+09:00`);

/** A holder of the register whose renewal was approved at `at` (the population of that year's audit draw). */
function renewedHolder(app: App, h: { name: string; email: string; number: string }, at: string): void {
  const register = new RegisterStore(app.db);
  transaction(app.db, () => {
    register.upsertImported({ certificationNumber: h.number, qualification: 'OMP', name: h.name, nameKana: null, validFrom: '2019-04-01', validTo: '2031-03-31', status: 'active', email: h.email }, at);
    // The register's case history needs a case; left open so that only the cases the test means are closed.
    const c = app.writer.openCase({ prefix: 'R', year: Number(at.slice(0, 4)), kind: 'renewal', status: 'ready-for-review', applicantAddress: null, receivedAt: at, originMessageId: null, noticesSuppressed: false });
    register.renew(register.holderByNumber(h.number)!.id, c.id, '2025-04-01', '2031-03-31', at);
  });
}

/** Which tables (besides the register) hold any of the strings, in any column. */
function tablesHolding(app: App, needles: string[]): string[] {
  const tables = (app.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as { name: string }[]).map((t) => t.name);
  return tables.filter((t) => t !== 'certified_holders').filter((t) => {
    const rows = JSON.stringify(app.db.prepare(`SELECT * FROM "${t}"`).all());
    return needles.some((n) => rows.includes(n));
  });
}

/** Every file of a folder, recursively. */
function files(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

/** Which of the strings occur (as UTF-8) in any of the files. */
function found(paths: string[], needles: string[]): string[] {
  const bytes = paths.map((p) => readFileSync(p));
  return needles.filter((n) => bytes.some((b) => b.includes(Buffer.from(n, 'utf8'))));
}

describe('retention', () => {
  it('purges a closed case past the period and nothing else, leaving no trace of the person in the database or the store', async () => {
    h = harness();
    // The closed case: received, paid, approved.
    const closed = (await h.process(await mail())).cases[0]!.number!;
    importStatementRows(h.app, 'p.csv', 'hash-p', 'simple-csv', [STATEMENT_ROW], 'test');
    // The statement file as finance uploaded it, kept for download (it names the payer): gone after the period.
    const statementFile = h.app.files.put(Buffer.from('2026-01-22,11000,0123ｺﾝﾀﾞｹﾝﾀﾛｳ\n', 'utf8'), '.csv');
    h.app.payments.setImportStoredPath(h.app.payments.paymentImports().at(-1)!.id, statementFile.path);
        commitCaseChanges(h.app, () => {
      const row = h!.app.cases.caseByNumber(closed)!;
      expect(row.status).toBe('ready-for-review');
      const decision = decideTransition({ status: row.status, findings: h!.app.cases.currentFindings(row.id), noticesSuppressed: false, paid: true, paymentFindings: [] },
        { type: 'review-decision', decision: 'approved', reviewer: 'reviewer:ito' }, h!.app.rules);
      h!.app.writer.apply([{ case: row, decision }]);
    });
    h.app.cases.addEvent({ caseId: h.app.cases.caseByNumber(closed)!.id, actor: 'staff:sato', type: 'case.note', data: { text: '今田 健太郎さんから電話あり' } });
    // An open case of another person.
    const open = (await h.process(await mail({
      from: '山田 花子 <h.yamada@example.jp>', messageId: 'yamada-1@example.jp',
      attachments: [{ filename: '更新申請書.docx', content: form({ name: '山田 花子', nameKana: 'やまだ はなこ', email: 'h.yamada@example.jp', certificationNumber: 'OMP-2023-4567', feeTransferName: '4567ヤマダハナコ', address: '大阪府大阪市北区梅田3-4-5', postalCode: '530-0001', phone: '06-9876-5432', mobile: '080-9876-5432' }) }],
    }))).cases[0]!.number!;

    // The CPD audit of 2025: the audited holder drawn (the only renewal approved that year), asked for proofs,
    // replied from a work address with their own record and a certificate, reminded of nothing, passed in
    // February 2026. The 2026 audit of another holder, who replied with the same certificate, is still open.
    renewedHolder(h.app, AUDITED, '2025-03-01T00:00:00.000Z');
    const drawn = drawAudit(h.app, 2025, { seed: 'retention-2025', actor: 'admin:test', now: tokyo('2026-01-15T10:00:00') });
    const auditNumber = drawn.chosen[0]!.audit;
    await h.process(await buildMail({
      from: `監査 太郎 <taro.work@company.example>`, subject: `【CPD監査】書類の提出（監査番号 ${auditNumber}）`, date: tokyo('2026-01-20T09:00:00'), messageId: 'audit-taro-1@example.jp',
      text: 'よろしくお願いいたします。', attachments: [PROOF, { filename: '太郎_CPD記録.txt', content: Buffer.from('監査太郎 殿の受講記録 2025\n', 'utf8'), contentType: 'text/plain' }],
    }));
    markProofsComplete(h.app, auditNumber, { actor: 'staff:sato', login: 'sato' }, tokyo('2026-02-20T10:00:00'));
    recordAuditOutcome(h.app, auditNumber, { outcome: 'passed', reason: '太郎さんの受講証明書を確認しました', actor: 'staff:sato', login: 'sato' }, tokyo('2026-02-20T10:05:00'));
    renewedHolder(h.app, OPEN_AUDITED, '2026-03-01T00:00:00.000Z');
    const openAudit = drawAudit(h.app, 2026, { seed: 'retention-2026', actor: 'admin:test', now: tokyo('2027-01-15T10:00:00') }).chosen[0]!.audit;
    await h.process(await buildMail({ from: `監査 花子 <${OPEN_AUDITED.email}>`, subject: `【CPD監査】（監査番号 ${openAudit}）`, date: tokyo('2027-01-20T09:00:00'), messageId: 'audit-hanako-1@example.jp', attachments: [PROOF] }));
    const audits = auditStore(h.app);
    const taro = audits.auditByNumber(auditNumber)!;
    expect(audits.evidence(taro.id).map((e) => e.filename)).toEqual([PROOF.filename, '太郎_CPD記録.txt']);
    const proofPath = audits.evidence(taro.id)[0]!.store_path;
    expect(audits.evidence(audits.auditByNumber(openAudit)!.id)[0]!.store_path).toBe(proofPath); // the content store keeps one copy
    expect(h.app.db.prepare("SELECT kind FROM outbox WHERE to_address = ? ORDER BY id").all(AUDITED.email).map((r) => (r as { kind: string }).kind)).toEqual(['audit-request', 'audit-passed']);
    expect(tablesHolding(h.app, [AUDITED.name, AUDITED.email]).sort()).toEqual(['cpd_audits', 'outbox']);

    const db = h.config.database.path;
    const everything = () => [db, `${db}-wal`, `${db}-shm`].filter((p) => existsSync(p)).concat(files(h!.config.store.dir));
    // Before: both people are in the database and the store (the scan finds what it looks for).
    expect(found(everything(), [...PURGED_PERSON, ...KEPT_PERSON])).toEqual(expect.arrayContaining(['今田 健太郎', 'k.konda@example.jp', ...KEPT_PERSON]));
    expect(found(everything(), AUDIT_PERSON)).toEqual(AUDIT_PERSON);

    const retention = jobNamed('retention')!;
    // Not yet: the period runs five years from the decision.
    const soon = new Date(Date.now() + 4 * 365 * 86_400_000);
    expect((await runJob(h.app, retention, periodKey(soon), soon)).result!.summary).toBe('no closed case past the retention period');
    const later = new Date(Date.now() + 6 * 365 * 86_400_000);
    const dry = await runJob(h.app, retention, periodKey(later), later, { dryRun: true });
    expect(dry.result).toMatchObject({ detail: { cases: [closed], audits: [auditNumber] } });
    const r = await runJob(h.app, retention, periodKey(later), later);
    expect(r.error).toBeUndefined();
    expect(r.result!.summary).toMatch(/^1 closed cases purged, [1-9]\d* files deleted, 1 audits purged, 1 statement files deleted$/);
    expect(existsSync(path.join(h.config.store.dir, statementFile.path))).toBe(false);
    expect(h.app.db.prepare("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'statement.purge'").get()).toEqual({ n: 1 });

    // After: none of the purged person's data anywhere; the other person's all there.
    expect(everything().filter((p) => found([p], PURGED_PERSON).length > 0).map((p) => `${path.basename(p)}: ${found([p], PURGED_PERSON).join(', ')}`), 'files still holding the purged person').toEqual([]);
    expect(found(everything(), KEPT_PERSON)).toEqual(KEPT_PERSON);
    const row = h.app.cases.caseByNumber(closed)!;
    expect(row).toMatchObject({ number: closed, kind: 'renewal', status: 'approved', application_json: null, applicant_address: null });
    expect(h.app.cases.currentFindings(row.id).every((f) => f.message === PURGED_TEXT)).toBe(true);
    expect(h.app.cases.events(row.id).map((e) => e.type)).toEqual(expect.arrayContaining(['case.created', 'case.decided', 'case.purged']));
    expect(h.app.db.prepare("SELECT login, action, case_number FROM audit_log WHERE action = 'case.purge'").all()).toEqual([{ login: 'system:retention', action: 'case.purge', case_number: closed }]);
    expect(h.app.cases.caseByNumber(open)!.application_json).toContain('山田 花子');
    // The audit: none of the holder's data outside the register, in the database file or the store; its number,
    // year, dates, outcome, events and the draw are all there, and the draw still verifies.
    expect(everything().filter((p) => found([p], AUDIT_PERSON).length > 0).map((p) => `${path.basename(p)}: ${found([p], AUDIT_PERSON).join(', ')}`), 'files still holding the audited person').toEqual([]);
    expect(tablesHolding(h.app, [AUDITED.name, AUDITED.email])).toEqual([]);
    expect(audits.auditByNumber(auditNumber)).toMatchObject({ number: auditNumber, year: 2025, certification_number: AUDITED.number, state: 'complete', outcome: 'passed', outcome_by: 'staff:sato',
      outcome_at: tokyo('2026-02-20T10:05:00').toISOString(), address: null, outcome_reason: PURGED_TEXT, request_message_id: taro.request_message_id });
    expect(audits.events(taro.id).map((e) => e.type)).toEqual(['audit.requested', 'notice.queued', 'audit.reply', 'audit.complete', 'audit.outcome', 'notice.queued', 'audit.purged']);
    expect(audits.evidence(taro.id)).toEqual([]);
    expect(audits.replyCount(taro.id)).toBe(1);
    expect(h.app.db.prepare("SELECT login, case_number FROM audit_log WHERE action = 'cpd-audit.purge'").all().map((x) => ({ ...x }))).toEqual([{ login: 'system:retention', case_number: auditNumber }]);
    expect(audits.drawOf(2025)).toMatchObject({ seed: 'retention-2025', population_count: 1 });
    expect(audits.selectionsOf(2025).map((x) => x.certification_number)).toEqual([AUDITED.number]);
    expect(verifyAudit(h.app, 2025).ok).toBe(true);
    // The open audit keeps everything, the shared certificate included (its file is still in the store).
    const open2026 = audits.auditByNumber(openAudit)!;
    expect(open2026).toMatchObject({ address: OPEN_AUDITED.email, outcome: null });
    expect(audits.evidence(open2026.id).map((e) => e.filename)).toEqual([PROOF.filename]);
    expect(existsSync(path.join(h.config.store.dir, proofPath))).toBe(true);
    expect(found(everything(), [OPEN_AUDITED.name, OPEN_AUDITED.email])).toEqual([OPEN_AUDITED.name, OPEN_AUDITED.email]);

    // Years later the holder answers in the old thread: the reply joins the purged audit, and the next run
    // purges it too (the audit's number and outcome stay as they were).
    await h.process(await buildMail({
      from: `監査 太郎 <taro.work@company.example>`, subject: 'Re: 【CPD監査】監査結果のお知らせ', date: later, messageId: 'audit-taro-late@example.jp',
      inReplyTo: taro.request_message_id!, references: [taro.request_message_id!], text: 'お世話になっております。',
      attachments: [{ filename: '太郎_CPD記録.txt', content: Buffer.from('監査太郎 殿の受講記録 2025（再送）\n', 'utf8'), contentType: 'text/plain' }],
    }));
    expect(audits.replyCount(taro.id)).toBe(2);
    expect(found(everything(), AUDIT_PERSON).length).toBeGreaterThan(0);
    const afterLate = new Date(later.getTime() + 3_600_000);
    const late = await runJob(h.app, retention, periodKey(afterLate), afterLate);
    expect(late.result!.summary).toMatch(/^0 closed cases purged, [1-9]\d* files deleted, 1 audits purged$/);
    expect(everything().filter((p) => found([p], AUDIT_PERSON).length > 0).map((p) => path.basename(p))).toEqual([]);
    expect(audits.auditByNumber(auditNumber)).toMatchObject({ outcome: 'passed', outcome_reason: PURGED_TEXT, address: null });

    // Run again: nothing left to purge.
    const again = new Date(later.getTime() + 86_400_000);
    expect((await runJob(h.app, retention, periodKey(again), again)).result!.summary).toBe('no closed case past the retention period');
    // The purged case's fee stays in the books without the payer's name; the old statement re-uploaded adds nothing.
    const fee = () => h!.app.db.prepare(`SELECT p.paid_on, p.amount, p.transfer_name, p.kana, p.digits FROM payments p JOIN payment_links l ON l.payment_id = p.id
      JOIN cases c ON c.id = l.case_id WHERE c.number = ?`).all(closed).map((r) => ({ ...r }));
    expect(fee()).toEqual([{ paid_on: '2026-01-22', amount: 11_000, transfer_name: PURGED_TEXT, kana: null, digits: null }]);
    const count = () => (h!.app.db.prepare('SELECT COUNT(*) AS n FROM payments').get() as { n: number }).n;
    const before = count();
    importStatementRows(h!.app, 'p-again.csv', 'hash-p-again', 'simple-csv', [STATEMENT_ROW], 'test');
    expect(count()).toBe(before);
    expect(h!.app.payments.paymentImports().at(-1)).toMatchObject({ rows_new: 0, rows_duplicate: 1 });
    // The rematch of the re-upload leaves the purged case's fee linked.
    expect(fee()).toHaveLength(1);
  });
});
