// The certification form kind end to end on real files: filled .docx forms made from the association's
// blank, exam result reports as real PDFs (text layer) and scans (PNG), real mails, a real SQLite store.
// Every certification finding code, the subject rule, recognition by content, payments, replies, and
// the reviewer's summary.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataEnv, harness, SAMPLES, sampleMail, tempDir, type Harness } from '../support/harness.ts';
import { conken } from '../support/cli.ts';
import { fillCertificationForm, CERTIFICATION_TEMPLATE, signaturePng, type CertificationFill } from '../../scripts/lib/fill-certification-form.ts';
import { CERT_COMPLETE, CERTIFICATION_SAMPLES } from '../../scripts/lib/certification-samples.ts';
import { examReportLines, examReportTextPdf, type ExamReport } from '../../scripts/lib/exam-report.ts';
import { textPdf } from '../../scripts/lib/text-pdf.ts';
import { buildMail, type MailSpec } from '../../scripts/lib/mail-builder.ts';
import { extractFile } from '../../src/extract/extract-file.ts';
import type { CertificationApplication } from '../../src/extract/forms/certification.ts';
import { importPaymentsFile } from '../../src/app/import-payments.ts';
import { shutdownOcr } from '../../src/extract/ocr/ocr-engine.ts';

const template = readFileSync(CERTIFICATION_TEMPLATE);
const CERT_SUBJECT = '【認定申請】プロフェッショナル認定申請書添付_260210';
const RECEIVED = new Date('2026-02-10T10:00:00+09:00');

function certForm(changes: Partial<CertificationFill> = {}): Buffer {
  return Buffer.from(fillCertificationForm(template, { ...CERT_COMPLETE, ...changes }));
}

const HANAKO_REPORT: ExamReport = { passerNumber: '2310450123', name: '検定 花子', qualification: 'OMP', examDate: '2025年6月22日', issuedOn: '2025年7月15日' };
function reportPdf(changes: Partial<ExamReport> = {}) {
  return { filename: '試験結果レポート.pdf', content: Buffer.from(examReportTextPdf({ ...HANAKO_REPORT, ...changes })), contentType: 'application/pdf' };
}

let counter = 0;
function certMail(spec: Partial<MailSpec> = {}): Promise<Buffer> {
  counter++;
  return buildMail({
    from: '検定 花子 <hanako.kentei@example.jp>', subject: CERT_SUBJECT, date: RECEIVED, messageId: `cert-${process.pid}-${counter}@example.jp`,
    text: '資格認定申請書を送ります。', attachments: [{ filename: '資格認定申請フォーム.docx', content: certForm() }, reportPdf()], ...spec,
  });
}

let h: Harness;
beforeAll(() => { h = harness(); });
afterAll(async () => {
  h.close();
  await shutdownOcr();
});

async function outcomeOf(changes: Partial<CertificationFill>, extra: Partial<MailSpec> = {}) {
  const o = await h.process(await certMail({ attachments: [{ filename: '申請書.docx', content: certForm(changes) }, reportPdf()], ...extra }));
  expect(o.cases).toHaveLength(1);
  return o.cases[0]!;
}

const codes = (findings: { code: string; audience: string }[]) => findings.map((f) => `${f.code}/${f.audience}`);

