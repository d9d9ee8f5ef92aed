// Forms printed, filled in and sent back as pictures, through the whole pipeline: read by OCR (one photo
// per page, in any order, or a scanned PDF), every value either right or flagged `field.unconfirmed` with
// its crop stored, the case held as an exception until staff confirm, then evaluated like a Word form.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataEnv, harness, SAMPLES, sampleMail, tempDir, type Harness } from '../support/harness.ts';
import { conken } from '../support/cli.ts';
import { extractFile } from '../../src/extract/extract-file.ts';
import { applicationValues, fieldSources, type ApplicationBase } from '../../src/extract/forms/form-kind.ts';
import { confirmField, ConfirmError } from '../../src/app/confirm-field.ts';
import { shutdownOcr } from '../../src/extract/ocr/ocr-engine.ts';
import { ocrModels } from '../../src/extract/ocr/tessdata.ts';
import { buildMail } from '../../scripts/lib/mail-builder.ts';
import sharp from 'sharp';
import { crc32 } from 'node:zlib';
import type { Finding } from '../../src/validate/findings.ts';

const OCR_TIMEOUT = 900_000;

async function truthOf(docx: string): Promise<ApplicationBase> {
  const verdict = await extractFile(readFileSync(path.join(SAMPLES, 'forms', docx)), docx);
  if (verdict.role !== 'form') throw new Error(`${docx} is not a form`);
  return verdict.application;
}

/** The value a person would type for a field, from the form's ground truth (the same form read from .docx). */
function truthText(truth: ApplicationBase, field: string): string | undefined {
  if (/\.period$/.test(field)) {
    const values = applicationValues(truth);
    const row = field.replace(/\.period$/, '');
    const from = values.get(`${row}.from`)?.value;
    const to = values.get(`${row}.to`)?.value;
    return from ? `${from}〜${to ?? '現在'}` : undefined;
  }
  const v = applicationValues(truth).get(field)?.value;
  return v === 'true' ? 'はい' : v === 'false' ? 'いいえ' : v;
}

const codes = (findings: Finding[]) => findings.map((f) => `${f.code}/${f.audience}`);

