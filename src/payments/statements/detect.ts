// Which statement is this? Format and encoding sniffed from the bytes: a Zengin header record, else text
// (UTF-8 with or without BOM, Shift_JIS, EUC-JP or ISO-2022-JP: encoding.ts) whose CSV header row fits a
// bank layout, a configured generic layout, or the simple date,amount,transfer_name CSV. A file that fits
// none, does not decode cleanly, or goes over a cap (limits.ts) is rejected, naming the line and why.
import { simpleCsvReader } from '../csv-statement.ts';
import { detectEncoding, toUtf8 } from './encoding.ts';
import { looksLikeZengin, parseZenginStatement, type ZenginOptions } from './zengin.ts';
import { BANK_CSV_LAYOUTS } from './bank-csv.ts';
import { DEFAULT_STATEMENT_RULES, genericLayouts, type StatementRules } from './generic-csv.ts';
import { layoutFits, layoutReader, readCsvRows, type CsvLayout } from './csv-layout.ts';
import { checkFileSize } from './limits.ts';
import { StatementError, type ParsedStatement, type StatementRow } from './types.ts';

export interface DetectOptions {
  rules?: StatementRules;
  era?: ZenginOptions['era'];
  /** ISO date standing for today (tests); the real date by default. */
  today?: string;
}

export function parseStatement(bytes: Uint8Array, options: DetectOptions = {}): ParsedStatement {
  const rules = options.rules ?? DEFAULT_STATEMENT_RULES;
  if (bytes.length === 0) throw new StatementError('空のファイルです');
  checkFileSize(bytes);
  if (looksLikeZengin(bytes)) return parseZenginStatement(bytes, { ...options, rules });
  const layouts = [...BANK_CSV_LAYOUTS, ...genericLayouts(rules)];
  const encoding = detectEncoding(bytes, { headerFits: (line) => headerFits(line, layouts) });
  let format = 'simple-csv';
  let headed = false;
  const rows = readCsvRows<StatementRow>(toUtf8(bytes, encoding), (header) => {
    headed = true;
    const layout = layouts.find((l) => layoutFits(l, header));
    if (layout) {
      format = layout.format;
      return layoutReader(layout, header);
    }
    try {
      return simpleCsvReader(header);
    } catch (error) {
      if (error instanceof StatementError && /^1行目/.test(error.message)) {
        // The header's cells are not quoted: in a file without a header row they are a transfer's.
        const known = layouts.map((l) => l.label).join('、');
        throw new StatementError(`1行目: 列見出し（${header.length}列）から明細の形式を判別できません。対応形式: 全銀協（振込入金通知・入出金取引明細）、${known}、または date,amount,transfer_name のCSV。ほかの形式は rules/statements.yaml の genericCsv に列の対応を設定してください`);
      }
      throw error;
    }
  });
  if (!headed) throw new StatementError('空のファイルです');
  return { format, encoding, rows };
}

/** Does a decoded first line fit a known layout or the simple CSV? (To tell Shift_JIS from EUC-JP.) */
function headerFits(line: string, layouts: CsvLayout[]): boolean {
  const header = line.replace(/^\ufeff/, '').split(',').map((h) => h.trim().replace(/^"|"$/g, ''));
  if (layouts.some((l) => layoutFits(l, header))) return true;
  try {
    simpleCsvReader(header);
    return true;
  } catch {
    return false;
  }
}
