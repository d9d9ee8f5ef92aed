// Zengin (全銀協) fixed-length statements: 振込入金通知 (種別コード 01) and 入出金取引明細 (種別コード 03).
// 200-byte records — 1 header, 2 data, 8 trailer, 9 end — in JIS8 (half-width katakana and ASCII, the
// single-byte part of Shift_JIS), with or without line breaks after each record. Field offsets are byte
// offsets. Dates are YYMMDD, in the Japanese era (和暦) as the standard says, or Gregorian as many banks now
// write them: the era is decided from all dates in the file together (see resolveEra), never guessed blindly.
//
// Layouts used (1-based byte positions):
//   header, both kinds: データ区分 1 | 種別コード 2-3 | コード区分 4 (0 JIS, 1 EBCDIC) | 作成日 5-10 | 勘定日(自) 11-16 |
//     勘定日(至) 17-22 | 銀行コード 23-26 | 銀行名 27-41 | 支店コード 42-44 | 支店名 45-59 | … (account fields, dummy)
//   振込入金通知 data: データ区分 1 | 照会番号 2-7 | 勘定日 8-13 | 起算日 14-19 | 金額 20-29 | うち他店券金額 30-39 |
//     振込依頼人コード 40-49 | 振込依頼人名 50-97 (48) | 仕向銀行名 98-112 | 仕向支店名 113-127 | 取消区分 128 |
//     EDI情報 129-148 | ダミー 149-200
//   振込入金通知 trailer: データ区分 1 | 件数 2-7 | 合計金額 8-19 | 取消件数 20-25 | 取消合計金額 26-37 | ダミー
//   入出金取引明細 data: データ区分 1 | 照会番号 2-9 | 勘定日 10-15 | 預入・払出日 16-21 | 入払区分 22 (1 入金, 2 出金) |
//     取引区分 23-24 | 取引金額 25-36 | うち他店券金額 37-48 | 交換呈示日 49-54 | 不渡返還日 55-60 | 手形・小切手区分 61 |
//     手形・小切手番号 62-68 | 僚店番号 69-71 | 振込依頼人コード 72-81 | 振込依頼人名又は契約者番号 82-129 (48) |
//     仕向銀行名 130-144 | 仕向店名 145-159 | 摘要内容 160-179 | EDI情報 180-199 | ダミー 200
//   入出金取引明細 trailer: データ区分 1 | 入金件数 2-7 | 入金額合計 8-20 | 出金件数 21-26 | 出金額合計 27-39 | …
// Sources: 阿波銀行「振込入金通知（全銀協制定フォーマット）」http://www.awabank.co.jp/houjin/service/fb/zengin/tsuchi/ ;
// きらぼし銀行「入出金明細（全銀）明細ファイル・フォーマット（全銀協規定形式・改行なし）」(20180501), via
// https://123deta.com/document/z12v448y- ; 京都銀行「京銀インターネットEBサービス ご利用マニュアル」ファイルフォーマット.
import { StatementError, type ParsedStatement, type StatementRow } from './types.ts';
import { checkFileSize, STATEMENT_LIMITS } from './limits.ts';

export const RECORD_LENGTH = 200;

export interface ZenginOptions {
  /** 'auto' decides from the dates; 'wareki' / 'seireki' force the reading. */
  era?: 'auto' | 'wareki' | 'seireki';
  /** Today (ISO), the end of the plausible window; the real date by default. */
  today?: string;
  /** How far back a statement date may plausibly lie. */
  lookbackYears?: number;
  /** How far ahead (post-dated 起算日) a statement date may lie. */
  futureDays?: number;
}

/** The Zengin settings of rules/statements.yaml (the date window), and the options of an import. */
export interface ZenginStatementOptions {
  rules: { zengin: { lookbackYears: number; futureDays: number } };
  era?: ZenginOptions['era'];
  today?: string;
}

/** A Zengin statement read with the import's options and the rules' date window (see parseStatement). */
export function parseZenginStatement(bytes: Uint8Array, options: ZenginStatementOptions): ParsedStatement {
  return parseZengin(bytes, { era: options.era ?? 'auto', ...(options.today ? { today: options.today } : {}), lookbackYears: options.rules.zengin.lookbackYears, futureDays: options.rules.zengin.futureDays });
}

