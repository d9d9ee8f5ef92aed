// CSV statements read through a column layout: the built-in bank layouts (bank-csv.ts) and the ones
// configured in rules/statements.yaml (generic-csv.ts). A layout names the columns by their header text;
// a file is read with the first layout whose columns are all in its header row. Whole file or nothing.
import { parse } from 'csv-parse/sync';
import { nfkc } from '../../shared/japanese.ts';
import { parseDate } from '../../extract/values.ts';
import { lineError, StatementError, type StatementRow } from './types.ts';

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

export function readCsv(text: string): { record: string[]; line: number }[] {
  try {
    const rows = parse(text, { skip_empty_lines: true, relax_column_count: true, trim: true, info: true, bom: true }) as unknown as { record: string[]; info: { lines: number } }[];
    return rows.map((r) => ({ record: r.record, line: r.info.lines }));
  } catch (error) {
    const e = error as Error & { lines?: number };
    throw new StatementError(`${e.lines ? `${e.lines}行目: ` : ''}CSVとして読めません: ${e.message}`);
  }
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

function amountOf(cell: string, line: number, label: string): number | null {
  const t = nfkc(cell).replace(/[,円¥\\\s+]/g, '');
  if (t === '' || t === '-' || t === '−') return null;
  if (!/^-?\d+$/.test(t)) throw lineError(line, `${label}「${cell}」を読めません`);
  return Number(t);
}

export function parseWithLayout(rows: { record: string[]; line: number }[], layout: CsvLayout): StatementRow[] {
  const header = rows[0]!.record;
  const c = layout.columns;
  const at = {
    date: columnIndex(header, c.date), credit: columnIndex(header, c.credit), debit: columnIndex(header, c.debit),
    signed: columnIndex(header, c.signedAmount), reference: columnIndex(header, c.reference), valueDate: columnIndex(header, c.valueDate),
    names: c.name.map((n) => columnIndex(header, [n])).filter((i) => i >= 0),
  };
  const out: StatementRow[] = [];
  for (const { record, line } of rows.slice(1)) {
    if (record.every((cell) => cell === '')) continue;
    if (record.length < header.length) throw lineError(line, `列が${record.length}個しかありません（見出しは${header.length}列）`);
    const date = parseDate(record[at.date] ?? '');
    if (!date.ok) throw lineError(line, `日付「${record[at.date] ?? ''}」を読めません`);
    let amount: number;
    let direction: 'credit' | 'debit';
    if (at.signed >= 0) {
      const a = amountOf(record[at.signed]!, line, '金額');
      if (a === null || a === 0) throw lineError(line, `金額「${record[at.signed]}」がありません`);
      amount = Math.abs(a);
      direction = a > 0 ? 'credit' : 'debit';
    } else {
      const credit = amountOf(record[at.credit] ?? '', line, '入金額');
      const debit = at.debit >= 0 ? amountOf(record[at.debit] ?? '', line, '出金額') : null;
      if ((credit ?? 0) > 0 && (debit ?? 0) > 0) throw lineError(line, '入金額と出金額の両方に金額があります');
      if ((credit ?? 0) > 0) [amount, direction] = [credit!, 'credit'];
      else if ((debit ?? 0) > 0) [amount, direction] = [debit!, 'debit'];
      else throw lineError(line, '入金額も出金額もありません');
    }
    let name = at.names.map((i) => record[i] ?? '').find((v) => v.trim() !== '') ?? '';
    for (const p of layout.stripPrefixes ?? []) {
      if (name.startsWith(p)) {
        name = name.slice(p.length).trim();
        break;
      }
    }
    let valueDate: string | null = null;
    if (at.valueDate >= 0 && (record[at.valueDate] ?? '').trim() !== '') {
      const v = parseDate(record[at.valueDate]!);
      if (!v.ok) throw lineError(line, `起算日「${record[at.valueDate]}」を読めません`);
      valueDate = v.value;
    }
    out.push({
      line, paidOn: date.value, amount, direction, transferName: name.trim(), valueDate,
      reference: at.reference >= 0 && record[at.reference] ? `${layout.format}:${record[at.reference]}` : null,
      raw: record.join(','),
    });
  }
  return out;
}
