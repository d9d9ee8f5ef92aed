// The reviewer's decision (src/app/review.ts) on real cases, a real database and the real certificate: a
// renewal approved (register extended, certificate PDF attached to the threaded result mail), a certification
// approved (a new number), a rejection with its reason, a question that waits for the applicant's reply,
// four eyes, and two reviewers on one case.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { simpleParser } from 'mailparser';
import { PDFParse } from 'pdf-parse';
import { buildMail } from '../../scripts/lib/mail-builder.ts';
import { fillCertificationForm, CERTIFICATION_TEMPLATE } from '../../scripts/lib/fill-certification-form.ts';
import { CERT_COMPLETE } from '../../scripts/lib/certification-samples.ts';
import { examReportTextPdf } from '../../scripts/lib/exam-report.ts';
import { dataEnv, harness, mail, type Harness } from '../support/harness.ts';
import { conken } from '../support/cli.ts';
import { importStatementRows } from '../../src/app/import-payments.ts';
import { deliverOutbox } from '../../src/app/daemon.ts';
import { FolderTransport } from '../../src/outbound/transports/folder-transport.ts';
import { reviewCase, ReviewError } from '../../src/app/review.ts';
import { RegisterStore } from '../../src/cases/register-store.ts';
import { AuditLog } from '../../src/cases/audit-log.ts';

let h: Harness | undefined;
afterEach(() => h?.close());

const pay = (transferName: string, paidOn = '2026-01-21') =>
  importStatementRows(h!.app, 'test.csv', `hash-${Math.random()}`, 'simple-csv', [{ line: 2, paidOn, amount: 11000, transferName }], 'test');

/** A complete, paid renewal of OMP-2023-0123: ready for review. */
async function readyRenewal(): Promise<string> {
  const number = (await h!.process(await mail())).cases[0]!.number!;
  pay('0123ｺﾝﾀﾞｹﾝﾀﾛｳ');
  expect(h!.app.cases.caseByNumber(number)!.status).toBe('ready-for-review');
  return number;
}

const kinds = (number: string) => h!.app.outbox.outboxForCase(h!.app.cases.caseByNumber(number)!.id).map((o) => o.kind);
const outboxMail = (number: string, kind: string) => JSON.parse(h!.app.outbox.outboxForCase(h!.app.cases.caseByNumber(number)!.id).find((o) => o.kind === kind)!.mail_json);
const NOW = new Date('2026-02-20T10:00:00+09:00');

