// Words the workbench shows for the machine's codes, and dates in Tokyo time.
import { staffFieldLabel } from '../validate/findings.ts';
import { CASE_STATUS_LABELS } from '../cases/status.ts';

/** The case statuses' words live with the statuses (src/cases/status.ts), shared with the staff's digest. */
export const STATUS_LABELS: Record<string, string> = CASE_STATUS_LABELS;

export const KIND_LABELS: Record<string, string> = {
  renewal: '更新申請',
  certification: '認定申請',
  unknown: '種別不明',
};

export const ROLE_LABELS: Record<string, string> = {
  staff: '受付担当',
  finance: '経理担当',
  reviewer: '審査担当',
  admin: '管理者',
};

export const AUDIENCE_LABELS: Record<string, string> = { staff: '事務局', applicant: '申請者', reviewer: '審査担当', finance: '経理' };

export const CLASSIFICATION_LABELS: Record<string, string> = {
  application: '申請',
  reply: '返信',
  'near-miss': '件名の近い申請',
  ignored: '対象外',
  automatic: '自動送信メール',
  malformed: '解析できないメール',
  duplicate: '重複',
};

/** The history's events, in words (an unknown type is shown as it is). */
export const EVENT_LABELS: Record<string, string> = {
  'case.created': '案件の作成',
  'case.evaluated': '審査項目の判定',
  'case.reply-received': '返信の受付',
  'case.decided': '審査の結果',
  'field.confirmed': '値の確定',
  'payment.linked': '入金の消込',
  'payment.dismissed': '入金を対象外に（経理）',
  'payment.unlinked': '消込の取り消し',
  'payment.reminder': '入金の督促',
  'payment.escalated': '入金の確認を事務局へ依頼（経理）',
  'mail.quarantined': 'メールの隔離',
  'mail.duplicate': '重複メール',
  'notice.queued': '通知の作成',
  'review.first-approval': '1人目の承認',
  'review.returned': '審査担当者からの質問',
  'review.answered': '質問への回答',
};

export const OUTBOX_STATUS_LABELS: Record<string, string> = { pending: '送信待ち', sent: '送信済み', suppressed: '送信しない' };

/** Short names for the finding codes (the queue's reasons). */
export const CODE_LABELS: Record<string, string> = {
  'field.missing': '未記入の項目',
  'field.invalid': '読めない値',
  'field.unconfirmed': '読み取りの確認',
  'qualification.none': '資格の選択なし',
  'qualification.multiple': '資格の複数選択',
  'ethics.not-agreed': '倫理規程の同意なし',
  'cpd.insufficient': 'CPD不足',
  'cpd.row-incomplete': 'CPD行の記入不足',
  'cpd.row-out-of-period': 'CPDの期間外',
  'cpd.points-exceed-hours': 'CPDポイント超過',
  'cpd.stated-total-mismatch': 'CPD合計の不一致',
  'cpd.cap-applied': 'CPD上限の適用',
  'proof.missing': '証明書なし',
  'window.outside': '受付期間外',
  'exam-report.missing': '成績通知なし',
  'exam-report.expired': '成績通知の期限切れ',
  'exam-report.mismatch': '成績通知の不一致',
  'exam-report.unread': '成績通知を読めない',
  'experience.total-short': '実務経験の不足',
  'experience.fields-too-few': '実務分野の不足',
  'experience.required-field-short': '必須分野の不足',
  'experience.row-incomplete': '経験行の記入不足',
  'experience.stated-total-mismatch': '経験合計の不一致',
  'signature.typed': '署名が入力文字',
  'substitution.over-limit': '代替の上限超過',
  'certifier.missing': '証明者なし',
  'certifier.unsigned': '証明者の署名なし',
  'oath.not-agreed': '誓約の同意なし',
  'oath.unsigned': '誓約の署名なし',
  'attachment.unsupported': '対応外の添付',
  'attachment.unreadable': '開けない添付',
  'form.not-found': '申請書なし',
  'subject.near-miss': '件名の誤り',
  'reply.text-only': '本文のみの返信',
  'mail.malformed': '解析できないメール',
  'payment.missing': '入金なし',
  'payment.amount-mismatch': '入金額の不一致',
  'payment.ambiguous': '入金の候補が複数',
  'payment.bulk': '一括振込',
  'payment.duplicate': '二重入金',
  'payment.escalated': '経理からの確認依頼',
  'review.question': '審査担当者の質問（回答待ち）',
  'review.answered': '質問への回答あり',
  'register.unknown-number': '名簿にない認定番号',
  'register.qualification-mismatch': '名簿と資格が異なる',
  'register.name-mismatch': '名簿と氏名が異なる',
  'register.not-active': '名簿で失効・取消',
  'register.validity-mismatch': '有効期限の年度外の更新',
};

/** A field's label for staff: where it sits on a form of that kind (rows: the list's label and the row number). */
export const fieldLabel = staffFieldLabel;

const DATE_TIME = new Intl.DateTimeFormat('ja-JP', { timeZone: 'Asia/Tokyo', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
const DATE = new Intl.DateTimeFormat('ja-JP', { timeZone: 'Asia/Tokyo', year: 'numeric', month: '2-digit', day: '2-digit' });

/** 2026/01/20 10:00 (Tokyo). */
export function tokyoDateTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : DATE_TIME.format(d);
}

export function tokyoDay(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : DATE.format(d);
}

/** Days since an instant, in whole days (the queue shows how long a case has waited). */
export function daysSince(iso: string, now = Date.now()): number {
  return Math.max(0, Math.floor((now - new Date(iso).getTime()) / 86_400_000));
}

export function yen(n: number | null | undefined): string {
  return n === null || n === undefined ? '' : `${n.toLocaleString('ja-JP')}円`;
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
