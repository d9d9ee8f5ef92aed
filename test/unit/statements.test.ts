// Every statement format on the real sample files (samples/statements/, made by scripts/make-statements.ts),
// the encodings, the era of Zengin dates, and whole-file rejection with the line and the reason.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseStatement } from '../../src/payments/statements/detect.ts';
import { resolveEra, splitRecords } from '../../src/payments/statements/zengin.ts';
import { decodeText } from '../../src/payments/statements/encoding.ts';
import { isCredit, StatementError } from '../../src/payments/statements/types.ts';
import { statementRulesSchema } from '../../src/payments/statements/generic-csv.ts';
import { loadRules } from '../../src/app/load-rules.ts';
import { TRANSFERS } from '../../scripts/lib/statement-data.ts';
import { shiftJis } from '../../scripts/lib/statement-writer.ts';
import { packRawLines, packStatementLines, unpackRawLines } from '../../src/payments/raw-lines.ts';

const DIR = path.resolve(import.meta.dirname, '../../samples/statements');
const RULES = loadRules(path.resolve(import.meta.dirname, '../../rules')).statements;
const TODAY = '2026-02-10';
const read = (file: string) => parseStatement(readFileSync(path.join(DIR, file)), { rules: RULES, today: TODAY });
const expected = (where: (typeof TRANSFERS)[number]['in'][number]) =>
  TRANSFERS.filter((t) => t.in.includes(where)).sort((a, b) => a.date.localeCompare(b.date)).map((t) => ({ paidOn: t.date, amount: t.amount, direction: t.direction }));
const shape = (rows: ReturnType<typeof read>['rows']) => rows.map((r) => ({ paidOn: r.paidOn, amount: r.amount, direction: r.direction }));

describe('statement formats (sample files)', () => {
  it('Zengin 振込入金通知 with line breaks and 和暦 dates (R08 = 2026)', () => {
    const s = read('zengin-furikomi-nyukin-r08.txt');
    expect(s.format).toBe('zengin-furikomi');
    expect(shape(s.rows)).toEqual(expected('furikomi'));
    expect(s.rows[0]).toMatchObject({ line: 2, paidOn: '2026-01-15', valueDate: '2026-01-15', transferName: '0123ｺﾝﾀﾞｹﾝﾀﾛｳ', reference: '0005:000100' });
    expect(s.rows.find((r) => r.amount === 33000)!.transferName).toBe('ｶ)ﾃｽﾄｻﾎﾟｰﾄ');
  });
  it('Zengin 入出金取引明細 without line breaks and Gregorian dates (26 = 2026), credits and debits', () => {
    const s = read('zengin-nyushukkin-2026.dat');
    expect(s.format).toBe('zengin-nyushukkin');
    expect(shape(s.rows)).toEqual(expected('nyushukkin'));
    expect(s.rows.filter((r) => !isCredit(r)).map((r) => r.transferName)).toEqual(['ﾃｽｳﾘﾖｳ']);
  });
  it('三菱UFJ銀行 CSV in Shift_JIS, full-width names, 預かり/支払い columns', () => {
    const s = read('mufg-nyushukkin.csv');
    expect(s).toMatchObject({ format: 'csv-mufg', encoding: 'Shift_JIS' });
    expect(shape(s.rows)).toEqual(expected('mufg'));
    expect(s.rows[1]!.transferName).toBe('0321　ワタナベ　エミ');
  });
  it('楽天銀行 CSV in Shift_JIS: YYYYMMDD, signed amounts, 振込 stripped from the name', () => {
    const s = read('rakuten-nyushukkin.csv');
    expect(s).toMatchObject({ format: 'csv-rakuten', encoding: 'Shift_JIS' });
    expect(shape(s.rows)).toEqual(expected('rakuten'));
    expect(s.rows[0]!.transferName).toBe('ﾔﾏﾀﾞ ﾋﾛｼ');
  });
  it('generic CSV mapped in rules/statements.yaml, UTF-8 with BOM, with the bank reference', () => {
    const s = read('generic-shinkin-web.csv');
    expect(s).toMatchObject({ format: 'csv-generic:shinkin-web', encoding: 'UTF-8 (BOM)' });
    expect(shape(s.rows)).toEqual(expected('generic'));
    expect(s.rows[0]).toMatchObject({ reference: 'csv-generic:shinkin-web:G00001', valueDate: '2026-01-19' });
  });
  it('the simple CSV still reads, a withdrawal as a debit', () => {
    const s = read('payments.csv');
    expect(s.format).toBe('simple-csv');
    expect(s.rows.filter((r) => !isCredit(r))).toHaveLength(1);
  });
});

