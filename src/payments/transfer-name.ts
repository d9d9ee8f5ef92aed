// Transfer names as banks print them (SPEC §5): half-width katakana, upper-case only (small kana
// printed large), spaces and punctuation varying, long names truncated. Both sides of a match — the
// bank's text and the applicant's declared name — go through this one function.
import { hiraganaToKatakana, nfkc, smallKanaToLarge } from '../shared/japanese.ts';

export interface TransferKey {
  /** The leading digits (the last four of the passer number), or null when none were given. */
  digits: string | null;
  /** The name part in large katakana, without spaces or punctuation. */
  kana: string;
}

/** Normalise a name for comparison: NFKC (half-width → full-width kana), katakana, large kana, no separators. */
export function normaliseKana(text: string): string {
  return smallKanaToLarge(hiraganaToKatakana(nfkc(text)))
    .toUpperCase()
    .replace(/[\s\u3000・.,、。()（）「」'"/\\]/g, '')
    .replace(/[-‐−–—―ｰ－]/g, 'ー');
}

export function transferKey(text: string): TransferKey {
  const t = nfkc(text).trim();
  const m = t.match(/^\s*(\d+)\s*(.*)$/);
  if (m) return { digits: m[1]!.slice(-4), kana: normaliseKana(m[2]!) };
  return { digits: null, kana: normaliseKana(t) };
}
