// The register of certified holders as staff keep it: the import of the holders the association already
// has (`conken register import <file.csv>`), the listing and one holder's page, and the export for Excel.
// An import is checked whole before anything is written: one bad line rejects the file, naming the line
// and why; a holder already in the register (same number) is updated, never duplicated.
//
// The CSV layout (a header line, then one holder per line; UTF-8 — with or without BOM — or Shift_JIS):
//   認定番号, 資格, 氏名, 氏名かな, 有効期間開始, 有効期間終了, 状態, メール
// (or certification_number, qualification, name, name_kana, valid_from, valid_to, status, email).
// 資格 is OMP or CAP; dates YYYY-MM-DD or YYYY/MM/DD; 状態 active / expired / lapsed / revoked (有効 / 期限切れ /
// 失効 / 取消), empty: active. 'expired' is not recorded but computed from the dates (register-store.ts,
// holderStatusOn): a line saying it is taken as active and must have a validity that has ended (the export
// writes it, so an export imports back); 'active' with an ended validity reads as expired. 氏名かな and
// メール may be empty.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Encoding from 'encoding-japanese';
import { parse } from 'csv-parse/sync';
import type { App } from './context.ts';
import { transaction } from '../cases/db.ts';
import { HOLDER_STATUSES, holderStatusOn, RECORDED_HOLDER_STATUSES, RegisterStore, type HolderFilter, type HolderInput, type HolderRow, type HolderStatus, type HolderStatusChange, type RecordedHolderStatus } from '../cases/register-store.ts';
import { AuditLog } from '../cases/audit-log.ts';
import { isRealDate, splitIso, tokyoDate, validityEnded } from '../shared/calendar.ts';
import type { RegisterFacts } from '../cases/register-check.ts';

export class RegisterImportError extends Error {}

const COLUMNS = [
  { key: 'certificationNumber', names: ['認定番号', 'certification_number'], required: true },
  { key: 'qualification', names: ['資格', 'qualification'], required: true },
  { key: 'name', names: ['氏名', 'name'], required: true },
  { key: 'nameKana', names: ['氏名かな', 'フリガナ', 'name_kana'], required: false },
  { key: 'validFrom', names: ['有効期間開始', 'valid_from'], required: true },
  { key: 'validTo', names: ['有効期間終了', 'valid_to'], required: true },
  { key: 'status', names: ['状態', 'status'], required: false },
  { key: 'email', names: ['メール', 'email'], required: false },
] as const;
type ColumnKey = (typeof COLUMNS)[number]['key'];

const STATUS_WORDS: Record<string, HolderStatus> = {
  active: 'active', expired: 'expired', lapsed: 'lapsed', revoked: 'revoked',
  有効: 'active', 期限切れ: 'expired', 満了: 'expired', 有効期間満了: 'expired', 失効: 'lapsed', 取消: 'revoked', 取消し: 'revoked',
};

/** How the register page and the CLI name each state. */
import { HOLDER_STATUS_LABELS } from '../cases/holder-status.ts';
export { HOLDER_STATUS_LABELS };

/** The file's text, whether it is UTF-8 (BOM or not) or Shift_JIS (Excel's "CSV" on Japanese Windows). */
export function decodeCsv(bytes: Uint8Array): string {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return Buffer.from(bytes.subarray(3)).toString('utf8');
  const detected = Encoding.detect(bytes);
  if (detected === 'SJIS') return Encoding.convert(bytes, { to: 'UNICODE', from: 'SJIS', type: 'string' });
  return Buffer.from(bytes).toString('utf8');
}

function date(value: string): string | null {
  const m = value.normalize('NFKC').trim().match(/^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$/);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return isRealDate(y, mo, d) ? `${m[1]}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}` : null;
}

