// The voicing marks of kana told apart by their ink (voicing-marks.ts): two readings of a value that
// differ only in ゛ against ゜ are settled by it, so it must never say the wrong mark. Glyphs drawn in the
// fonts forms are typed in, at a 300 dpi page's sizes and smaller, clean, blurred, bilevel and as a
// rough JPEG: each is either told right or not told at all.
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { voicingDisputes, voicingMarkInk, voicingMarkNear, voicingMarkOf, withVoicingMark, type VoicingMark } from '../../src/extract/ocr/voicing-marks.ts';

const FONTS = ['Noto Sans CJK JP', 'Noto Serif CJK JP', 'IPAexGothic', 'IPAexMincho'];
const GLYPHS = [...'ばぱびぴぶぷべぺぼぽバパビピブプベペボポがざだ'];
type Look = 'clean' | 'blurred' | 'bilevel' | 'jpeg';

async function glyphImage(glyph: string, font: string, size: number, look: Look) {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${size * 3}" height="${size * 3}"><rect width="100%" height="100%" fill="white"/>`
    + `<text x="${size}" y="${size * 2}" font-family="${font}" font-size="${size}">${glyph}</text></svg>`;
  let image = sharp(Buffer.from(svg)).greyscale();
  if (look === 'blurred') image = image.blur(0.9);
  if (look === 'bilevel') image = image.threshold(160);
  if (look === 'jpeg') image = sharp(await sharp(Buffer.from(svg)).greyscale().blur(0.7).jpeg({ quality: 45 }).toBuffer()).greyscale();
  const { data, info } = await image.raw().toBuffer({ resolveWithObject: true });
  // The glyph's box as the engine gives it: around its ink.
  let x0 = info.width; let y0 = info.height; let x1 = -1; let y1 = -1;
  for (let y = 0; y < info.height; y++) for (let x = 0; x < info.width; x++) {
    if (data[y * info.width + x]! < 128) { x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y); }
  }
  return { image: { data: new Uint8Array(data), width: info.width, height: info.height }, box: { x0, y0, x1: x1 + 1, y1: y1 + 1 } };
}

describe('voicing marks from the ink', () => {
  it('never names the wrong mark, in four fonts at 28–50 px, clean, blurred, bilevel or as a rough JPEG', async () => {
    let told = 0;
    let cleanAt42 = 0;
    const wrong: string[] = [];
    for (const look of ['clean', 'blurred', 'bilevel', 'jpeg'] as const) {
      for (const size of [28, 36, 42, 50]) for (const font of FONTS) for (const glyph of GLYPHS) {
        const { image, box } = await glyphImage(glyph, font, size, look);
        const mark = voicingMarkInk(image, box);
        if (mark === null) continue;
        told++;
        if (look === 'clean' && size === 42) cleanAt42++;
        if (mark !== voicingMarkOf(glyph)) wrong.push(`${glyph} ${font} ${size} ${look}: ${mark}`);
      }
    }
    expect(wrong).toEqual([]);
    // And it is of use: most glyphs of a clean 10 pt page (64 of 92 when written) (≈ 42 px at 300 dpi) are told.
    expect(cleanAt42).toBeGreaterThan(GLYPHS.length * FONTS.length * 0.6);
    expect(told).toBeGreaterThan(500);
  }, 120_000);

  it('tells nothing from glyphs too small to see the marks by', async () => {
    const { image, box } = await glyphImage('ぴ', 'Noto Sans CJK JP', 24, 'clean');
    expect(voicingMarkInk(image, box)).toBeNull();
  });

  it('finds the places where two readings differ only by a voicing mark', () => {
    expect(voicingDisputes('さーびす', 'さーぴす')).toEqual([2]);
    expect(voicingDisputes('サポート', 'サボート')).toEqual([1]);
    expect(voicingDisputes('さーびす', 'さーびす')).toBeNull();
    expect(voicingDisputes('さーびす', 'さーひす')).toBeNull();
    expect(voicingDisputes('さーびす', 'さーぴびす')).toBeNull();
    expect(voicingDisputes('がっこう', 'かっこう')).toBeNull();
    expect(withVoicingMark('び', 'handakuten' as VoicingMark)).toBe('ぴ');
    expect(withVoicingMark('ポ', 'dakuten')).toBe('ボ');
    expect(withVoicingMark('が', 'handakuten')).toBeNull();
  });

  it('finds the mark where the box the engine gave drifted along the line, and never names the wrong one', async () => {
    // Each glyph between two others, typeset a full width apart as a font sets kana; the box given as the
    // engine gives it: on the glyph, or drifted by half a glyph or more onto the next one (サンプルビル).
    let told = 0;
    let drifted = 0;
    const wrong: string[] = [];
    for (const font of FONTS) for (const size of [36, 42]) for (const glyph of [...'バパビピブプベペボポばぱびぴぶぷ']) {
      const context = ['サ', 'ン', glyph, 'ル', 'ト'];
      const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${size * 7}" height="${size * 3}"><rect width="100%" height="100%" fill="white"/>`
        + context.map((g, i) => `<text x="${size * (i + 1)}" y="${size * 2}" font-family="${font}" font-size="${size}">${g}</text>`).join('') + '</svg>';
      const { data, info } = await sharp(Buffer.from(svg)).greyscale().blur(0.6).raw().toBuffer({ resolveWithObject: true });
      const image = { data: new Uint8Array(data), width: info.width, height: info.height };
      const at = size * 3;
      for (const shift of [0, 0.6, 0.75]) {
        const box = { x0: at + Math.round(shift * size), y0: Math.round(size * 1.15), x1: at + Math.round((1 + shift) * size * 0.85), y1: Math.round(size * 2.1) };
        const mark = voicingMarkNear(image, box, size);
        if (mark === null) continue;
        told++;
        if (shift > 0) drifted++;
        if (mark !== voicingMarkOf(glyph)) wrong.push(`${glyph} ${font} ${size} +${shift}: ${mark}`);
      }
    }
    expect(wrong).toEqual([]);
    // Of use: about half the drifted boxes still find their glyph's mark (130 of 256 when written: 4 fonts ×
    // 2 sizes × 16 glyphs × 2 drifts), and boxes on their glyph are told as well.
    expect(drifted).toBeGreaterThan(4 * 2 * 16 * 2 * 0.45);
    expect(told).toBeGreaterThan(drifted);
  }, 120_000);
});