describe('the reviewer approves', () => {
  it('a renewal: the holder\'s validity runs three fiscal years on, the certificate PDF goes with the threaded result mail and stays with the case', async () => {
    h = harness();
    const register = new RegisterStore(h.app.db);
    register.upsertImported({ certificationNumber: 'OMP-2023-0123', qualification: 'OMP', name: '今田 健太郎', nameKana: 'こんだ けんたろう', validFrom: '2023-04-01', validTo: '2026-03-31', status: 'active', email: null }, NOW.toISOString());
    const number = await readyRenewal();
    const r = await reviewCase(h.app, number, { action: 'approve', reviewer: 'reviewer:ito', address: 'cli' }, NOW);
    expect(r).toMatchObject({ case: number, previous: 'ready-for-review', status: 'approved', notices: ['review-approved'], certificationNumber: 'OMP-2023-0123', validFrom: '2026-04-01', validTo: '2029-03-31' });
    const holder = register.holderByNumber('OMP-2023-0123')!;
    expect(holder).toMatchObject({ valid_from: '2023-04-01', valid_to: '2029-03-31', status: 'active' });
    expect(register.holderCases(holder.id)).toEqual([expect.objectContaining({ case_number: number, role: 'renewed', valid_from: '2026-04-01', valid_to: '2029-03-31' })]);

    const certificate = h.app.cases.caseAttachments(h.app.cases.caseByNumber(number)!.id).find((a) => (a.role as string) === 'certificate')!;
    expect(certificate.filename).toBe('認定書_OMP-2023-0123.pdf');
    const sent = await deliverOutbox(h.app, new FolderTransport(h.config.outbox.dir));
    expect(sent.failed).toBe(0);
    const result = await simpleParser(readFileSync(path.join(h.config.outbox.dir, `${number}.review-approved.1.eml`)));
    expect(result.subject).toMatch(/^Re: 【コン検】.*審査結果のお知らせ（認定・受付番号/);
    expect(result.inReplyTo).toMatch(/^<test-/);
    expect(result.text).toContain('認定番号　　：OMP-2023-0123');
    expect(result.text).toContain('2026年4月1日〜2029年3月31日');
    expect(result.attachments.map((a) => a.filename)).toEqual(['認定書_OMP-2023-0123.pdf']);
    const pdf = result.attachments[0]!.content;
    const text = (await new PDFParse({ data: new Uint8Array(pdf) }).getText()).text;
    for (const s of ['認', '今田 健太郎', 'OMP-2023-0123', '2026年4月1日', '2029年3月31日', '2026年2月20日', 'コンタクトセンター・オペレーションマネジメントプロフェッショナル', '（OMP）']) expect(text).toContain(s);
    // The font is embedded (a subset: a few KB, not the 17 MB font).
    const raw = Buffer.from(pdf).toString('latin1');
    expect(raw).toMatch(/\/FontDescriptor[\s\S]*\/FontFile[23]? \d+ 0 R/);
    expect(pdf.length).toBeLessThan(200_000);

    // A second decision is refused with a clear message, and no second result mail goes out.
    await expect(reviewCase(h.app, number, { action: 'reject', reason: 'other', reviewer: 'reviewer:sato' })).rejects.toThrow(/審査済みの案件です（承認）/);
    expect(kinds(number).filter((k) => k === 'review-approved')).toHaveLength(1);
    const audit = new AuditLog(h.app.db).list({ caseNumber: number }).rows.map((a) => [a.login, a.action]);
    expect(audit).toContainEqual(['reviewer:ito', 'review.approve']);
    expect(h.app.cases.events(h.app.cases.caseByNumber(number)!.id).map((e) => e.type)).toContain('case.decided');
  });

  it('the result mail goes out even when the applicant reached the daily cap of automatic mails (a person decided it)', async () => {
    h = harness();
    // Two automatic mails a day: the acknowledgement and the payment request fill it; 'accepted' is held back.
    (h.app.writer as unknown as { settings: { maxPerSenderPerDay: number } }).settings.maxPerSenderPerDay = 2;
    const number = await readyRenewal();
    const status = (kind: string) => h!.app.outbox.outboxForCase(h!.app.cases.caseByNumber(number)!.id).find((o) => o.kind === kind)?.status;
    expect(status('accepted')).toBe('suppressed');
    await reviewCase(h.app, number, { action: 'approve', reviewer: 'reviewer:ito' });
    expect(status('review-approved')).toBe('pending');
    await deliverOutbox(h.app, new FolderTransport(h.config.outbox.dir));
    expect(readdirSync(h.config.outbox.dir)).toContain(`${number}.review-approved.1.eml`);
  });

  it('a certification: a new certification number from the pattern, the first validity from the exam report, never reused', async () => {
    h = harness();
    const report = { filename: '試験結果レポート.pdf', content: Buffer.from(examReportTextPdf({ passerNumber: '2310450123', name: '検定 花子', qualification: 'OMP', examDate: '2025年6月22日', issuedOn: '2025年7月15日' })), contentType: 'application/pdf' };
    const raw = await buildMail({
      from: '検定 花子 <hanako.kentei@example.jp>', subject: '【認定申請】プロフェッショナル認定申請書添付_260210', date: new Date('2026-02-10T10:00:00+09:00'), messageId: `cert-review-${process.pid}@example.jp`,
      text: '資格認定申請書を送ります。', attachments: [{ filename: '資格認定申請フォーム.docx', content: Buffer.from(fillCertificationForm(readFileSync(CERTIFICATION_TEMPLATE), CERT_COMPLETE)) }, report],
    });
    const number = (await h.process(raw)).cases[0]!.number!;
    importStatementRows(h.app, 'b.csv', 'hash-cert', 'simple-csv', [{ line: 2, paidOn: '2026-02-12', amount: 11000, transferName: '0123ｹﾝﾃｲ ﾊﾅｺ' }], 'test');
    expect(h.app.cases.caseByNumber(number)!.status).toBe('ready-for-review');
    // An imported holder already has the first number of the pattern: it is skipped, not reused.
    const register = new RegisterStore(h.app.db);
    register.upsertImported({ certificationNumber: 'OMP-2026-0001', qualification: 'OMP', name: '既存 太郎', nameKana: null, validFrom: '2026-04-01', validTo: '2029-03-31', status: 'active', email: null }, NOW.toISOString());
    const r = await reviewCase(h.app, number, { action: 'approve', reviewer: 'reviewer:ito' }, NOW);
    expect(r).toMatchObject({ status: 'approved', certificationNumber: 'OMP-2026-0002', validFrom: '2026-04-01', validTo: '2029-03-31' });
    expect(register.holderByNumber('OMP-2026-0002')).toMatchObject({ name: '検定 花子', qualification: 'OMP', status: 'active', source: 'case' });
    expect(outboxMail(number, 'review-approved').attachments).toEqual([expect.objectContaining({ filename: '認定書_OMP-2026-0002.pdf', contentType: 'application/pdf' })]);
  });
});

