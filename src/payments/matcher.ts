// Matching payments to cases (SPEC §5), pure: no I/O, no clock. A payment is linked automatically only
// when its key (last 4 digits of the passer number + the name in kana) is exact and unique and the amount
// is the fee; everything less certain gets ranked candidates and a finding code for finance/staff:
// payment.ambiguous (several or uncertain candidates), payment.amount-mismatch (the key is exact, the
// amount is not), payment.bulk (one transfer for several people), payment.duplicate (the case is paid).
// An automatic match must never be wrong. Cases are indexed by key, digits, name and company, so a run
// over 100,000 payments and 20,000 cases is linear.
import { distance } from 'fastest-levenshtein';
import { isTruncationOf, normaliseKana, transferKey, type TransferKey } from './transfer-name.ts';

export interface OpenCase {
  id: number;
  digits: string | null;
  kana: string | null;
  declaredTransferName: string | null;
  expectedAmount: number;
  /** Company name in kana (bulk transfers by an employer). */
  companyKana?: string | null;
  /** Amount already settled by links the matcher does not own (finance's manual links). */
  settledAmount?: number;
  /** Closed or rejected cases take no new payment but still explain a duplicate. */
  open?: boolean;
}

export interface OpenPayment {
  id: number;
  transferName: string;
  amount: number;
  paidOn?: string;
  /** The case this payment is automatically linked to now (the matcher may move it to an earlier twin). */
  linkedTo?: number | null;
  /** Finance unlinked it: never link it automatically again. */
  hold?: boolean;
  /** transferKey(transferName), when the caller has it already (stored with the payment). */
  key?: TransferKey;
}

export type AttentionCode = 'payment.ambiguous' | 'payment.amount-mismatch' | 'payment.bulk' | 'payment.duplicate';

export interface Candidate {
  caseId: number;
  /** 0..1, higher is likelier. */
  score: number;
  reason: string;
}

export interface Match {
  paymentId: number;
  caseId: number;
  rule: string;
}

export type Verdict =
  | { paymentId: number; status: 'matched'; caseId: number; rule: string; candidates: [] }
  | { paymentId: number; status: 'attention'; code: AttentionCode; candidates: Candidate[]; reason: string }
  | { paymentId: number; status: 'unmatched'; candidates: []; reason: string };

const MAX_CANDIDATES = 5;
const NONE: readonly never[] = [];
/** The candidates of a verdict that has none: one shared, frozen list (most of 100,000 payments have none). */
const NO_CANDIDATES = Object.freeze([]) as unknown as [];

interface Indexed {
  c: OpenCase;
  keys: { digits: string | null; kana: string }[];
  company: string | null;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) {
    if (list[list.length - 1] !== value) list.push(value);
  } else map.set(key, [value]);
}

/** Two names one edit apart (both at least 4 long) share their first two or their last two characters. */
const head = (kana: string) => kana.slice(0, 2);
const tail = (kana: string) => kana.slice(-2);

/**
 * Are two different names exactly one edit (substitution, insertion or deletion) apart? Their common prefix
 * and common suffix then cover all of the shorter one but one character (same length) or all of it (lengths
 * one apart). Exact, like a Levenshtein distance of 1, without filling a distance table: the names sharing a
 * common ending (ロウ, コ…) with an unmatched transfer are many, and most differ early.
 */
export function oneEditApart(a: string, b: string): boolean {
  const short = a.length <= b.length ? a : b;
  const long = short === a ? b : a;
  if (long.length - short.length > 1 || a === b) return false;
  let prefix = 0;
  while (prefix < short.length && short.charCodeAt(prefix) === long.charCodeAt(prefix)) prefix++;
  let suffix = 0;
  while (suffix < short.length - prefix && short.charCodeAt(short.length - 1 - suffix) === long.charCodeAt(long.length - 1 - suffix)) suffix++;
  return prefix + suffix >= (short.length === long.length ? short.length - 1 : short.length);
}