describe('reading the certification form', () => {
  it('prints the field dictionary with normalised values through `conken extract --json`', async () => {
    const v = await extractFile(certForm(), 'c.docx');
    expect(v.role).toBe('form');
    if (v.role !== 'form') return;
    expect(v.kind).toBe('certification');
    const app = v.application as CertificationApplication;
    expect(app).toMatchObject({
      applicationDate: '2026-02-10', passerNumber: '2310450123', examReportIssuedOn: '2025-07-15', qualification: 'OMP',
      name: '検定 花子', nameKana: 'けんてい はなこ', postalCode: '160-0023', feeTransferDate: '2026-02-09', feeTransferName: '0123ケンテイハナコ',
      statedTotalYears: 11.9, statedRequiredFieldYears: 7.9, oathAgreed: true, oathDate: '2026-02-10', applicantSigned: true, applicantSignature: 'image',
      certifier: { certifiedOn: '2026-02-05', organization: '株式会社サンプルサポート', title: 'カスタマーサービス本部 本部長', name: '山田 一郎', signed: true, signature: 'image', phone: '03-2345-0000' },
    });
    expect(app.experience.map(({ field, from, to, ongoing, years }) => ({ field, from, to, ongoing, years }))).toEqual([
      { field: 2, from: '2014-04', to: '2018-03', ongoing: false, years: 4 },
      { field: 4, from: '2018-04', to: null, ongoing: true, years: 7.92 },
    ]);
    expect(app.sources.passerNumber).toMatchObject({ text: '2310450123', confidence: 1 });
    expect(app.experience[1]!.sources.period?.text).toBe('自　2018年4月\n至　現在');
  });

  it.each<[string, Partial<CertificationFill['experience'] & object>[number], Record<string, unknown>]>([
    ['2016/4 – 2020-03', { field: '１', from: '2016/4', to: '2020-03', years: '4' }, { field: 1, from: '2016-04', to: '2020-03', years: 4 }],
    ['平成28年4月 – 令和元年9月', { field: '3', from: '平成28年4月', to: '令和元年9月', years: '3年6ヶ月' }, { field: 3, from: '2016-04', to: '2019-09', years: 3.5 }],
    ['full-width, one line', { field: '５', from: '２０１９年１０月', to: '２０２１年３月', periodStyle: 'one-line', years: '１年６ヶ月' }, { field: 5, from: '2019-10', to: '2021-03', years: 1.5 }],
    ['field written by name', { field: 'オペレーション', from: '2020年4月', to: '現在', years: '5.9' }, { field: 4, from: '2020-04', to: null, ongoing: true, years: 5.9 }],
    ['2016/04-2020/03 on one line', { field: '2', from: '2016/04', to: '2020/03', periodStyle: 'one-line', joiner: '-', years: '4' }, { field: 2, from: '2016-04', to: '2020-03', years: 4 }],
    ['2016年4月から2020年3月末まで, 約4年', { field: '2', from: '2016年4月から', to: '2020年3月末まで', years: '約4年' }, { field: 2, from: '2016-04', to: '2020-03', years: 4 }],
    ['H28.4 ～ 現在, 3年半', { field: '7', from: 'H28.4', to: '現在', periodStyle: 'one-line', joiner: ' ～ ', years: '3年半' }, { field: 7, from: '2016-04', ongoing: true, years: 3.5 }],
  ])('reads an experience row written as %s', async (_name, row, expected) => {
    const v = await extractFile(certForm({ experience: [row as NonNullable<CertificationFill['experience']>[number]] }), 'c.docx');
    if (v.role !== 'form') throw new Error(v.role);
    expect((v.application as CertificationApplication).experience[0]).toMatchObject(expected);
  });

  it('adds experience rows people insert beyond the eight printed ones', async () => {
    const rows = Array.from({ length: 10 }, (_, i) => ({ field: String((i % 7) + 1), organization: `会社${i}`, from: `${2010 + i}年4月`, to: `${2010 + i}年9月`, years: '0.5' }));
    const v = await extractFile(certForm({ experience: rows }), 'c.docx');
    if (v.role !== 'form') throw new Error(v.role);
    expect((v.application as CertificationApplication).experience).toHaveLength(10);
  });

  it('reads the oath typed as ☑ instead of the content control, and a typed signature as signed-but-typed', async () => {
    const v = await extractFile(certForm({ oath: { typed: '☑' }, applicantSignature: { typed: '検定花子' } }), 'c.docx');
    if (v.role !== 'form') throw new Error(v.role);
    expect(v.application).toMatchObject({ oathAgreed: true, applicantSigned: true, applicantSignature: 'typed' });
  });

  it('is recognised by content: each form is what it is whatever the file is called', async () => {
    const cert = await extractFile(certForm(), '更新申請書.docx');
    const renewal = await extractFile(readFileSync(path.join(SAMPLES, 'forms', 'renewal-complete.docx')), '資格認定申請.docx');
    expect([cert.role === 'form' && cert.kind, renewal.role === 'form' && renewal.kind]).toEqual(['certification', 'renewal']);
  });
});

