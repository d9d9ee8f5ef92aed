// What a string of kana can be, as Japanese is written: a small kana only after a kana it combines with.
// OCR reads a small kana twice or at the wrong size (…てぃんぐ read …ていぃいんぐ, both models alike), and
// such a reading spells nothing: it is never taken as read, however sure the models are.

/** Each small kana and the kana it may follow (hiragana; katakana is folded onto it). */
const FOLLOWS: Record<string, string> = {
  ぁ: 'うくぐすずつとどふゔむ',
  ぃ: 'うくぐすずつてでとどふゔ',
  ぅ: 'くぐすずつとどふゔ',
  ぇ: 'いうきぎくぐしじすずちぢつてでにひびぴふゔみりゐ',
  ぉ: 'うくぐすずつとどふゔ',
  ゃ: 'きぎしじちぢにひびぴみりてでふゔ',
  ゅ: 'きぎしじちぢにひびぴみりてでふゔ',
  ょ: 'きぎしじちぢにひびぴみりてでふゔ',
  ゎ: 'くぐ',
};

function hiragana(c: string): string {
  const code = c.codePointAt(0)!;
  return code >= 0x30a1 && code <= 0x30f6 ? String.fromCodePoint(code - 0x60) : c;
}

/**
 * Whether a kana reading spells something impossible: a small vowel or small や/ゆ/よ/わ at the start or
 * after a kana it cannot combine with (いぃ, さゃ), or a small っ at the start or doubled. Text that is not
 * kana (kanji, Latin, digits) ends a word: a small kana after it is as at a start.
 */
export function misspeltKana(text: string): boolean {
  const glyphs = [...text.replace(/[\s\u3000]/g, '')].map(hiragana);
  for (let i = 0; i < glyphs.length; i++) {
    const g = glyphs[i]!;
    const before = glyphs[i - 1];
    if (g in FOLLOWS && (before === undefined || !FOLLOWS[g]!.includes(before))) return true;
    if (g === 'っ' && (before === undefined || before === 'っ' || !/[\p{Script=Hiragana}ー]/u.test(before))) return true;
  }
  return false;
}
