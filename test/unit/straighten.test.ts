// The page geometry before OCR, on real pages of the sample form PDFs (rendered by pdftoppm) and on the
// sample phone photos: skew levelled, quarter turns undone, a photo cut to its paper, and images that are
// no form page (blank, noise, huge, broken) passing through or refused with a typed error, in bounded time.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAMPLES } from '../support/harness.ts';
import { renderPages } from '../../scripts/lib/scan-images.ts';
import { ImageTooLargeError, MAX_INPUT_PIXELS, PageImageError, straightenPage, UnreadableImageError } from '../../src/extract/ocr/straighten.ts';
import { orientationAvailable, shutdownPageOrientation } from '../../src/extract/ocr/orientation.ts';
import { prepareForOcr } from '../../src/extract/ocr/prepare-image.ts';
import { findTables, type GreyImage } from '../../src/extract/ocr/table-grid.ts';

afterAll(() => shutdownPageOrientation());

let renewalP2: Buffer;
let certificationP3: Buffer;
beforeAll(() => {
  // pdftoppm (poppler-utils) is part of the test machine; without it this throws and the file fails.
  renewalP2 = renderPages(new Uint8Array(readFileSync(path.join(SAMPLES, 'forms-pdf', 'renewal-complete.pdf'))), [2], 200)[0]!;
  certificationP3 = renderPages(new Uint8Array(readFileSync(path.join(SAMPLES, 'forms-pdf', 'certification-complete.pdf'))), [3], 200)[0]!;
});

const skewed = (page: Buffer, degrees: number) => sharp(page).rotate(degrees, { background: '#ffffff' }).png().toBuffer();
const turned = (page: Buffer, degrees: number) => sharp(page).rotate(degrees).png().toBuffer();

/** Mean grey of a band along each edge of a straightened page. */
function edgeMeans(img: GreyImage, band: number): number[] {
  const mean = (x0: number, y0: number, x1: number, y1: number) => {
    let sum = 0;
    for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) sum += img.data[y * img.width + x]!;
    return sum / ((x1 - x0) * (y1 - y0));
  };
  const { width: w, height: h } = img;
  return [mean(0, 0, w, band), mean(0, h - band, w, h), mean(0, 0, band, h), mean(w - band, 0, w, h)];
}

