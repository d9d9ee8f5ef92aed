// Findings: every validation result, with a stable code (SPEC §8), who it is for, and a message in
// plain Japanese. Codes are referred to by tests, rules and templates: add new ones, never rename.

/** `finance`: a payment question finance answer in their queue (the case shows 入金確認中, not a staff exception). */
export type Audience = 'applicant' | 'staff' | 'reviewer' | 'finance';

export interface Finding {
  code: FindingCode;
  field?: string;
  /** 1-based position of the row in the application's list (e.g. application.cpd[row - 1]). */
  row?: number;
  audience: Audience;
  message: string;
}

export const FINDING_CODES = [
  'field.missing', 'field.invalid', 'field.unconfirmed',
  'qualification.none', 'qualification.multiple',
  'ethics.not-agreed',
  'cpd.insufficient', 'cpd.row-incomplete', 'cpd.row-out-of-period', 'cpd.points-exceed-hours', 'cpd.stated-total-mismatch', 'cpd.cap-applied',
  'proof.missing',
  'window.outside',
  'exam-report.missing', 'exam-report.expired', 'exam-report.mismatch', 'exam-report.unread',
  'experience.total-short', 'experience.fields-too-few', 'experience.required-field-short', 'experience.row-incomplete', 'experience.stated-total-mismatch',
  'signature.typed',
  'substitution.over-limit',
  'certifier.missing', 'certifier.unsigned',
  'oath.not-agreed', 'oath.unsigned',
  'attachment.unsupported', 'attachment.unreadable',
  'form.not-found',
  'subject.near-miss', 'subject.unmatched',
  'reply.text-only',
  'mail.malformed',
  'payment.missing', 'payment.amount-mismatch', 'payment.ambiguous', 'payment.bulk', 'payment.duplicate', 'payment.escalated',
  'review.question', 'review.answered',
  'register.unknown-number', 'register.qualification-mismatch', 'register.name-mismatch', 'register.not-active', 'register.validity-mismatch',
] as const;
export type FindingCode = (typeof FINDING_CODES)[number];

export function finding(code: FindingCode, audience: Audience, message: string, where: { field?: string; row?: number } = {}): Finding {
  return { code, audience, message, ...(where.field !== undefined ? { field: where.field } : {}), ...(where.row !== undefined ? { row: where.row } : {}) };
}

/** Codes SPEC §8 marks "applicant + staff": the applicant is told, and staff see an exception. */
export function applicantAndStaff(code: FindingCode, applicantMessage: string, staffMessage: string, where: { field?: string } = {}): Finding[] {
  return [finding(code, 'applicant', applicantMessage, where), finding(code, 'staff', staffMessage, where)];
}

/** Where each field sits on the forms, in words an applicant understands. */
export const FIELD_LABELS: Record<string, string> = {
  applicationDate: '申請年月日（2ページ目の冒頭）',
  certificationNumber: '■申請者情報の「認定番号」',
  passerNumber: '■申請者情報の「合格者番号」',
  name: '■申請者情報の「氏名」',
  nameKana: '■申請者情報の「氏名（かな）」',
  qualification: '■申請者情報の「更新対象資格」',
  company: '■申請者情報の「所属先会社名」',
  companyKana: '■申請者情報の「所属先会社名（かな）」',
  feeTransferDate: '■申請者情報の「認定審査手数料振込日」',
  feeTransferName: '■申請者情報の「認定審査手数料振込名義」',
  postalCode: '■連絡先の「ご自宅住所」の郵便番号（〒　－　）',
  address: '■連絡先の「ご自宅住所」',
  phone: '■連絡先の「電話番号」',
  mobile: '■連絡先の「携帯電話番号」',
  email: '■連絡先の「Eメールアドレス」',
  ethicsAgreed: '倫理綱領・職業倫理規程のページ末尾の同意チェックボックス',
};

/** Each form kind's own wording, where its form differs from the shared one (src/kinds/ adds it with the kind). */
const KIND_LABELS = new Map<string, Readonly<Record<string, string>>>();

export function registerFieldLabels(kind: string, labels: Readonly<Record<string, string>>): void {
  KIND_LABELS.set(kind, labels);
}

/** Where a field sits on a form of `kind` (its own wording first, then the shared one), or the field's name. */
export function fieldLabel(field: string, kind?: string): string {
  return (kind ? KIND_LABELS.get(kind)?.[field] : undefined) ?? FIELD_LABELS[field] ?? field;
}

const SHORT: Record<string, string> = {
  title: '名称', completedOn: '修了日', hours: '時間', points: 'ポイント', period: '期間', from: '開始', to: '終了',
  field: '分野', years: '年数', organization: '勤務先', duties: '業務内容', company: '会社', role: '役割', description: '内容', organizer: '主催',
};

/** Fields the applicant-facing labels do not name (certification form, stated totals, lists). */
const MORE_LABELS: Record<string, string> = {
  cpd: 'CPD活動', experience: '実務経験',
  'cpdStatedTotals.A': 'CPD合計欄（A）', 'cpdStatedTotals.B1': 'CPD合計欄（B1）', 'cpdStatedTotals.B2': 'CPD合計欄（B2）', 'cpdStatedTotals.C1': 'CPD合計欄（C1）',
  'cpdStatedTotals.C2': 'CPD合計欄（C2）', 'cpdStatedTotals.C3': 'CPD合計欄（C3）', 'cpdStatedTotals.D1': 'CPD合計欄（D1）', 'cpdStatedTotals.D2': 'CPD合計欄（D2）', 'cpdStatedTotals.D3': 'CPD合計欄（D3）',
  applicantSigned: '申請者の署名', oathAgreed: '誓約の同意チェック', oathDate: '誓約の日付', examReportIssuedOn: '成績通知の発行日',
  statedTotalYears: '実務経験の合計年数（記入）', statedRequiredFieldYears: '必須分野の経験年数（記入）',
  'certifier.name': '証明者の氏名', 'certifier.title': '証明者の役職', 'certifier.organization': '証明者の所属', 'certifier.phone': '証明者の電話番号',
  'certifier.certifiedOn': '証明日', 'certifier.signed': '証明者の署名',
};

/**
 * A field's label for staff (the workbench, staff findings): where it sits on a form of that kind, rows
 * named by their list and row number (実務経験 2行目の勤務先), never the field's code alone.
 */
export function staffFieldLabel(field: string, kind?: string): string {
  const clean = (label: string) => label.replace(/■/g, '');
  const own = fieldLabel(field, kind);
  if (own !== field) return clean(own);
  const more = MORE_LABELS[field];
  if (more) return more;
  const row = /^([A-Za-z]+)\[(\d+)\]\.([A-Za-z]+)$/.exec(field);
  if (row) {
    const listOwn = fieldLabel(row[1]!, kind);
    const list = MORE_LABELS[row[1]!] ?? (listOwn !== row[1] ? clean(listOwn) : row[1]!);
    const inner = FIELD_LABELS[`${row[1]}.${row[3]}`] ?? SHORT[row[3]!] ?? row[3]!;
    return `${list} ${row[2]}行目の${inner}`;
  }
  const head = fieldLabel(field.split('.')[0]!, kind);
  return head !== field.split('.')[0] ? `${clean(head)}（${field.split('.')[1]}）` : field;
}
