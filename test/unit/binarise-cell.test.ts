// A value cell of a noisy 200 dpi scan: thin grey glyphs on mottled paper. The second reading reads a cell
// the first took for handwriting (or read unsurely) once more in black and white (scan.ts crop's binarise,
// reread-values.ts PRINTED_CONFIDENCE); the fast model reads such a crop as typed text.
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { crop } from '../../src/extract/readers/scan.ts';
import { recognise, shutdownOcr } from '../../src/extract/ocr/ocr-engine.ts';
import type { GreyImage } from '../../src/extract/ocr/table-grid.ts';

afterAll(shutdownOcr);

/** A deterministic pseudo-random sequence (mulberry32), so the paper's mottling is the same on every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Text drawn grey at a 200 dpi scan's size, scaled up to 300 dpi (blurred), on paper mottled by 12 grey levels. */
async function noisyCell(text: string, font: string): Promise<GreyImage> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="600" height="70"><rect width="100%" height="100%" fill="white"/>`
    + `<text x="20" y="48" font-family="${font}" font-size="30" fill="#8a8a8a">${text}</text></svg>`;
  const { data, info } = await sharp(Buffer.from(svg)).greyscale().resize({ width: 900 }).blur(1.2).raw().toBuffer({ resolveWithObject: true });
  const next = random(20261206);
  for (let i = 0; i < data.length; i++) data[i] = Math.max(0, Math.min(255, data[i]! - Math.round(next() * 12)));
  return { data, width: info.width, height: info.height };
}

describe('a noisy cell read in black and white', () => {
  it('is split into ink and paper alone: every pixel black or white, the glyphs kept', async () => {
    const page = await noisyCell('2025/7/18', 'Noto Serif CJK JP');
    const png = await crop(page, { x0: 0, y0: 0, x1: page.width, y1: page.height }, 6, { binarise: true });
    const { data } = await sharp(png).greyscale().raw().toBuffer({ resolveWithObject: true });
    expect(data.every((v) => v === 0 || v === 255)).toBe(true);
    const ink = data.filter((v) => v === 0).length / data.length;
    // The glyphs' ink, not the mottling: a few per cent of the cell.
    expect(ink).toBeGreaterThan(0.01);
    expect(ink).toBeLessThan(0.15);
  });

  it('reads as typed text at a confidence no handwriting has, with either configuration\'s fast model', async () => {
    for (const [text, font] of [['みうら ようこ', 'Noto Serif CJK JP'], ['北海道カスタマー', 'Noto Sans CJK JP']] as const) {
      const page = await noisyCell(text, font);
      const box = { x0: 0, y0: 0, x1: page.width, y1: page.height };
      const clean = await recognise(await crop(page, box, 6, { binarise: true }), 'block');
      expect(clean.lines.map((l) => l.text.replace(/\s+/g, '')).join(''), font).toBe(text.replace(/\s+/g, ''));
      expect(Math.min(...clean.lines.map((l) => l.confidence)), font).toBeGreaterThanOrEqual(75);
    }
  }, 60_000);
});
