// Two real Japanese bank CSV exports (Shift_JIS, as downloaded from the banks' internet banking):
//  - 三菱UFJ銀行 入出金明細 (MUFG): "日付","摘要","摘要内容","支払い金額","預かり金額","差引残高","メモ","未資金化区分","入払区分";
//    dates 2026/1/15, amounts with thousands separators, the transfer name in 摘要内容 (摘要 says 振込 etc.).
//  - 楽天銀行 入出金明細 (Rakuten Bank): 取引日,入出金(円),取引後残高(円),入出金内容; dates YYYYMMDD, one signed
//    amount column, the name after a word such as 振込 in 入出金内容.
// Both layouts as published by the banks and as read by widely used importers (freee, MoneyForward, and
// open-source parsers of these exports).
import type { CsvLayout } from './csv-layout.ts';

export const BANK_CSV_LAYOUTS: CsvLayout[] = [
  {
    format: 'csv-mufg',
    label: '三菱UFJ銀行 入出金明細CSV',
    columns: { date: ['日付'], name: ['摘要内容', '摘要'], credit: ['預かり金額'], debit: ['支払い金額'] },
  },
  {
    format: 'csv-rakuten',
    label: '楽天銀行 入出金明細CSV',
    columns: { date: ['取引日'], name: ['入出金内容'], signedAmount: ['入出金(円)'] },
    stripPrefixes: ['振込入金', '振込受取', '振込 ', '振込'],
  },
];
