// Staff confirm a value OCR could not read with confidence (finding field.unconfirmed): as read, or with
// the value they see on the scan. The value is parsed as the form's own text would be, its evidence marked
// as confirmed by a person, and the case goes through the case transition (trigger field-confirmed: the
// form evaluated again with everything else as it was); the notices the new state calls for go out (the applicant hears of missing items only now, once nothing rests on a
// misread).
import { caseChannel } from './case-channel.ts';
import type { App } from './context.ts';
import { commitCaseChanges } from './deferred-notices.ts';
import { decideTransition } from '../cases/transition.ts';
import { paymentKeyColumns } from './payment-key.ts';
import { isClosed, type CaseStatus } from '../cases/status.ts';
import { fieldSources, type ApplicationBase } from '../extract/forms/form-kind.ts';
import { isOngoing, parseDate, parseNumber, parsePostalCode, parseYearMonth, type Parsed } from '../extract/values.ts';
import { cleanValue, nfkc } from '../shared/japanese.ts';
import type { Finding } from '../validate/findings.ts';
import { casePaid, handledFindingsOf, paymentFindingsOf } from './payment-state.ts';
import { supportingDocuments } from './supporting-documents.ts';
import { runMatching } from './payment-matching.ts';
import { tokyoDate } from '../shared/calendar.ts';
import { registerFactsFor } from './register.ts';

export class ConfirmError extends Error {}

export interface ConfirmResult {
  case: string;
  field: string;
  value: unknown;
  status: CaseStatus;
  previous: CaseStatus;
  unconfirmedLeft: string[];
}

type Holder = Record<string, unknown>;

/** The object holding a field's value and the name of the value in it: `cpd[2].hours` → (cpd[1], 'hours'). */
function slotOf(application: ApplicationBase, field: string): { holder: Holder; key: string } {
  const row = /^([A-Za-z]+)\[(\d+)\]\.([A-Za-z]+)$/.exec(field);
  if (row) {
    const list = (application as unknown as Holder)[row[1]!];
    const item = Array.isArray(list) ? (list[Number(row[2]) - 1] as Holder | undefined) : undefined;
    if (!item) throw new ConfirmError(`${field}: その行がありません`);
    return { holder: item, key: row[3]! };
  }
  const dotted = field.split('.');
  if (dotted.length === 2) {
    const inner = (application as unknown as Holder)[dotted[0]!];
    if (!inner || typeof inner !== 'object') throw new ConfirmError(`${field}: その項目がありません`);
    return { holder: inner as Holder, key: dotted[1]! };
  }
  return { holder: application as unknown as Holder, key: field };
}

function orThrow<T>(field: string, parsed: Parsed<T>): T | null {
  if (parsed.ok) return parsed.value;
  if (parsed.empty) return null;
  throw new ConfirmError(`${field}: ${parsed.reason}`);
}

const YES = /^(?:はい|有|あり|済|true|yes|y|1|☒|✓)$/i;
const NO = /^(?:いいえ|無|なし|未|false|no|n|0|☐)$/i;

/** Sets the value staff typed, parsed like the form's text for that field. */
function setValue(holder: Holder, key: string, field: string, text: string): unknown {
  const t = nfkc(text).trim();
  if (key === 'period') {
    const [from, to = ''] = t.split(/\s*(?:[〜～~]|から)\s*/);
    holder.from = orThrow(field, parseYearMonth(from ?? ''));
    holder.ongoing = isOngoing(to);
    holder.to = holder.ongoing ? null : orThrow(field, parseYearMonth(to));
    return { from: holder.from, to: holder.to, ongoing: holder.ongoing };
  }
  const current = holder[key];
  let value: unknown;
  if (typeof current === 'boolean') {
    if (YES.test(t)) value = true;
    else if (NO.test(t)) value = false;
    else throw new ConfirmError(`${field}: 「はい」か「いいえ」で指定してください`);
  } else if (key === 'postalCode') value = orThrow(field, parsePostalCode(t));
  else if (key === 'qualification') {
    const q = t.toUpperCase();
    if (q !== 'OMP' && q !== 'CAP') throw new ConfirmError(`${field}: OMP か CAP で指定してください`);
    value = q;
    holder.qualificationMarked = [q];
  } else if (typeof current === 'number' || /(?:hours|points|years|Years|D\d|total)$/i.test(key)) value = orThrow(field, parseNumber(t));
  else if (/(?:On|Date)$/.test(key) || (typeof current === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(current))) value = orThrow(field, parseDate(t));
  else if (typeof current === 'string' && /^\d{4}-\d{2}$/.test(current)) value = orThrow(field, parseYearMonth(t));
  else value = cleanValue(text) === '' ? null : cleanValue(text);
  holder[key] = value;
  const invalid = holder.invalid as Record<string, string> | undefined;
  if (invalid) delete invalid[key];
  return value;
}

/**
 * Confirms one field of a case: `value` undefined keeps what was read. Throws ConfirmError for a case or
 * field that does not exist, a decided case, or a value that cannot be read as the field's type.
 */
export function confirmField(app: App, caseNumber: string, field: string, value: string | undefined, actor: string): ConfirmResult {
  return commitCaseChanges(app, () => {
    const row = app.cases.caseByNumber(caseNumber);
    if (!row) throw new ConfirmError(`受付番号 ${caseNumber} の案件はありません`);
    if (isClosed(row.status)) throw new ConfirmError(`${row.number} は審査済みです`);
    if (!row.application_json) throw new ConfirmError(`${row.number} には読み取った申請書がありません`);
    const application = JSON.parse(row.application_json) as ApplicationBase;
    const source = fieldSources(application).get(field);
    if (!source) throw new ConfirmError(`${row.number} に項目 ${field} はありません（conken case ${row.number} の field.unconfirmed を参照）`);
    const slot = slotOf(application, field);
    const set = value === undefined ? (slot.key === 'period' ? { from: slot.holder.from, to: slot.holder.to, ongoing: slot.holder.ongoing } : slot.holder[slot.key]) : setValue(slot.holder, slot.key, field, value);
    if (value !== undefined) source.text = value;
    source.confidence = 1;
    source.confirmedBy = actor;

    const kindRules = app.rules.kinds[row.kind];
    const documents = supportingDocuments(app.cases.caseAttachments(row.id));
    const paid = casePaid(app, row.id, kindRules?.fee);
    const decision = decideTransition(
      { status: row.status, findings: app.cases.currentFindings(row.id), noticesSuppressed: row.notices_suppressed === 1, paid, paymentFindings: paymentFindingsOf(row) },
      { type: 'field-confirmed', field, corrected: value !== undefined, actor, facts: {
        kind: row.kind, application, received: tokyoDate(new Date(row.received_at)), proofCount: documents.length, documents,
        intakeFindings: JSON.parse(row.intake_findings_json) as Finding[], handled: handledFindingsOf(row), channel: caseChannel(app, row), ...registerFactsFor(app, row.kind, application),
      } }, app.rules);
    app.writer.apply([{ case: row, decision, columns: { application_json: JSON.stringify(application), ...paymentKeyColumns(app, row.id, row.kind, application) } }]);
    // A corrected name or number may be what a waiting payment needed.
    if (!paid && value !== undefined) runMatching(app);
    const after = app.cases.caseById(row.id)!;
    return {
      case: row.number, field, value: set, status: after.status, previous: row.status,
      unconfirmedLeft: decision.findings.filter((f) => f.code === 'field.unconfirmed').map((f) => f.field!),
    };
  });
}
