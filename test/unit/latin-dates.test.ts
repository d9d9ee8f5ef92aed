// A date typed in digits read by the two Latin models (latin-dates.ts), where the Japanese readings of it
// differ: full-width digits and ／, which the Japanese models read as 7, in the fonts forms are typed in,
// at a 300 dpi page's sizes, with the glyph boxes an LSTM model gives (drifting right along a line). The
// date is taken as read only as both Latin models read it; anything else is null, never a wrong date.
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { datesByLatin, type GlyphLine } from '../../src/extract/ocr/latin-dates.ts';
import { shutdownOcr } from '../../src/extract/ocr/ocr-engine.ts';

const FONTS = ['Noto Sans CJK JP', 'Noto Serif CJK JP', 'IPAexGothic', 'IPAexMincho'];
const SIZE = 42;

afterAll(shutdownOcr);

interface Placed { glyph: string; x: number }

/** Lines of glyphs drawn each at its own place (a label, a gap, the date), and where each was drawn. */
async function draw(lines: Placed[][], font: string): Promise<Buffer> {
  const lineHeight = SIZE * 2;
  const width = Math.max(...lines.flat().map((g) => g.x)) + SIZE * 3;
  const texts = lines.flatMap((line, i) => line.map((g) => `<text x="${g.x}" y="${SIZE * 1.4 + i * lineHeight}" font-family="${font}" font-size="${SIZE}">${g.glyph}</text>`)).join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${lineHeight * lines.length}"><rect width="100%" height="100%" fill="white"/>${texts}</svg>`;
  return sharp(Buffer.from(svg)).greyscale().png().toBuffer();
}

/** A label, a wide gap, and a date of full-width glyphs a glyph's width apart. */
function placed(label: string, date: string): Placed[] {
  const out: Placed[] = [...label].map((glyph, i) => ({ glyph, x: SIZE / 2 + i * SIZE }));
  const start = SIZE / 2 + [...label].length * SIZE + (label ? SIZE * 1.5 : 0);
  return [...out, ...[...date].map((glyph, i) => ({ glyph, x: start + i * SIZE }))];
}

/** The Japanese model's reading of a drawn line: its texts per glyph, boxes `drift` px right of the ink. */
function reading(line: Placed[], row: number, read: string[], drift: number): GlyphLine {
  const top = Math.round(SIZE * 0.45 + row * SIZE * 2);
  const symbols = line.map((g, i) => ({ text: read[i]!, bbox: { x0: Math.round(g.x + drift), y0: top, x1: Math.round(g.x + drift + SIZE * 0.9), y1: top + Math.round(SIZE * 1.05) } }));
  return { text: read.join(''), symbols };
}

describe('a date in digits read by the two Latin models', () => {
  it('reads a full-width date after its label as typed, where the Japanese model read ／ as 7 and its boxes drifted', async () => {
    let read = 0;
    for (const font of FONTS) {
      const line = placed('申請年月日', '２０２６／３／１７');
      const image = await draw([line], font);
      const japanese = [...'申請年月日', ...'20267371 7'.replace(' ', '')];
      const dates = await datesByLatin(image, [reading(line, 0, japanese, SIZE * 0.7)]);
      if (dates === null) continue;
      expect(dates.lines, font).toEqual(['申請年月日 2026/3/17']);
      expect(Math.min(dates.confidence.number, dates.confidence.numberAlt), font).toBeGreaterThan(0.3);
      read++;
    }
    expect(read).toBeGreaterThanOrEqual(FONTS.length - 1);
  }, 120_000);

  it('reads both ends of a period cell (自 ２０２１／３, 至 ２０２３／３), each after its printed word', async () => {
    let read = 0;
    for (const font of FONTS) {
      const lines = [placed('自', '２０２１／３'), placed('至', '２０２３／３')];
      const image = await draw(lines, font);
      const dates = await datesByLatin(image, [
        reading(lines[0]!, 0, [...'自20217/3'].filter((g) => g !== '/'), 0),
        reading(lines[1]!, 1, [...'至202373'], 0),
      ]);
      if (dates === null) continue;
      expect(dates.lines, font).toEqual(['自 2021/3', '至 2023/3']);
      read++;
    }
    expect(read).toBeGreaterThanOrEqual(FONTS.length - 1);
  }, 120_000);

  it('keeps the printed word in front of a date as the other reading has it, where this one added a glyph before it (人至)', async () => {
    const lines = [placed('自', '２０２１／３'), placed('至', '２０２３／３')];
    const image = await draw(lines, FONTS[0]!);
    const to = reading(lines[1]!, 1, [...'至202373'], 0);
    const speck = { text: '人', bbox: { x0: 2, y0: to.symbols[0]!.bbox.y0, x1: 14, y1: to.symbols[0]!.bbox.y1 } };
    const second = [reading(lines[0]!, 0, [...'自2021/3'], 0), { text: `人${to.text}`, symbols: [speck, ...to.symbols] }];
    const dates = await datesByLatin(image, second, ['和目 2021/3', '至 2 0 2 373']);
    expect(dates?.lines).toEqual(['自 2021/3', '至 2023/3']);
    // Without the other reading, the printed words are this reading's.
    expect((await datesByLatin(image, second))?.lines).toEqual(['自 2021/3', '人至 2023/3']);
  }, 60_000);

  it('is null for a date the Latin models cannot read alone (年 and 月 among its glyphs)', async () => {
    const line = placed('', '2026年3月17日');
    const image = await draw([line], FONTS[0]!);
    expect(await datesByLatin(image, [reading(line, 0, [...'2026年3月17日'], 0)])).toBeNull();
  }, 60_000);

  it('is null where the ink shows digits the Japanese model did not read (the crop took in something else)', async () => {
    const line = placed('', '２０２６／３／１７');
    const image = await draw([line], FONTS[0]!);
    // The Japanese reading's digits are another date's: the Latin reading does not keep to them.
    expect(await datesByLatin(image, [reading(line, 0, [...'2019/5/28'], 0)])).toBeNull();
  }, 60_000);

  it('is null for a line without digits (現在 for an ongoing period) and for no lines at all', async () => {
    const lines = [placed('自', '２０２１／３'), placed('至', '現在')];
    const image = await draw(lines, FONTS[0]!);
    expect(await datesByLatin(image, [reading(lines[0]!, 0, [...'自2021/3'], 0), reading(lines[1]!, 1, [...'至現在'], 0)])).toBeNull();
    expect(await datesByLatin(image, [])).toBeNull();
  }, 60_000);
});
