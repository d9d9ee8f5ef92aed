// Intake decisions through the real pipeline (real mails, real files, a real SQLite store): a mail that
// carries one of our forms is an application whatever its subject says; subjects with notes and
// annotations are applications; a mail that only mentions an application goes to staff; unrelated mail
// is ignored; bounces, read receipts, auto-replies and list mail stay automatic even under the renewal
// subject; a certification whose supporting picture cannot be read goes to staff before the applicant
// is ever told the exam report is missing.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeEach, afterEach, describe, expect, it } from 'vitest';
import { form, harness, mail, PROOF, SAMPLES, type Harness } from '../support/harness.ts';
import { fillCertificationForm, CERTIFICATION_TEMPLATE, signaturePng } from '../../scripts/lib/fill-certification-form.ts';
import { CERT_COMPLETE } from '../../scripts/lib/certification-samples.ts';
import { unrelatedDocx } from '../../scripts/lib/fill-renewal-form.ts';
import { looksLikePages } from '../../src/extract/documents/page-like.ts';
import { shutdownOcr } from '../../src/extract/ocr/ocr-engine.ts';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/intake');
const RENEWAL_SUBJECT = '【更新申請】プロフェッショナル更新申請書添付_260120';

let h: Harness;
beforeEach(() => { h = harness(); });
afterEach(() => h.close());
afterAll(async () => { await shutdownOcr(); });

/** The mail with its Subject header replaced (the unseen run put the renewal subject on every foreign mail). */
function withSubject(raw: Buffer, subject: string): Buffer {
  const encoded = `=?UTF-8?B?${Buffer.from(subject).toString('base64')}?=`;
  return Buffer.from(raw.toString('latin1').replace(/^Subject:.*(?:\r?\n[ \t].*)*$/m, `Subject: ${encoded}`), 'latin1');
}

const codes = (findings: { code: string; audience: string }[]) => findings.map((f) => `${f.code}/${f.audience}`);
const outboxCounts = () => h.app.outbox.outboxCounts();

describe('a mail that carries one of our forms is an application whatever its subject says', () => {
  it('更新の申請書です（プロフェッショナル） with a filled renewal .docx: an application, answered, with a note for the reviewer', async () => {
    const o = await h.process(await mail({ subject: '更新の申請書です（プロフェッショナル）' }));
    expect(o.classification).toBe('application');
    expect(o.cases).toHaveLength(1);
    const c = o.cases[0]!;
    expect(c).toMatchObject({ number: 'R-2026-000001', kind: 'renewal', status: 'awaiting-payment' });
    expect(codes(c.findings)).toEqual(['subject.unmatched/reviewer']);
    expect(c.findings[0]!.message).toContain('更新の申請書です（プロフェッショナル）');
    // The applicant gets what an applicant under the right subject gets.
    expect(c.notices).toEqual(['acknowledgement', 'awaiting-payment']);
  });

  it('a subject and body with no word of an application, carrying the form: read by content, an application', async () => {
    const o = await h.process(await mail({ subject: 'お世話になっております', text: 'よろしくお願いいたします。' }));
    expect(o.classification).toBe('application');
    expect(o.cases.map((c) => [c.kind, c.status])).toEqual([['renewal', 'awaiting-payment']]);
  });

  it('a certification form under an unrelated subject opens a certification case', async () => {
    const cert = Buffer.from(fillCertificationForm(readFileSync(CERTIFICATION_TEMPLATE), CERT_COMPLETE));
    const o = await h.process(await mail({ from: '検定 花子 <hanako.kentei@example.jp>', subject: '書類送付', text: '', attachments: [{ filename: 'doc1.docx', content: cert }] }));
    expect(o.classification).toBe('application');
    expect(o.cases[0]).toMatchObject({ kind: 'certification' });
    expect(codes(o.cases[0]!.findings)).toContain('subject.unmatched/reviewer');
  });

  it('a garbled rule subject with the form is an application too (the near miss is told to the reviewer)', async () => {
    const o = await h.process(await mail({ subject: '【更新申請】プロフェショナル更新申請書添附' }));
    expect(o.classification).toBe('application');
    expect(codes(o.cases[0]!.findings)).toEqual(['subject.near-miss/reviewer']);
    expect(o.cases[0]!.notices).toContain('acknowledgement');
  });
});

describe('subjects with notes and annotations', () => {
  it('【更新申請】…_260216（OMP・CAP） with both qualifications: two applications', async () => {
    const o = await h.process(await mail({ subject: '【更新申請】プロフェッショナル更新申請書添付_260216（OMP・CAP）', attachments: [
      { filename: 'omp.docx', content: form() },
      { filename: 'cap.docx', content: form({ qualification: { kind: 'delete-other', choose: 'CAP' }, certificationNumber: 'CAP-2023-0124', feeTransferName: '0124コンダケンタロウ' }) },
      PROOF,
    ] }));
    expect(o.classification).toBe('application');
    expect(o.cases.map((c) => [c.number, (c.application as { qualification?: string }).qualification, c.status, codes(c.findings)])).toEqual([
      ['R-2026-000001', 'OMP', 'awaiting-payment', []], ['R-2026-000002', 'CAP', 'awaiting-payment', []],
    ]);
  });

  it.each(['再送：【更新申請】プロフェッショナル更新申請書添付_260120', '【再送】【更新申請】プロフェッショナル更新申請書添付_260120', '(訂正) 【更新申請】プロフェッショナル更新申請書添付'])('%s: an application without a subject finding', async (subject) => {
    const o = await h.process(await mail({ subject }));
    expect(o.classification).toBe('application');
    expect(codes(o.cases[0]!.findings)).toEqual([]);
  });
});

