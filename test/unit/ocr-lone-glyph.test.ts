// A number alone in a wide cell (a field number, CPD points, a stated total) read by the first reading's
// model, Debian's or npm's (CI runs this file in both configurations). Without a line of text around it,
// both models read a serif 5 or 7 at a page's 300 dpi as a kana, a kanji or a bar; recognise reads a lone
// glyph again smaller and keeps the surer reading.
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { recognise, shutdownOcr } from '../../src/extract/ocr/ocr-engine.ts';
import { tidyOcrText } from '../../src/extract/ocr/ocr-text.ts';

/** A cell seven glyphs wide holding one digit in Noto Serif CJK JP, as cut from a 300 dpi page. */
async function loneDigit(digit: string, size: number): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${size * 7}" height="${size * 2}"><rect width="100%" height="100%" fill="white"/>`
    + `<text x="${size * 3}" y="${size * 1.4}" font-family="Noto Serif CJK JP" font-size="${size}">${digit}</text></svg>`;
  return sharp(Buffer.from(svg)).greyscale().png().toBuffer();
}

afterAll(async () => {
  await shutdownOcr();
});

describe('a lone digit in a wide cell', () => {
  // Each read wrong at full size by at least one of the two models (npm: 5 → ヮ, 7 → /; Debian: 5 → り, 7 → 7/).
  for (const [digit, size] of [['5', 56], ['7', 56], ['7', 60]] as const) {
    it(`reads ${digit} at ${size} px as ${digit}`, async () => {
      const read = await recognise(await loneDigit(digit, size), 'block');
      expect(tidyOcrText(read.text)).toBe(digit);
    }, 60_000);
  }
});