export class CaseIndex {
  readonly byKey = new Map<string, Indexed[]>();
  readonly byDigits = new Map<string, Indexed[]>();
  readonly byName = new Map<string, Indexed[]>();
  readonly byHead = new Map<string, Indexed[]>();
  readonly byTail = new Map<string, Indexed[]>();
  readonly byCompany = new Map<string, Indexed[]>();
  readonly byId = new Map<number, Indexed>();

  constructor(cases: readonly OpenCase[]) {
    for (const c of cases) {
      const keys: Indexed['keys'] = [];
      const name = c.kana ? normaliseKana(c.kana) : '';
      if (name) keys.push({ digits: c.digits, kana: name });
      if (c.declaredTransferName) {
        const k = transferKey(c.declaredTransferName);
        if (k.kana && !keys.some((x) => x.digits === k.digits && x.kana === k.kana)) keys.push({ digits: k.digits ?? c.digits, kana: k.kana });
      }
      const company = c.companyKana ? normaliseKana(c.companyKana) || null : null;
      const item: Indexed = { c, keys, company };
      this.byId.set(c.id, item);
      for (const k of keys) {
        if (k.digits) push(this.byKey, `${k.digits}|${k.kana}`, item);
        push(this.byName, k.kana, item);
        if (k.kana.length >= 3) {
          push(this.byHead, head(k.kana), item);
          push(this.byTail, tail(k.kana), item);
        }
      }
      for (const d of new Set([c.digits, ...keys.map((k) => k.digits)])) if (d) push(this.byDigits, d, item);
      // (push skips a repeat of the last item only: lists may hold an item twice, and readers dedupe by case.)
      if (company) push(this.byCompany, company, item);
    }
  }
}

/** The order payments are reconciled in: date, amount, name as printed, id. */
export function paymentSortKey(p: OpenPayment): string {
  return `${p.paidOn ?? ''}|${String(p.amount).padStart(12, '0')}|${p.transferName}|${String(p.id).padStart(12, '0')}`;
}

const plainNumber = (n: number) => Number.isInteger(n) && n >= 0 && n < 1e12;

/**
 * The order of paymentSortKey, field by field, without making a key string per payment (100,000 per import).
 * Where the fields alone could order two payments differently from their keys (dates of different lengths,
 * amounts or ids that do not pad to 12 digits, a '|' in a name or one name a prefix of the other), the keys
 * decide.
 */
