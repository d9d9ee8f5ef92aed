// Retention (SPEC §7, the retention job): a closed case past the retention period loses its personal data —
// checked by scanning the database file (with its WAL) and the content store for the person's name, e-mail
// and address — while its number, kind, dates and decision stay; an open case is untouched.
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

let h: Harness | undefined;
afterEach(() => h?.close());

const PURGED_PERSON = ['今田 健太郎', 'k.konda@example.jp', '丸の内1-2-3', '090-1234-5678'];
const KEPT_PERSON = ['山田 花子', 'h.yamada@example.jp'];

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
    importStatementRows(h.app, 'p.csv', 'hash-p', 'simple-csv', [{ paidOn: '2026-01-22', amount: 11_000, transferName: '0123ｺﾝﾀﾞｹﾝﾀﾛｳ', line: 2 }], 'test');
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

    const db = h.config.database.path;
    const everything = () => [db, `${db}-wal`, `${db}-shm`].filter((p) => existsSync(p)).concat(files(h!.config.store.dir));
    // Before: both people are in the database and the store (the scan finds what it looks for).
    expect(found(everything(), [...PURGED_PERSON, ...KEPT_PERSON])).toEqual(expect.arrayContaining(['今田 健太郎', 'k.konda@example.jp', ...KEPT_PERSON]));

    const retention = jobNamed('retention')!;
    // Not yet: the period runs five years from the decision.
    const soon = new Date(Date.now() + 4 * 365 * 86_400_000);
    expect((await runJob(h.app, retention, periodKey(soon), soon)).result!.summary).toBe('no closed case past the retention period');
    const later = new Date(Date.now() + 6 * 365 * 86_400_000);
    const dry = await runJob(h.app, retention, periodKey(later), later, { dryRun: true });
    expect(dry.result).toMatchObject({ detail: { cases: [closed] } });
    const r = await runJob(h.app, retention, periodKey(later), later);
    expect(r.error).toBeUndefined();
    expect(r.result!.summary).toMatch(/^1 closed cases purged, [1-9]\d* files deleted$/);

    // After: none of the purged person's data anywhere; the other person's all there.
    expect(everything().filter((p) => found([p], PURGED_PERSON).length > 0).map((p) => `${path.basename(p)}: ${found([p], PURGED_PERSON).join(', ')}`), 'files still holding the purged person').toEqual([]);
    expect(found(everything(), KEPT_PERSON)).toEqual(KEPT_PERSON);
    const row = h.app.cases.caseByNumber(closed)!;
    expect(row).toMatchObject({ number: closed, kind: 'renewal', status: 'approved', application_json: null, applicant_address: null });
    expect(h.app.cases.currentFindings(row.id).every((f) => f.message === PURGED_TEXT)).toBe(true);
    expect(h.app.cases.events(row.id).map((e) => e.type)).toEqual(expect.arrayContaining(['case.created', 'case.decided', 'case.purged']));
    expect(h.app.db.prepare("SELECT login, action, case_number FROM audit_log WHERE action = 'case.purge'").all()).toEqual([{ login: 'system:retention', action: 'case.purge', case_number: closed }]);
    expect(h.app.cases.caseByNumber(open)!.application_json).toContain('山田 花子');
    // Run again: nothing left to purge.
    const again = new Date(later.getTime() + 86_400_000);
    expect((await runJob(h.app, retention, periodKey(again), again)).result!.summary).toBe('no closed case past the retention period');
  });
});
