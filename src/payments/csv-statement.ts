// The simple payments CSV (UTF-8, header `date,amount,transfer_name`). Bank formats (Zengin, bank CSV
// layouts) are parsers of their own behind the same StatementRow. A malformed file is rejected whole
// with the line and the reason: never half-imported.
import { parse } from 'csv-parse/sync';
import { nfkc } from '../shared/japanese.ts';
import { parseDate } from '../extract/values.ts';

import { StatementError, type StatementRow } from './statements/types.ts';

export { StatementError, type StatementRow };

const ALIASES: Record<string, 'date' | 'amount' | 'transfer_name'> = {
  date: 'date', 日付: 'date', 入金日: 'date', 取引日: 'date',
  amount: 'amount', 金額: 'amount', 入金額: 'amount',
  transfer_name: 'transfer_name', name: 'transfer_name', 振込名義: 'transfer_name', 振込依頼人名: 'transfer_name', 依頼人名: 'transfer_name',
};

export function parseSimpleCsv(text: string): StatementRow[] {
  let records: string[][];
  try {
    records = parse(text.replace(/^\ufeff/, ''), { skip_empty_lines: true, relax_column_count: false, trim: true });
  } catch (error) {
    throw new StatementError(`CSVとして読めません: ${(error as Error).message}`);
  }
  const header = records[0];
  if (!header) throw new StatementError('空のファイルです');
  const columns = header.map((h) => ALIASES[nfkc(h).trim().toLowerCase()] ?? ALIASES[nfkc(h).trim()]);
  const index = (name: 'date' | 'amount' | 'transfer_name') => {
    const i = columns.indexOf(name);
    if (i < 0) throw new StatementError(`1行目: 列「${name}」がありません（必要な列: date, amount, transfer_name）`);
    return i;
  };
  const [di, ai, ni] = [index('date'), index('amount'), index('transfer_name')];
  return records.slice(1).map((r, i) => {
    const line = i + 2;
    const date = parseDate(r[di] ?? '');
    if (!date.ok) throw new StatementError(`${line}行目: 日付「${r[di] ?? ''}」を読めません`);
    const amountText = nfkc(r[ai] ?? '').replace(/[,円¥\s]/g, '');
    if (!/^-?\d+$/.test(amountText)) throw new StatementError(`${line}行目: 金額「${r[ai] ?? ''}」を読めません`);
    const name = (r[ni] ?? '').trim();
    if (!name) throw new StatementError(`${line}行目: 振込名義が空です`);
    return { line, paidOn: date.value, amount: Number(amountText), transferName: name, raw: r.join(',') };
  });
}