describe('the exam result report among the attachments', () => {
  it('is read from a PDF: issue date and passer number', async () => {
    const v = await extractFile(reportPdf().content, 'scan.pdf');
    expect(v).toMatchObject({ role: 'document', facts: { kind: 'exam-report', read: true, issuedOn: '2025-07-15', passerNumber: '2310450123', qualification: 'OMP' } });
  });

  it('is not confused with the certification form exported to PDF, which mentions the report', async () => {
    const v = await extractFile(readFileSync(path.join(SAMPLES, 'blank-forms', 'certification-application.pdf')), '試験結果レポート.pdf');
    expect(v).toMatchObject({ role: 'form', kind: 'certification' });
  });

  it('is read by OCR from a scan (PNG), with the confidence it was read with', async () => {
    const v = await extractFile(readFileSync(path.join(SAMPLES, 'forms', 'exam-report-2025-kato-scan.png')), 'IMG_2041.png', { ocrMinConfidence: 85 });
    expect(v).toMatchObject({ role: 'document', type: 'png', facts: { kind: 'exam-report', read: true, issuedOn: '2025-07-15', passerNumber: '2310450706', qualification: 'OMP' } });
  });

  it('is read by OCR from a scanned PDF (no text layer)', async () => {
    const v = await extractFile(readFileSync(path.join(SAMPLES, 'forms', 'exam-report-2025-kato-scan.pdf')), 'scan.pdf', { ocrMinConfidence: 80 });
    expect(v).toMatchObject({ role: 'document', type: 'pdf', facts: { kind: 'exam-report', read: true, issuedOn: '2025-07-15' } });
  });

  it('never takes an OCR value read below the confidence threshold', async () => {
    const v = await extractFile(readFileSync(path.join(SAMPLES, 'forms', 'exam-report-2025-kato-scan.png')), 'IMG_2041.png', { ocrMinConfidence: 99.9 });
    expect(v).toMatchObject({ role: 'document', facts: { kind: 'exam-report', read: true, issuedOn: null, passerNumber: null } });
  });

  it('is recognised by its content when the title did not survive (a copy cut at the top): number, result, date, issuer', async () => {
    const cut = textPdf(examReportLines(HANAKO_REPORT).map(([t]) => t).slice(5));
    expect(cut.length).toBeGreaterThan(0);
    const v = await extractFile(cut, 'scan0001.pdf');
    expect(v).toMatchObject({ role: 'document', facts: { kind: 'exam-report', read: true, issuedOn: '2025-07-15', passerNumber: '2310450123', qualification: 'OMP' } });
    // Not from a single sign, nor from the association's name and a date (an attendance certificate).
    const attendance = textPdf(['一般社団法人 日本コンタクトセンター教育検定協会', '受講証明書', '研修名：コンタクトセンター運営基礎（6時間）', '発行日：2025年7月15日']);
    expect(await extractFile(attendance, 'a.pdf')).toMatchObject({ role: 'document', facts: { kind: 'proof' } });
    expect(await extractFile(textPdf(['結果：合格', 'おめでとうございます']), 'b.pdf')).toMatchObject({ role: 'document', facts: { kind: 'proof' } });
  });

  it('is not confused with other proofs', async () => {
    const v = await extractFile(readFileSync(path.join(SAMPLES, 'forms', 'proof-certificate.pdf')), '試験結果.pdf');
    expect(v).toMatchObject({ role: 'document', facts: { kind: 'proof' } });
  });

  it('a LibreOffice-printed sample report reads the same', async () => {
    const v = await extractFile(readFileSync(path.join(SAMPLES, 'forms', 'exam-report-2022-expired.pdf')), 'r.pdf');
    expect(v).toMatchObject({ role: 'document', facts: { kind: 'exam-report', read: true, issuedOn: '2022-11-30', passerNumber: '2211330777' } });
  });
});

