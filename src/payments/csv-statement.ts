// The simple payments CSV (header `date,amount,transfer_name`, in any encoding encoding.ts reads). Bank
// formats (Zengin, bank CSV layouts) are parsers of their own behind the same StatementRow. A malformed file is rejected whole
// with the line and the reason: never half-imported.
import { nfkc } from '../shared/japanese.ts';
import { amountOf, dateOf, readCsvRows } from './statements/csv-layout.ts';
import { StatementError, type StatementRow } from './statements/types.ts';
import { checkedName } from './statements/limits.ts';

export { StatementError, type StatementRow };

const ALIASES: Record<string, 'date' | 'amount' | 'transfer_name'> = {
  date: 'date', 日付: 'date', 入金日: 'date', 取引日: 'date',
  amount: 'amount', 金額: 'amount', 入金額: 'amount',
  transfer_name: 'transfer_name', name: 'transfer_name', 振込名義: 'transfer_name', 振込依頼人名: 'transfer_name', 依頼人名: 'transfer_name',
};

/**
 * What turns a record of a simple CSV with this header into a row (see readCsvRows); a header without the
 * three columns is an error of line 1.
 */
export function simpleCsvReader(header: string[]): (record: string[], line: number) => StatementRow | null {
  const columns = header.map((h) => ALIASES[nfkc(h).trim().toLowerCase()] ?? ALIASES[nfkc(h).trim()]);
  const index = (name: 'date' | 'amount' | 'transfer_name') => {
    const i = columns.indexOf(name);
    if (i < 0) throw new StatementError(`1行目: 列「${name}」がありません（必要な列: date, amount, transfer_name）`);
    return i;
  };
  const [di, ai, ni] = [index('date'), index('amount'), index('transfer_name')];
  return (r, line) => {
    if (r.every((cell) => cell === '')) return null; // a row of empty cells, as spreadsheets leave them
    if (r.length !== header.length) throw new StatementError(`${line}行目: 列の数（${r.length}）が見出し（${header.length}列）と異なります`);
    const paidOn = dateOf(r[di] ?? '', line, '日付');
    const amount = amountOf(r[ai] ?? '', line, '金額');
    if (amount === null) throw new StatementError(`${line}行目: 金額がありません`);
    const name = checkedName((r[ni] ?? '').trim(), line, '振込名義');
    if (!name) throw new StatementError(`${line}行目: 振込名義が空です`);
    return { line, paidOn, amount, transferName: name, raw: r.join(',') };
  };
}

/** A simple CSV given as text (tests, and callers that already hold the text). */
export function parseSimpleCsv(text: string): StatementRow[] {
  const rows = readCsvRows(Buffer.from(text.replace(/^\ufeff/, ''), 'utf8'), simpleCsvReader);
  if (rows.length === 0 && text.replace(/^\ufeff/, '').trim() === '') throw new StatementError('空のファイルです');
  return rows;
}
