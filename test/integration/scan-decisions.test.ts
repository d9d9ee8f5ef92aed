// Scans decided right, not only read right (issue 20, point 5): every scanned and photographed sample mail
// through the whole pipeline — the app function `conken process` calls — and the decision asserted, not
// only the values. A complete application read from a scan is complete: it goes straight to
// `awaiting-payment` when every value was read alike by both models, with no confirmation from staff; a
// value read differently is `field.unconfirmed` (the case waits for staff, the applicant is asked nothing),
// and never a wrong value taken as read, so no notice can carry one.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness, PROOF, SAMPLES, sampleMail, type Harness } from '../support/harness.ts';
import { extractFile } from '../../src/extract/extract-file.ts';
import { applicationValues, type ApplicationBase } from '../../src/extract/forms/form-kind.ts';
import { shutdownOcr } from '../../src/extract/ocr/ocr-engine.ts';
import { ocrModels } from '../../src/extract/ocr/tessdata.ts';
import type { MailOutcome } from '../../src/app/process-mail.ts';
import { buildMail } from '../../scripts/lib/mail-builder.ts';
import { renderPages, SCANNED_FORMS } from '../../scripts/lib/scan-images.ts';

const OCR_TIMEOUT = 600_000;
const SCANS = path.join(SAMPLES, 'scans');
const CERT_SUBJECT = '【認定申請】プロフェッショナル認定申請書添付_260210';
const RENEWAL_SUBJECT = '【更新申請】プロフェッショナル更新申請書添付_260120';

async function truthOf(docx: string): Promise<ApplicationBase> {
  const verdict = await extractFile(readFileSync(path.join(SAMPLES, 'forms', docx)), docx);
  if (verdict.role !== 'form') throw new Error(`${docx} is not a form`);
  return verdict.application;
}

const jpeg = (name: string) => ({ filename: name, content: readFileSync(path.join(SCANS, name)), contentType: 'image/jpeg' });

/** The noisy skewed 200 dpi scan of the certification form, its second page fed upside down. */
async function noisyScanUpsideDown(): Promise<Buffer> {
  const pages = ['p2', 'p3', 'p4', 'p6'].map((p) => jpeg(`certification-complete-200dpi-noisy-${p}.jpg`));
  pages[1] = { ...pages[1]!, content: await sharp(pages[1]!.content).rotate(180).jpeg({ quality: 60 }).toBuffer() };
  return buildMail({
    from: '検定 花子 <hanako.kentei@example.jp>', subject: CERT_SUBJECT, date: new Date('2026-02-13T03:00:00Z'), messageId: 'scan-noisy-upside-down@example.jp',
    text: 'スキャンしたものを送ります。\n',
    attachments: [...pages.map((p, i) => ({ ...p, filename: `scan_${i + 1}.jpg` })),
      { filename: '試験結果レポート.pdf', content: readFileSync(path.join(SAMPLES, 'forms', 'exam-report-2025.pdf')), contentType: 'application/pdf' }],
  });
}

/** The renewal form photographed page by page with a phone, sent with its CPD proof. */
function renewalPhotos(): Promise<Buffer> {
  const pages = ['p2', 'p3', 'p4', 'p5', 'p7'].map((p) => jpeg(`renewal-complete-photo-${p}.jpg`));
  return buildMail({
    from: '今田 健太郎 <k.konda@example.jp>', subject: RENEWAL_SUBJECT, date: new Date('2026-01-20T01:00:00Z'), messageId: 'renewal-photos@example.jp',
    text: '撮影した申請書を送ります。\n', attachments: [...pages.map((p, i) => ({ ...p, filename: `IMG_30${i + 1}0.jpg` })), PROOF],
  });
}

/**
 * The complete renewal form scanned cleanly: its PDF export's field pages rendered at 300 dpi grey (as an
 * office scanner gives them), one PNG per page, sent with its CPD proof.
 */
function renewalCleanScan(): Promise<Buffer> {
  const { pages } = SCANNED_FORMS.find((f) => f.form === 'renewal-complete')!;
  const rendered = renderPages(readFileSync(path.join(SAMPLES, 'forms-pdf', 'renewal-complete.pdf')), [...pages], 300);
  return buildMail({
    from: '今田 健太郎 <k.konda@example.jp>', subject: RENEWAL_SUBJECT, date: new Date('2026-01-20T01:00:00Z'), messageId: 'renewal-clean-scan@example.jp',
    text: 'スキャンした申請書を送ります。\n',
    attachments: [...rendered.map((content, i) => ({ filename: `scan_${String(i + 1).padStart(3, '0')}.png`, content, contentType: 'image/png' })), PROOF],
  });
}

/**
 * The decision of a complete application read from a scan: right by construction of the rules, so what
 * is checked is that OCR's uncertainty is routed and never hidden.
 */