describe('certification findings on real files', () => {
  it('a complete form with its report has no applicant or staff finding and waits for payment', async () => {
    const c = await outcomeOf({});
    expect(c.kind).toBe('certification');
    expect(codes(c.findings)).toEqual([]);
    expect(c.status).toBe('awaiting-payment');
    expect(c.notices).toEqual(['acknowledgement', 'awaiting-payment']);
  });

  const over = (field: string, from: string, to: string) => ({ field, organization: '株式会社テスト', from, to, years: '1' });
  it.each<[string, Partial<CertificationFill>, string, string]>([
    ['experience.total-short', { experience: [over('2', '2022年4月', '2024年3月'), over('4', '2024年4月', '現在')], statedTotalYears: '', statedRequiredFieldYears: '' }, 'experience.total-short/applicant', 'missing-items'],
    ['experience.fields-too-few', { experience: [over('4', '2015年4月', '2022年3月')], statedTotalYears: '', statedRequiredFieldYears: '' }, 'experience.fields-too-few/applicant', 'missing-items'],
    ['experience.required-field-short', { experience: [over('1', '2015年4月', '2021年3月'), over('5', '2021年4月', '2022年9月')], statedTotalYears: '', statedRequiredFieldYears: '' }, 'experience.required-field-short/applicant', 'missing-items'],
    ['experience.required-field-short (CAP needs 6 or 7)', { qualification: { kind: 'delete-other', choose: 'CAP' } }, 'experience.required-field-short/applicant', 'missing-items'],
    ['experience.row-incomplete', { experience: [...CERT_COMPLETE.experience!, { field: '3', organization: '株式会社途中', from: '2010年4月' }] }, 'experience.row-incomplete/applicant', 'missing-items'],
    ['experience.stated-total-mismatch', { statedTotalYears: '15' }, 'experience.stated-total-mismatch/reviewer', 'awaiting-payment'],
    ['substitution.over-limit', { substitutions: [{ title: '資格A', obtainedOn: '2020年4月', years: '1.5' }, { title: '研修B', obtainedOn: '2021年4月', years: '1.5' }], statedTotalYears: '' }, 'substitution.over-limit/reviewer', 'awaiting-payment'],
    ['certifier.missing', { certifier: { ...CERT_COMPLETE.certifier, name: '', organization: '' } }, 'certifier.missing/applicant', 'missing-items'],
    ['certifier.unsigned', { certifier: { ...CERT_COMPLETE.certifier, signature: 'none' } }, 'certifier.unsigned/applicant', 'missing-items'],
    ['signature.typed (certifier)', { certifier: { ...CERT_COMPLETE.certifier, signature: { typed: '山田一郎' } } }, 'signature.typed/reviewer', 'awaiting-payment'],
    ['oath.not-agreed', { oath: 'unchecked' }, 'oath.not-agreed/applicant', 'missing-items'],
    ['oath.unsigned', { applicantSignature: 'none' }, 'oath.unsigned/applicant', 'missing-items'],
    ['field.missing (passer number)', { passerNumber: '' }, 'field.missing/applicant', 'missing-items'],
    ['field.missing (oath date)', { oathDate: '' }, 'field.missing/applicant', 'missing-items'],
    ['field.missing (company → reviewer only)', { company: '' }, 'field.missing/reviewer', 'awaiting-payment'],
    ['field.invalid (experience month)', { experience: [{ ...CERT_COMPLETE.experience![0]!, from: '2014年13月' }, CERT_COMPLETE.experience![1]!] }, 'field.invalid/applicant', 'missing-items'],
    ['field.invalid (period reversed)', { experience: [{ ...CERT_COMPLETE.experience![0]!, from: '2019年4月', to: '2018年3月' }, CERT_COMPLETE.experience![1]!] }, 'field.invalid/applicant', 'missing-items'],
    ['qualification.none', { qualification: { kind: 'untouched' } }, 'qualification.none/applicant', 'missing-items'],
    ['qualification.multiple', { qualification: { kind: 'mark-both', mark: '●' } }, 'qualification.multiple/applicant', 'missing-items'],
  ])('%s', async (_name, changes, code, status) => {
    const c = await outcomeOf(changes);
    expect(codes(c.findings), JSON.stringify(c.findings.map((f) => f.message))).toContain(code);
    expect(c.status).toBe(status);
  });

  it('counts overlapping periods once and tells the reviewer when the stated total adds them twice', async () => {
    const sample = CERTIFICATION_SAMPLES.find((s) => s.file === 'certification-overlapping.docx')!;
    const c = await outcomeOf(sample.fill, { attachments: [{ filename: 'f.docx', content: Buffer.from(fillCertificationForm(template, sample.fill)) }, reportPdf({ passerNumber: sample.fill.passerNumber! })] });
    const mismatch = c.findings.find((f) => f.code === 'experience.stated-total-mismatch')!;
    expect(mismatch.message).toMatch(/8年.*6年/);
    expect(c.status).toBe('awaiting-payment');
  });

  it('exam-report.missing: no report attached asks the applicant for it', async () => {
    const c = await outcomeOf({}, { attachments: [{ filename: 'f.docx', content: certForm() }] });
    expect(codes(c.findings)).toEqual(['exam-report.missing/applicant']);
    expect(c.status).toBe('missing-items');
  });

  it('exam-report.expired: issued more than three years before receipt', async () => {
    const c = await outcomeOf({ examReportIssuedOn: '2022年11月30日' }, { attachments: [{ filename: 'f.docx', content: certForm({ examReportIssuedOn: '2022年11月30日' }) }, reportPdf({ issuedOn: '2022年11月30日' })] });
    expect(codes(c.findings)).toEqual(['exam-report.expired/applicant']);
    expect(c.status).toBe('missing-items');
  });

  it('exam-report.expired is judged on the report, not on a wrong date typed in the form (mismatch to the reviewer)', async () => {
    const c = await outcomeOf({}, { attachments: [{ filename: 'f.docx', content: certForm() }, reportPdf({ issuedOn: '2022年12月1日' })] });
    expect(codes(c.findings)).toEqual(['exam-report.mismatch/reviewer', 'exam-report.expired/applicant']);
  });

  it('exam-report.mismatch: the report carries another passer number', async () => {
    const c = await outcomeOf({}, { attachments: [{ filename: 'f.docx', content: certForm() }, reportPdf({ passerNumber: '2299990001' })] });
    expect(codes(c.findings)).toEqual(['exam-report.mismatch/reviewer']);
    expect(c.status).toBe('awaiting-payment');
  });

  it('exam-report.unread: a photo that OCR cannot tell for the report goes to staff first; the applicant is not told it is missing', async () => {
    const c = await outcomeOf({}, { attachments: [{ filename: 'f.docx', content: certForm() }, { filename: 'IMG_0001.png', content: Buffer.from(signaturePng()), contentType: 'image/png' }] });
    expect(codes(c.findings)).toEqual(['exam-report.unread/staff']);
    expect(c.findings[0]!.message).toContain('IMG_0001.png');
    expect(c.status).toBe('exception');
  });

  it('exam-report.unread: a text PDF that is not recognised as the report goes to staff, never exam-report.missing', async () => {
    const c = await outcomeOf({}, { attachments: [{ filename: 'f.docx', content: certForm() }, { filename: 'scan0001.pdf', content: readFileSync(path.join(SAMPLES, 'forms', 'proof-certificate.pdf')), contentType: 'application/pdf' }] });
    expect(codes(c.findings)).toEqual(['exam-report.unread/staff']);
    expect(c.status).toBe('exception');
  });

  it('exam-report.unread (reviewer): the report is recognised but its date cannot be read; the form date is used', async () => {
    const c = await outcomeOf({}, { attachments: [{ filename: 'f.docx', content: certForm() }, reportPdf({ issuedOn: '（記載なし）' })] });
    expect(codes(c.findings)).toEqual(['exam-report.unread/reviewer']);
    expect(c.status).toBe('awaiting-payment');
  });
});