describe('no form we can read', () => {
  it('a mail that mentions an application (body) without a form: a near miss for staff, nobody answered', async () => {
    const o = await h.process(await mail({ subject: 'お問い合わせ', text: '資格の更新について教えてください。', attachments: [] }));
    expect(o.classification).toBe('near-miss');
    expect(codes(o.cases[0]!.findings)).toContain('subject.near-miss/staff');
    expect(o.cases[0]!.findings.find((f) => f.code === 'subject.near-miss')!.message).toContain('本文の「更新」');
    expect(o.cases[0]!.notices).toEqual([]);
    expect(o.cases[0]!.status).toBe('exception');
  });

  it('a case number quoted in the body, and a Word file that is not our form: a near miss for staff', async () => {
    const o = await h.process(await mail({ subject: '書類です', text: 'R-2026-000777 の件で書類を送ります。', attachments: [{ filename: '議事録.docx', content: unrelatedDocx() }] }));
    expect(o.classification).toBe('near-miss');
    expect(o.cases[0]!.findings.find((f) => f.code === 'subject.near-miss')!.message).toContain('R-2026-000777');
    expect(o.cases[0]!.notices).toEqual([]);
  });

  it('unrelated mail with neither a form nor a mention is ignored: no case, no notice', async () => {
    const o = await h.process(await mail({ subject: 'ランチのお誘い', text: '12時にロビーで。', attachments: [{ filename: '議事録.docx', content: unrelatedDocx() }] }));
    expect([o.classification, o.ignored]).toEqual(['ignored', true]);
    expect(h.app.cases.listCases()).toEqual([]);
    expect(outboxCounts()).toEqual({});
  });

  it('unrelated mail with a small picture is ignored (a logo or a photo is not read as a form)', async () => {
    const o = await h.process(await mail({ subject: '写真です', text: '先日の写真です。', attachments: [{ filename: 'IMG_0001.png', content: Buffer.from(signaturePng()), contentType: 'image/png' }] }));
    expect([o.classification, o.ignored]).toEqual(['ignored', true]);
  });

  it('pictures are worth OCR on an unrelated mail only when they look like pages of a form', async () => {
    const page = (name: string) => readFileSync(path.join(SAMPLES, 'scans', name));
    expect(await looksLikePages([page('certification-complete-photo-p2.jpg'), page('certification-complete-photo-p3.jpg')])).toBe(true);
    expect(await looksLikePages([page('certification-complete-photo-p2.jpg')])).toBe(false);
    const banner = await sharp({ create: { width: 1200, height: 300, channels: 3, background: '#ffffff' } }).png().toBuffer();
    const thumb = await sharp({ create: { width: 300, height: 420, channels: 3, background: '#ffffff' } }).jpeg().toBuffer();
    expect(await looksLikePages([banner, banner, thumb, thumb, Buffer.from(signaturePng())])).toBe(false);
    expect(await looksLikePages([readFileSync(path.join(SAMPLES, 'forms-pdf', 'certification-complete-scan.pdf'))])).toBe(true);
  });
});

describe('automatic mail stays automatic, under any subject', () => {
  const fixtures = readdirSync(FIXTURES).filter((f) => f.endsWith('.eml')).sort();
  it('has a fixture for each pattern', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(10);
  });

  it.each(fixtures)('%s: automatic as it is and under the renewal subject; no case, no notice', async (name) => {
    const raw = readFileSync(path.join(FIXTURES, name));
    const asIs = await h.process(raw, name);
    const renamed = await h.process(Buffer.from(withSubject(raw, RENEWAL_SUBJECT).toString('latin1').replace(/^Message-I[Dd]: <(.*)>$/m, 'Message-ID: <renamed-$1>'), 'latin1'), `renamed-${name}`);
    expect([asIs.classification, renamed.classification]).toEqual(['automatic', 'automatic']);
    expect(h.app.cases.listCases()).toEqual([]);
    expect(outboxCounts()).toEqual({});
  });
});

describe('the exam report: staff look before the applicant is told it is missing', () => {
  it('a certification with a supporting picture that cannot be read as the report: a staff check, no exam-report.missing', async () => {
    const cert = Buffer.from(fillCertificationForm(readFileSync(CERTIFICATION_TEMPLATE), CERT_COMPLETE));
    const o = await h.process(await mail({
      from: '検定 花子 <hanako.kentei@example.jp>', subject: '【認定申請】プロフェッショナル認定申請書添付_260210', date: new Date('2026-02-10T10:00:00+09:00'),
      attachments: [{ filename: '資格認定申請フォーム.docx', content: cert }, { filename: 'IMG_2041.png', content: Buffer.from(signaturePng()), contentType: 'image/png' }],
    }));
    const c = o.cases[0]!;
    expect(codes(c.findings)).toContain('exam-report.unread/staff');
    expect(codes(c.findings)).not.toContain('exam-report.missing/applicant');
    expect(c.status).toBe('exception');
    expect(c.notices).not.toContain('missing-items');
  });
});