describe('the reviewer rejects or asks', () => {
  it('a rejection gives the configured reason and the reviewer\'s words; an unknown reason is refused', async () => {
    h = harness();
    const number = await readyRenewal();
    await expect(reviewCase(h.app, number, { action: 'reject', reviewer: 'reviewer:ito' })).rejects.toThrow(ReviewError);
    await expect(reviewCase(h.app, number, { action: 'reject', reason: 'no-such', reviewer: 'reviewer:ito' })).rejects.toThrow(/no-such はありません/);
    const r = await reviewCase(h.app, number, { action: 'reject', reason: 'cpd-insufficient', text: 'A区分の研修の受講証明書が確認できませんでした。', reviewer: 'reviewer:ito' }, NOW);
    expect(r).toMatchObject({ status: 'rejected', notices: ['review-rejected'] });
    const m = outboxMail(number, 'review-rejected');
    expect(m.text).toContain('理由：継続研鑽（CPD）のポイントが基準に達していないため');
    expect(m.text).toContain('A区分の研修の受講証明書が確認できませんでした。');
    expect(m.attachments).toBeUndefined();
    expect(new RegisterStore(h.app.db).holderByNumber('OMP-2023-0123')).toBeUndefined();
  });

  it('a question goes to the applicant; the case waits like missing items and the reply, text only, brings it back to the reviewer', async () => {
    h = harness();
    const number = await readyRenewal();
    await expect(reviewCase(h.app, number, { action: 'return', text: '  ', reviewer: 'reviewer:ito' })).rejects.toThrow(/質問を入力してください/);
    const r = await reviewCase(h.app, number, { action: 'return', text: 'B-2の研修の主催団体名をお知らせください。', reviewer: 'reviewer:ito' }, NOW);
    expect(r).toMatchObject({ status: 'missing-items', notices: ['review-question'] });
    const question = outboxMail(number, 'review-question');
    expect(question.text).toContain('B-2の研修の主催団体名をお知らせください。');
    expect(question.inReplyTo).toMatch(/^test-/);
    await expect(reviewCase(h.app, number, { action: 'approve', reviewer: 'reviewer:ito' })).rejects.toThrow(/回答を待っています/);

    const reply = await h.process(await mail({ subject: `Re: ${question.subject}`, inReplyTo: question.messageId, references: [question.messageId], text: '主催は日本コンタクトセンター協会です。', attachments: [], date: new Date('2026-02-22T10:00:00+09:00') }));
    expect(reply.cases[0]).toMatchObject({ number, status: 'ready-for-review' });
    const c = h.app.cases.caseByNumber(number)!;
    expect(h.app.cases.currentFindings(c.id).map((f) => `${f.code}/${f.audience}`)).toEqual(['review.answered/reviewer']);
    expect(kinds(number).filter((k) => k === 'review-request')).toHaveLength(2);
    expect(kinds(number).filter((k) => k === 'accepted')).toHaveLength(1);
    expect((await reviewCase(h.app, number, { action: 'approve', reviewer: 'reviewer:ito' }, NOW)).status).toBe('approved');
  });
});

