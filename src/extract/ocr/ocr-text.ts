// What tesseract's Japanese models make of printed form text, put back the way the form prints it.

const CJK = '\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}ー';

// Checkboxes as OCR sees them: a ticked box reads as 区 図 凶 ☒ X, an empty one as 口 □.
const TICKED_BOX = /^[\s]*[区図凶☒⊠×xX✓✔レ■]\s*/;
const EMPTY_BOX = /^[\s]*[口□☐ロ]\s*/;

const KANJI_NUMERAL: Record<string, string> = { 'ニ': '二', 'ハ': '八', 'ー': '一' };

/**
 * Japanese OCR puts spaces between characters (the forms' values never need them between CJK characters),
 * reads the long-vowel mark after kana as the kanji 一, a list bullet ・ at the start of a line as *, and
 * the underline of a blank as _.
 */
export function tidyOcrText(text: string): string {
  return text
    // Circled numbers are never typed in a value, but npm's jpn 4.0.0 model reads a clean scan's plain
    // digits as them (2026 → ⑳②⑥): the digits they stand for. (Blacklisting them in tesseract instead
    // gives every such line confidence 0.)
    .replace(/[\u2460-\u2473\u3251-\u325f\u32b1-\u32bf]/gu, (c) => c.normalize('NFKC'))
    .replace(new RegExp(`(?<=[${CJK}])\\s+(?=[${CJK}])`, 'gu'), '')
    .replace(/(?<=[\p{Script=Hiragana}\p{Script=Katakana}])一/gu, 'ー')
    // Kanji numerals are drawn as their katakana twins (二 ニ, 八 ハ, 一 ー) and both models read them alike:
    // where only a numeral fits — after 第 (第二ビル), before an address counter (二丁目, 八条) — the numeral.
    .replace(/(?<=第)[ニハー]|[ニハー](?=丁目|条|番町)/gu, (c) => KANJI_NUMERAL[c] ?? c)
    // A long vowel read twice (スーーパー), a dot read beside a hyphen in an address number (1-.2-3).
    .replace(/ー{2,}/gu, 'ー')
    .replace(/(?<=\d)[-‐−]\.(?=\d)|(?<=\d)\.[-‐−](?=\d)/gu, '-')
    // A hyphen of an address number read as a dot (1.2-3, 1-2.3): a number with hyphens has no dot
    // (not in an e-mail address, where the user's dots and hyphens are their own).
    .replace(/(?<=(?:^|[^\d.])\d{1,4})\.(?=\d{1,4}[-‐−]\d)|(?<=\d[-‐−]\d{1,4})\.(?=\d{1,4}(?![\d.]))/gu, (dot: string, _at: number, all: string) => all.includes('@') ? dot : '-')
    // A hyphen between digits read as the kanji 一 (〒980一0811, 1一2一3), a zero beside digits as O.
    .replace(/(?<=\d)\s*一\s*(?=[\dO])/gu, '-')
    // …or as the long-vowel bar (2-8ー3), which never stands between digits.
    .replace(/(?<=\d)ー(?=\d)/gu, '-')
    .replace(/(?<=[\d-])O(?=\d)/gu, '0')
    // A space OCR put inside a number of a date (平成2 6年).
    .replace(/(?<=\d) (?=\d+[年月日])/gu, '')
    // A list bullet (Word's •) reads as *, 。, *。, ・。, *・ or 。・ (a run of such dots); the choice mark
    // after it (■) as a kanji of the square radical 囗 (U+56D7–U+571F: 圏, 團, 圖, 国 …), a filled square
    // being a box to the models.
    .replace(/^\s*[*＊・•。.][\s*＊・•。.]*(?=[\p{Script=Katakana}\p{Script=Han}〇○◯●■□◆◇✓✔☑])/u, '・ ')
    .replace(/^・ [\u56d7-\u571f](?=\p{Script=Katakana})/u, '・ ■')
    // Latin capitals with an l: the models read the I of AI, CTI, IT as a lower-case l (both models
    // alike, so their agreement does not catch it). Not in an e-mail address, where case is the user's.
    .replace(/(?<=[A-Z])l(?![a-z])|(?<![A-Za-z])l(?=[A-Z])/gu, (l, at: number, all: string) => all.includes('@') ? l : 'I')
    // The form's underlined blanks (自＿＿年＿月) come through as _ next to the characters typed on them,
    // or apart from them with a stray quote (自”__ 年月, which made an empty row of the table a row with
    // a date). No value but an e-mail address holds an underscore.
    .replace(new RegExp(`(?<=[${CJK}])[_＿]+|[_＿]+(?=[${CJK}])`, 'gu'), '')
    .replace(/[“”"'’‘`´]*[_＿]+[“”"'’‘`´]*/gu, (m: string, _at: number, all: string) => all.includes('@') ? m : '')
    .trim();
}

/** A checkbox in front of the agreement sentence (上記…) written the way Word writes it: ☒ or ☐. */
export function checkboxGlyph(text: string): string {
  if (TICKED_BOX.test(text) && /上記/.test(text)) return text.replace(TICKED_BOX, '☒ ');
  if (EMPTY_BOX.test(text) && /上記/.test(text)) return text.replace(EMPTY_BOX, '☐ ');
  return text;
}