function assertDecided(o: MailOutcome, kind: string, truth: ApplicationBase, minConfidence: number): { unconfirmed: number; status: string } {
  expect(o.cases).toHaveLength(1);
  const c = o.cases[0]!;
  expect(c.kind).toBe(kind);
  // The form was found and read (not form.not-found), and nothing is asked of the applicant: the
  // application is complete, so any doubt is OCR's, for staff to settle.
  expect(c.findings.map((f) => f.code)).not.toContain('form.not-found');
  expect(c.findings.filter((f) => f.audience === 'applicant')).toEqual([]);
  // Every value taken as read (at or above the threshold) is the form's value: a notice composed from
  // the application can only carry right values.
  const read = applicationValues(c.application!);
  const wrongTakenAsRead = [...applicationValues(truth)].flatMap(([field, t]) => {
    const got = read.get(field);
    return got && got.value !== t.value && got.confidence * 100 >= minConfidence ? [`${field}: ${got.value} ≠ ${t.value}`] : [];
  });
  expect(wrongTakenAsRead).toEqual([]);
  // Every value below the threshold is a field.unconfirmed finding for staff, and nothing else holds the case.
  const unconfirmed = c.findings.filter((f) => f.code === 'field.unconfirmed');
  const below = [...applicationValues(c.application!)].filter(([, v]) => v.confidence * 100 < minConfidence && v.value !== '');
  if (below.length > 0) expect(unconfirmed.length).toBeGreaterThan(0);
  expect(c.findings.filter((f) => f.code !== 'field.unconfirmed' && f.audience !== 'reviewer')).toEqual([]);
  if (unconfirmed.length === 0) {
    // Both models read every value alike: straight on, no staff confirmation, the fee asked for.
    expect(c.status).toBe('awaiting-payment');
    expect(c.notices).toContain('awaiting-payment');
  } else {
    // Held for staff; only the acknowledgement goes out, no notice with a value staff have not seen.
    expect(c.status).toBe('exception');
    expect(c.notices).toEqual(['acknowledgement']);
  }
  return { unconfirmed: unconfirmed.length, status: c.status };
}

describe('scanned and photographed application mails: decided right', () => {
  let h: Harness;
  let minConfidence: number;
  let certification: ApplicationBase;
  let renewal: ApplicationBase;
  beforeAll(async () => {
    if (!ocrModels().available) throw new Error('OCR models missing: npm ci installs them (required for the OCR tests)');
    h = harness();
    minConfidence = h.app.rules.intake.ocr.minConfidence;
    certification = await truthOf('certification-complete.docx');
    renewal = await truthOf('renewal-complete.docx');
  });
  afterAll(async () => {
    h.close();
    await shutdownOcr();
  });

  it('a complete renewal form scanned cleanly: straight to awaiting-payment when every value was read alike', async () => {
    const r = assertDecided(await h.process(await renewalCleanScan(), 'renewal-clean'), 'renewal', renewal, minConfidence);
    console.log(`renewal clean 300 dpi: ${r.status}, ${r.unconfirmed} unconfirmed`);
    // Every value read alike by both models (or settled by the ink): taken as read, the fee asked for.
    // With Debian's first-reading model it goes straight through. With npm's alone (CI's second run) the
    // first model still misreads a few glyphs the others read right (千 as 干, ゅ as @: BENCHMARKS.md, sixth
    // wave), and assertDecided holds the case for staff with only those values to confirm.
    if (ocrModels().first?.startsWith('Debian')) {
      expect(r.unconfirmed).toBe(0);
      expect(r.status).toBe('awaiting-payment');
    } else expect(r.unconfirmed).toBeLessThanOrEqual(3);
  }, OCR_TIMEOUT);

  it('a scanned PDF of the certification form (mail 25)', async () => {
    const r = assertDecided(await h.process(sampleMail('25-certification-scanned-form.eml'), '25'), 'certification', certification, minConfidence);
    console.log(`mail 25: ${r.status}, ${r.unconfirmed} unconfirmed`);
  }, OCR_TIMEOUT);

  it('five phone photos of the certification form sent out of order (mail 26)', async () => {
    const r = assertDecided(await h.process(sampleMail('26-certification-photos.eml'), '26'), 'certification', certification, minConfidence);
    console.log(`mail 26: ${r.status}, ${r.unconfirmed} unconfirmed`);
  }, OCR_TIMEOUT);

  it('a noisy skewed 200 dpi scan with a page fed upside down', async () => {
    const r = assertDecided(await h.process(await noisyScanUpsideDown(), 'noisy'), 'certification', certification, minConfidence);
    console.log(`noisy 200 dpi, page upside down: ${r.status}, ${r.unconfirmed} unconfirmed`);
  }, OCR_TIMEOUT);

  it('phone photos of the renewal form with the CPD proof', async () => {
    const r = assertDecided(await h.process(await renewalPhotos(), 'renewal-photos'), 'renewal', renewal, minConfidence);
    console.log(`renewal photos: ${r.status}, ${r.unconfirmed} unconfirmed`);
  }, OCR_TIMEOUT);
});
