// A phone photo of a form page read like a scan: cut to the paper, levelled and stood upright before the
// table finder sees it, so it finds the same tables and rows as on the clean page. Real sample files, the
// real OCR pool (Debian tesseract-ocr-jpn and tesseract-ocr-osd; in CI a missing one fails, never skips).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SAMPLES } from '../support/harness.ts';
import { readScannedPages } from '../../src/extract/readers/scan.ts';
import { shutdownOcr } from '../../src/extract/ocr/ocr-engine.ts';
import { shutdownPageOrientation } from '../../src/extract/ocr/orientation.ts';
import { findTessdata } from '../../src/extract/ocr/tessdata.ts';
import { tables } from '../../src/extract/document.ts';

afterAll(async () => {
  await shutdownOcr();
  await shutdownPageOrientation();
});

const scan = (file: string) => new Uint8Array(readFileSync(path.join(SAMPLES, 'scans', file)));

describe('scanned pages of any geometry', () => {
  it('has the Japanese OCR model; CI installs it', () => {
    expect(findTessdata(), 'apt-get install tesseract-ocr-jpn').not.toBeNull();
  });

  it('finds the tables of a skewed phone photo with desk around it as on the clean scan of the page', async () => {
    const [clean, photo] = await Promise.all([
      readScannedPages([{ number: 1, image: scan('certification-complete-300dpi-rotated-p2.png') }], 'clean'),
      readScannedPages([{ number: 1, image: scan('certification-complete-photo-p2.jpg') }], 'photo'),
    ]);
    const shape = (doc: typeof clean) => tables(doc).map((t) => t.rows.map((r) => r.length));
    expect(tables(clean).length).toBeGreaterThanOrEqual(3);
    expect(shape(photo)).toEqual(shape(clean));
    // The passer number, printed digits beside its label, reads the same from both.
    const passer = (doc: typeof clean) => tables(doc).flatMap((t) => t.rows).find((r) => r[0]?.text.includes('合格者番号'))?.[1]?.text;
    expect(passer(photo)).toBe(passer(clean));
    expect(passer(clean)).toBe('2310450123');
  }, 120_000);

  it('reads a page fed upside down like the page fed upright', async () => {
    const upsideDown = await readScannedPages([{ number: 1, image: scan('certification-complete-300dpi-rotated-p3.png') }], 'upside-down');
    const found = tables(upsideDown);
    expect(found.length).toBeGreaterThan(0);
    expect(found.flatMap((t) => t.rows.flat()).some((c) => /[\p{Script=Han}]{2,}/u.test(c.text))).toBe(true);
  }, 120_000);
});