describe('certification cases through the pipeline', () => {
  it('takes the 【認定申請】 subject, and a certification form under the renewal subject is still a certification', async () => {
    const a = await h.process(await certMail({ subject: 'Re: [認定申請] プロフェッショナル認定申請書添付 20260210' }));
    const b = await h.process(await certMail({ subject: '【更新申請】プロフェッショナル更新申請書添付_260210' }));
    const c = await h.process(await certMail({ attachments: [{ filename: '認定申請書.docx', content: readFileSync(path.join(SAMPLES, 'forms', 'renewal-complete.docx')) }] }));
    expect([a.classification, a.cases[0]?.kind, b.classification, b.cases[0]?.kind, c.cases[0]?.kind]).toEqual(['application', 'certification', 'application', 'certification', 'renewal']);
    expect(a.cases[0]!.number).toMatch(/^C-2026-\d{6}$/);
  });

  it('a reply carrying the missing report re-evaluates the case; a later payment routes it to the reviewer with the timeline', async () => {
    const local = harness();
    try {
      const first = await local.process(await certMail({ attachments: [{ filename: 'f.docx', content: certForm() }] }));
      const number = first.cases[0]!.number!;
      expect(first.cases[0]!.status).toBe('missing-items');
      const reply = await local.process(await certMail({ subject: `Re: 申請書類の不足（受付番号 ${number}）`, attachments: [reportPdf()] }));
      expect(reply.cases[0]).toMatchObject({ number, status: 'awaiting-payment', findings: [] });
      // The payment arrives: the stored facts of the report (no re-reading) keep the case complete.
      const csv = path.join(local.dir, 'bank.csv');
      writeFileSync(csv, 'date,amount,transfer_name\n2026-02-12,11000,0123ｹﾝﾃｲ ﾊﾅｺ\n');
      const imported = importPaymentsFile(local.app, csv);
      expect(imported.matched).toEqual([{ payment: 1, case: number, status: 'ready-for-review' }]);
      const row = local.app.cases.caseByNumber(number)!;
      const review = local.app.outbox.outboxForCase(row.id).find((o) => o.kind === 'review-request')!;
      const text = JSON.parse(review.mail_json).text as string;
      expect(text).toContain('■ 業務経験（期間から計算）');
      // 2014-04..2018-03 is eight half-years, drawn from the first column of the timeline.
      expect(text).toMatch(/２．カスタマーサービス　+■{8}・/);
      expect(text).toMatch(/全体（▲は重複）　+■+/);
      expect(text).toContain('最初の認定期間');
      expect(text).toContain('2026-04-01〜2029-03-31');
      expect(text).toContain('更新申請期間 2029-01-01〜2029-02-28');
      expect(JSON.parse(review.mail_json).attachments.map((a: { filename: string }) => a.filename)).toEqual(['f.docx', '試験結果レポート.pdf']);
    } finally {
      local.close();
    }
  });

  it('every sample certification mail ends where its sample says', async () => {
    const expected: Record<string, [string, string[]]> = {
      '18-certification-complete.eml': ['awaiting-payment', []],
      '19-certification-oath-unchecked.eml': ['missing-items', ['oath.not-agreed/applicant', 'oath.unsigned/applicant']],
      '20-certification-no-exam-report.eml': ['missing-items', ['exam-report.missing/applicant']],
      '21-certification-scanned-report.eml': ['awaiting-payment', ['signature.typed/reviewer']],
      '22-certification-under-renewal-subject.eml': ['awaiting-payment', ['experience.stated-total-mismatch/reviewer']],
      '23-certification-expired-report.eml': ['missing-items', ['exam-report.expired/applicant']],
      '24-certification-as-pdf.eml': ['awaiting-payment', ['experience.stated-total-mismatch/reviewer']],
    };
    // Mails 25 and 26 (a scanned PDF, photos) are read by OCR: test/integration/scanned-mail.test.ts.
    const mails = readdirSync(path.join(SAMPLES, 'mails')).filter((f) => f.includes('certification') && !/^2[56]-/.test(f));
    expect(mails.sort()).toEqual(Object.keys(expected).sort());
    for (const file of mails) {
      const o = await h.process(sampleMail(file), file);
      expect([o.cases[0]?.kind, o.cases[0]?.status, codes(o.cases[0]?.findings ?? [])], file).toEqual(['certification', ...expected[file]!]);
    }
  });
});

