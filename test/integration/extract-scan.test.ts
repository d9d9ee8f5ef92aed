// `conken extract` on photos of a filled certification form, one JPEG per page (200 dpi): the table cells
// found on each page and read by OCR (Debian's Japanese model), every value with its confidence, the
// uncertain ones listed for a person. The daemon does not take OCR'd forms as read yet; this is the
// staff's view of a scan.
import path from 'node:path';
import { readFileSync, writeFileSync } from 'node:fs';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { dataEnv, SAMPLES, tempDir } from '../support/harness.ts';
import { conken } from '../support/cli.ts';
import { ocrModels } from '../../src/extract/ocr/tessdata.ts';
import { renderPdfPages } from '../../src/extract/readers/pdf.ts';
import { readScannedPages } from '../../src/extract/readers/scan.ts';
import { shutdownOcr } from '../../src/extract/ocr/ocr-engine.ts';
import { tables } from '../../src/extract/document.ts';

afterAll(() => shutdownOcr());


describe('conken extract on scanned pages', () => {
  it('has every OCR model: Debian tesseract-ocr-jpn/-osd where installed, else the npm ones (npm ci)', () => {
    const models = ocrModels();
    expect(models.available, JSON.stringify(models)).toBe(true);
    // CI runs these tests twice, the second time with CONKEN_TESSDATA_DIR at an empty folder: npm alone.
    if (process.env.CONKEN_TESSDATA_DIR && !models.first?.startsWith('Debian')) expect(models).toMatchObject({ first: 'npm @tesseract.js-data/jpn 4.0.0', orientation: 'npm @tesseract.js-data/osd 4.0.0' });
  });

  it('reads the form from its pages with a confidence on every value, and lists the uncertain ones', async () => {
    const pages = [2, 3, 4].map((p) => path.join(SAMPLES, 'scans', `certification-complete-p${p}.jpg`));
    const { stdout, code, stderr } = await conken(['extract', ...pages, '--json'], dataEnv(tempDir()));
    expect(code, stderr).toBe(0);
    const app = JSON.parse(stdout) as Record<string, unknown> & { sources: Record<string, { confidence: number; location: string }>; ocr: { minConfidence: number; unconfirmed: { field: string; confidence: number }[] } };
    expect(app.kind).toBe('certification');
    // Printed digits and dates read right, and confidently.
    expect(app).toMatchObject({ passerNumber: '2310450123', applicationDate: '2026-02-10', examReportIssuedOn: '2025-07-15', feeTransferDate: '2026-02-09', statedTotalYears: 11.9, postalCode: '160-0023' });
    expect(app.sources.passerNumber!.confidence).toBeGreaterThan(0.8);
    expect(app.sources.passerNumber!.location).toMatch(/^ページ 1, 表 \d+, 行 1, 列 2$/);
    // Every listed value is below the threshold, and every value below it is listed.
    expect(app.ocr.unconfirmed.every((u) => u.confidence < app.ocr.minConfidence)).toBe(true);
    const below = Object.entries(app.sources).filter(([, s]) => s.confidence * 100 < app.ocr.minConfidence).map(([k]) => k);
    expect(app.ocr.unconfirmed.map((u) => u.field)).toEqual(expect.arrayContaining(below));
    // The pasted signature shows as ink in (C)'s 署名 cell.
    expect((app.certifier as { signed: boolean }).signed).toBe(true);
  }, 120_000);

  it('reads a multi-page TIFF as the pages of one form, as office scanners save it', async () => {
    const pages = [2, 3, 4].map((p) => readFileSync(path.join(SAMPLES, 'scans', `certification-complete-p${p}.jpg`)));
    const dir = tempDir();
    const tiff = path.join(dir, 'scan.tiff');
    writeFileSync(tiff, await sharp(pages, { join: { animated: true } }).tiff({ compression: 'jpeg', quality: 85 }).toBuffer());
    expect((await sharp(tiff).metadata()).pages).toBe(3);
    const { stdout, code, stderr } = await conken(['extract', tiff, '--json'], dataEnv(dir));
    expect(code, stderr).toBe(0);
    const app = JSON.parse(stdout) as Record<string, unknown> & { sources: Record<string, { location: string }> };
    expect(app).toMatchObject({ kind: 'certification', passerNumber: '2310450123', feeTransferDate: '2026-02-09' });
    // The certifier's table is on the TIFF's third page.
    expect(app.sources['certifier.certifiedOn']?.location).toMatch(/^ページ 3, /);
  }, 120_000);

  it.each([['certification-complete.pdf', '☒'], ['certification-oath-unchecked.pdf', '☐']])('reads the oath checkbox of %s from the ink in its box: %s', async (file, mark) => {
    // Page 6 rendered as a 200 dpi scan would look; OCR itself drops the box glyph.
    const [page] = await renderPdfPages(new Uint8Array(readFileSync(path.join(SAMPLES, 'forms-pdf', file))), [6], 200 / 72);
    const doc = await readScannedPages([{ number: 1, image: page! }], file);
    const oath = tables(doc).find((t) => t.rows.length === 1 && t.rows[0]!.length === 1 && t.rows[0]![0]!.text.includes('上記'));
    expect(oath?.rows[0]![0]!.text.startsWith(`${mark} 上記`), oath?.rows[0]![0]!.text).toBe(true);
  }, 120_000);
});