describe('scanned and photographed forms through the pipeline', () => {
  let h: Harness;
  beforeAll(() => {
    if (!ocrModels().available) throw new Error('OCR models missing: npm ci installs them (required for the OCR tests)');
    h = harness();
  });
  afterAll(async () => {
    h.close();
    await shutdownOcr();
  });

  it('five phone photos sent out of order and a photo of the exam report: one form, values right or flagged, staff confirm, then the case moves on', async () => {
    const o = await h.process(sampleMail('26-certification-photos.eml'), '26');
    const c = o.cases[0]!;
    expect([o.cases.length, c.kind, c.status]).toEqual([1, 'certification', 'exception']);
    // Nothing is asked of the applicant while a value may be misread; only the acknowledgement goes out.
    expect(c.findings.filter((f) => f.audience === 'applicant')).toEqual([]);
    expect(c.notices).toEqual(['acknowledgement']);
    const unconfirmed = c.findings.filter((f) => f.code === 'field.unconfirmed');
    expect(unconfirmed.length).toBeGreaterThan(0);
    expect(c.findings.every((f) => f.code === 'field.unconfirmed' || f.audience === 'reviewer')).toBe(true);

    // The first page by file name holds the form; the other pages are attached as its pages, the report as a document.
    const row = h.app.cases.caseByNumber(c.number!)!;
    const attachments = h.app.cases.caseAttachments(row.id).map((a) => [a.filename, a.role]).sort();
    expect(attachments).toEqual([
      ['IMG_0120.jpg', 'form'], ['IMG_0130.jpg', 'form-page'], ['IMG_0140.jpg', 'form-page'], ['IMG_0150.jpg', 'form-page'], ['IMG_0160.jpg', 'form-page'], ['IMG_0200.jpg', 'document'],
    ]);

    // Every value read is the form's value, or it is flagged: never a wrong value taken as read.
    const truth = await truthOf('certification-complete.docx');
    const read = applicationValues(JSON.parse(row.application_json!) as ApplicationBase);
    const flagged = new Set(unconfirmed.map((f) => f.field!));
    // A value rests on its evidence: a signature's kind (image, typed) on whether it is signed, whose
    // finding names the `signed` field; so a value below the threshold is flagged whatever its finding is called.
    const wrongAndConfident = [...applicationValues(truth)].filter(([field, t]) => {
      const got = read.get(field);
      const rowField = field.replace(/\.(from|to|ongoing)$/, '.period');
      return got !== undefined && got.value !== t.value && !flagged.has(field) && !flagged.has(rowField) && got.confidence * 100 >= 85;
    });
    expect(wrongAndConfident).toEqual([]);
    // Each unconfirmed value read from a cell has its crop in the content store, named in its evidence.
    const stored = fieldSources(JSON.parse(row.application_json!) as ApplicationBase);
    const crops = unconfirmed.map((f) => stored.get(f.field!)?.crop).filter((p): p is string => !!p);
    expect(crops.length).toBeGreaterThanOrEqual(unconfirmed.filter((f) => !/見つかりません/.test(f.message)).length);
    for (const crop of crops) expect(existsSync(path.join(h.config.store.dir, crop)), crop).toBe(true);
    expect(h.app.files.get(crops[0]!).subarray(1, 4).toString()).toBe('PNG');

    // Staff confirm each flagged value: as read when it is right, corrected from the paper when not.
    for (const f of unconfirmed) {
      const field = f.field!;
      const want = truthText(truth, field);
      const rowField = /\.period$/.test(field) ? field.replace(/\.period$/, '') : null;
      const readOk = rowField
        ? ['from', 'to'].every((k) => read.get(`${rowField}.${k}`)?.value === applicationValues(truth).get(`${rowField}.${k}`)?.value)
        : read.get(field)?.value === applicationValues(truth).get(field)?.value;
      confirmField(h.app, c.number!, field, readOk ? undefined : want, 'staff:test');
    }
    const after = h.app.cases.caseByNumber(c.number!)!;
    // Now the same as the Word form of mail 18: complete, waiting for the fee.
    expect(after.status).toBe('awaiting-payment');
    expect(h.app.cases.currentFindings(after.id).filter((f) => f.audience !== 'reviewer')).toEqual([]);
    const confirmedEvents = h.app.cases.events(after.id).filter((e) => e.type === 'field.confirmed');
    expect(confirmedEvents).toHaveLength(unconfirmed.length);
    expect(h.app.outbox.outboxForCase(after.id).map((n) => n.kind)).toEqual(['acknowledgement', 'awaiting-payment']);
  }, OCR_TIMEOUT);

  it('a scanned PDF of the whole form is read by OCR too, and held for staff instead of asking the applicant for what they sent', async () => {
    const o = await h.process(sampleMail('25-certification-scanned-form.eml'), '25');
    const c = o.cases[0]!;
    expect([c.kind, c.status]).toEqual(['certification', 'exception']);
    expect(codes(c.findings)).not.toContain('form.not-found/staff');
    expect(c.findings.some((f) => f.code === 'field.unconfirmed')).toBe(true);
    expect(c.findings.filter((f) => f.audience === 'applicant')).toEqual([]);
    expect((c.application as unknown as { passerNumber: string }).passerNumber).toBe('2310450123');
  }, OCR_TIMEOUT);

  it('a confirmation that cannot be taken says why and changes nothing', async () => {
    const number = h.app.cases.listCases().find((x) => x.status === 'exception')?.number;
    expect(number).toBeDefined();
    const before = h.app.cases.caseByNumber(number!)!;
    expect(() => confirmField(h.app, number!, 'noSuchField', undefined, 'staff:test')).toThrow(ConfirmError);
    expect(() => confirmField(h.app, number!, 'applicationDate', '2026年13月40日', 'staff:test')).toThrow(/日付|存在しない/);
    expect(() => confirmField(h.app, 'C-2099-999999', 'name', undefined, 'staff:test')).toThrow(/案件はありません/);
    const after = h.app.cases.caseByNumber(number!)!;
    expect([after.revision, after.application_json]).toEqual([before.revision, before.application_json]);
  });
});

/** A PDF whose /Encrypt dictionary does not open with the empty password: what a protected PDF looks like to us. */
function passwordPdf(): Buffer {
  const hex = (n: number, c: string) => c.repeat(n * 2);
  return Buffer.from(['%PDF-1.4', '1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj', '2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj',
    `3 0 obj << /Filter /Standard /V 1 /R 2 /O <${hex(32, 'a')}> /U <${hex(32, 'b')}> /P -4 >> endobj`,
    `trailer << /Root 1 0 R /Encrypt 3 0 R /ID [<${hex(16, '1')}><${hex(16, '1')}>] /Size 4 >>`, '%%EOF'].join('\n'), 'latin1');
}

