// Statements in every encoding banks and the tools in between produce (UTF-8 with and without BOM,
// Shift_JIS, EUC-JP, ISO-2022-JP) read to the same payments; text that does not decode cleanly, fields and
// files over their caps, are rejected whole naming the line and the field; no statement error ever quotes
// a record's content (finding of issue 19). Real sample files, a real SQLite database for the re-imports,
// the real CLI for what is printed and logged.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import Encoding from 'encoding-japanese';
import { parseStatement } from '../../src/payments/statements/detect.ts';
import { decodeText, detectEncoding } from '../../src/payments/statements/encoding.ts';
import { STATEMENT_LIMITS } from '../../src/payments/statements/limits.ts';
import { isCredit, StatementError } from '../../src/payments/statements/types.ts';
import { keyCredits } from '../../src/payments/new-payments.ts';
import { importStatement } from '../../src/app/import-statement-file.ts';
import { loadRules } from '../../src/app/load-rules.ts';
import { dataEnv, harness, ROOT, SAMPLES, tempDir, type Harness } from '../support/harness.ts';
import { conken } from '../support/cli.ts';
import { C, N, record } from '../../scripts/lib/statement-writer.ts';

const RULES = loadRules(path.join(ROOT, 'rules')).statements;
const TODAY = '2026-02-10';
const parse = (bytes: Uint8Array) => parseStatement(bytes, { rules: RULES, today: TODAY });
const sample = (file: string) => readFileSync(path.join(SAMPLES, 'statements', file));

type Enc = 'UTF-8' | 'UTF-8 (BOM)' | 'Shift_JIS' | 'EUC-JP' | 'ISO-2022-JP';
const TO: Record<Exclude<Enc, 'UTF-8' | 'UTF-8 (BOM)'>, Encoding.Encoding> = { Shift_JIS: 'SJIS', 'EUC-JP': 'EUCJP', 'ISO-2022-JP': 'JIS' };
/** The text in an encoding, as encoding-japanese (an encoder independent of the decoders read with) writes it. */
function encode(text: string, encoding: Enc): Buffer {
  if (encoding === 'UTF-8') return Buffer.from(text, 'utf8');
  if (encoding === 'UTF-8 (BOM)') return Buffer.from(`\ufeff${text}`, 'utf8');
  const bytes = Buffer.from(Encoding.convert(Encoding.stringToCode(text), { to: TO[encoding], from: 'UNICODE' }));
  // The encoder's output must hold every character (it writes '?' for what it cannot), or the test proves nothing.
  expect(Encoding.codeToString(Encoding.convert([...bytes], { to: 'UNICODE', from: TO[encoding] }))).toBe(text);
  return bytes;
}
const ENCODINGS: Enc[] = ['UTF-8', 'UTF-8 (BOM)', 'Shift_JIS', 'EUC-JP', 'ISO-2022-JP'];
const fingerprints = (rows: ReturnType<typeof parse>['rows']) => keyCredits(rows.filter(isCredit)).fingerprints;
const sjisText = (file: string) => new TextDecoder('shift_jis').decode(sample(file));

// A simple CSV whose names are only ASCII and half-width katakana: Shift_JIS and EUC-JP both decode its
// bytes without an error (ｺﾝﾀﾞ in one is 室爵実酌 in the other), which is how EUC-JP files were stored as mojibake.
const HALF_WIDTH_ONLY = 'date,amount,transfer_name\n2026-01-15,11000,0123ｺﾝﾀﾞｹﾝﾀﾛｳ\n2026-01-16,11000,ﾔﾏﾀﾞ ﾋﾛｼ\n2026-01-19,50000,ｶ)ｻﾝﾌﾟﾙｼﾖｳｼﾞ\n';