/** The holders of a CSV text, or the first problems with their line numbers (nothing is written then). */
export function parseHolders(text: string, qualifications: readonly string[], today: string): HolderInput[] {
  let records: string[][];
  try {
    records = parse(text, { relaxColumnCount: false, skipEmptyLines: true, trim: true });
  } catch (error) {
    throw new RegisterImportError(`CSVとして読めません: ${(error as Error).message}`);
  }
  if (records.length === 0) throw new RegisterImportError('ファイルが空です');
  const header = records[0]!.map((h) => h.normalize('NFKC').trim());
  const index = new Map<ColumnKey, number>();
  for (const c of COLUMNS) {
    const i = header.findIndex((h) => (c.names as readonly string[]).includes(h));
    if (i >= 0) index.set(c.key, i);
    else if (c.required) throw new RegisterImportError(`1行目: 列「${c.names[0]}」がありません（見出し: ${header.join(', ')}）`);
  }
  const problems: string[] = [];
  const seen = new Map<string, number>();
  const out: HolderInput[] = [];
  records.slice(1).forEach((r, i) => {
    const line = i + 2;
    const get = (k: ColumnKey) => (index.has(k) ? (r[index.get(k)!] ?? '').trim() : '');
    const number = get('certificationNumber').normalize('NFKC').toUpperCase();
    const qualification = get('qualification').normalize('NFKC').toUpperCase();
    const name = get('name');
    const from = date(get('validFrom'));
    const to = date(get('validTo'));
    const statusWord = get('status');
    const wrong: string[] = [];
    if (!number) wrong.push('認定番号が空です');
    else if (seen.has(number)) wrong.push(`認定番号 ${number} が${seen.get(number)}行目と重複しています`);
    if (!qualifications.includes(qualification)) wrong.push(`資格「${get('qualification')}」は ${qualifications.join(' / ')} のいずれかにしてください`);
    if (!name) wrong.push('氏名が空です');
    if (!from) wrong.push(`有効期間開始「${get('validFrom')}」は日付（YYYY-MM-DD）ではありません`);
    if (!to) wrong.push(`有効期間終了「${get('validTo')}」は日付（YYYY-MM-DD）ではありません`);
    if (from && to && from > to) wrong.push('有効期間の開始が終了より後です');
    const status = statusWord ? STATUS_WORDS[statusWord.normalize('NFKC').toLowerCase()] : 'active';
    if (!status) wrong.push(`状態「${statusWord}」は ${HOLDER_STATUSES.join(' / ')}（${HOLDER_STATUSES.map((s) => HOLDER_STATUS_LABELS[s]).join(' / ')}）のいずれかにしてください`);
    // 'expired' is what the dates say, not a decision: a line claiming it for a validity still running is wrong.
    else if (status === 'expired' && to && !validityEnded(to, today)) wrong.push(`状態「${statusWord}」ですが、有効期間終了 ${to} はまだ過ぎていません`);
    const email = get('email');
    if (email && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) wrong.push(`メール「${email}」はメールアドレスではありません`);
    if (number) seen.set(number, line);
    if (wrong.length) {
      problems.push(`${line}行目: ${wrong.join('、')}`);
      return;
    }
    out.push({
      certificationNumber: number, qualification, name: name.replace(/\u3000/g, ' ').replace(/\s+/g, ' '), nameKana: get('nameKana') || null, validFrom: from!, validTo: to!,
      status: status === 'expired' ? 'active' : status!, email: email || null,
    });
  });
  if (problems.length) throw new RegisterImportError(`取り込みを中止しました（何も登録していません）。\n${problems.slice(0, 20).join('\n')}${problems.length > 20 ? `\n…ほか ${problems.length - 20} 行` : ''}`);
  return out;
}

export interface RegisterImportResult {
  added: number;
  updated: number;
}

/**
 * Imports a CSV of holders, whole or not at all. A state the file changes is in the holder's history, by
 * `by` (who ran the import) with the file's name as the reason.
 */
export function importRegister(app: App, file: string, now = new Date(), by = 'import'): RegisterImportResult {
  const holders = parseHolders(decodeCsv(readFileSync(file)), Object.keys(app.rules.review.qualifications), tokyoDate(now));
  const register = new RegisterStore(app.db);
  const source = { by, reason: `名簿CSVの取り込み（${path.basename(file)}）` };
  return transaction(app.db, () => {
    const result = { added: 0, updated: 0 };
    for (const h of holders) result[register.upsertImported(h, now.toISOString(), source)]++;
    return result;
  });
}

