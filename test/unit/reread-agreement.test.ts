// How two readings of a scanned value are judged alike or not (reread-values.ts and its helpers): what
// makes agreement recognised (the values the form takes, a mark read as a kanji, an address's dot) and
// what never may (a kana spelt impossibly, a dispute over a voicing mark or a kana's size).
import { describe, expect, it } from 'vitest';
import { misspeltKana } from '../../src/extract/ocr/kana-spelling.ts';
import { markOrSizeDispute, sizeOrMarkInDoubt } from '../../src/extract/ocr/reread-values.ts';
import { tidyOcrText } from '../../src/extract/ocr/ocr-text.ts';
import { readQualification } from '../../src/extract/forms/common-fields.ts';
import { paragraph } from '../../src/extract/readers/scan.ts';
import type { Cell } from '../../src/extract/document.ts';

function qualificationCell(lines: string[]): Cell {
  const paragraphs = lines.map((t) => paragraph(t, 't1', 0.9));
  return { paragraphs, text: lines.join('\n'), colSpan: 1, images: 0, location: 't1' };
}

describe('kana spelling', () => {
  it('a small kana doubled or after a kana it cannot follow spells nothing', () => {
    expect(misspeltKana('まーけていぃいんぐ')).toBe(true);
    expect(misspeltKana('さゃ')).toBe(true);
    expect(misspeltKana('っさ')).toBe(true);
    expect(misspeltKana('きっっと')).toBe(true);
    expect(misspeltKana('株式会社ァイ')).toBe(true);
  });
  it('what Japanese writes is spelt right', () => {
    for (const t of ['まーけてぃんぐ', 'かぶしきがいしゃさんぷるこみゅにけーしょんず', 'ウォーター', 'フィッシュ', 'ジェイ', 'ヴァイオリン',
      'ディズニー', 'チャーリー', 'クォリティ', 'ソリューションズ', 'コンサルティング', 'ケンテイハナコ', '0123 ケンテイハナコ', '東京都新宿区']) {
      expect(misspeltKana(t), t).toBe(false);
    }
  });
});

describe('a dispute over a voicing mark or a kana size', () => {
  it('is one where a glyph of each reading is the same kana otherwise', () => {
    expect(markOrSizeDispute('さんぷるさぼーと', 'さんぷるさぽーと')).toBe(true);
    expect(markOrSizeDispute('ケンテイハナコ', 'ケンティハナコ')).toBe(true);
    expect(markOrSizeDispute('さーびす', 'さーひす')).toBe(true);
  });
  it('is not a glyph added or another glyph read', () => {
    expect(markOrSizeDispute('オペレーション研修', 'オォオペレーション研修')).toBe(false);
    expect(markOrSizeDispute('こみゅにけしょんず', 'こみゅにけーしょんず')).toBe(false);
    expect(markOrSizeDispute('山田一朗', '山田一郎')).toBe(false);
  });
});

describe('OCR text tidied before it is compared', () => {
  it('a hyphen of an address number read as a dot is a hyphen', () => {
    expect(tidyOcrText('東京都新宿区西新宿 1.2-3 サンプルタワー 12 階')).toBe('東京都新宿区西新宿 1-2-3 サンプルタワー 12 階');
    expect(tidyOcrText('一番町1-2.3')).toBe('一番町1-2-3');
  });
  it('a decimal, a date with dots and an e-mail address keep their dots', () => {
    expect(tidyOcrText('3.5時間')).toBe('3.5時間');
    expect(tidyOcrText('2025.3.1')).toBe('2025.3.1');
    expect(tidyOcrText('a1-2.3@example.jp')).toBe('a1-2.3@example.jp');
  });
});

describe('the qualification mark read as a kanji', () => {
  it('one kanji or symbol between the bullet and the printed option is a mark', () => {
    const r = readQualification('scan', qualificationCell(['・ 画オペレーションマネジメントプロフェショナル(OMP)', '・ コンタクトセンターアーキテクチャプロフェショナル (CAP)']));
    expect(r.value).toBe('OMP');
  });
  it('an empty box read as 口 and a kana there are no mark', () => {
    const boxed = readQualification('scan', qualificationCell(['・ 口オペレーションマネジメントプロフェショナル(OMP)', '・ コンタクトセンターアーキテクチャプロフェショナル (CAP)']));
    expect(boxed.marked).toEqual([]);
    const kana = readQualification('scan', qualificationCell(['・ ォオペレーションマネジメントプロフェショナル(OMP)', '・ コンタクトセンターアーキテクチャプロフェショナル (CAP)']));
    expect(kana.marked).toEqual([]);
  });
});

describe('a kana value in doubt after another look', () => {
  it('a small kana beside its full-size glyph, or the other voicing mark, read where the value has it', () => {
    expect(sizeOrMarkInDoubt('まーけていんぐ', 'まーけていぃいんぐ')).toBe(true);
    expect(sizeOrMarkInDoubt('まーけていんぐ', 'まーけてぃんぐ')).toBe(true);
    expect(sizeOrMarkInDoubt('さんぷるさぽーと', 'さんぷるさぼーと')).toBe(true);
  });
  it('not the same reading, a bar or another glyph added elsewhere', () => {
    expect(sizeOrMarkInDoubt('まーけてぃんぐ', 'まーけてぃんぐ')).toBe(false);
    expect(sizeOrMarkInDoubt('こみゅにけーしょんず', 'こみゅにけしょんず')).toBe(false);
    expect(sizeOrMarkInDoubt('こみゅにけーしょんず', 'こみゅにけーしょんずら')).toBe(false);
    expect(sizeOrMarkInDoubt('ケンテイハナコ', '')).toBe(false);
  });
});

describe('a hyphen read as the long-vowel bar', () => {
  it('between digits is a hyphen', () => {
    expect(tidyOcrText('久茂地2-8ー3')).toBe('久茂地2-8-3');
    expect(tidyOcrText('スーパー3')).toBe('スーパー3');
  });
});