/** A quick look: does this file start with a Zengin header record of a kind we read? */
export function looksLikeZengin(bytes: Uint8Array): boolean {
  // A file cut inside its first record is still a Zengin file (rejected as cut), not a CSV whose "header" is the record.
  if (bytes.length < 22) return false;
  const head = String.fromCharCode(...bytes.subarray(0, 22));
  return /^1(01|03)[01]\d{18}$/.test(head);
}

/** Split into 200-byte records, with or without line breaks; anything else rejects the file. */
export function splitRecords(bytes: Uint8Array): Uint8Array[] {
  return recordStarts(bytes).map((start) => bytes.subarray(start, start + RECORD_LENGTH));
}

/** Where each 200-byte record starts (splitRecords without a view object per record: a file has 100,000). */
function recordStarts(bytes: Uint8Array): number[] {
  let end = bytes.length;
  while (end > 0 && (bytes[end - 1] === 0x1a || bytes[end - 1] === 0x0a || bytes[end - 1] === 0x0d)) end--; // EOF mark, final break
  const data = bytes.subarray(0, end);
  const starts: number[] = [];
  const lengths: number[] = [];
  if (data.includes(0x0a) || data.includes(0x0d)) {
    // One record per line (CRLF, LF or CR); blank lines are ignored.
    let start = 0;
    for (let i = 0; i < data.length; i++) {
      if (data[i] === 0x0a || data[i] === 0x0d) {
        if (i > start) {
          starts.push(start);
          lengths.push(i - start);
        }
        start = i + 1;
      }
    }
    if (start < data.length) {
      starts.push(start);
      lengths.push(data.length - start);
    }
    lengths.forEach((length, i) => {
      if (length !== RECORD_LENGTH) throw new StatementError(`${i + 1}件目のレコード: 長さが${length}バイトです（全銀形式は200バイト）`);
    });
  } else {
    if (data.length % RECORD_LENGTH !== 0) throw new StatementError(`全銀形式のファイル長（${data.length}バイト）が200バイトの倍数ではありません（途中で切れたファイルの可能性があります）`);
    for (let i = 0; i < data.length; i += RECORD_LENGTH) starts.push(i);
  }
  return starts;
}

const SJIS = new TextDecoder('shift_jis');

/** JIS X 0201 (JIS8) text bytes: printable ASCII and half-width katakana, all a Zengin text field may hold. */
const IS_JIS8 = new Uint8Array(256);
for (let b = 0x20; b <= 0x7e; b++) IS_JIS8[b] = 1;
for (let b = 0xa1; b <= 0xdf; b++) IS_JIS8[b] = 1;

/**
 * Every byte of a record is JIS8 text; any other byte (a Shift_JIS double-byte character, a control code) is
 * not a Zengin text field and rejects the file. The fields are then read straight from the bytes, one byte
 * one character: the 20 MB of a 100,000-row file are never decoded as a whole (a 40 MB string), only the
 * names and the short fields become strings.
 */
function checkRecordBytes(bytes: Uint8Array, start: number, n: number): void {
  for (let i = 0; i < RECORD_LENGTH; i++) {
    const b = bytes[start + i]!;
    if (IS_JIS8[b] === 0) {
      throw new StatementError(`${n}件目のレコード ${i + 1}バイト目: 全銀形式で使えない文字（0x${b.toString(16).padStart(2, '0')}）です。Shift_JIS（JIS8）の半角文字で出力したファイルをお使いください`);
    }
  }
}

/** Field at 1-based byte position `from`, `length` bytes, of the record at `at`, as text (JIS8 decoded). */
function field(bytes: Uint8Array, at: number, from: number, length: number): string {
  return SJIS.decode(bytes.subarray(at + from - 1, at + from - 1 + length));
}

/** An ASCII field (codes, dates, numbers) as text: one character per byte. */
function asciiField(bytes: Uint8Array, at: number, from: number, length: number): string {
  let text = '';
  for (let i = at + from - 1; i < at + from - 1 + length; i++) text += String.fromCharCode(bytes[i]!);
  return text;
}