describe('the same statement in every encoding', () => {
  const statements: [string, string][] = [
    ['三菱UFJ銀行 CSV (full-width names, kanji header)', sjisText('mufg-nyushukkin.csv')],
    ['楽天銀行 CSV (half-width names)', sjisText('rakuten-nyushukkin.csv')],
    ['generic CSV of rules/statements.yaml', sample('generic-shinkin-web.csv').toString('utf8').replace(/^\ufeff/, '')],
    ['simple CSV, ASCII header, half-width names only', HALF_WIDTH_ONLY],
  ];
  for (const [label, text] of statements) {
    it(`${label}: identical rows and fingerprints`, () => {
      const reference = parse(Buffer.from(text, 'utf8'));
      expect(reference.rows.length).toBeGreaterThan(2);
      for (const encoding of ENCODINGS) {
        const parsed = parse(encode(text, encoding));
        expect(parsed.encoding, label).toBe(encoding);
        expect(parsed.format).toBe(reference.format);
        expect(parsed.rows, `${label} in ${encoding}`).toEqual(reference.rows);
        expect(fingerprints(parsed.rows)).toEqual(fingerprints(reference.rows));
      }
    });
  }

  it('EUC-JP half-width names are not read as the Shift_JIS kanji they also decode to, nor the other way round', () => {
    const euc = encode(HALF_WIDTH_ONLY, 'EUC-JP');
    expect(new TextDecoder('shift_jis', { fatal: true }).decode(euc)).toContain('室爵実酌'); // the mojibake of the finding
    expect(parse(euc).rows[0]!.transferName).toBe('0123ｺﾝﾀﾞｹﾝﾀﾛｳ');
    // Even-length runs of half-width kana in Shift_JIS decode as EUC-JP kanji without an error.
    const sjis = encode('date,amount,transfer_name\n2026-01-15,11000,ｺﾝﾀﾞｹﾝﾀﾛ\n', 'Shift_JIS');
    expect(() => new TextDecoder('euc-jp', { fatal: true }).decode(sjis)).not.toThrow();
    expect(detectEncoding(sjis)).toBe('Shift_JIS');
    expect(parse(sjis).rows[0]!.transferName).toBe('ｺﾝﾀﾞｹﾝﾀﾛ');
    // Full-width katakana in EUC-JP decode as Shift_JIS half-width soup.
    const eucFull = encode('date,amount,transfer_name\n2026-01-15,11000,ヤマダ\n', 'EUC-JP');
    expect(detectEncoding(eucFull)).toBe('EUC-JP');
  });
});

