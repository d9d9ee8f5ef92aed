// Finance's CSV exports, made to open correctly in Excel: the payments of a period or of one import with
// their reconciliation (linked, split, partial, unlinked, set aside), and the cases awaiting payment. Written
// by csv-stringify (quoting, CRLF), never by joining strings. Two encodings:
//  - UTF-8 with a BOM (Excel reads a BOM-less UTF-8 CSV as CP932 and garbles it): every character kept.
//  - CP932 (Shift_JIS as Windows has it), for older Excel and the accounting tools that read nothing else. The
//    characters CP932 has under another code point are mapped to it first (〜 → ～, − → －, ¥ → ￥ …: the
//    classic Shift_JIS round-trip problems); what CP932 lacks entirely (𠮷, most emoji) becomes 〓 (the
//    geta mark, the customary stand-in in Japanese print), and the count of such replacements is returned so
//    the page and the audit log can say so instead of letting a name change silently.
// A cell starting with =, +, -, @, a tab or a CR is a formula to Excel (or the start of one after a paste):
// it is given a leading apostrophe and quoted, so Excel shows it as text (OWASP's CSV injection advice).
import { stringify } from 'csv-stringify/sync';
import iconv from 'iconv-lite';
import type { App } from './context.ts';
import { DISMISS_KINDS } from './finance-actions.ts';
import { awaitingPayment, reconciliationLines, type AwaitingRow, type ReconciliationLine } from '../cases/finance-queries.ts';

export type CsvEncoding = 'utf-8' | 'cp932';

export interface CsvFile {
  bytes: Buffer;
  rows: number;
  /** Characters CP932 lacks, written as 〓 (always 0 in UTF-8). */
  replaced: number;
  /** The distinct characters replaced (for the message; never logged: they may be part of a name). */
  replacedChars: string[];
}

const FORMULA = /^[=+\-@\t\r]/;

/** Excel reads a cell starting with these as a formula: such text gets a leading apostrophe (and is quoted). */
export function neutralise(value: string): string {
  return FORMULA.test(value) ? `'${value}` : value;
}

/** Characters CP932 holds under another code point (Unicode's mapping of JIS X 0208 differs from Microsoft's). */
const CP932_VARIANTS: Record<string, string> = {
  '\u301c': '\uff5e', // 〜 wave dash → ～ fullwidth tilde
  '\u2212': '\uff0d', // − minus sign → －
  '\u2016': '\u2225', // ‖ → ∥
  '\u2014': '\u2015', // — em dash → ―
  '\u00a2': '\uffe0', '\u00a3': '\uffe1', '\u00ac': '\uffe2', // ¢ £ ¬ → fullwidth
  '\u00a5': '\uffe5', // ¥ (CP932's 0x5C is the backslash) → ￥
  '\u203e': '\uffe3', // ‾ → ￣
};
export const CP932_STAND_IN = '〓';

/** CSV text in CP932: variants mapped, characters CP932 lacks replaced by 〓 (each distinct character tested once). */
export function encodeCp932(text: string): { bytes: Buffer; replaced: number; replacedChars: string[] } {
  const mapped = text.replace(/[\u301c\u2212\u2016\u2014\u00a2\u00a3\u00ac\u00a5\u203e]/g, (ch) => CP932_VARIANTS[ch]!);
  const missing = new Set<string>();
  const seen = new Set<string>();
  for (const ch of mapped) {
    // ASCII is CP932's own (except nothing): skip the common case quickly.
    if (ch.charCodeAt(0) < 0x80 || seen.has(ch)) continue;
    seen.add(ch);
    if (iconv.decode(iconv.encode(ch, 'cp932'), 'cp932') !== ch) missing.add(ch);
  }
  let replaced = 0;
  const out = missing.size === 0 ? mapped : Array.from(mapped, (ch) => (missing.has(ch) ? (replaced++, CP932_STAND_IN) : ch)).join('');
  return { bytes: iconv.encode(out, 'cp932'), replaced, replacedChars: [...missing] };
}