describe('encodings', () => {
  it('tells UTF-8, UTF-8 with BOM and Shift_JIS apart', () => {
    expect(decodeText(Buffer.from('日付,金額\n')).encoding).toBe('UTF-8');
    expect(decodeText(Buffer.from('\ufeff日付,金額\n')).encoding).toBe('UTF-8 (BOM)');
    expect(decodeText(shiftJis('日付,金額,振込名義\n2026/1/15,11000,ｺﾝﾀﾞ\n'))).toEqual({ text: '日付,金額,振込名義\n2026/1/15,11000,ｺﾝﾀﾞ\n', encoding: 'Shift_JIS' });
  });
  it('reads the same CSV identically in any of them', () => {
    const text = '日付,金額,振込名義\n2026/1/15,"11,000",0123ｺﾝﾀﾞｹﾝﾀﾛｳ\n';
    const a = parseStatement(Buffer.from(text)).rows;
    expect(parseStatement(Buffer.from(`\ufeff${text}`)).rows).toEqual(a);
    expect(parseStatement(shiftJis(text)).rows).toEqual(a);
  });
});

describe('Zengin dates: 和暦 or 西暦, decided, not guessed', () => {
  it('reads R08 and 26 as 2026 and H30 as 2018', () => {
    expect(resolveEra(['080115', '080120'], { today: TODAY })).toBe('reiwa');
    expect(resolveEra(['260115', '260120'], { today: TODAY })).toBe('gregorian');
    expect(resolveEra(['300115'], { today: '2018-02-01' })).toBe('heisei');
  });
  it('rejects dates that fit no calendar, or two', () => {
    expect(() => resolveEra(['991301'], { today: TODAY })).toThrow(StatementError);
    // With a 30-year window 08 could be R08 (2026) or 2008: ambiguous, so the file is refused.
    expect(() => resolveEra(['080115'], { today: TODAY, lookbackYears: 30 })).toThrow(/判別できません/);
    expect(resolveEra(['080115'], { today: TODAY, lookbackYears: 30, era: 'wareki' })).toBe('reiwa');
  });
  it('splits records with CRLF, LF or none, and refuses other lengths', () => {
    const rec = Buffer.alloc(200, 0x20);
    expect(splitRecords(Buffer.concat([rec, rec]))).toHaveLength(2);
    expect(splitRecords(Buffer.concat([rec, Buffer.from('\r\n'), rec, Buffer.from('\n')]))).toHaveLength(2);
    expect(() => splitRecords(Buffer.alloc(399, 0x20))).toThrow(/200バイトの倍数/);
    expect(() => splitRecords(Buffer.concat([rec, Buffer.from('\n'), Buffer.alloc(150, 0x20)]))).toThrow(/2件目.*150バイト/);
  });
});

