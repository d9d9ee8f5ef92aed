import { describe, expect, it } from 'vitest';
import { checkboxGlyph, tidyOcrText } from '../../src/extract/ocr/ocr-text.ts';
import { textLinesOutside, type GreyImage } from '../../src/extract/ocr/table-grid.ts';
import { eraseRules } from '../../src/extract/readers/scan.ts';
import { glyphsAdded } from '../../src/extract/ocr/reread-values.ts';

describe('tidyOcrText', () => {
  it('drops the spaces OCR puts between Japanese characters, keeps those next to Latin text', () => {
    expect(tidyOcrText('山 田 一 郎')).toBe('山田一郎');
    expect(tidyOcrText('東京都新宿区西新宿 1-2-3 サンプルタワー 12 階')).toBe('東京都新宿区西新宿 1-2-3 サンプルタワー 12 階');
  });
  it('reads 一 after kana as the long-vowel mark, not after kanji', () => {
    expect(tidyOcrText('スーパ一バイザー')).toBe('スーパーバイザー');
    expect(tidyOcrText('山田一郎')).toBe('山田一郎');
  });
  it('a bullet read as * at the start of a line becomes ・', () => {
    expect(tidyOcrText('* オペレーションマネジメントプロフェッショナル(OMP)')).toBe('・ オペレーションマネジメントプロフェッショナル(OMP)');
    expect(tidyOcrText('hanako*x@example.jp')).toBe('hanako*x@example.jp');
  });
  it('a bullet read as 。 or *。 becomes ・, and the choice mark ■ after it read as 圏 is ■ again', () => {
    expect(tidyOcrText('*。 圏オペレーションマネジメントプロフェショナル(OMP)')).toBe('・ ■オペレーションマネジメントプロフェショナル(OMP)');
    expect(tidyOcrText('。 コンタクトセンターアーキテクチャプロフェショナル (CAP)')).toBe('・ コンタクトセンターアーキテクチャプロフェショナル (CAP)');
    expect(tidyOcrText('* 。〇コンタクトセンターアーキテクチャ')).toBe('・ 〇コンタクトセンターアーキテクチャ');
    // The bullet read as two dots: *・ or 。・ (the line then began with * and was taken for a note).
    expect(tidyOcrText('*・ 〇コンタクトセンターアーキテクチャプロフェショナル (CAD)')).toBe('・ 〇コンタクトセンターアーキテクチャプロフェショナル (CAD)');
    expect(tidyOcrText('。・ 〇オペレーションマネジメントプロフェショナル(OMP)')).toBe('・ 〇オペレーションマネジメントプロフェショナル(OMP)');
    // A note marked with * keeps it when no option follows.
    expect(tidyOcrText('* 1 資格あたり 1 通')).toBe('* 1 資格あたり 1 通');
    // 圏 inside a value is a kanji: only right after a bullet, in front of an option, is it the mark.
    expect(tidyOcrText('首都圏コンタクトセンター')).toBe('首都圏コンタクトセンター');
  });
  it('the mark ■ read as any kanji of the square radical 囗 after a bullet is ■, another kanji there is not', () => {
    expect(tidyOcrText('・ 圖オペレーションマネジメントプロフェショナル(OM P)')).toBe('・ ■オペレーションマネジメントプロフェショナル(OM P)');
    expect(tidyOcrText('・ 国コンタクトセンターアーキテクチャ')).toBe('・ ■コンタクトセンターアーキテクチャ');
    expect(tidyOcrText('・ 新コンタクトセンター')).toBe('・ 新コンタクトセンター');
    expect(tidyOcrText('・ 国立センター')).toBe('・ 国立センター');
  });
  it('the I of Latin capitals read as l becomes I (生成AI), never in an e-mail address or a word', () => {
    expect(tidyOcrText('生成Al活用セミナー')).toBe('生成AI活用セミナー');
    expect(tidyOcrText('lT基礎とCTl')).toBe('IT基礎とCTI');
    expect(tidyOcrText('Allied Telecom')).toBe('Allied Telecom');
    expect(tidyOcrText('MAl@example.jp')).toBe('MAl@example.jp');
  });
  it('the underline of a blank next to typed characters goes, an underscore in an address stays', () => {
    expect(tidyOcrText('自_2014年4月')).toBe('自2014年4月');
    expect(tidyOcrText('hanako_kentei@example.jp')).toBe('hanako_kentei@example.jp');
  });
  it('a hyphen between digits read as 一 and a zero read as O are put back (〒980一O811)', () => {
    expect(tidyOcrText('(〒980 一O811 )')).toBe('(〒980-0811 )');
    expect(tidyOcrText('青葉区一番町1一1一1')).toBe('青葉区一番町1-1-1');
    expect(tidyOcrText('第一営業部')).toBe('第一営業部');
  });
  // Found on a varied set of our own: 第二ビル read 第ニビル by both models (taken as read at 90 %).
  it('a kanji numeral read as its katakana twin is the numeral where only a numeral fits', () => {
    expect(tidyOcrText('三宮町1-5-22第ニビル3階')).toBe('三宮町1-5-22第二ビル3階');
    expect(tidyOcrText('第ハ会議室')).toBe('第八会議室');
    expect(tidyOcrText('第ー営業部')).toBe('第一営業部');
    expect(tidyOcrText('札幌市中央区北ニ条西3丁目')).toBe('札幌市中央区北二条西3丁目');
    expect(tidyOcrText('旭ヶ丘ニ丁目')).toBe('旭ヶ丘二丁目');
    // Elsewhere katakana stays katakana.
    expect(tidyOcrText('ニッセイハイツ')).toBe('ニッセイハイツ');
    expect(tidyOcrText('ハーモニーコール')).toBe('ハーモニーコール');
    expect(tidyOcrText('センター')).toBe('センター');
  });

  it('a space inside the number of a date goes (平成2 6年)', () => {
    expect(tidyOcrText('自平成2 6年4月')).toBe('自平成26年4月');
    expect(tidyOcrText('6 時間')).toBe('6 時間');
  });
});

