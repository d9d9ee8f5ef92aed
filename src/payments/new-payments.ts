// Which credits of a statement are new payments (SPEC §5 idempotence), pure: a re-upload or an overlapping
// statement, also in another format, adds nothing, yet two genuinely identical transfers on one day stay
// two. Identical rows are counted, not merged: the nth identical row of a file is the nth identical payment
// overall, so a file adds only what goes beyond the most any earlier file showed (the max, not the sum).
import type { StatementRow } from './statements/types.ts';
import { transferKey, type TransferKey } from './transfer-name.ts';
import type { PaymentInsert } from '../cases/case-store.ts';

/** The fingerprint a transfer has in any format: date, amount and normalised name (digits + kana). */
export function fingerprintOf(row: Pick<StatementRow, 'paidOn' | 'amount' | 'transferName'>): string {
  return fingerprintFromKey(row, transferKey(row.transferName));
}

export function fingerprintFromKey(row: Pick<StatementRow, 'paidOn' | 'amount'>, key: TransferKey): string {
  return `${row.paidOn}|${row.amount}|${key.digits ?? ''}${key.entity ? `${key.entity})` : ''}${key.kana}`;
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
  index: number[];
  /** Its occurrence: the nth identical transfer. */
  occurrence: number[];
  duplicate: number;
}

/**
 * The credits that are new, given how many payments of each fingerprint are stored already. New payments
 * take their ids in the order of each fingerprint's first row (twins side by side).
 */
export function selectNewRows(fingerprints: readonly string[], storedCounts: ReadonlyMap<string, number>): NewRows {
  // Per fingerprint: rows seen so far in this file and the index of its first row.
  const seen = new Map<string, { count: number; firstRow: number }>();
  const fresh: { index: number; occurrence: number; groupRow: number }[] = [];
  let twinsApart = false; // a twin after rows of later groups: file order is not group order
  let duplicate = 0;
  for (let i = 0; i < fingerprints.length; i++) {
    const fingerprint = fingerprints[i]!;
    let group = seen.get(fingerprint);
    if (group) group.count++;
    else seen.set(fingerprint, (group = { count: 1, firstRow: i }));
    if (group.count <= (storedCounts.get(fingerprint) ?? 0)) duplicate++;
    else {
      if (fresh.length && group.firstRow < fresh[fresh.length - 1]!.groupRow) twinsApart = true;
      fresh.push({ index: i, occurrence: group.count, groupRow: group.firstRow });
    }
  }
  if (twinsApart) fresh.sort((a, b) => a.groupRow - b.groupRow || a.occurrence - b.occurrence);
  return { index: fresh.map((f) => f.index), occurrence: fresh.map((f) => f.occurrence), duplicate };
}

/**
 * The rows of the new payments as they are stored, ids from firstId, with the default verdict (unmatched,
 * no finding, no candidates); every column is set, so a verdict written into them later keeps their shape.
 */
export function newPaymentInserts(importId: number, firstId: number, credits: readonly StatementRow[], keyed: KeyedCredits, rows: NewRows): PaymentInsert[] {
  return rows.index.map((index, i) => {
    const row = credits[index]!;
    const key = keyed.keys[index]!;
    return {
      id: firstId + i, import_id: importId, paid_on: row.paidOn, amount: row.amount, transfer_name: row.transferName, digits: key.digits, kana: key.kana, entity: key.entity,
      fingerprint: keyed.fingerprints[index]!, occurrence: rows.occurrence[i]!, line: row.line, reference: row.reference ?? null, value_date: row.valueDate ?? null, raw_line: null,
      status: 'unmatched', finding_code: null, candidates_json: null, reason: null, case_id: null, matched_by: null, matched_at: null, hold: 0,
    };
  });
}

/** The source lines of the new payments, in id order, without trailing blanks (for the import's packed blob). */
export function newPaymentRawLines(credits: readonly StatementRow[], rows: NewRows): (string | null)[] {
  return rows.index.map((index) => credits[index]!.raw?.trimEnd() ?? null);
}
