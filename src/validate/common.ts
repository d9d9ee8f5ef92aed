// Checks every form kind shares: required, one-of and expected fields, and values that cannot be right.
import type { ApplicationBase } from '../extract/forms/form-kind.ts';
import type { KindRules } from '../config/rules.ts';
import { isPlausibleEmail, isPlausiblePhone } from '../extract/values.ts';
import { hiraganaToKatakana, isKana, nfkc } from '../shared/japanese.ts';
import { fieldLabel as sharedLabel, finding, type Finding } from './findings.ts';
import type { Channel } from './validator.ts';

/** Why a field the channel makes optional may be empty, for the reviewer's note. */
const CHANNEL_NOTE: Record<Channel, string> = { mail: 'メールでの申請', post: '郵送の申請のため連絡は郵便で行います' };

function isEmpty(value: unknown): boolean {
  return value === null || value === undefined || value === '' || (Array.isArray(value) && value.length === 0);
}

const INVALID_HINTS: Record<string, (value: string) => string | null> = {
  email: (v) => (isPlausibleEmail(v) ? null : 'メールアドレスの形式になっていません'),
  phone: (v) => (isPlausiblePhone(v) ? null : '電話番号の桁数が正しくありません'),
  mobile: (v) => (isPlausiblePhone(v) ? null : '電話番号の桁数が正しくありません'),
  nameKana: (v) => (isKana(v) ? null : 'ひらがなまたはカタカナでご記入ください'),
};

/** A field's value by its dictionary key; nested keys such as `certifier.name` are dotted paths. */
function valueAt(app: ApplicationBase, field: string): unknown {
  let node: unknown = app;
  for (const part of field.split('.')) node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined;
  return node;
}

/**
 * Fields handled by a kind's own checks (e.g. qualification, agreement) are skipped here. `labels`
 * names fields where a kind's form differs from the shared wording (FIELD_LABELS).
 */
export function checkFields(app: ApplicationBase, rules: KindRules, handledElsewhere: readonly string[] = [], labels: Readonly<Record<string, string>> = {}, channel: Channel = 'mail'): Finding[] {
  const fieldLabel = (field: string) => labels[field] ?? sharedLabel(field);
  const findings: Finding[] = [];
  // A field the channel makes optional (a paper form's e-mail address): empty is the reviewer's note, never a
  // missing item; a value that is there is still checked (a wrong address would be used).
  const optional = rules.fields.optionalByChannel?.[channel] ?? [];
  for (const field of rules.fields.required) {
    if (handledElsewhere.includes(field)) continue;
    if (app.invalid[field]) {
      findings.push(finding('field.invalid', 'applicant', `${fieldLabel(field)}を読み取れませんでした（${app.invalid[field]}）。正しい形式でご記入ください。`, { field }));
    } else if (isEmpty(valueAt(app, field))) {
      if (optional.includes(field)) findings.push(finding('field.missing', 'reviewer', `${fieldLabel(field)}が空欄です（${CHANNEL_NOTE[channel]}、申請者への確認は不要）。`, { field }));
      else findings.push(finding('field.missing', 'applicant', `${fieldLabel(field)}が未記入です。ご記入ください。`, { field }));
    }
  }
  for (const group of rules.fields.oneOf) {
    if (group.every((f) => isEmpty(valueAt(app, f)))) {
      findings.push(finding('field.missing', 'applicant', `${group.map(fieldLabel).join('または')}のいずれかをご記入ください。`, { field: group.join('|') }));
    }
  }
  // Values present but implausible, for any field that has a check.
  for (const [field, check] of Object.entries(INVALID_HINTS)) {
    const value = valueAt(app, field);
    if (typeof value !== 'string' || value === '' || app.invalid[field]) continue;
    const problem = check(value);
    if (problem) findings.push(finding('field.invalid', 'applicant', `${fieldLabel(field)}「${value}」: ${problem}。`, { field }));
  }
  for (const field of rules.fields.expected) {
    if (isEmpty(valueAt(app, field))) findings.push(finding('field.missing', 'reviewer', `${fieldLabel(field)}が空欄です（申請者への確認は不要、審査時に確認）。`, { field }));
  }
  return findings;
}

/**
 * The payment key inputs of an application (SPEC §5): the last four digits of its number (passer or
 * certification number) or, without one, those the declared transfer name starts with; the name in katakana.
 */
export function paymentKeyFrom(number: string | null, declared: string | null, nameKana: string | null): { digits: string | null; kana: string | null; declared: string | null } {
  const digits = nfkc(number ?? '').replace(/\D/g, '');
  const declaredDigits = nfkc(declared ?? '').match(/^\s*(\d{4})/)?.[1] ?? null;
  return {
    digits: digits.length >= 4 ? digits.slice(-4) : declaredDigits,
    kana: nameKana ? hiraganaToKatakana(nfkc(nameKana)) : null,
    declared,
  };
}