describe('checkboxGlyph', () => {
  it('writes the box OCR saw in front of the agreement as Word does', () => {
    expect(checkboxGlyph('区 上記の倫理綱領')).toBe('☒ 上記の倫理綱領');
    expect(checkboxGlyph('口 上記の倫理綱領')).toBe('☐ 上記の倫理綱領');
    expect(checkboxGlyph('区分')).toBe('区分');
  });
});

describe('textLinesOutside', () => {
  /** A white page with black bars for text lines and a table outline. */
  function page(bars: { x0: number; y0: number; x1: number; y1: number }[]): GreyImage {
    const width = 2480;
    const height = 1200;
    const data = new Uint8Array(width * height).fill(255);
    for (const b of bars) for (let y = b.y0; y <= b.y1; y++) for (let x = b.x0; x <= b.x1; x++) data[y * width + x] = 0;
    return { width, height, data };
  }

  it('finds the text lines above and below a table, not the text inside it, each trimmed to its ink', () => {
    const table = { x0: 200, y0: 400, x1: 2200, y1: 800 };
    const img = page([
      { x0: 300, y0: 100, x1: 1500, y1: 140 }, // a title line
      { x0: 300, y0: 200, x1: 900, y1: 236 }, // 申請年月日 …
      { x0: 400, y0: 500, x1: 1800, y1: 540 }, // text inside the table
      { x0: 300, y0: 950, x1: 2000, y1: 990 }, // a note under the table
      { x0: 100, y0: 1100, x1: 2300, y1: 1101 }, // a hairline rule: not text
    ]);
    const lines = textLinesOutside(img, [table]);
    expect(lines).toEqual([
      { x0: 300, y0: 100, x1: 1500, y1: 140 },
      { x0: 300, y0: 200, x1: 900, y1: 236 },
      { x0: 300, y0: 950, x1: 2000, y1: 990 },
    ]);
  });
});

describe('tidyOcrText, misreads of marks', () => {
  it('a long vowel read twice is one; a dot read beside a hyphen between digits goes', () => {
    expect(tidyOcrText('スーーパーバイザー')).toBe('スーパーバイザー');
    expect(tidyOcrText('西新宿 1-.2-3')).toBe('西新宿 1-2-3');
    expect(tidyOcrText('西新宿 1.-2-.3')).toBe('西新宿 1-2-3');
    expect(tidyOcrText('7.92')).toBe('7.92');
    // npm's jpn 4.0.0 model reads the plain digits of a clean scan as circled numbers.
    expect(tidyOcrText('申請年月日 ⑳②⑥ 年 ② 月 ⑩ 日')).toBe('申請年月日 2026 年 2 月 10 日');
    expect(tidyOcrText('②③①0④⑤0①②③')).toBe('2310450123');
    // An empty blank's underline with a stray quote, apart from the printed 年: nothing typed there.
    expect(tidyOcrText('自”__ 年月')).toBe('自 年月');
    expect(tidyOcrText('hanako_kentei@example.jp')).toBe('hanako_kentei@example.jp');
  });
});

