// Subject rules (SPEC §2): tolerant of what people type (width, reply/forward prefixes, any brackets,
// separators, yymmdd / yyyymmdd / no date); a near miss is a staff exception, anything else is ignored.
import { distance } from 'fastest-levenshtein';
import { nfkc } from '../shared/japanese.ts';
import type { IntakeRules, KindRules } from '../config/rules.ts';

export type SubjectVerdict =
  | { verdict: 'match'; kind: string; date: string | null }
  | { verdict: 'near-miss'; kind: string | null; reason: string }
  | { verdict: 'unrelated' };

const BRACKETS = /[【】\[\]［］〔〕「」『』()（）<>＜＞〈〉《》]/g;
const SEPARATORS = /[\s\u3000_＿\-‐ー－:：・]/g;

/** Remove reply/forward prefixes such as 'Re: ', 'FW:', '転送：', 'Re[2]:' repeatedly. */
export function stripPrefixes(subject: string, prefixes: readonly string[]): string {
  const alternatives = prefixes.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
  const pattern = new RegExp(`^\\s*(?:${alternatives})\\s*(?:\\[\\d+\\]|\\(\\d+\\))?\\s*[:：]\\s*`, 'i');
  let s = subject;
  for (let i = 0; i < 20; i++) {
    const next = s.replace(pattern, '');
    if (next === s) break;
    s = next;
  }
  return s;
}

/** The subject reduced to its words: NFKC, no prefixes, no brackets or separators. */
export function reduceSubject(subject: string, prefixes: readonly string[]): string {
  return stripPrefixes(nfkc(subject), prefixes).replace(BRACKETS, '').replace(SEPARATORS, '');
}

function splitTrailingDate(reduced: string): { words: string; date: string | null } {
  const m = reduced.match(/^(.*?)(\d{6}|\d{8})?$/);
  const digits = m?.[2] ?? '';
  const words = m?.[1] ?? reduced;
  let date: string | null = null;
  if (digits.length === 6) date = `20${digits.slice(0, 2)}-${digits.slice(2, 4)}-${digits.slice(4, 6)}`;
  if (digits.length === 8) date = `${digits.slice(0, 4)}-${digits.slice(4, 6)}-${digits.slice(6, 8)}`;
  return { words, date };
}

export function classifySubject(subject: string, intake: IntakeRules, kinds: readonly KindRules[]): SubjectVerdict {
  const reduced = reduceSubject(subject, intake.subjects.prefixes);
  const { words, date } = splitTrailingDate(reduced);
  let best: { kind: string; ratio: number } | null = null;
  for (const rules of kinds) {
    const expected = nfkc(rules.subject.tag + rules.subject.title).replace(SEPARATORS, '');
    if (words === expected) return { verdict: 'match', kind: rules.kind, date };
    const ratio = distance(words, expected) / expected.length;
    if (!best || ratio < best.ratio) best = { kind: rules.kind, ratio };
  }
  if (best && best.ratio <= intake.subjects.nearMissMaxDistance) {
    return { verdict: 'near-miss', kind: best.kind, reason: `件名が受付ルールとわずかに異なります（一致度 ${Math.round((1 - best.ratio) * 100)}%）` };
  }
  const keyword = intake.subjects.nearMissKeywords.find((k) => reduced.includes(nfkc(k).replace(SEPARATORS, '')));
  if (keyword) return { verdict: 'near-miss', kind: null, reason: `件名に「${keyword}」が含まれますが受付ルールに一致しません` };
  return { verdict: 'unrelated' };
}