export function listHolders(app: App, filter: HolderFilter = {}): HolderRow[] {
  return new RegisterStore(app.db).holders(filter);
}

export interface HolderDetail {
  holder: HolderRow;
  cases: { case_number: string; role: string; valid_from: string; valid_to: string; at: string }[];
  /** Each change of the recorded state, by a reviewer (setHolderStatus) or a register import, oldest first. */
  statusChanges: HolderStatusChange[];
}

const numberOf = (raw: string): string => raw.normalize('NFKC').trim().toUpperCase();

export function showHolder(app: App, certificationNumber: string): HolderDetail | undefined {
  const register = new RegisterStore(app.db);
  const holder = register.holderByNumber(numberOf(certificationNumber));
  return holder ? { holder, cases: register.holderCases(holder.id), statusChanges: register.statusChanges(holder.id) } : undefined;
}

/** A change of a holder's state refused: the message says why, in Japanese, for the page and the CLI. */
export class HolderStatusError extends Error {}

export interface HolderStatusInput {
  status: RecordedHolderStatus;
  /** Why (required): kept in the holder's history, not in the audit log (free text about a person). */
  reason: string;
  /** Who records it, e.g. reviewer:ito (the history's and the audit log's login). */
  by: string;
  address?: string | null;
  /** Check only (the page's confirmation step): the same refusals, nothing written. */
  dryRun?: boolean;
}

export interface HolderStatusResult {
  certificationNumber: string;
  previous: RecordedHolderStatus;
  status: RecordedHolderStatus;
  /** The state today after the change (a holder made active again whose validity ended reads expired). */
  statusToday: HolderStatus;
}

const REASON_MAX = 1000;

/**
 * Records a holder as revoked (取消), lapsed (失効) or active again — the association's decision, which the
 * workbench's holder page and `conken registry set-status` both call. Renewal reminders and the renewal check
 * read the recorded state, so a revoked or lapsed holder gets no reminder and a renewal from them is a staff
 * finding (register.not-active). The audit log names the change (from, to), never the reason.
 */
export function setHolderStatus(app: App, certificationNumber: string, input: HolderStatusInput, now = new Date()): HolderStatusResult {
  const number = numberOf(certificationNumber);
  if (!(RECORDED_HOLDER_STATUSES as readonly string[]).includes(input.status)) {
    throw new HolderStatusError(`状態は ${RECORDED_HOLDER_STATUSES.map((s) => `${s}（${HOLDER_STATUS_LABELS[s]}）`).join(' / ')} のいずれかにしてください`);
  }
  const reason = (input.reason ?? '').trim();
  if (!reason) throw new HolderStatusError('理由を入力してください');
  if (reason.length > REASON_MAX) throw new HolderStatusError(`理由は${REASON_MAX}文字以内で入力してください`);
  const register = new RegisterStore(app.db);
  const at = now.toISOString();
  return transaction(app.db, () => {
    const holder = register.holderByNumber(number, tokyoDate(now));
    if (!holder) throw new HolderStatusError(`認定番号 ${number} は登録されていません`);
    if (holder.recorded_status === input.status) throw new HolderStatusError(`認定番号 ${number} は既に「${HOLDER_STATUS_LABELS[input.status]}」として記録されています`);
    if (input.dryRun) return { certificationNumber: number, previous: holder.recorded_status, status: input.status, statusToday: holderStatusOn(input.status, holder.valid_to, tokyoDate(now)) };
    register.setStatus(holder.id, holder.recorded_status, input.status, input.by, reason, at);
    new AuditLog(app.db).record({ login: input.by, action: 'register.set-status', target: number, address: input.address ?? null, at, detail: { from: holder.recorded_status, to: input.status } });
    return { certificationNumber: number, previous: holder.recorded_status, status: input.status, statusToday: holderStatusOn(input.status, holder.valid_to, tokyoDate(now)) };
  });
}

