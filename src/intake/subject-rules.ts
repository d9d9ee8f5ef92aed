// Subject rules (SPEC §2): tolerant of what people type (width, reply/forward prefixes, any brackets,
// separators, yymmdd / yyyymmdd / no date, annotations such as 再送： or 【訂正】 before the rule, and any
// note after it); a near miss is a staff exception, anything else is left to the mail's content.
import { distance } from 'fastest-levenshtein';
import { nfkc } from '../shared/japanese.ts';
import type { IntakeRules, KindRules } from '../config/rules.ts';
import { caseNumberIn } from './mail-headers.ts';

export type SubjectVerdict =
  | { verdict: 'match'; kind: string; date: string | null }
  | { verdict: 'near-miss'; kind: string | null; reason: string }
  | { verdict: 'unrelated' };

const BRACKETS = /[【】\[\]［］〔〕「」『』()（）<>＜＞〈〉《》]/g;
const SEPARATORS = /[\s\u3000_＿\-‐ー－:：・、。,.]/g;
const OPEN = '[【\\[［〔「『(（<＜〈《]';
const CLOSE = '[】\\]］〕」』)）>＞〉》]';
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Remove reply/forward prefixes such as 'Re: ', 'FW:', '転送：', 'Re[2]:' repeatedly. */
export function stripPrefixes(subject: string, prefixes: readonly string[]): string {
  return stripLeading(subject, prefixes, []);
}

/**
 * Remove, repeatedly and in any order, reply/forward prefixes (always followed by a colon) and the
 * annotations people put in front of the rule: 再送：, 【再送】, (再送), [再送2], 訂正 … An annotation
 * without a bracket or colon is removed too (再送 【更新申請】…), but only a listed word.
 */
function stripLeading(subject: string, prefixes: readonly string[], annotations: readonly string[]): string {
  const reply = new RegExp(`^\\s*(?:${prefixes.map(escapeRe).join('|')})\\s*(?:\\[\\d+\\]|\\(\\d+\\))?\\s*[:：]\\s*`, 'i');
  const words = annotations.map((a) => escapeRe(nfkc(a))).join('|');
  // In brackets a few more characters may follow the word (【訂正版】, (再送2回目)); bare, a colon or a space.
  const note = annotations.length > 0
    ? new RegExp(`^\\s*(?:${OPEN}\\s*(?:${words})[^\\]】］〕」』)）>＞〉》]{0,6}${CLOSE}|(?:${words})\\s*\\d*\\s*(?:[:：]|[\\s_\\-・、,])?)\\s*`, 'i')
    : null;
  let s = subject;
  for (let i = 0; i < 20; i++) {
    let next = s.replace(reply, '');
    if (note) next = next.replace(note, '');
    if (next === s) break;
    s = next;
  }
  return s;
}

/** The subject reduced to its words: NFKC, no prefixes or annotations, no brackets or separators. */
export function reduceSubject(subject: string, prefixes: readonly string[], annotations: readonly string[] = []): string {
  return stripLeading(nfkc(subject), prefixes, annotations).replace(BRACKETS, '').replace(SEPARATORS, '');
}

function dateOf(digits: string): string | null {
  const iso = digits.length === 8
    ? `${digits.slice(0, 4)}-${digits.slice(4, 6)}-${digits.slice(6, 8)}`
    : `20${digits.slice(0, 2)}-${digits.slice(2, 4)}-${digits.slice(4, 6)}`;
  const d = new Date(`${iso}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === iso ? iso : null;
}

/** The date right after the rule's words (yymmdd or yyyymmdd), if any; whatever follows is a note. */
function leadingDate(rest: string): string | null {
  const m = rest.match(/^(\d{8}|\d{6})(?!\d)/) ?? rest.match(/^(\d{8})/) ?? rest.match(/^(\d{6})/);
  return m ? dateOf(m[1]!) : null;
}

/** The words before a trailing date, for the distance to the rule (a garbled subject keeps its date). */
function withoutTrailingDate(reduced: string): string {
  return reduced.replace(/(\d{6}|\d{8})$/, '');
}

export function classifySubject(subject: string, intake: IntakeRules, kinds: readonly KindRules[]): SubjectVerdict {
  const reduced = reduceSubject(subject, intake.subjects.prefixes, intake.subjects.annotations);
  let best: { kind: string; ratio: number } | null = null;
  for (const rules of kinds) {
    const expected = nfkc(rules.subject.tag + rules.subject.title).replace(SEPARATORS, '');
    // The rule's words first; a date and any note may follow (【更新申請】…添付_260216（OMP・CAP）).
    if (reduced.startsWith(expected)) return { verdict: 'match', kind: rules.kind, date: leadingDate(reduced.slice(expected.length)) };
    // A garbled rule: compared with the subject's start of about the rule's length, so that a note
    // after it does not push an otherwise close subject out of the near misses.
    const words = withoutTrailingDate(reduced);
    let ratio = distance(words, expected) / expected.length;
    for (let len = Math.max(1, expected.length - 3); len <= expected.length + 3 && len < words.length; len++) {
      ratio = Math.min(ratio, distance(words.slice(0, len), expected) / expected.length);
    }
    if (!best || ratio < best.ratio) best = { kind: rules.kind, ratio };
  }
  if (best && best.ratio <= intake.subjects.nearMissMaxDistance) {
    return { verdict: 'near-miss', kind: best.kind, reason: `件名が受付ルールとわずかに異なります（一致度 ${Math.round((1 - best.ratio) * 100)}%）` };
  }
  const keyword = intake.subjects.nearMissKeywords.find((k) => reduced.includes(nfkc(k).replace(SEPARATORS, '')));
  if (keyword) return { verdict: 'near-miss', kind: kindOfWords(reduced, kinds), reason: `件名に「${keyword}」が含まれますが受付ルールに一致しません` };
  return { verdict: 'unrelated' };
}

/** The kind a text's words point to (更新申請 → renewal, 認定申請 → certification), when only one does. */
export function kindOfWords(text: string, kinds: readonly KindRules[]): string | null {
  const t = nfkc(text).replace(SEPARATORS, '');
  const hits = kinds.filter((k) => t.includes(nfkc(k.subject.tag).replace(SEPARATORS, '')));
  return hits.length === 1 ? hits[0]!.kind : null;
}

/** How much of the body is searched for a mention: the applicant's own words are at the top; list footers and quoted history below. */
const BODY_CHARS = 1500;

/**
 * Does the mail speak of an application (SPEC §2: a near miss is never a silent drop)? The subject or the
 * top of the body names one of the mention words (申請, 更新, 認定 …) or quotes a case number. Used only
 * for a mail whose subject matched no rule and that carries no recognisable form: it then goes to staff
 * (subject.near-miss) instead of being ignored. Returns what was found, for the staff note.
 */
export function applicationMention(subject: string, body: string, intake: IntakeRules): string | null {
  // A case number is ours wherever it stands (a quoted notice whose thread headers were lost).
  const number = caseNumberIn(subject) ?? caseNumberIn(body);
  if (number) return `受付番号 ${number}`;
  const s = nfkc(stripLeading(nfkc(subject), intake.subjects.prefixes, []));
  const b = nfkc(body.slice(0, BODY_CHARS));
  for (const word of intake.subjects.mentionKeywords) {
    const w = nfkc(word);
    if (s.includes(w)) return `件名の「${word}」`;
    if (b.includes(w)) return `本文の「${word}」`;
  }
  return null;
}