export function comparePayments(a: OpenPayment, b: OpenPayment): number {
  const da = a.paidOn ?? '';
  const db = b.paidOn ?? '';
  if (da.length === db.length && plainNumber(a.amount) && plainNumber(b.amount) && plainNumber(a.id) && plainNumber(b.id)) {
    if (da !== db) return da < db ? -1 : 1;
    if (a.amount !== b.amount) return a.amount - b.amount;
    const na = a.transferName;
    const nb = b.transferName;
    if (na === nb) return a.id - b.id;
    if (!na.includes('|') && !nb.includes('|') && !na.startsWith(nb) && !nb.startsWith(na)) return na < nb ? -1 : 1;
  }
  const ka = paymentSortKey(a);
  const kb = paymentSortKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/**
 * Reconcile payments with cases. Payments are taken in date order, so when two exact payments compete for
 * one case the earlier is the fee and the later a duplicate, whatever order the statements came in.
 */
export function reconcile(cases: readonly OpenCase[] | CaseIndex, payments: readonly OpenPayment[]): { matches: Match[]; verdicts: Verdict[] } {
  const index = cases instanceof CaseIndex ? cases : new CaseIndex(cases);
  const claimed = new Map<number, number>(); // case → payment
  const settled = (it: Indexed) => (it.c.settledAmount ?? 0) >= it.c.expectedAmount || claimed.has(it.c.id);
  const verdicts: Verdict[] = [];
  const matches: Match[] = [];
  const ordered = [...payments].sort(comparePayments);

  for (const p of ordered) {
    const key = p.key ?? transferKey(p.transferName);
    const sameKey = key.digits && key.kana ? index.byKey.get(`${key.digits}|${key.kana}`) : undefined;
    const exact: readonly Indexed[] = !sameKey ? NONE : sameKey.length === 1 ? sameKey : [...new Set(sameKey)];

    // Keep an automatic link unless an earlier twin took the case.
    if (p.linkedTo != null && !claimed.has(p.linkedTo) && index.byId.has(p.linkedTo)) {
      claimed.set(p.linkedTo, p.id);
      const rule = 'exact key (digits + name) and amount, unique';
      matches.push({ paymentId: p.id, caseId: p.linkedTo, rule });
      verdicts.push({ paymentId: p.id, status: 'matched', caseId: p.linkedTo, rule, candidates: NO_CANDIDATES });
      continue;
    }

    if (exact.length === 1) {
      const it = exact[0]!;
      const fee = it.c.expectedAmount;
      if (!settled(it) && p.amount === fee && it.c.open !== false && !p.hold) {
        claimed.set(it.c.id, p.id);
        const rule = 'exact key (digits + name) and amount, unique';
        matches.push({ paymentId: p.id, caseId: it.c.id, rule });
        verdicts.push({ paymentId: p.id, status: 'matched', caseId: it.c.id, rule, candidates: NO_CANDIDATES });
        continue;
      }
      if (settled(it)) {
        // Paid already: a second payment. The same person's other cases (same name, other digits) come first.
        const others = (index.byName.get(key.kana) ?? []).filter((o) => o !== it && !settled(o) && o.c.open !== false)
          .map((o) => ({ caseId: o.c.id, score: 0.6 + (p.amount === o.c.expectedAmount ? 0.1 : 0), reason: '同じ氏名の、入金待ちの別の申請（番号下4桁は異なる）' }));
        verdicts.push({ paymentId: p.id, status: 'attention', code: 'payment.duplicate', candidates: rank([...others, { caseId: it.c.id, score: 0.5, reason: '振込名義が完全に一致するが、手数料は入金済み' }]), reason: '入金済みの申請への2回目の入金' });
        continue;
      }
      if (p.amount !== fee) {
        const multiple = p.amount % fee === 0 && p.amount / fee >= 2;
        // Several fees in one transfer from one person: their other cases (same name) are candidates too.
        const siblings = multiple ? (index.byName.get(key.kana) ?? []).filter((o) => o !== it && !settled(o) && o.c.open !== false)
          .map((o) => ({ caseId: o.c.id, score: 0.6, reason: '同じ氏名の、入金待ちの別の申請' })) : [];
        verdicts.push({
          paymentId: p.id, status: 'attention', code: multiple ? 'payment.bulk' : 'payment.amount-mismatch',
          candidates: rank([{ caseId: it.c.id, score: 0.8, reason: `振込名義が完全に一致（金額 ${p.amount}円、手数料 ${fee}円）` }, ...siblings]),
          reason: multiple ? `手数料${p.amount / fee}件分の入金` : `金額が手数料と異なる（差額 ${p.amount - fee}円）`,
        });
        continue;
      }
      verdicts.push({ paymentId: p.id, status: 'attention', code: 'payment.ambiguous', candidates: [{ caseId: it.c.id, score: 0.8, reason: '振込名義が完全に一致' }], reason: p.hold ? '財務担当が紐付けを解除した入金' : '受付終了の申請' });
      continue;
    }
    if (exact.length > 1) {
      verdicts.push({ paymentId: p.id, status: 'attention', code: 'payment.ambiguous', candidates: rank(exact.map((it) => ({ caseId: it.c.id, score: 0.7 - (settled(it) ? 0.3 : 0), reason: '同じ番号下4桁と氏名の申請が複数' }))), reason: '同じ振込名義の申請が複数ある' });
      continue;
    }
    verdicts.push(uncertain(index, p, key, settled));
  }
  return { matches, verdicts };
}

function uncertain(index: CaseIndex, p: OpenPayment, key: ReturnType<typeof transferKey>, settled: (it: Indexed) => boolean): Verdict {
  // Made on the first candidate: most payments of a busy account (other companies' deposits) have none.
  let found: Map<number, Candidate> | undefined;
  const add = (it: Indexed, score: number, reason: string) => {
    const s = score + (p.amount === it.c.expectedAmount ? 0.1 : 0) - (settled(it) || it.c.open === false ? 0.3 : 0);
    found ??= new Map();
    const prev = found.get(it.c.id);
    if (!prev || prev.score < s) found.set(it.c.id, { caseId: it.c.id, score: Math.round(s * 100) / 100, reason });
  };
  const name = key.kana;
  if (key.digits) {
    for (const it of index.byDigits.get(key.digits) ?? []) {
      const best = Math.min(...it.keys.map((k) => (name ? distance(name, k.kana) : 99)));
      if (best <= 2) add(it, 0.75 - 0.1 * best, `番号下4桁が一致、氏名が${best}文字違い`);
      else if (it.keys.some((k) => isTruncationOf(name, k.kana))) add(it, 0.6, '番号下4桁が一致、氏名が途中で切れている');
      else add(it, 0.35, '番号下4桁だけが一致');
    }
  }
  // A transfer from a company (ｶ) etc.) is not a person's name: only the company rule below applies to it.
  if (name.length >= 2 && !key.entity) {
    for (const it of index.byName.get(name) ?? []) add(it, key.digits ? 0.45 : 0.6, key.digits ? '氏名が一致、番号下4桁が異なる' : '氏名が一致（番号なし）');
    if (name.length >= 4) {
      for (const block of [index.byHead.get(head(name)), index.byTail.get(tail(name))]) {
        for (const it of block ?? NONE) {
          if (found?.has(it.c.id)) continue;
          for (const k of it.keys) {
            if (oneEditApart(name, k.kana)) {
              add(it, 0.45, '氏名が1文字違い');
              break;
            }
          }
        }
      }
    }
  }
  const company = (key.entity || name.length >= 4 ? index.byCompany.get(name) : undefined) ?? NONE;
  // The fee of the company's cases, else of the first candidate found.
  const first = found?.values().next().value;
  const fee = company[0]?.c.expectedAmount ?? (first ? index.byId.get(first.caseId)!.c.expectedAmount : undefined);
  const bulk = fee !== undefined && p.amount % fee === 0 && p.amount / fee >= 2;
  if (company.length) {
    for (const it of company) if (!settled(it) && it.c.open !== false) add(it, bulk ? 0.5 : 0.4, '勤務先の会社名が振込名義と一致');
  }
  const candidates = found ? rank([...found.values()]) : [];
  if (company.length && bulk) return { paymentId: p.id, status: 'attention', code: 'payment.bulk', candidates, reason: `会社からの手数料${p.amount / fee}件分の一括入金` };
  if (candidates.length === 0) return { paymentId: p.id, status: 'unmatched', candidates: NO_CANDIDATES, reason: '該当する申請なし' };
  return { paymentId: p.id, status: 'attention', code: 'payment.ambiguous', candidates, reason: key.digits ? '振込名義が完全には一致しない' : '振込名義に番号がない' };
}

function rank(candidates: Candidate[]): Candidate[] {
  return candidates.sort((a, b) => b.score - a.score || a.caseId - b.caseId).slice(0, MAX_CANDIDATES);
}

/** The automatic links alone (what a new application checks against the payments on hand). */
export function matchExact(cases: readonly OpenCase[], payments: readonly OpenPayment[]): Match[] {
  return reconcile(cases, payments).matches;
}