/** A PNG whose header claims 20000×20000 pixels (400 MP): refused from its header, never decoded. */
async function hugePng(): Promise<Buffer> {
  const png = Buffer.from(await sharp({ create: { width: 8, height: 8, channels: 3, background: '#fff' } }).png().toBuffer());
  png.writeUInt32BE(20_000, 16);
  png.writeUInt32BE(20_000, 20);
  png.writeUInt32BE(crc32(png.subarray(12, 29)), 29);
  return png;
}

describe('bad pictures and PDFs in a mail', () => {
  let h: Harness;
  beforeAll(() => { h = harness(); });
  afterAll(async () => {
    h.close();
    await shutdownOcr();
  });

  it('a corrupt, a password-protected and a 0-byte PDF, a 400-megapixel image and a photo of nothing: clear findings in bounded time, and the next mail is read', async () => {
    const noise = await sharp(Buffer.from(Array.from({ length: 1600 * 1200 }, (_, i) => (i * 7919) % 251)), { raw: { width: 1600, height: 1200, channels: 1 } }).jpeg().toBuffer();
    const started = performance.now();
    const o = await h.process(await buildMail({
      from: '検定 花子 <hanako.kentei@example.jp>', subject: '【認定申請】プロフェッショナル認定申請書添付_260210', date: new Date('2026-02-10T01:00:00Z'), messageId: 'bad-pictures@example.jp', text: '添付します。\n',
      attachments: [
        { filename: 'broken.pdf', content: Buffer.from('%PDF-1.7\n garbage garbage'), contentType: 'application/pdf' },
        { filename: 'locked.pdf', content: passwordPdf(), contentType: 'application/pdf' },
        { filename: 'empty.pdf', content: Buffer.alloc(0), contentType: 'application/pdf' },
        { filename: 'IMG_9999.png', content: await hugePng(), contentType: 'image/png' },
        { filename: 'IMG_1000.jpg', content: noise, contentType: 'image/jpeg' },
      ],
    }), 'bad');
    expect(performance.now() - started).toBeLessThan(90_000);
    const c = o.cases[0]!;
    const unreadable = c.findings.filter((f) => f.code === 'attachment.unreadable' && f.audience === 'staff').map((f) => f.message);
    expect(unreadable.find((m) => m.includes('broken.pdf'))).toMatch(/PDFを開けません/);
    expect(unreadable.find((m) => m.includes('locked.pdf'))).toMatch(/パスワード/);
    expect(unreadable.find((m) => m.includes('empty.pdf'))).toBeDefined();
    expect(unreadable.find((m) => m.includes('IMG_9999.png'))).toMatch(/画像が大きすぎる/);
    // The photo of nothing is kept as a document; no form was found, so staff look (the applicant is not
    // asked again for what may be their form).
    expect(c.findings.map((f) => `${f.code}/${f.audience}`)).toContain('form.not-found/staff');
    const row = h.app.cases.caseByNumber(c.number!)!;
    expect(h.app.cases.caseAttachments(row.id).find((a) => a.filename === 'IMG_1000.jpg')?.role).toBe('document');
    // The daemon goes on: the next mail is read as usual.
    const next = await h.process(sampleMail('18-certification-complete.eml'), '18');
    expect(next.cases[0]?.status).toBe('awaiting-payment');
  }, OCR_TIMEOUT);
});

describe('`conken confirm`', () => {
  it('confirms a value from the command line and reports what is left; a wrong field exits 2 with the reason', async () => {
    const dir = tempDir();
    const env = dataEnv(dir);
    const processed = await conken(['process', path.join(SAMPLES, 'mails', '25-certification-scanned-form.eml'), '--json'], env);
    expect(processed.code).toBe(0);
    const c = (JSON.parse(processed.stdout) as { cases: { number: string; findings: { code: string; field?: string }[] }[] }).cases[0]!;
    const field = c.findings.find((f) => f.code === 'field.unconfirmed')!.field!;
    const ok = await conken(['confirm', c.number, field, '--json'], env);
    expect(ok.code).toBe(0);
    const result = JSON.parse(ok.stdout) as { case: string; field: string; unconfirmedLeft: string[] };
    expect([result.case, result.field]).toEqual([c.number, field]);
    expect(result.unconfirmedLeft).not.toContain(field);
    const bad = await conken(['confirm', c.number, 'noSuchField'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/項目 noSuchField はありません/);
  }, OCR_TIMEOUT);
});