describe('malformed files are rejected whole, naming the line and the reason', () => {
  const rejects = (file: string, message: RegExp) => expect(() => read(path.join('invalid', file))).toThrow(message);
  it('Zengin: trailer totals, truncation, missing end record', () => {
    rejects('zengin-trailer-mismatch.txt', /12件目.*トレーラ.*件数 99/);
    rejects('zengin-truncated.dat', /200バイトの倍数/);
    rejects('zengin-no-end-record.txt', /エンド・レコード/);
  });
  it('CSV: a bad amount names its line; unknown columns name the supported formats', () => {
    // The line and the field (by its column), never the cell's content.
    rejects('mufg-bad-amount.csv', /^3行目: 入金額（列「預かり金額」）を読めません/);
    expect(() => read(path.join('invalid', 'mufg-bad-amount.csv'))).not.toThrow(/一万|ヤマダ/);
    rejects('unknown-columns.csv', /1行目: 列見出し.*判別できません/);
  });
  it('a byte that is not JIS8 in a Zengin record', () => {
    const bytes = Buffer.from(readFileSync(path.join(DIR, 'zengin-furikomi-nyukin-r08.txt')));
    bytes[202 + 60] = 0x82; // a Shift_JIS lead byte inside the name of record 2
    expect(() => parseStatement(bytes, { rules: RULES, today: TODAY })).toThrow(/2件目のレコード.*使えない文字/);
  });
});

describe('rules/statements.yaml', () => {
  it('validates the generic layouts', () => {
    expect(statementRulesSchema.safeParse({ genericCsv: [{ name: 'x', label: 'X', columns: { date: 'd', name: 'n' } }] }).success).toBe(false);
    expect(statementRulesSchema.safeParse({ genericCsv: [{ name: 'x', label: 'X', columns: { date: 'd', name: 'n', credit: 'c' } }] }).success).toBe(true);
    expect(RULES.genericCsv.map((g) => g.name)).toEqual(['shinkin-web']);
  });
});

describe('Zengin details', () => {
  const furikomi = () => Buffer.from(readFileSync(path.join(DIR, 'zengin-furikomi-nyukin-r08.txt')));
  it('a cancelled notice (取消区分 1) is not a credit', () => {
    const bytes = furikomi();
    bytes[202 + 127] = 0x31; // record 2 (after one 200-byte record and CRLF), byte 128
    const rows = parseStatement(bytes, { rules: RULES, today: TODAY }).rows;
    expect(rows[0]).toMatchObject({ transferName: '0123ｺﾝﾀﾞｹﾝﾀﾛｳ', direction: 'debit' });
    expect(rows.filter(isCredit)).toHaveLength(rows.length - 1);
  });
  it('forcing the wrong calendar rejects the file instead of reading 2008', () => {
    expect(() => parseStatement(furikomi(), { rules: RULES, today: TODAY, era: 'seireki' })).toThrow(/西暦/);
    expect(parseStatement(furikomi(), { rules: RULES, today: TODAY, era: 'wareki' }).rows[0]!.paidOn).toBe('2026-01-15');
  });
});

describe('source lines kept for the audit trail', () => {
  it('a Zengin record is kept as its own bytes and reads back as the record text; CSV lines as text', () => {
    for (const file of ['zengin-furikomi-nyukin-r08.txt', 'zengin-nyushukkin-2026.dat']) {
      const bytes = readFileSync(path.join(DIR, file));
      const parsed = parseStatement(bytes, { rules: RULES, today: TODAY });
      expect(parsed.source?.recordLength).toBe(200);
      const records = splitRecords(bytes).map((r) => new TextDecoder('shift_jis').decode(r).trimEnd());
      const lines = unpackRawLines(packStatementLines(parsed.rows, parsed.source));
      expect(lines).toEqual(parsed.rows.map((r) => records[r.line - 1]));
      expect(lines.every((l) => l!.includes(parsed.rows[lines.indexOf(l)]!.transferName))).toBe(true);
    }
    const csv = parseStatement(readFileSync(path.join(DIR, 'mufg-nyushukkin.csv')), { rules: RULES, today: TODAY });
    expect(unpackRawLines(packStatementLines(csv.rows, csv.source))).toEqual(csv.rows.map((r) => r.raw!.trimEnd()));
    expect(unpackRawLines(packRawLines(['a  ', null, 'ｶ)ﾃｽﾄ', '']))).toEqual(['a', null, 'ｶ)ﾃｽﾄ', '']);
  });
});
