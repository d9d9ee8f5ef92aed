// CSV statements read through a column layout: the built-in bank layouts (bank-csv.ts) and the ones
// configured in rules/statements.yaml (generic-csv.ts). A layout names the columns by their header text;
// a file is read with the first layout whose columns are all in its header row. Whole file or nothing.
import { parse } from 'csv-parse/sync';
import type { Options } from 'csv-parse';
import { nfkc } from '../../shared/japanese.ts';
import { parseDate } from '../../extract/values.ts';
import { lineError, StatementError, type StatementRow } from './types.ts';
import { capped, checkedName } from './limits.ts';
import { STATEMENT_LIMITS } from './limits.ts';

export interface CsvLayout {
  /** Format id, recorded with the import. */
  format: string;
  label: string;
  columns: {
    date: string[];
    /** Name column(s): the first non-empty one is the transfer name. */
    name: string[];
    /** Credit (入金) amount column; a row with it empty is not a credit. */
    credit?: string[];
    /** Debit (出金) amount column. */
    debit?: string[];
    /** One signed amount column (negative = debit), instead of credit/debit. */
    signedAmount?: string[];
    reference?: string[];
    valueDate?: string[];
  };
  /** Words the bank puts before the name in the name column (e.g. 振込), stripped. */
  stripPrefixes?: string[];
}

/**
 * Reads CSV text (UTF-8 bytes) record by record: the first record is handed to `onHeader`, which returns
 * what turns each later record into a row (or null for a record to skip). The records themselves are never
 * kept, and every cap (limits.ts) is checked as the file is read: the reader stops at the first record that
 * is too long, so an endless field costs no more than the cap.
 */
export function readCsvRows<T>(utf8: Uint8Array, onHeader: (header: string[]) => (record: string[], line: number) => T | null): T[] {
  let toRow: ((record: string[], line: number) => T | null) | null = null;
  let header: string[] | null = null;
  let records = 0;
  try {
    // Options typed loosely: the typings tie on_record to the `columns` option, which is not used here.
    return parse(Buffer.from(utf8.buffer, utf8.byteOffset, utf8.byteLength), {
      skip_empty_lines: true, relax_column_count: true, trim: true, bom: true, max_record_size: STATEMENT_LIMITS.recordChars,
      on_record: (record: string[], context: { lines: number }) => {
        const line = context.lines;
        if (++records > STATEMENT_LIMITS.records + 1) throw lineError(line, `明細の行数が上限（${STATEMENT_LIMITS.records}行）を超えています。ファイルを分けて取り込んでください`);
        if (record.length > STATEMENT_LIMITS.columns) throw lineError(line, `列が多すぎます（${record.length}列、上限 ${STATEMENT_LIMITS.columns}列）`);
        for (let i = 0; i < record.length; i++) capped(record[i]!, 'other', line, columnName(header, i));
        if (!toRow) {
          header = record;
          toRow = onHeader(record);
          return null;
        }
        return toRow(record, line);
      },
    } as Options) as unknown as T[];
  } catch (error) {
    if (error instanceof StatementError) throw error;
    throw csvError(error as Error & { code?: string; lines?: number; column?: number }, header);
  }
}

/** A column by its header text, or by its place when there is no header yet or it has no text. */
function columnName(header: string[] | null, i: number): string {
  const text = header?.[i];
  return text ? `列「${text}」` : `${i + 1}列目`;
}

/** csv-parse's errors in our words: its own messages quote the text around the fault. */
function csvError(e: Error & { code?: string; lines?: number; column?: number }, header: string[] | null): StatementError {
  const reason: Record<string, string> = {
    CSV_MAX_RECORD_SIZE: `1行が長すぎます（${typeof e.column === 'number' ? `${columnName(header, e.column)}まで読んだところで` : ''}上限 ${STATEMENT_LIMITS.recordChars}文字を超えました）`,
    CSV_QUOTE_NOT_CLOSED: '引用符（"）が閉じられていません',
    CSV_INVALID_CLOSING_QUOTE: '引用符（"）の後に区切り文字（,）がありません',
    CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: '引用符（"）の後に区切り文字（,）がありません',
  };
  const text = `CSVとして読めません: ${reason[e.code ?? ''] ?? `書式が正しくありません（${e.code ?? 'unknown'}）`}`;
  return e.lines ? lineError(e.lines, text) : new StatementError(text);
}

