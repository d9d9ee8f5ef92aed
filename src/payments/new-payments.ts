// Which credits of a statement are new payments (SPEC §5 idempotence), pure: a re-upload or an overlapping
// statement, also in another format, adds nothing, yet two genuinely identical transfers on one day stay
// two. Identical rows are counted, not merged: the nth identical row of a file is the nth identical payment
// overall, so a file adds only what goes beyond the most any earlier file showed (the max, not the sum).
import { createHash } from 'node:crypto';
import type { ParsedStatement, StatementRow } from './statements/types.ts';
import { packStatementLines } from './raw-lines.ts';
import { transferKey, type TransferKey } from './transfer-name.ts';

/** The fingerprint a transfer has in any format: date, amount and normalised name (digits + kana). */
export function fingerprintOf(row: Pick<StatementRow, 'paidOn' | 'amount' | 'transferName'>): string {
  return fingerprintFromKey(row, transferKey(row.transferName));
}

export function fingerprintFromKey(row: Pick<StatementRow, 'paidOn' | 'amount'>, key: TransferKey): string {
  return `${row.paidOn}|${row.amount}|${key.digits ?? ''}${key.entity ? `${key.entity})` : ''}${key.kana}`;
}

/**
 * The fingerprint of a payment whose case was purged (retention): date and amount as they were, the payer's name
 * replaced by a hash of it. The date stays first so the stored fingerprints of a statement's dates are still one
 * range of the index, and a re-upload of the old statement is still recognised (foldRedacted) without the name.
 */
export function redactedFingerprint(fingerprint: string): string {
  const second = fingerprint.indexOf('|', fingerprint.indexOf('|') + 1);
  if (second < 0 || fingerprint.startsWith('#', second + 1)) return fingerprint;
  return `${fingerprint.slice(0, second + 1)}#${createHash('sha256').update(fingerprint.slice(second + 1)).digest('hex').slice(0, 32)}`;
}

/**
 * Stored counts per fingerprint with the redacted ones counted under the clear fingerprint they came from (for
 * the fingerprints of a file being imported); the map itself when nothing in the range was redacted.
 */
export function foldRedacted(fingerprints: readonly string[], stored: ReadonlyMap<string, number>): ReadonlyMap<string, number> {
  let redacted = false;
  for (const k of stored.keys()) if (k.includes('|#')) { redacted = true; break; }
  if (!redacted) return stored;
  const merged = new Map(stored);
  for (const fp of new Set(fingerprints)) {
    const n = stored.get(redactedFingerprint(fp));
    if (n) merged.set(fp, (stored.get(fp) ?? 0) + n);
  }
  return merged;
}

export interface KeyedCredits {
  keys: TransferKey[];
  fingerprints: string[];
  /** The first and last booking dates (ISO): the range of stored fingerprints to compare with. */
  first: string;
  last: string;
}

/** The key and fingerprint of every credit row, and the dates they span. */
export function keyCredits(credits: readonly StatementRow[]): KeyedCredits {
  const keys: TransferKey[] = new Array(credits.length);
  const fingerprints: string[] = new Array(credits.length);
  let first = '9999-99-99';
  let last = '0000-00-00';
  for (let i = 0; i < credits.length; i++) {
    const row = credits[i]!;
    keys[i] = transferKey(row.transferName);
    fingerprints[i] = fingerprintFromKey(row, keys[i]!);
    if (row.paidOn < first) first = row.paidOn;
    if (row.paidOn > last) last = row.paidOn;
  }
  return { keys, fingerprints, first, last };
}

export interface NewRows {
  /** Index into the credits of each new payment, in the order the new payments take their ids. */
  index: Int32Array;
  /** Its occurrence: the nth identical transfer. */
  occurrence: Int32Array;
  duplicate: number;
}

/**
 * The credits that are new, given how many payments of each fingerprint are stored already. New payments
 * take their ids in the order of each fingerprint's first row (twins side by side). (Typed arrays, not an
 * object per row: a statement has 100,000 rows, all kept until the import commits.)
 */
export function selectNewRows(fingerprints: readonly string[], storedCounts: ReadonlyMap<string, number>): NewRows {
  const n = fingerprints.length;
  // Per fingerprint the index of its first row; per first row the rows seen so far in this file.
  const firstRowOf = new Map<string, number>();
  const seen = new Int32Array(n);
  const index = new Int32Array(n);
  const occurrence = new Int32Array(n);
  const groupRow = new Int32Array(n);
  let count = 0;
  let twinsApart = false; // a twin after rows of later groups: file order is not group order
  let duplicate = 0;
  for (let i = 0; i < n; i++) {
    const fingerprint = fingerprints[i]!;
    let first = firstRowOf.get(fingerprint);
    if (first === undefined) firstRowOf.set(fingerprint, (first = i));
    const nth = ++seen[first]!;
    if (nth <= (storedCounts.get(fingerprint) ?? 0)) duplicate++;
    else {
      if (count && first < groupRow[count - 1]!) twinsApart = true;
      index[count] = i;
      occurrence[count] = nth;
      groupRow[count] = first;
      count++;
    }
  }
  if (twinsApart) {
    const order = Array.from({ length: count }, (_, k) => k).sort((a, b) => groupRow[a]! - groupRow[b]! || occurrence[a]! - occurrence[b]!);
    return { index: Int32Array.from(order, (k) => index[k]!), occurrence: Int32Array.from(order, (k) => occurrence[k]!), duplicate };
  }
  return { index: index.slice(0, count), occurrence: occurrence.slice(0, count), duplicate };
}

/** An import's new payments, ids from firstId in the order of `rows`, as the store writes them. */
export interface NewPaymentRows {
  importId: number;
  firstId: number;
  credits: readonly StatementRow[];
  keyed: KeyedCredits;
  rows: NewRows;
}

/** The source lines of the new payments, in id order, packed for the import's row (src/payments/raw-lines.ts). */
export function newPaymentLines(credits: readonly StatementRow[], rows: NewRows, source?: ParsedStatement['source']): Buffer {
  return packStatementLines(Array.from(rows.index, (index) => credits[index]!), source);
}

/**
 * An import's new payments as the matcher needs them: consecutive ids from firstId, in id order. They are not
 * stored yet (the single-thread import writes them once, with their verdicts) or stored with the default
 * verdict (the two-thread import), never read back.
 */
export interface NewPayments {
  firstId: number;
  amount: Float64Array;
  paidOn: string[];
  transferName: string[];
  keys: TransferKey[];
}

/** The matcher's view of an import's new payments. */
export function newPaymentsOf(p: NewPaymentRows): NewPayments {
  const { credits, keyed, rows } = p;
  const n = rows.index.length;
  const amount = new Float64Array(n);
  const paidOn: string[] = new Array(n);
  const transferName: string[] = new Array(n);
  const keys: TransferKey[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const row = credits[rows.index[i]!]!;
    amount[i] = row.amount;
    paidOn[i] = row.paidOn;
    transferName[i] = row.transferName;
    keys[i] = keyed.keys[rows.index[i]!]!;
  }
  return { firstId: p.firstId, amount, paidOn, transferName, keys };
}