describe('text that does not decode cleanly is rejected, naming the line', () => {
  const text = sjisText('mufg-nyushukkin.csv');
  it('a UTF-8 file with one line in Shift_JIS', () => {
    const lines = text.split('\r\n');
    const bytes = Buffer.concat([Buffer.from(`${lines.slice(0, 3).join('\r\n')}\r\n`), encode(`${lines[3]}\r\n`, 'Shift_JIS'), Buffer.from(lines.slice(4).join('\r\n'))]);
    expect(() => parse(bytes)).toThrow(/^4行目: UTF-8として読めない文字/);
  });
  it('an invalid byte sequence in a Shift_JIS or EUC-JP file, a control character, a gaiji (private use)', () => {
    const sjis = encode(text, 'Shift_JIS');
    const third = sjis.indexOf(Buffer.from('\r\n', 'ascii'), sjis.indexOf(Buffer.from('\r\n', 'ascii')) + 2) + 2; // line 3 starts here
    const broken = Buffer.concat([sjis.subarray(0, third + 12), Buffer.from([0x81, 0x0a]), sjis.subarray(third + 12)]); // after `"2026/1/16",`
    expect(() => parse(broken)).toThrow(/^3行目: Shift_JISとして読めない文字/);
    const euc = encode(text, 'EUC-JP');
    expect(() => parse(Buffer.concat([euc, Buffer.from([0xa4])]))).toThrow(/EUC-JPとして読めない文字/);
    expect(() => parse(Buffer.from('date,amount,transfer_name\n2026-01-15,11000,ｺﾝﾀﾞ\u0007\n'))).toThrow(/^2行目: UTF-8として読めない文字/);
    expect(() => parse(Buffer.concat([Buffer.from('\ufeffdate,amount,transfer_name\n2026-01-15,11000,'), Buffer.from([0xf0, 0x40]), Buffer.from('\n')]))).toThrow(/^2行目: UTF-8として読めない文字/);
    // CP932's user-defined area (外字) decodes to private-use characters: not a bank's text.
    expect(() => parse(Buffer.concat([encode('date,amount,transfer_name\n2026-01-15,11000,', 'Shift_JIS'), Buffer.from([0xf0, 0x40, 0x0a])]))).toThrow(/^2行目: .*として読めない文字/);
  });
  it('ISO-2022-JP with an invalid escape or byte', () => {
    const jis = encode(text, 'ISO-2022-JP');
    expect(parse(jis).rows).toHaveLength(parse(Buffer.from(text)).rows.length);
    const at = jis.indexOf(0x1b, jis.indexOf(0x0a) + 1);
    const broken = Buffer.from(jis);
    broken[at + 1] = 0x25; // ESC % : no escape sequence of ISO-2022-JP
    expect(() => parse(broken)).toThrow(/^2行目: ISO-2022-JPとして読めない文字/);
  });
  it('names whose letters a conversion lost (?), in CSV and Zengin', () => {
    expect(() => parse(Buffer.from('date,amount,transfer_name\n2026-01-15,11000,0123ｺﾝﾀﾞ\n2026-01-16,11000,0123?????????\n'))).toThrow(/^3行目: 振込名義に「\?」/);
    const mufg = text.replace('0123コンダケンタロウ', '0123？？？？？？？？');
    expect(() => parse(encode(mufg, 'ISO-2022-JP'))).toThrow(/^2行目: 振込名義（列「摘要内容」）に「\?」/);
    const zengin = Buffer.from(sample('zengin-furikomi-nyukin-r08.txt'));
    zengin.fill(0x3f, 202 + 55, 202 + 60); // record 2's name
    expect(() => parse(zengin)).toThrow(/^2件目のレコード: 振込依頼人名に「\?」/);
  });
  it('garbage in every encoding is rejected, and nothing of it is kept', async () => {
    let seed = 7;
    const random = Buffer.alloc(4000, 0).map(() => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) >> 16) & 0xff);
    for (const encoding of ['UTF-8', 'Shift_JIS', 'EUC-JP'] as const) {
      expect(() => new TextDecoder(encoding.toLowerCase(), { fatal: true }).decode(random)).toThrow();
    }
    expect(() => parse(random)).toThrow(/行目: .*として読めない文字/);
    expect(() => decodeText(random)).toThrow(StatementError);
    const h = harness();
    try {
      await expect(importStatement(h.app, random, 'garbage.csv', 'test', { today: TODAY })).rejects.toThrow(StatementError);
      expect(h.app.db.prepare('SELECT COUNT(*) AS n FROM payments').get()).toEqual({ n: 0 });
      expect(h.app.db.prepare('SELECT COUNT(*) AS n FROM payment_imports').get()).toEqual({ n: 0 });
    } finally {
      h.close();
    }
  });
});

describe('re-importing the same statement in another encoding adds nothing', () => {
  let h: Harness | undefined;
  afterEach(() => h?.close());
  it('EUC-JP, then UTF-8, Shift_JIS, ISO-2022-JP, UTF-8 with BOM: one set of payments', async () => {
    h = harness();
    const text = sjisText('rakuten-nyushukkin.csv');
    const first = await importStatement(h.app, encode(text, 'EUC-JP'), 'rakuten-euc.csv', 'test', { today: TODAY });
    expect(first).toMatchObject({ encoding: 'EUC-JP', new: 4, duplicate: 0 });
    for (const encoding of ['UTF-8', 'Shift_JIS', 'ISO-2022-JP', 'UTF-8 (BOM)'] as const) {
      const again = await importStatement(h.app, encode(text, encoding), `rakuten-${encoding}.csv`, 'test', { today: TODAY });
      expect(again, encoding).toMatchObject({ encoding, new: 0, duplicate: 4 });
    }
    const names = (h.app.db.prepare('SELECT transfer_name FROM payments ORDER BY id').all() as { transfer_name: string }[]).map((r) => r.transfer_name);
    expect(names).toEqual(['ﾔﾏﾀﾞ ﾋﾛｼ', '0222ｶﾄｳﾂﾊﾞｷ', 'ﾘｿｸ', '0123ｺﾝﾀﾞｹﾝﾀﾛｳ']);
  });
});