function csvField(v: string | null): string {
  const s = v ?? '';
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The register as CSV for Excel: UTF-8 with a BOM, CRLF, the import's own columns (it imports back). */
export function exportRegisterCsv(holders: readonly HolderRow[]): string {
  const lines = [COLUMNS.map((c) => c.names[0]).join(',')];
  for (const h of holders) lines.push([h.certification_number, h.qualification, h.name, h.name_kana, h.valid_from, h.valid_to, h.status, h.email].map(csvField).join(','));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

/** The calendar year a validity ends in (the register's filter "expiring in"). */
export function expiryYearOf(h: HolderRow): number {
  return splitIso(h.valid_to).year;
}

/**
 * The register's facts a renewal's evaluation reads (src/cases/register-check.ts), as evaluation facts to
 * spread: none for other kinds, a renewal without a number, or while the register is empty (not kept yet:
 * every renewal would otherwise be an exception for staff).
 */
export function registerFactsFor(app: App, kind: string, application: unknown): { register?: RegisterFacts } {
  if (kind !== 'renewal' || !application) return {};
  const raw = (application as { certificationNumber?: unknown }).certificationNumber;
  if (typeof raw !== 'string' || !raw.trim()) return {};
  const register = new RegisterStore(app.db);
  if (!register.isKept()) return {};
  const certificationNumber = raw.normalize('NFKC').replace(/\s/g, '').toUpperCase();
  const h = register.holderByNumber(certificationNumber);
  // The recorded state: the check computes the state on the day of receipt itself (holderStatusOn).
  return { register: { certificationNumber, holder: h ? { qualification: h.qualification, name: h.name, nameKana: h.name_kana, validFrom: h.valid_from, validTo: h.valid_to, status: h.recorded_status } : null } };
}

/** What the reviewer sees of a renewal's check against the register (the review page, the demo). */
export interface RegisterCheck {
  /** 'matched': found, nothing to say; 'findings': found or not, with register.* findings; otherwise why nothing was checked. */
  outcome: 'matched' | 'findings' | 'not-kept' | 'no-number';
  certificationNumber: string | null;
  /** The holder as the register has it now, and their state on the day the application was received. */
  holder: { certificationNumber: string; qualification: string; name: string; nameKana: string | null; validFrom: string; validTo: string; status: HolderStatus; statusLabel: string } | null;
  received: string;
  findings: { code: string; audience: string; message: string }[];
}

/** A renewal case's check against the register, as its evaluation made it (null for other kinds). */
export function registerCheckOf(app: App, row: { id: number; kind: string; received_at: string; application_json: string | null }): RegisterCheck | null {
  if (row.kind !== 'renewal') return null;
  const received = tokyoDate(new Date(row.received_at));
  const application = row.application_json ? (JSON.parse(row.application_json) as Record<string, unknown>) : null;
  const facts = registerFactsFor(app, row.kind, application).register;
  const findings = app.cases.currentFindings(row.id).filter((f) => f.code.startsWith('register.')).map((f) => ({ code: f.code, audience: f.audience, message: f.message }));
  const raw = application?.certificationNumber;
  const number = typeof raw === 'string' && raw.trim() ? raw.normalize('NFKC').replace(/\s/g, '').toUpperCase() : null;
  if (!facts) return { outcome: number ? 'not-kept' : 'no-number', certificationNumber: number, holder: null, received, findings };
  const h = new RegisterStore(app.db).holderByNumber(facts.certificationNumber, received);
  return {
    outcome: findings.length || !h ? 'findings' : 'matched', certificationNumber: facts.certificationNumber, received, findings,
    holder: h ? { certificationNumber: h.certification_number, qualification: h.qualification, name: h.name, nameKana: h.name_kana, validFrom: h.valid_from, validTo: h.valid_to, status: h.status, statusLabel: HOLDER_STATUS_LABELS[h.status] } : null,
  };
}
