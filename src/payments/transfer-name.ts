// Transfer names as banks print them (SPEC §5), and the one place their kana rules live: half-width
// katakana, upper-case only (small kana printed large), spaces and punctuation varying, long-vowel marks
// printed as hyphens, legal-entity abbreviations such as ｶ) for 株式会社, long names truncated. Both sides
// of a match — the bank's text and the applicant's declared name — go through these functions.
import { hiraganaToKatakana, nfkc, smallKanaToLarge } from '../shared/japanese.ts';

export interface TransferKey {
  /** The leading digits (the last four of the passer number), or null when none were given. */
  digits: string | null;
  /** The name part in large katakana, without spaces, punctuation or legal-entity marks. */
  kana: string;
  /** The legal-entity kind the name carried (e.g. 'カ' for 株式会社), or null for a person. */
  entity: string | null;
}

// Zengin abbreviations of legal-entity kinds (全銀協 略語表: 株式会社 カ, 有限会社 ユ, 合名会社 メ, 合資会社 シ,
// 合同会社 ド, 医療法人 イ, 財団法人 ザイ, 社団法人 シヤ, 学校法人 ガク, 社会福祉法人 フク, 特定非営利活動法人 トクヒ,
// 宗教法人 シユウ), printed with a parenthesis before (ｶ)ｻﾝﾌﾟﾙ), after (ｻﾝﾌﾟﾙ(ｶ) or around ((ｶ)) the name.
const ENTITY_ABBREVIATIONS = ['トクヒ', 'シユウ', 'ガク', 'フク', 'ザイ', 'シヤ', 'カ', 'ユ', 'メ', 'シ', 'ド', 'イ'];
// The same kinds written out, as applicants type their company's kana.
const ENTITY_WORDS: [string, string][] = [
  ['カブシキガイシヤ', 'カ'], ['カブシキカイシヤ', 'カ'], ['ユウゲンガイシヤ', 'ユ'], ['ユウゲンカイシヤ', 'ユ'], ['ゴウドウガイシヤ', 'ド'], ['ゴウドウカイシヤ', 'ド'],
  ['ゴウメイガイシヤ', 'メ'], ['ゴウシガイシヤ', 'シ'], ['イツパンシヤダンホウジン', 'シヤ'], ['イツパンザイダンホウジン', 'ザイ'], ['コウエキシヤダンホウジン', 'シヤ'],
  ['コウエキザイダンホウジン', 'ザイ'], ['シヤダンホウジン', 'シヤ'], ['ザイダンホウジン', 'ザイ'], ['イリヨウホウジン', 'イ'], ['ガツコウホウジン', 'ガク'], ['シヤカイフクシホウジン', 'フク'],
  ['トクテイヒエイリカツドウホウジン', 'トクヒ'], ['シユウキヨウホウジン', 'シユウ'],
];

const ENTITY_PATTERN = new RegExp(`^\\(?(${ENTITY_ABBREVIATIONS.join('|')})\\)|\\((${ENTITY_ABBREVIATIONS.join('|')})\\)?$|\\((${ENTITY_ABBREVIATIONS.join('|')})\\)`);

/** Width, script and case folded; small kana large; every dash-like mark after kana a long-vowel mark. */
function foldKana(text: string): string {
  return foldByTable(text) ?? foldAnyText(text);
}

/** The general fold, for any text (applicants' declared names, CSV statements in full-width). */
function foldAnyText(text: string): string {
  return smallKanaToLarge(hiraganaToKatakana(nfkc(text)))
    .toUpperCase()
    // Banks print ー as the half-width hyphen-minus; applicants type ー, －, ‐, ― or ~.
    .replace(/[-‐‑‒–—―−－~〜～ｰ]/g, 'ー');
}

// Bank transfer names are JIS X 0201 text (printable ASCII and half-width katakana: all a Zengin file can
// hold), declared names are kana typed full-width. A statement brings 100,000 names and the matcher folds
// every case's names too; the general fold (NFKC, then four passes over the text) was the largest part of
// turning them into keys. For ASCII, the CJK symbols and kana block and the full-width/half-width forms,
// the fold is a character-by-character table, except that a voiced or semi-voiced mark (゙ ゚ ﾞ ﾟ) joins the
// kana before it (ｶﾞ → ガ). The tables are made from foldAnyText itself, so both paths give the same text
// by construction (and a test compares them on every pair of characters of the alphabet).
// Without U+302A–302F (ideographic tone marks: combining marks that NFKC reorders around the kana marks).
const TABLE_RANGES: readonly [number, number][] = [[0x20, 0x7e], [0x3000, 0x3029], [0x3030, 0x30ff], [0xff01, 0xff9f]];
const JOINING_MARKS = [0x3099, 0x309a, 0xff9e, 0xff9f] as const;
const FOLDED: (string | undefined)[] = new Array(0x10000);
for (const [from, to] of TABLE_RANGES) for (let c = from; c <= to; c++) FOLDED[c] = foldAnyText(String.fromCharCode(c));
/** Character + mark that fold into something else than their folds side by side: key = code * 4 + mark index. */
const WITH_MARK = new Map<number, string>();
for (const [from, to] of TABLE_RANGES) {
  for (let c = from; c <= to; c++) {
    JOINING_MARKS.forEach((mark, m) => {
      const joined = foldAnyText(String.fromCharCode(c, mark));
      if (joined !== FOLDED[c]! + FOLDED[mark]!) WITH_MARK.set(c * 4 + m, joined);
    });
  }
}