function numeric(bytes: Uint8Array, at: number, from: number, length: number, n: number, label: string): number {
  let value = 0;
  for (let i = at + from - 1; i < at + from - 1 + length; i++) {
    const digit = bytes[i]! - 0x30;
    if (digit < 0 || digit > 9) throw new StatementError(`${n}件目のレコード: ${label}（${from}〜${from + length - 1}バイト目）が数字ではありません`);
    value = value * 10 + digit;
  }
  return value;
}

const CODES = new Uint16Array(RECORD_LENGTH);
/**
 * A text field without its blanks on either side, decoded by code (JIS8 katakana 0xA1–0xDF are U+FF61–FF9F,
 * the rest ASCII): 100,000 names, where a decoder call each would cost more than the whole parse.
 */
function textField(bytes: Uint8Array, at: number, from: number, length: number): string {
  let start = at + from - 1;
  let end = start + length;
  while (end > start && bytes[end - 1] === 0x20) end--;
  while (start < end && bytes[start] === 0x20) start++;
  for (let i = start; i < end; i++) {
    const b = bytes[i]!;
    CODES[i - start] = b >= 0xa1 ? b + 0xfec0 : b;
  }
  return String.fromCharCode.apply(null, CODES.subarray(0, end - start) as unknown as number[]);
}

type Era = 'reiwa' | 'heisei' | 'gregorian';
const ERA_LABEL: Record<Era, string> = { reiwa: '令和', heisei: '平成', gregorian: '西暦' };

function realDate(y: number, m: number, d: number): string | null {
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return null;
  return date.toISOString().slice(0, 10);
}

function readAs(era: Era, yymmdd: string): string | null {
  const [yy, mm, dd] = [Number(yymmdd.slice(0, 2)), Number(yymmdd.slice(2, 4)), Number(yymmdd.slice(4, 6))];
  const year = era === 'reiwa' ? 2018 + yy : era === 'heisei' ? 1988 + yy : 2000 + yy;
  if (era !== 'gregorian' && yy === 0) return null;
  const iso = realDate(year, mm, dd);
  if (!iso) return null;
  if (era === 'reiwa' && iso < '2019-05-01') return null;
  if (era === 'heisei' && iso > '2019-04-30') return null;
  return iso;
}

