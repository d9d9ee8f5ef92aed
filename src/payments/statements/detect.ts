// Which statement is this? Format and encoding sniffed from the bytes: a Zengin header record, else text
// (UTF-8 with or without BOM, or Shift_JIS) whose CSV header row fits a bank layout, a configured generic
// layout, or the simple date,amount,transfer_name CSV. A file that fits none is rejected, naming why.
import { parseSimpleCsv } from '../csv-statement.ts';
import { decodeText } from './encoding.ts';
import { looksLikeZengin, parseZenginStatement, type ZenginOptions } from './zengin.ts';
import { BANK_CSV_LAYOUTS } from './bank-csv.ts';
import { DEFAULT_STATEMENT_RULES, genericLayouts, type StatementRules } from './generic-csv.ts';
import { layoutFits, parseWithLayout, readCsv } from './csv-layout.ts';
import { StatementError, type ParsedStatement } from './types.ts';

export interface DetectOptions {
  rules?: StatementRules;
  era?: ZenginOptions['era'];
  /** ISO date standing for today (tests); the real date by default. */
  today?: string;
}

export function parseStatement(bytes: Uint8Array, options: DetectOptions = {}): ParsedStatement {
  const rules = options.rules ?? DEFAULT_STATEMENT_RULES;
  if (bytes.length === 0) throw new StatementError('空のファイルです');
  if (looksLikeZengin(bytes)) return parseZenginStatement(bytes, { ...options, rules });
  const { text, encoding } = decodeText(bytes);
  const rows = readCsv(text);
  if (rows.length === 0) throw new StatementError('空のファイルです');
  const header = rows[0]!.record;
  for (const layout of [...BANK_CSV_LAYOUTS, ...genericLayouts(rules)]) {
    if (layoutFits(layout, header)) return { format: layout.format, encoding, rows: parseWithLayout(rows, layout) };
  }
  try {
    return { format: 'simple-csv', encoding, rows: parseSimpleCsv(text) };
  } catch (error) {
    if (error instanceof StatementError && /^1行目/.test(error.message)) {
      const known = [...BANK_CSV_LAYOUTS, ...genericLayouts(rules)].map((l) => l.label).join('、');
      throw new StatementError(`1行目: 列見出し（${header.slice(0, 6).join(', ')}）から明細の形式を判別できません。対応形式: 全銀協（振込入金通知・入出金取引明細）、${known}、または date,amount,transfer_name のCSV。ほかの形式は rules/statements.yaml の genericCsv に列の対応を設定してください`);
    }
    throw error;
  }
}