describe('caps: a file over one is rejected naming the line and the field, never truncated', () => {
  const header = 'date,amount,transfer_name\n';
  it('a 20 MB payer name, read without holding more than the cap', () => {
    expect(() => parse(Buffer.from(`${header}2026-01-15,11000,0123ｺﾝﾀﾞ\n2026-01-16,11000,${'ア'.repeat(7_000_000)}\n`))).toThrow(/^3行目: CSVとして読めません: 1行が長すぎます（列「transfer_name」/);
  });
  it('each field: name, date, amount, reference, any column', () => {
    expect(() => parse(Buffer.from(`${header}2026-01-15,11000,${'ｱ'.repeat(121)}\n`))).toThrow(/^2行目: 振込名義が長すぎます（121文字、上限 120文字）/);
    expect(() => parse(Buffer.from(`${header}2026-01-15${' 1'.repeat(20)},11000,ｱ\n`))).toThrow(/^2行目: 日付が長すぎます/);
    expect(() => parse(Buffer.from(`${header}2026-01-15,${'1'.repeat(25)},ｱ\n`))).toThrow(/^2行目: 金額が長すぎます/);
    expect(() => parse(Buffer.from(`${header}2026-01-15,${'9'.repeat(20)},ｱ\n`))).toThrow(/^2行目: 金額が大きすぎます/);
    const generic = sample('generic-shinkin-web.csv').toString('utf8').split('\n');
    const cells = generic[1]!.split(',');
    const ref = generic[0]!.split(',').findIndex((h) => h.includes('照会番号'));
    cells[ref] = 'G'.repeat(65);
    expect(() => parse(Buffer.from([generic[0], cells.join(','), ''].join('\n')))).toThrow(/^2行目: 照会番号（列「照会番号」）が長すぎます/);
    const mufg = sjisText('mufg-nyushukkin.csv').replace('"","入金"', `"${'x'.repeat(513)}","入金"`);
    expect(() => parse(Buffer.from(mufg))).toThrow(/^2行目: 列「未資金化区分」が長すぎます（513文字、上限 512文字）/);
    expect(() => parse(Buffer.from(`${header}2026-01-15,11000,ｱ${',x'.repeat(64)}\n`))).toThrow(/^2行目: 列が多すぎます/);
  });
  it('records, and the file size', () => {
    const blank = ',,\n'.repeat(STATEMENT_LIMITS.records + 1);
    expect(() => parse(Buffer.from(`${header}${blank}`))).toThrow(new RegExp(`^${STATEMENT_LIMITS.records + 2}行目: 明細の行数が上限`));
    expect(parse(Buffer.from(`${header}${',,\n'.repeat(STATEMENT_LIMITS.records)}`)).rows).toEqual([]); // the cap itself is allowed
    const rec = record(['1', '01', '0', '080115', '080115', '080131', '0005', C('ﾃｽﾄ', 15), '001', C('ﾎﾝﾃﾝ', 15), ' '.repeat(141)]);
    const end = record(['9', ' '.repeat(199)]);
    const many = Buffer.alloc(200 * (STATEMENT_LIMITS.records + 1));
    many.set(rec, 0);
    for (let i = 1; i <= STATEMENT_LIMITS.records; i++) many.set(end, 200 * i);
    expect(() => parse(many)).toThrow(/レコードの数（200001件）が上限（200000件）/);
    expect(() => parse(Buffer.alloc(STATEMENT_LIMITS.fileBytes + 1, 0x20))).toThrow(/ファイルが大きすぎます/);
  });
  it('a 20 MB name costs no more memory than the file (measured in a fresh process)', () => {
    const dir = tempDir();
    const file = path.join(dir, 'huge-name.csv');
    writeFileSync(file, `${header}2026-01-15,11000,${'ｱ'.repeat(20_000_000)}\n`);
    const script = `import { readFileSync } from 'node:fs';
import { parseStatement } from ${JSON.stringify(path.join(ROOT, 'src/payments/statements/detect.ts'))};
const bytes = readFileSync(process.argv[1]);
const before = process.memoryUsage().rss;
let message = '';
try { parseStatement(bytes); } catch (e) { message = e.message; }
console.log(JSON.stringify({ message, grewMB: (process.resourceUsage().maxRSS * 1024 - before) / 1048576 }));`;
    const out = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script, file], { encoding: 'utf8' })) as { message: string; grewMB: number };
    expect(out.message).toMatch(/^2行目: .*1行が長すぎます/);
    expect(out.grewMB).toBeLessThan(150); // the file is 60 MB; the old reader kept every byte of the name several times
  });
});