function markIndex(code: number): number {
  return code === 0x3099 ? 0 : code === 0x309a ? 1 : code === 0xff9e ? 2 : code === 0xff9f ? 3 : -1;
}

/** foldAnyText by table; null when the text holds a character outside the table's alphabet. */
export function foldByTable(text: string): string | null {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const folded = FOLDED[c];
    if (folded === undefined) return null;
    const m = markIndex(text.charCodeAt(i + 1));
    if (m >= 0) {
      const joined = WITH_MARK.get(c * 4 + m);
      if (joined !== undefined) {
        out += joined;
        i++;
        continue;
      }
    }
    out += folded;
  }
  return out;
}

/** The general fold, exported for the test that holds foldByTable to it. */
export { foldAnyText as foldKanaGeneral };

const SEPARATORS = /[\s\u3000・･.,、。，．'"’”`/\\「」『』【】［］\[\]{}]/g;
const HAS_SEPARATOR = new RegExp(SEPARATORS.source); // the same class, for a test without a replace
const ENTITY_WORD_ENDINGS = /ガイシヤ|カイシヤ|ホウジン/;
if (!ENTITY_WORDS.every(([word]) => ENTITY_WORD_ENDINGS.test(word))) throw new Error('an entity word without a known ending');

/** Split a folded name into the legal-entity kind (if any) and the name without it. */
function splitEntity(folded: string, byPatternOnly = false): { entity: string | null; rest: string } {
  const compact = HAS_SEPARATOR.test(folded) ? folded.replace(SEPARATORS, '') : folded;
  // Every written-out entity word ends in ガイシヤ, カイシヤ or ホウジン; most names have none, nor a parenthesis.
  const mayHoldWord = ENTITY_WORD_ENDINGS.test(compact);
  if (!mayHoldWord && !compact.includes('(') && !compact.includes(')')) return { entity: null, rest: compact };
  for (const [word, abbr] of mayHoldWord ? ENTITY_WORDS : []) {
    if (compact.startsWith(word)) return { entity: abbr, rest: compact.slice(word.length) };
    if (compact.endsWith(word)) return { entity: abbr, rest: compact.slice(0, -word.length) };
  }
  // The way banks print it (ｶ)ｻﾝﾌﾟﾙ, (ｶ)ｻﾝﾌﾟﾙ): read without the pattern, which finds the same match first.
  const open = compact.charCodeAt(0) === 0x28 ? 1 : 0;
  for (const abbr of byPatternOnly ? [] : ENTITY_ABBREVIATIONS) {
    if (compact.startsWith(abbr, open) && compact.charCodeAt(open + abbr.length) === 0x29) return { entity: abbr, rest: compact.slice(open + abbr.length + 1) };
  }
  const m = compact.match(ENTITY_PATTERN);
  if (m) {
    const entity = m[1] ?? m[2] ?? m[3]!;
    return { entity, rest: compact.replace(m[0], '') };
  }
  return { entity: null, rest: compact };
}

/** Normalise a name for comparison: width, script, small kana, long vowels, separators, legal-entity marks. */
export function normaliseKana(text: string): string {
  return splitEntity(foldKana(text)).rest.replace(/[()（）]/g, '');
}

/** The key of a transfer name (or of a declared one): leading digits + normalised name. */
export function transferKey(text: string): TransferKey {
  const folded = foldKana(text).trim();
  // Leading digits, then any blanks or long-vowel marks: /^[\s\u3000]*(\d+)[\s\u3000ー]*(.*)$/s, read by
  // hand (100,000 names a statement; transferKeyByPattern is the rule, and a test holds the two together).
  let at = 0;
  while (at < folded.length && isBlank(folded.charCodeAt(at))) at++;
  let end = at;
  while (end < folded.length && isDigit(folded.charCodeAt(end))) end++;
  let digits: string | null = null;
  let name = folded;
  if (end > at) {
    digits = folded.slice(Math.max(at, end - 4), end);
    let next = end;
    while (next < folded.length && (isBlank(folded.charCodeAt(next)) || folded.charCodeAt(next) === 0x30fc)) next++;
    name = folded.slice(next);
  }
  const { entity, rest } = splitEntity(name);
  return { digits, kana: rest.replace(/[()（）]/g, ''), entity };
}

/** transferKey as the rule reads, with the pattern: the test's reference. */
export function transferKeyByPattern(text: string): TransferKey {
  const folded = foldKana(text).trim();
  const m = folded.match(/^[\s\u3000]*(\d+)[\s\u3000ー]*(.*)$/s);
  const digits = m ? m[1]!.slice(-4) : null;
  const { entity, rest } = splitEntity(m ? m[2]! : folded, true);
  return { digits, kana: rest.replace(/[()（）]/g, ''), entity };
}

const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
/** What \s matches (\u3000 included). */
const isBlank = (c: number) => c === 0x20 || (c >= 0x09 && c <= 0x0d) || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;

/**
 * Could `printed` be `full` cut short by the bank? Only a real prefix of a reasonable length counts,
 * so a surname alone is a candidate, never an exact key.
 */
export function isTruncationOf(printed: string, full: string, minLength = 3): boolean {
  return printed.length >= minLength && printed.length < full.length && full.startsWith(printed);
}
