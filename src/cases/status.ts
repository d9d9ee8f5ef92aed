// The case state machine (SPEC §6): each evaluation ends in exactly one state.
import type { Finding } from '../validate/findings.ts';

export const CASE_STATUSES = ['missing-items', 'awaiting-payment', 'payment-review', 'exception', 'ready-for-review', 'approved', 'rejected'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

/**
 * The one place for a status's words (the workbench, finance's pages, the staff's digest): typed by CaseStatus so
 * a new status cannot go without its label.
 */
export const CASE_STATUS_LABELS: Record<CaseStatus, string> = {
  'missing-items': '不足あり（申請者へ連絡済み）',
  'awaiting-payment': '入金待ち',
  'payment-review': '入金確認中',
  exception: '要対応',
  'ready-for-review': '審査待ち',
  approved: '承認済み',
  rejected: '却下',
};

/** Reviewer decisions are final for the machine: nothing re-evaluates them. */
export function isClosed(status: CaseStatus): boolean {
  return status === 'approved' || status === 'rejected';
}

/**
 * Staff findings make an exception (a person must look); otherwise applicant findings mean missing
 * items; otherwise the fee decides between awaiting payment and ready for review. Reviewer findings
 * never block: they travel with the case to the reviewer. A payment that may be the fee but needs a person
 * (finance findings) keeps an unpaid case in payment-review (入金確認中): finance's question, not staff's.
 */
export function decideStatus(findings: readonly Finding[], paid: boolean): CaseStatus {
  if (findings.some((f) => f.audience === 'staff')) return 'exception';
  if (findings.some((f) => f.audience === 'applicant')) return 'missing-items';
  if (paid) return 'ready-for-review';
  return findings.some((f) => f.audience === 'finance') ? 'payment-review' : 'awaiting-payment';
}
