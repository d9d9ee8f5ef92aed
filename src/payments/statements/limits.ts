// Caps on what a statement file may hold, checked while it is read and before anything is stored: a file
// over a cap is rejected whole, naming the line and the field, never truncated. They bound the memory of an
// import (a 20 MB payer name once took 1.4 GB) and are far above real statements: a Zengin name is 48
// bytes, a bank CSV line about 150 characters, and the association receives some thousands of transfers a
// year (the benchmarks import 100,000 rows).
import { lineError, StatementError } from './types.ts';

export const STATEMENT_LIMITS = {
  /** The whole file, in bytes (200,000 Zengin records are 40 MB). */
  fileBytes: 64 * 1024 * 1024,
  /** Records (data rows and, for Zengin, header/trailer/end records) in one file. */
  records: 200_000,
  /** Characters in one CSV record (all its fields), checked by the CSV reader as it reads. */
  recordChars: 4_000,
  /** Columns of a CSV record. */
  columns: 64,
  /** Characters of one field, by what it holds; `other` for every column a layout does not read. */
  field: {
    name: 120,
    date: 32,
    amount: 24,
    reference: 64,
    other: 512,
  },
} as const;

/** The first check of every statement, before any of it is read. */
export function checkFileSize(bytes: Uint8Array): void {
  if (bytes.length > STATEMENT_LIMITS.fileBytes) {
    throw new StatementError(`ファイルが大きすぎます（${(bytes.length / 1024 / 1024).toFixed(1)} MB、上限 ${STATEMENT_LIMITS.fileBytes / 1024 / 1024} MB）。期間を分けて出力したファイルをお使いください`);
  }
}

export type FieldKind = keyof typeof STATEMENT_LIMITS.field;

/** A cell within its cap, or the file is rejected naming the line and the field. */
export function capped(cell: string, kind: FieldKind, line: number, field: string): string {
  const cap = STATEMENT_LIMITS.field[kind];
  if (cell.length > cap) throw lineError(line, `${field}が長すぎます（${cell.length}文字、上限 ${cap}文字）`);
  return cell;
}

/**
 * A transfer name as the bank printed it. A question mark is no character of the Zengin set the names travel
 * in: it is what a conversion to an encoding without half-width katakana (ISO-2022-JP, often) leaves for each
 * lost letter, so the name is not the transfer's any more.
 */
export function checkedName(name: string, line: number, field: string): string {
  capped(name, 'name', line, field);
  if (name.includes('?') || name.includes('？')) {
    throw lineError(line, `${field}に「?」があります（文字コードの変換で失われた文字の可能性があります）。銀行からダウンロードしたままのファイルをお使いください`);
  }
  return name;
}