const headerKey = (h: string) => nfkc(h).replace(/[\s"]/g, '').toLowerCase();

function columnIndex(header: string[], names: string[] | undefined): number {
  if (!names) return -1;
  const keys = header.map(headerKey);
  for (const n of names) {
    const i = keys.indexOf(headerKey(n));
    if (i >= 0) return i;
  }
  return -1;
}

/** Does this header row carry every column the layout needs? */
export function layoutFits(layout: CsvLayout, header: string[]): boolean {
  const c = layout.columns;
  const need = [c.date, c.name, ...(c.signedAmount ? [c.signedAmount] : [c.credit!]), ...(c.debit ? [c.debit] : [])];
  return need.every((names) => columnIndex(header, names) >= 0);
}

/** An amount cell: yen, with separators, 円 or ¥; empty (or a dash) is no amount. */
export function amountOf(cell: string, line: number, field: string): number | null {
  capped(cell, 'amount', line, field);
  const t = nfkc(cell).replace(/[,円¥\\\s+]/g, '');
  if (t === '' || t === '-' || t === '−') return null;
  if (!/^-?\d+$/.test(t)) throw lineError(line, `${field}を読めません（金額ではありません）`);
  const value = Number(t);
  if (!Number.isSafeInteger(value)) throw lineError(line, `${field}が大きすぎます`);
  return value;
}

/** A date cell, ISO. */
export function dateOf(cell: string, line: number, field: string): string {
  capped(cell, 'date', line, field);
  const date = parseDate(cell);
  if (!date.ok) throw lineError(line, `${field}を読めません（日付ではありません）`);
  return date.value;
}

/** What turns a record of a file with this header into a row (see readCsvRows). */
export function layoutReader(layout: CsvLayout, header: string[]): (record: string[], line: number) => StatementRow | null {
  const c = layout.columns;
  const at = {
    date: columnIndex(header, c.date), credit: columnIndex(header, c.credit), debit: columnIndex(header, c.debit),
    signed: columnIndex(header, c.signedAmount), reference: columnIndex(header, c.reference), valueDate: columnIndex(header, c.valueDate),
    names: c.name.map((n) => columnIndex(header, [n])).filter((i) => i >= 0),
  };
  // Fields are named by their column's header text: the header is the file's own, not an applicant's.
  const label = (i: number, what: string) => `${what}（列「${header[i]}」）`;
  return (record, line) => {
    if (record.every((cell) => cell === '')) return null;
    if (record.length < header.length) throw lineError(line, `列が${record.length}個しかありません（見出しは${header.length}列）`);
    const paidOn = dateOf(record[at.date] ?? '', line, label(at.date, '日付'));
    let amount: number;
    let direction: 'credit' | 'debit';
    if (at.signed >= 0) {
      const a = amountOf(record[at.signed]!, line, label(at.signed, '金額'));
      if (a === null || a === 0) throw lineError(line, `${label(at.signed, '金額')}がありません`);
      amount = Math.abs(a);
      direction = a > 0 ? 'credit' : 'debit';
    } else {
      const credit = amountOf(record[at.credit] ?? '', line, label(at.credit, '入金額'));
      const debit = at.debit >= 0 ? amountOf(record[at.debit] ?? '', line, label(at.debit, '出金額')) : null;
      if ((credit ?? 0) > 0 && (debit ?? 0) > 0) throw lineError(line, '入金額と出金額の両方に金額があります');
      if ((credit ?? 0) > 0) [amount, direction] = [credit!, 'credit'];
      else if ((debit ?? 0) > 0) [amount, direction] = [debit!, 'debit'];
      else throw lineError(line, '入金額も出金額もありません');
    }
    const nameAt = at.names.find((i) => (record[i] ?? '').trim() !== '') ?? at.names[0]!;
    let name = record[nameAt] ?? '';
    for (const p of layout.stripPrefixes ?? []) {
      if (name.startsWith(p)) {
        name = name.slice(p.length).trim();
        break;
      }
    }
    let valueDate: string | null = null;
    if (at.valueDate >= 0 && (record[at.valueDate] ?? '').trim() !== '') valueDate = dateOf(record[at.valueDate]!, line, label(at.valueDate, '起算日'));
    const reference = at.reference >= 0 && record[at.reference] ? capped(record[at.reference]!, 'reference', line, label(at.reference, '照会番号')) : null;
    return {
      line, paidOn, amount, direction, transferName: checkedName(name.trim(), line, label(nameAt, '振込名義')), valueDate,
      reference: reference ? `${layout.format}:${reference}` : null,
      raw: record.join(','),
    };
  };
}