describe('four eyes and two reviewers', () => {
  it('with requireSecondApproval, the first approval waits; the same reviewer cannot confirm it; another one decides', async () => {
    h = harness();
    h.app.rules.review.requireSecondApproval = true;
    const number = await readyRenewal();
    const first = await reviewCase(h.app, number, { action: 'approve', reviewer: 'reviewer:ito' }, NOW);
    expect(first).toMatchObject({ status: 'ready-for-review', awaitingSecondApproval: true, notices: [] });
    await expect(reviewCase(h.app, number, { action: 'approve', reviewer: 'reviewer:ito' })).rejects.toThrow(/別の審査担当者の確認が必要です/);
    const second = await reviewCase(h.app, number, { action: 'approve', reviewer: 'admin:kato' }, NOW);
    expect(second).toMatchObject({ status: 'approved', notices: ['review-approved'], certificationNumber: 'OMP-2023-0123' });
    const decided = h.app.cases.events(h.app.cases.caseByNumber(number)!.id).find((e) => e.type === 'case.decided')!;
    expect(JSON.parse(decided.data_json!)).toMatchObject({ decision: 'approved', firstApprovalBy: 'reviewer:ito' });
  });

  it('two reviewers deciding at once: one result, the other gets a clear message', async () => {
    h = harness();
    const number = await readyRenewal();
    const outcomes = await Promise.allSettled([
      reviewCase(h.app, number, { action: 'approve', reviewer: 'reviewer:ito' }, NOW),
      reviewCase(h.app, number, { action: 'reject', reason: 'other', reviewer: 'reviewer:sato' }, NOW),
    ]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    const refused = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toBeInstanceOf(ReviewError);
    expect(String(refused.reason.message)).toMatch(/審査済みの案件です/);
    expect(kinds(number).filter((k) => k === 'review-approved' || k === 'review-rejected')).toHaveLength(1);
    // A certificate drawn for the decision that was refused is not left in the content store (it names a person).
    const referenced = new Set((h.app.db.prepare('SELECT store_path FROM attachments').all() as { store_path: string }[]).map((r) => path.normalize(r.store_path)));
    const pdfs = readdirSync(h.config.store.dir, { recursive: true }).map(String).filter((f) => f.endsWith('.pdf'));
    // The approval drew its certificate before either transaction: rejected first, that file is gone.
    if (h.app.cases.caseByNumber(number)!.status === 'rejected') expect(pdfs).toEqual([]);
    expect(pdfs.filter((f) => !referenced.has(path.normalize(f)))).toEqual([]);
  });

  it('two reviewers in two processes (`conken review`) approving at once: one approval, one result mail, the other told it is decided', async () => {
    h = harness();
    const register = new RegisterStore(h.app.db);
    register.upsertImported({ certificationNumber: 'OMP-2023-0123', qualification: 'OMP', name: '今田 健太郎', nameKana: 'こんだ けんたろう', validFrom: '2023-04-01', validTo: '2026-03-31', status: 'active', email: null }, NOW.toISOString());
    const number = await readyRenewal();
    const env = dataEnv(h.dir);
    const [a, b] = await Promise.all([
      conken(['review', number, 'approve', '--json'], { ...env, CONKEN_USER: 'ito' }),
      conken(['review', number, 'approve', '--json'], { ...env, CONKEN_USER: 'sato' }),
    ]);
    expect([a.code, b.code].sort()).toEqual([0, 2]);
    const refused = a.code === 2 ? a : b;
    expect(refused.stderr).toContain('審査済みの案件です（承認）');
    expect(JSON.parse((a.code === 0 ? a : b).stdout)).toMatchObject({ status: 'approved', certificationNumber: 'OMP-2023-0123', validTo: '2029-03-31' });
    expect(kinds(number).filter((k) => k === 'review-approved')).toHaveLength(1);
    expect(readdirSync(h.config.outbox.dir).filter((f) => f.includes('review-approved'))).toEqual([`${number}.review-approved.1.eml`]);
    expect(register.holderCases(register.holderByNumber('OMP-2023-0123')!.id)).toHaveLength(1);
    expect(h.app.cases.events(h.app.cases.caseByNumber(number)!.id).filter((e) => e.type === 'case.decided')).toHaveLength(1);
  }, 180_000);
});