describe('no statement error quotes a record', () => {
  // A name nobody else has: any piece of it in a message is the record's content leaking.
  const NAME = 'ﾋﾐﾂﾉﾒｲｷﾞﾆﾝ';
  const FULL = 'ヒミツノメイギニン';
  const leaks = (message: string) => [NAME, FULL].some((n) => [...n].some((_, i) => i + 3 <= n.length && message.includes(n.slice(i, i + 3))));
  const furikomi = () => {
    const bytes = Buffer.from(sample('zengin-furikomi-nyukin-r08.txt'));
    bytes.set(record(['2', '000100', '080115', '080115', N(11000, 10), N(0, 10), ' '.repeat(10), C(NAME, 48), C('ﾃｽﾄ', 15), C('ﾎﾝﾃﾝ', 15), '0', ' '.repeat(20), ' '.repeat(52)]), 202);
    return bytes;
  };
  const zengin = (change: (b: Buffer) => Buffer) => change(furikomi());
  const cases: [string, () => Uint8Array][] = [
    ['Zengin cut inside a data record (with line breaks)', () => zengin((b) => b.subarray(0, 202 + 120))],
    ['Zengin cut inside a data record (without line breaks)', () => zengin((b) => Buffer.from(b.toString('latin1').replace(/\r\n/g, ''), 'latin1').subarray(0, 200 + 120))],
    ['Zengin cut inside its first record', () => zengin((b) => b.subarray(0, 150))],
    ['Zengin: the name shifted into the amount', () => zengin((b) => Buffer.concat([b.subarray(0, 202 + 19), b.subarray(202 + 49, 202 + 97), b.subarray(202 + 19 + 48)]))],
    ['Zengin: the name shifted over the record type', () => zengin((b) => Buffer.concat([b.subarray(0, 202), b.subarray(202 + 49, 202 + 97), b.subarray(202 + 48)]))],
    ['Zengin: the name shifted into the dates', () => zengin((b) => Buffer.concat([b.subarray(0, 202 + 7), b.subarray(202 + 49, 202 + 97), b.subarray(202 + 7 + 48)]))],
    ['CSV without a header row', () => Buffer.from(`2026-01-15,11000,${NAME}\n`)],
    ['CSV: a name in the amount column', () => Buffer.from(`date,amount,transfer_name\n2026-01-15,${NAME},${NAME}\n`)],
    ['CSV: a name in the date column', () => Buffer.from(`date,amount,transfer_name\n${NAME},11000,${NAME}\n`)],
    ['CSV: an unclosed quote', () => Buffer.from(`date,amount,transfer_name\n2026-01-15,11000,"${NAME}\n`)],
    ['CSV: text after a closing quote', () => Buffer.from(`date,amount,transfer_name\n2026-01-15,11000,"${NAME}"${NAME}\n`)],
    ['bank CSV: a name in the amount column', () => encode(`"日付","摘要","摘要内容","支払い金額","預かり金額","差引残高","メモ","未資金化区分","入払区分"\r\n"2026/1/15","振込１","${FULL}","","${FULL}","1","","","入金"\r\n`, 'Shift_JIS')],
    ['bank CSV: a name in the date column', () => encode(`取引日,入出金(円),取引後残高(円),入出金内容\r\n${FULL},11000,511000,振込 ${NAME}\r\n`, 'Shift_JIS')],
  ];
  for (const [label, make] of cases) {
    it(label, () => {
      let message = '';
      try {
        parse(make());
      } catch (error) {
        expect(error).toBeInstanceOf(StatementError);
        message = (error as Error).message;
      }
      expect(message, label).toMatch(/行目|件目|ファイル/);
      expect(leaks(message), message).toBe(false);
    });
  }

  it('conken payments import prints and logs the line and the reason only', async () => {
    const dir = tempDir();
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'cut.txt');
    writeFileSync(file, zengin((b) => b.subarray(0, 202 + 120)));
    const r = await conken(['payments', 'import', file], { ...dataEnv(dir), CONKEN_LOG_LEVEL: 'debug' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cut\.txt: 取り込みませんでした.*2件目のレコード: 長さが120バイト/);
    expect(leaks(r.stdout + r.stderr)).toBe(false);
  });
});
