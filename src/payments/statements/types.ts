// What every statement parser produces: one row per transaction line, credits and debits alike (only
// credits become payments), and the whole-file rejection error. A parser never returns half a file.

export interface StatementRow {
  /** Line (CSV) or record number (Zengin) in the file, 1-based, for messages. */
  line: number;
  /** Booking date (勘定日 / 取引日), ISO. */
  paidOn: string;
  /** Absolute amount in yen; debits may also be given as a negative amount without a direction. */
  amount: number;
  /** The transfer name as the bank printed it. */
  transferName: string;
  direction?: 'credit' | 'debit';
  /** The bank's reference (照会番号), when the format carries one. */
  reference?: string | null;
  /** Value date (起算日), ISO, when the format carries one. */
  valueDate?: string | null;
  /** The source line (decoded), for finance's view and the audit trail; stored without trailing blanks. */
  raw?: string;
  /** Instead of `raw`, for fixed-length records: where the record starts in the statement's `source`. */
  rawAt?: number;
}

export class StatementError extends Error {}

export interface ParsedStatement {
  /** e.g. 'zengin-furikomi', 'zengin-nyushukkin', 'csv-mufg', 'csv-rakuten', 'csv-generic:<name>', 'simple-csv'. */
  format: string;
  encoding: string;
  rows: StatementRow[];
  /** The file's bytes, for rows that give their record by `rawAt` (Zengin: JIS8 records of a fixed length). */
  source?: { bytes: Uint8Array; recordLength: number };
}

/** Is this row money coming in? Debits (and a negative amount without a direction) are not payments. */
export function isCredit(row: StatementRow): boolean {
  return (row.direction ?? (row.amount > 0 ? 'credit' : 'debit')) === 'credit' && row.amount > 0;
}

/**
 * A CSV line's error. Every statement error names the line (or record), the field and the reason, never the
 * record's content: the message is printed, logged and kept, and the content is applicants' names.
 */
export function lineError(line: number, reason: string): StatementError {
  return new StatementError(`${line}行目: ${reason}`);
}

