// Japanese text helpers. Width and kana variants are folded here and nowhere else, so every stage
// compares text the same way. The applicant's original text is never replaced by these forms; callers keep it.

/** NFKC (full-width digits and Latin to ASCII, half-width kana to full-width) and trimmed. */
export function nfkc(text: string): string {
  return text.normalize('NFKC');
}

/** Remove every kind of whitespace, including the ideographic space (U+3000) and tabs. */
export function stripSpaces(text: string): string {
  return text.replace(/[\s\u3000\u00a0\u200b\ufeff]+/g, '');
}

/** Collapse runs of whitespace (line breaks included) into one ASCII space and trim. */
export function collapseSpaces(text: string): string {
  return text.replace(/[\s\u3000\u00a0\u200b\ufeff]+/g, ' ').trim();
}

/** A field value as people type it into a Word cell: width-folded, stray spaces and breaks collapsed. */
export function cleanValue(text: string): string {
  return collapseSpaces(nfkc(text));
}

const HIRAGANA_START = 0x3041;
const HIRAGANA_END = 0x3096;
const KANA_OFFSET = 0x60;

export function hiraganaToKatakana(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    out += code >= HIRAGANA_START && code <= HIRAGANA_END ? String.fromCodePoint(code + KANA_OFFSET) : ch;
  }
  return out;
}

const SMALL_TO_LARGE: Record<string, string> = {
  ァ: 'ア', ィ: 'イ', ゥ: 'ウ', ェ: 'エ', ォ: 'オ', ッ: 'ツ', ャ: 'ヤ', ュ: 'ユ', ョ: 'ヨ', ヮ: 'ワ', ヵ: 'カ', ヶ: 'ケ',
};

/** Banks print small kana as large ones (ッ→ツ, ャ→ヤ); fold ours the same way before comparing. */
export function smallKanaToLarge(text: string): string {
  return text.replace(/[ァィゥェォッャュョヮヵヶ]/g, (ch) => SMALL_TO_LARGE[ch] ?? ch);
}

/** True when the text is only kana (either script), prolonged sound marks, middle dots and spaces. */
export function isKana(text: string): boolean {
  return /^[\u3041-\u3096\u30a1-\u30fa\u30fc\u30fb\u309b\u309c\s\u3000・ー－-]+$/.test(nfkc(text));
}
