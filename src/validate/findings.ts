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