describe('eraseRules', () => {
  it('whitens the underline of a blank (a run far longer than the line is high) and keeps the glyphs\' strokes', () => {
    const width = 300;
    const height = 40;
    const pixels = new Uint8Array(width * height).fill(255);
    // A glyph's horizontal stroke (25 px) and an underline across the line (280 px, 2 px thick).
    for (let x = 20; x < 45; x++) pixels[15 * width + x] = 0;
    for (const y of [36, 37]) for (let x = 10; x < 290; x++) pixels[y * width + x] = 0;
    eraseRules(pixels, width, height, 100);
    expect(pixels.subarray(36 * width, 38 * width).every((v) => v === 255)).toBe(true);
    expect(pixels.subarray(15 * width + 20, 15 * width + 45).every((v) => v === 0)).toBe(true);
  });

  it('keeps a glyph standing on the underline whole: its bottom stroke on the rule and its stem into it stay ink', () => {
    const width = 300;
    const height = 40;
    const pixels = new Uint8Array(width * height).fill(255);
    // A 日-like box sitting on the underline: stems at x 30 and 50 from y 12 down to the rule, its bottom
    // stroke 3 px thick lying right on the rule (rows 32–34), the rule 3 px thick (rows 35–37), its top row
    // read as one dark run with the bottom stroke.
    for (let y = 12; y < 35; y++) for (const x of [30, 31, 50, 51]) pixels[y * width + x] = 0;
    for (const y of [12, 13, 22, 23, 32, 33, 34]) for (let x = 30; x < 52; x++) pixels[y * width + x] = 0;
    for (const y of [35, 36, 37]) for (let x = 10; x < 290; x++) pixels[y * width + x] = 0;
    eraseRules(pixels, width, height, 100);
    // The rule away from the glyph is gone; the glyph's bottom stroke and stems are not.
    for (const y of [35, 36, 37]) expect(pixels.subarray(y * width + 60, y * width + 290).every((v) => v === 255)).toBe(true);
    for (const y of [32, 33, 34, 35]) expect(pixels.subarray(y * width + 30, y * width + 52).every((v) => v === 0)).toBe(true);
    expect([20, 30, 34].every((y) => pixels[y * width + 30] === 0 && pixels[y * width + 51] === 0)).toBe(true);
  });

  it('keeps the bottom strokes of a line of text standing at one height (no rule under it: 年 2 月 read 年?月)', () => {
    const width = 300;
    const height = 40;
    const pixels = new Uint8Array(width * height).fill(255);
    // Ten glyphs' bottom strokes, 20 px each and 8 px apart, in rows 30–32: two thirds of those rows are
    // ink, in glyph-long runs, and no rule is anywhere.
    for (let g = 0; g < 10; g++) for (const y of [30, 31, 32]) for (let x = 10 + g * 28; x < 30 + g * 28; x++) pixels[y * width + x] = 0;
    const before = Uint8Array.from(pixels);
    eraseRules(pixels, width, height, 100);
    expect(pixels).toEqual(before);
  });

  it('whitens a bilevel rule\'s frayed edge too: the row under it in pieces shorter than a rule', () => {
    const width = 300;
    const height = 40;
    const pixels = new Uint8Array(width * height).fill(255);
    for (const y of [35, 36]) for (let x = 10; x < 290; x++) pixels[y * width + x] = 0;
    // Row 37: pieces of 50 px with gaps of 10, 80 % of the row, none a rule's length alone.
    for (let x = 10; x < 290; x++) if ((x - 10) % 60 < 50) pixels[37 * width + x] = 0;
    eraseRules(pixels, width, height, 100);
    for (const y of [35, 36, 37]) expect(pixels.subarray(y * width, (y + 1) * width).every((v) => v === 255)).toBe(true);
  });

  it('whitens the grey fringe of a rule on near-white paper too (a faint line under the date lost 申請年月日)', () => {
    const width = 300;
    const height = 40;
    const pixels = new Uint8Array(width * height).fill(250);
    // The rule's core (rows 36–37) and the scanner's anti-aliased fringe above and below it (rows 35, 38).
    for (const [y, v] of [[35, 195], [36, 60], [37, 60], [38, 195]] as const) for (let x = 10; x < 290; x++) pixels[y * width + x] = v;
    eraseRules(pixels, width, height, 100);
    for (const y of [35, 36, 37, 38]) expect(pixels.subarray(y * width + 10, y * width + 290).every((v) => v === 255)).toBe(true);
  });
});

describe('glyphsAdded', () => {
  it('is the first reading with glyphs added (specks read as glyphs), not a glyph read differently', () => {
    expect(glyphsAdded('かぶしきがいしゃてれこむさーびす', 'かぶしきがいしゃてれこむさーびぴす')).toBe(true);
    expect(glyphsAdded('株式会社デンワサービス', '株式会社プデンワサービス')).toBe(true);
    expect(glyphsAdded('2', '24')).toBe(true);
    // A glyph changed is the stronger model's reading to keep (山田一朗 → 山田一郎), as is a shorter one.
    expect(glyphsAdded('山田一朗', '山田一郎')).toBe(false);
    expect(glyphsAdded('センター長', 'ャセンター大')).toBe(false);
    expect(glyphsAdded('レポボート', 'レポート')).toBe(false);
    expect(glyphsAdded('', 'ー')).toBe(false);
    // A bar added is one the fast model lost on the noisy scan, not a speck: the longer reading stands.
    expect(glyphsAdded('かぶしきがいしゃさんぷるこみゅにけしょんず', 'かぶしきがいしゃさんぷるこみゅにけーしょんず')).toBe(false);
  });
});