function csvFile(header: string[], records: (string | number)[][], encoding: CsvEncoding): CsvFile {
  const text = stringify(records, {
    bom: encoding === 'utf-8',
    header: true,
    columns: header,
    record_delimiter: 'windows',
    cast: { string: neutralise },
    // The apostrophe alone is enough for Excel; quoting as well keeps the cell text in every reader.
    quoted_match: /^'[=+\-@\t\r]/,
  });
  if (encoding === 'utf-8') return { bytes: Buffer.from(text, 'utf8'), rows: records.length, replaced: 0, replacedChars: [] };
  return { ...encodeCp932(text), rows: records.length };
}

export const STATE_LABELS: Record<string, string> = { linked: '消込済み', split: '分割消込', partial: '一部消込', unlinked: '未消込', dismissed: '対象外' };

export type ReconciliationState = 'linked' | 'split' | 'partial' | 'unlinked' | 'dismissed';

/** A payment's reconciliation state from one of its export lines. */
export function stateOf(r: Pick<ReconciliationLine, 'status' | 'link_count' | 'linked_total' | 'amount' | 'accepted'>): ReconciliationState {
  if (r.status === 'dismissed') return 'dismissed';
  if (r.link_count === 0) return 'unlinked';
  if (r.link_count > 1) return 'split';
  return r.linked_total < r.amount && !r.accepted ? 'partial' : 'linked';
}

/**
 * The payments of a period (booking dates, inclusive) or of one import with their reconciliation: one line
 * per link (a split payment has several), an unlinked or set-aside payment one line; optionally only the
 * payments in some states.
 */
export function reconciliationExport(app: App, of: { from: string; to: string } | { importId: number }, options: { encoding?: CsvEncoding; states?: readonly ReconciliationState[] } = {}): CsvFile {
  const states = options.states?.length ? new Set(options.states) : null;
  const records: (string | number)[][] = [];
  for (const r of reconciliationLines(app.db, of)) {
    const state = stateOf(r);
    if (states && !states.has(state)) continue;
    records.push([
      r.id, r.paid_on, r.amount, r.transfer_name, r.reference ?? '', r.import_id, r.file_name, STATE_LABELS[state]!, r.finding_code ?? '',
      r.case_number ?? '', r.case_status ?? '', r.link_amount ?? '', r.expected_amount ?? '', r.accepted ? '満額扱い' : '', r.linked_by ?? '', r.linked_at ?? '',
      r.dismissed_kind ? DISMISS_KINDS[r.dismissed_kind] ?? r.dismissed_kind : '', r.dismissed_reason ?? '',
    ]);
  }
  return csvFile(['入金ID', '入金日', '入金額', '振込名義', '照会番号', '取込ID', '取込ファイル', '消込状態', '所見', '受付番号', '案件の状態', '割当額', '手数料', '満額扱い', '紐付けた人', '紐付け日時', '対象外の区分', '対象外の理由'],
    records, options.encoding ?? 'utf-8');
}

const KIND_NAMES: Record<string, string> = { renewal: '更新申請', certification: '認定申請', unknown: '種別不明' };

/** Whole days from an instant to now (how long a case has waited). */
export function daysSince(iso: string, now = Date.now()): number {
  return Math.max(0, Math.floor((now - new Date(iso).getTime()) / 86_400_000));
}

/** The cases awaiting payment (as the awaiting-payment page lists them). */
export function awaitingPaymentRows(app: App): AwaitingRow[] {
  return awaitingPayment(app.db);
}

/** The awaiting-payment list as CSV, in the order given (the page's sort and filter). */
export function awaitingPaymentExport(rows: readonly AwaitingRow[], options: { encoding?: CsvEncoding; now?: number } = {}): CsvFile {
  const now = options.now ?? Date.now();
  const records = rows.map((r) => [
    r.number, typeof r.name === 'string' ? r.name : '', typeof r.kana === 'string' ? r.kana : '', KIND_NAMES[r.kind] ?? r.kind, r.expected_amount ?? '', r.linked_amount,
    r.received_at, r.waiting_since, daysSince(r.waiting_since, now), r.reminders, r.last_reminder_at ?? '', r.payment_declared ?? '', typeof r.company === 'string' ? r.company : r.payment_company ?? '', r.questioned ? '入金確認中' : '',
  ]);
  return csvFile(['受付番号', '氏名', 'かな', '種別', '手数料', '入金済み額', '受付日時', '入金待ちの開始', '経過日数', '督促の回数', '最後の督促', '振込名義（申告）', '勤務先', '備考'], records, options.encoding ?? 'utf-8');
}