describe('the CLI on certification files', () => {
  const cli = (args: string[]) => conken(args, dataEnv(tempDir()));

  it('`conken extract --json` prints the dictionary keys: months YYYY-MM, ongoing `to` null, years as numbers, booleans', async () => {
    const { stdout } = await cli(['extract', path.join(SAMPLES, 'forms', 'certification-wareki-fullwidth.docx'), '--json']);
    const app = JSON.parse(stdout) as CertificationApplication;
    expect(app).toMatchObject({ kind: 'certification', passerNumber: '2310450605', qualification: 'CAP', examReportIssuedOn: '2025-07-15', applicationDate: '2026-02-10', oathAgreed: true, applicantSigned: true });
    expect(app.experience.map(({ field, from, to, years }) => [field, from, to, years])).toEqual([[6, '2014-04', '2019-09', 5.5], [7, '2019-10', '2021-03', 1.5], [2, '2021-04', null, 4.92]]);
    expect(app.sources.passerNumber?.text).toBe('２３１０４５０６０５');
  });

  it('`conken process --dry-run --json` decides a certification mail and writes nothing', async () => {
    const { stdout } = await cli(['process', path.join(SAMPLES, 'mails', '19-certification-oath-unchecked.eml'), '--dry-run', '--json']);
    const out = JSON.parse(stdout) as { cases: { kind: string; status: string; findings: { code: string; audience: string }[] }[] };
    expect(out.cases.map((c) => [c.kind, c.status, codes(c.findings)])).toEqual([['certification', 'missing-items', ['oath.not-agreed/applicant', 'oath.unsigned/applicant']]]);
  });
});