describe('page straightening', () => {
  it('has the orientation data (Debian tesseract-ocr-osd); CI installs it', () => {
    expect(orientationAvailable(), 'apt-get install tesseract-ocr-osd').toBe(true);
  });

  it.each([[2.5], [-1.8]])('levels a page skewed by %s° to within 0.2°', async (degrees) => {
    const { geometry } = await straightenPage(await skewed(renewalP2, degrees));
    expect(Math.abs(geometry.skewDegrees - degrees)).toBeLessThanOrEqual(0.2);
    expect(geometry.rotation).toBe(0);
  });

  it('leaves a straight scan as it is: no resampling, nothing cut', async () => {
    const { image, geometry } = await straightenPage(renewalP2);
    expect(geometry).toMatchObject({ skewDegrees: 0, rotation: 0, crop: null, loadScale: 1 });
    expect([image.width, image.height]).toEqual([geometry.sourceWidth, geometry.sourceHeight]);
  });

  it.each([[90, 270], [180, 180], [270, 90]] as const)('stands up a page turned %s° (turns it %s° back)', async (turn, back) => {
    const { image, geometry } = await straightenPage(await turned(certificationP3, turn));
    expect(geometry.rotation).toBe(back);
    expect(geometry.orientationConfidence).toBeGreaterThanOrEqual(2);
    // Its title reads surely once turned back: no OSD needed.
    expect(geometry.orientationBy).toBe('reading');
    expect(image.height).toBeGreaterThan(image.width);
  });

  it('asks OSD when no line near the top or the bottom reads, and still stands the page up', async () => {
    // Upside down, with its top and bottom thirds blank: the probe has no line either way up.
    const { data, info } = await sharp(await turned(certificationP3, 180)).greyscale().raw().toBuffer({ resolveWithObject: true });
    const third = Math.round(info.height / 3);
    data.fill(255, 0, third * info.width);
    data.fill(255, (info.height - third) * info.width);
    const { geometry } = await straightenPage(await sharp(data, { raw: { width: info.width, height: info.height, channels: 1 } }).png().toBuffer());
    expect(geometry.rotation).toBe(180);
    expect(geometry.orientationBy).toBe('osd');
  });

  it('cuts a phone photo to its paper, levelled, with no desk left at the edges', async () => {
    const expected = JSON.parse(readFileSync(path.join(SAMPLES, 'scans', 'renewal-complete-photo.expected.json'), 'utf8')) as { scan: { pages: { file: string; skewDegrees: number }[] } };
    const page = expected.scan.pages[0]!;
    const { image, geometry } = await straightenPage(readFileSync(path.join(SAMPLES, 'scans', page.file)));
    expect(Math.abs(geometry.skewDegrees - page.skewDegrees)).toBeLessThanOrEqual(0.2);
    expect(geometry.rotation).toBe(0);
    // The desk shows on every side of the 3000×4000 photo; the sheet (2400 px wide, A4) is what is left.
    expect(geometry.crop).not.toBeNull();
    const crop = geometry.crop!;
    expect(crop.x0).toBeGreaterThan(150);
    expect(crop.y0).toBeGreaterThan(150);
    expect(image.width).toBeGreaterThan(2300);
    expect(image.width).toBeLessThan(2450);
    expect(image.height / image.width).toBeCloseTo(Math.SQRT2, 1);
    // Paper to the edge (the light falls to ~0.7 of white at the bottom right), never the darker desk.
    for (const edge of edgeMeans(image, 8)) expect(edge).toBeGreaterThan(150);
    // And its tables are found as on the clean page.
    const clean = findTables(await grey(await prepareForOcr(renewalP2)));
    const photo = findTables(await grey(await prepareForOcr(readFileSync(path.join(SAMPLES, 'scans', page.file)))));
    expect(photo.map((t) => t.rows.length)).toEqual(clean.map((t) => t.rows.length));
  });

  it('passes a blank page through untouched, without asking OCR', async () => {
    const blank = await sharp({ create: { width: 1654, height: 2339, channels: 3, background: '#ffffff' } }).png().toBuffer();
    const { geometry } = await straightenPage(blank);
    expect(geometry).toMatchObject({ skewDegrees: 0, rotation: 0, orientationConfidence: null, crop: null });
  });

  it('passes random noise through in bounded time', async () => {
    const noise = Buffer.alloc(1600 * 2200);
    let seed = 7;
    for (let i = 0; i < noise.length; i++) noise[i] = (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
    const image = await sharp(noise, { raw: { width: 1600, height: 2200, channels: 1 } }).png().toBuffer();
    const started = performance.now();
    const { geometry } = await straightenPage(image);
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(geometry).toMatchObject({ skewDegrees: 0, rotation: 0, crop: null });
  });

  it('decodes a 108-megapixel photo shrunk, within bounded time and memory', async () => {
    const page = await sharp(renewalP2).resize({ width: 6000, kernel: 'nearest' }).png().toBuffer();
    const huge = await sharp({ create: { width: 12000, height: 9000, channels: 3, background: '#6e6e6e' } })
      .composite([{ input: page, left: 3000, top: 0 }]).jpeg({ quality: 80 }).toBuffer();
    const rssBefore = process.memoryUsage().rss;
    let peak = rssBefore;
    const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 20);
    const started = performance.now();
    try {
      const { geometry } = await straightenPage(huge);
      expect(geometry.loadScale).toBeLessThan(0.4);
      expect(Math.max(geometry.width, geometry.height)).toBeLessThanOrEqual(4200);
    } finally {
      clearInterval(sampler);
    }
    expect(performance.now() - started).toBeLessThan(10_000);
    // Decoded whole it would be 108 MB of grey (324 MB of RGB); shrunk on load it stays far below.
    expect(peak - rssBefore).toBeLessThan(250 * 2 ** 20);
  });

  it('refuses an image over the pixel bound with a Japanese message, before decoding it', async () => {
    // A PNG whose header claims 20000×20000 pixels: a decompression bomb need not be decoded to be refused.
    const png = Buffer.from(await sharp({ create: { width: 8, height: 8, channels: 3, background: '#fff' } }).png().toBuffer());
    png.writeUInt32BE(20_000, 16);
    png.writeUInt32BE(20_000, 20);
    png.writeUInt32BE(crc32(png.subarray(12, 29)), 29);
    const error = await straightenPage(png).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImageTooLargeError);
    expect(error).toBeInstanceOf(PageImageError);
    expect((error as Error).message).toContain('画像が大きすぎる');
    expect(20_000 * 20_000).toBeGreaterThan(MAX_INPUT_PIXELS);
  });

  it('does not blow a narrow strip up to page width, and brings a 200 dpi page to about 300 dpi', async () => {
    const strip = await sharp({ create: { width: 3, height: 5000, channels: 3, background: '#ffffff' } }).png().toBuffer();
    const started = performance.now();
    const enlarged = await sharp(await prepareForOcr(strip)).metadata();
    expect(performance.now() - started).toBeLessThan(3_000);
    expect(enlarged.width * enlarged.height).toBeLessThanOrEqual(20_000_000);
    const page = await sharp(await prepareForOcr(renewalP2)).metadata();
    expect(page.width).toBe(2480);
  });

  it('refuses a file that is no image with a typed error', async () => {
    const error = await straightenPage(new TextEncoder().encode('not an image at all')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnreadableImageError);
    expect((error as Error).message).toContain('画像を読み取れません');
  });
});

async function grey(png: Buffer): Promise<GreyImage> {
  const { data, info } = await sharp(png).greyscale().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}
