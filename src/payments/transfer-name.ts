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
  return smallKanaToLarge(hiraganaToKatakana(nfkc(text)))
    .toUpperCase()
    // Banks print ー as the half-width hyphen-minus; applicants type ー, －, ‐, ― or ~.
    .replace(/[-‐‑‒–—―−－~〜～ｰ]/g, 'ー');
}

const SEPARATORS = /[\s\u3000・･.,、。，．'"’”`/\\「」『』【】［］\[\]{}]/g;

/** Split a folded name into the legal-entity kind (if any) and the name without it. */
function splitEntity(folded: string): { entity: string | null; rest: string } {
  const compact = folded.replace(SEPARATORS, '');
  // Fast path (most names): no parenthesis and no written-out entity word ending in ガイシヤ/カイシヤ/ホウジン.
  if (!compact.includes('(') && !compact.includes(')') && !/ガイシヤ|カイシヤ|ホウジン/.test(compact)) return { entity: null, rest: compact };
  for (const [word, abbr] of ENTITY_WORDS) {
    if (compact.startsWith(word)) return { entity: abbr, rest: compact.slice(word.length) };
    if (compact.endsWith(word)) return { entity: abbr, rest: compact.slice(0, -word.length) };
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
  const m = folded.match(/^[\s\u3000]*(\d+)[\s\u3000ー]*(.*)$/s);
  const digits = m ? m[1]!.slice(-4) : null;
  const { entity, rest } = splitEntity(m ? m[2]! : folded);
  return { digits, kana: rest.replace(/[()（）]/g, ''), entity };
}

/**
 * Could `printed` be `full` cut short by the bank? Only a real prefix of a reasonable length counts,
 * so a surname alone is a candidate, never an exact key.
 */
export function isTruncationOf(printed: string, full: string, minLength = 3): boolean {
  return printed.length >= minLength && printed.length < full.length && full.startsWith(printed);
}