function shiftIso(iso: string, days: number, years = 0): string {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCFullYear(d.getUTCFullYear() + years);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/**
 * Which calendar the YYMMDD dates of a file are in: the one reading that puts every date of the file on a
 * real day inside the plausible window (today − lookback … today + a few days). R08 (2026) and 2008 cannot
 * both be plausible, nor 2026 and H26 (2014); when two readings remain, or none, the file is rejected.
 */
export function resolveEra(dates: readonly string[], options: ZenginOptions = {}, recordOf?: ReadonlyMap<string, number>): Era {
  const today = options.today ?? new Date().toISOString().slice(0, 10);
  const low = shiftIso(today, 0, -(options.lookbackYears ?? 10));
  const high = shiftIso(today, options.futureDays ?? 31);
  dates = [...new Set(dates)];
  const eras: Era[] = options.era === 'wareki' ? ['reiwa', 'heisei'] : options.era === 'seireki' ? ['gregorian'] : ['reiwa', 'heisei', 'gregorian'];
  const plausible = (era: Era, d: string) => {
    const iso = readAs(era, d);
    return iso !== null && iso >= low && iso <= high;
  };
  const fits = eras.filter((era) => dates.every((d) => plausible(era, d)));
  if (fits.length === 1) return fits[0]!;
  // The dates themselves are not quoted (they are the records' content): the record is named instead.
  if (fits.length === 0) {
    const odd = dates.find((d) => eras.every((era) => !plausible(era, d)));
    const where = odd !== undefined && recordOf?.has(odd) ? `${recordOf.get(odd)}件目のレコードの日付を` : '日付を';
    throw new StatementError(`${where}${eras.map((e) => ERA_LABEL[e]).join('・')}のどれで読んでも、${low}〜${high}の実在する日付になりません（ファイル全体で同じ暦に揃う読み方がありません）`);
  }
  throw new StatementError(`日付が${fits.map((e) => ERA_LABEL[e]).join('とも')}とも読めるため、年を判別できません（--era で指定してください）`);
}

/** A data record read once: its fields as the trailer check and the statement rows need them (dates still YYMMDD). */
interface RawRow { n: number; at: number; paidOn: string; valueDate: string; amount: number; credit: boolean; name: string; reference: string }

export function parseZengin(bytes: Uint8Array, options: ZenginOptions = {}): ParsedStatement {
  checkFileSize(bytes);
  const records = recordStarts(bytes);
  if (records.length === 0) throw new StatementError('空のファイルです');
  if (records.length > STATEMENT_LIMITS.records) throw new StatementError(`レコードの数（${records.length}件）が上限（${STATEMENT_LIMITS.records}件）を超えています。期間を分けて出力したファイルをお使いください`);
  let kind: '01' | '03' | null = null;
  let inGroup = false;
  let ended = false;
  let group: RawRow[] = [];
  let bankCode = '';
  const rows: RawRow[] = [];
  const dates = new Map<string, number>(); // every date of the file (a statement has few distinct ones), with its first record
  const noteDate = (d: string, n: number) => {
    if (!dates.has(d)) dates.set(d, n);
  };

  for (let i = 0; i < records.length; i++) {
    const n = i + 1;
    const at = records[i]!;
    checkRecordBytes(bytes, at, n);
    const type = String.fromCharCode(bytes[at]!);
    if (ended) throw new StatementError(`${n}件目のレコード: エンド・レコードの後にデータがあります`);
    if (type === '1') {
      if (inGroup) throw new StatementError(`${n}件目のレコード: トレーラ・レコードのないままヘッダー・レコードが続いています`);
      const code = field(bytes, at, 2, 2);
      if (code !== '01' && code !== '03') throw new StatementError(`${n}件目のレコード: 種別コードが読めません（01 振込入金通知、03 入出金取引明細のみ）`);
      if (kind && code !== kind) throw new StatementError(`${n}件目のレコード: 1つのファイルに種別コードの異なるデータがあります`);
      if (field(bytes, at, 4, 1) !== '0') throw new StatementError(`${n}件目のレコード: コード区分がJIS（0）ではありません（EBCDICには対応していません）`);
      kind = code;
      for (const [from, label] of [[5, '作成日'], [11, '勘定日（自）'], [17, '勘定日（至）']] as const) {
        const d = field(bytes, at, from, 6);
        if (!/^\d{6}$/.test(d)) throw new StatementError(`${n}件目のレコード: ${label}が日付（YYMMDD）ではありません`);
        noteDate(d, n);
      }
      bankCode = field(bytes, at, 23, 4);
      inGroup = true;
      group = [];
    } else if (type === '2') {
      if (!inGroup || !kind) throw new StatementError(`${n}件目のレコード: ヘッダー・レコードの前にデータ・レコードがあります`);
      const [paidOn, valueDate] = kind === '01' ? [asciiField(bytes, at, 8, 6), asciiField(bytes, at, 14, 6)] : [asciiField(bytes, at, 10, 6), asciiField(bytes, at, 16, 6)];
      if (!/^\d{6}$/.test(paidOn)) throw new StatementError(`${n}件目のレコード: 勘定日が日付（YYMMDD）ではありません`);
      if (!/^\d{6}$/.test(valueDate)) throw new StatementError(`${n}件目のレコード: ${kind === '01' ? '起算日' : '預入・払出日'}が日付（YYMMDD）ではありません`);
      noteDate(paidOn, n);
      noteDate(valueDate, n);
      const row = dataRecord(kind, bytes, at, n, paidOn, valueDate);
      group.push(row);
      rows.push(row);
    } else if (type === '8') {
      if (!inGroup || !kind) throw new StatementError(`${n}件目のレコード: ヘッダー・レコードのないトレーラ・レコードです`);
      checkTrailer(kind, bytes, at, n, group);
      inGroup = false;
    } else if (type === '9') {
      if (inGroup) throw new StatementError(`${n}件目のレコード: トレーラ・レコードのないままエンド・レコードがあります`);
      ended = true;
    } else {
      throw new StatementError(`${n}件目のレコード: データ区分（1バイト目）が 1・2・8・9 のいずれでもありません`);
    }
  }
  if (inGroup) throw new StatementError('ファイルがトレーラ・レコードの前で終わっています（途中で切れたファイルの可能性があります）');
  if (!ended) throw new StatementError('エンド・レコード（データ区分 9）がありません（途中で切れたファイルの可能性があります）');

  const era = resolveEra([...dates.keys()], options, dates);
  const seen = new Map<string, string>(); // a statement has few distinct dates
  const iso = (yymmdd: string) => {
    let value = seen.get(yymmdd);
    if (value === undefined) seen.set(yymmdd, (value = readAs(era, yymmdd)!));
    return value;
  };
  const out: StatementRow[] = rows.map((r) => ({
    line: r.n, paidOn: iso(r.paidOn), valueDate: iso(r.valueDate), amount: r.amount, transferName: r.name,
    direction: r.credit ? 'credit' : 'debit', reference: `${bankCode}:${r.reference}`,
    // The record is kept as its place in the file (stored as the file's own bytes, src/payments/raw-lines.ts).
    rawAt: r.at,
  } satisfies StatementRow));
  return { format: kind === '01' ? 'zengin-furikomi' : 'zengin-nyushukkin', encoding: 'JIS8 (Shift_JIS)', rows: out, source: { bytes, recordLength: RECORD_LENGTH } };
}

/** The fields of a data record (1-based byte positions in the header comment). */
function dataRecord(kind: '01' | '03', bytes: Uint8Array, at: number, n: number, paidOn: string, valueDate: string): RawRow {
  if (kind === '01') {
    return { n, at, paidOn, valueDate, amount: numeric(bytes, at, 20, 10, n, '金額'), credit: bytes[at + 127] !== 0x31, name: nameField(bytes, at, 50, n), reference: asciiField(bytes, at, 2, 6) };
  }
  const io = bytes[at + 21];
  if (io !== 0x31 && io !== 0x32) throw new StatementError(`${n}件目のレコード: 入払区分（22バイト目）が 1（入金）・2（出金）のいずれでもありません`);
  return { n, at, paidOn, valueDate, amount: numeric(bytes, at, 25, 12, n, '取引金額'), credit: io === 0x31, name: nameField(bytes, at, 82, n), reference: asciiField(bytes, at, 2, 8) };
}

/** 振込依頼人名 (48 bytes): a question mark is no character of the Zengin set, but what a lossy conversion leaves. */
function nameField(bytes: Uint8Array, at: number, from: number, n: number): string {
  const name = textField(bytes, at, from, 48);
  if (name.includes('?')) throw new StatementError(`${n}件目のレコード: 振込依頼人名に「?」があります（文字コードの変換で失われた文字の可能性があります）。銀行からダウンロードしたままのファイルをお使いください`);
  return name;
}

function checkTrailer(kind: '01' | '03', bytes: Uint8Array, at: number, n: number, group: RawRow[]): void {
  const sum = (xs: RawRow[]) => xs.reduce((a, r) => a + r.amount, 0);
  if (kind === '01') {
    const count = numeric(bytes, at, 2, 6, n, '件数');
    const total = numeric(bytes, at, 8, 12, n, '合計金額');
    // The trailer counts either every notice or only those not cancelled (取消区分 1): banks differ.
    const live = group.filter((r) => r.credit);
    const ok = (count === group.length && total === sum(group)) || (count === live.length && total === sum(live));
    if (!ok) throw new StatementError(`${n}件目のレコード（トレーラ）: 件数 ${count}・合計金額 ${total} がデータ・レコード（${group.length}件、${sum(group)}円）と一致しません`);
    return;
  }
  const credits = group.filter((r) => r.credit);
  const debits = group.filter((r) => !r.credit);
  const [cc, ct, dc, dt] = [numeric(bytes, at, 2, 6, n, '入金件数'), numeric(bytes, at, 8, 13, n, '入金額合計'), numeric(bytes, at, 21, 6, n, '出金件数'), numeric(bytes, at, 27, 13, n, '出金額合計')];
  if (cc !== credits.length || ct !== sum(credits) || dc !== debits.length || dt !== sum(debits)) {
    throw new StatementError(`${n}件目のレコード（トレーラ）: 入金 ${cc}件 ${ct}円・出金 ${dc}件 ${dt}円 がデータ・レコード（入金 ${credits.length}件 ${sum(credits)}円・出金 ${debits.length}件 ${sum(debits)}円）と一致しません`);
  }
}
