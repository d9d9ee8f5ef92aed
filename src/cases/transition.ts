// The case transition (DESIGN.md "One way a case changes"): given a case as it stands and what happened to it,
// decide its status, its findings and the notices the change calls for. Pure: no I/O, no clock (the time
// comes in with the trigger where it matters). Every change of a case — a new application, the applicant's
// reply, a value staff confirmed, a payment linked or unlinked, a scheduled reminder, a reviewer's decision —
// is decided here and applied by the one writer, src/cases/case-writer.ts, in the caller's transaction.
// A statement import decides thousands of cases with the same function, one call per case.
import { decideStatus, isClosed, type CaseStatus } from './status.ts';
import { evaluate, isHandled, type EvaluationInput, type EvaluationRules, type HandledFinding } from './evaluate.ts';
import { finding, type Finding } from '../validate/findings.ts';
import { registerFindings, type RegisterFacts } from './register-check.ts';

/** Every notice the transition can call for; each is a template in mail-templates/ that declares its audience. */
export const NOTICE_NAMES = ['acknowledgement', 'missing-items', 'awaiting-payment', 'accepted', 'review-request', 'payment-reminder', 'review-approved', 'review-rejected', 'review-question'] as const;
export type NoticeName = (typeof NOTICE_NAMES)[number];

/**
 * What an evaluation of the form reads, besides the fee (which the case's payments say); for a renewal,
 * the register's entry for its 認定番号 (src/cases/register-check.ts), when the register is kept.
 */
export type EvaluationFacts = Omit<EvaluationInput, 'paid' | 'paymentFindings'> & { register?: RegisterFacts };

/** What happened to the case. */
export type CaseTrigger =
  /** A new case, opened from a mail (or a form staff brought in). */
  | { type: 'application'; facts: EvaluationFacts }
  /** The applicant replied: a new form, more documents, or only text. */
  | { type: 'reply'; facts: EvaluationFacts }
  /** Staff confirmed (or corrected) a value OCR could not read with confidence. */
  | { type: 'field-confirmed'; field: string; corrected: boolean; actor: string; facts: EvaluationFacts }
  /** The fee or the matcher's payment findings changed (a payment linked, unlinked, or matched). */
  | { type: 'payment'; actor: 'matcher' | 'system' | string }
  /**
   * Finance hand one case of a payment under review to staff, with a note (e.g. "ask the applicant which
   * application this transfer pays"): the case becomes a staff exception, the note the finding's message.
   */
  | { type: 'payment-escalated'; payment: number; note: string; actor: string }
  /** The fee has not arrived after the configured wait: remind the applicant. `waitingSince` for the record. */
  | { type: 'payment-reminder'; at: string; waitingSince: string }
  /**
   * The reviewer's decision on a complete case: approve (with four eyes, the first approval only records
   * itself and the second, by another reviewer, decides), reject with a reason, or return it to the
   * applicant with a question (`text`), which waits for the reply like missing items.
   */
  | { type: 'review-decision'; decision: 'approved' | 'rejected' | 'returned'; reviewer: string; at?: string; reason?: string; text?: string; secondApprovalRequired?: boolean; notice?: NoticeExtra }
  /** Staff decided on a staff finding (or a reviewer note): e.g. a late application accepted. `at`: when. */
  | { type: 'finding-handled'; code: string; field: string | null; reason: string; actor: string; at: string }
  /** Staff send a notice of the case again (the applicant lost it, a wrong address was corrected). */
  | { type: 'notice-resent'; notice: NoticeName; actor: string };

export type TriggerType = CaseTrigger['type'];

/** The case as it stands before the change. */
export interface CaseBefore {
  /** null: the case does not exist yet (an application). */
  status: CaseStatus | null;
  /** The findings of its current revision. */
  findings: readonly Finding[];
  /** Mail to the applicant is held (near miss, no address): staff decide first. */
  noticesSuppressed: boolean;
  /** Whether the fee is settled, as the payment ledger says now (after the change being decided). */
  paid: boolean;
  /**
   * The case's payment findings now (the payment_findings_json column): the matcher's finance findings
   * (payment.ambiguous, payment.amount-mismatch, payment.bulk, payment.duplicate) and finance's escalation to staff.
   */
  paymentFindings: readonly Finding[];
  /** Findings staff marked handled before (left out of every evaluation). */
  handled?: readonly HandledFinding[];
  /** The review in progress: a first approval waiting for a second reviewer (four eyes). */
  review?: ReviewState | null;
}

export interface ReviewState {
  firstApproval?: { by: string; at: string };
}

/**
 * What a result notice says besides the case's facts, fixed with the decision: values for its template
 * (the reason, the certification number, the validity) and files to attach (the certificate).
 */
export interface NoticeExtra {
  view?: Record<string, string>;
  attachments?: { filename: string; storePath: string; contentType?: string }[];
}

/** The reviewer's question while the case waits for the applicant's answer (an applicant finding). */
export const REVIEW_QUESTION = 'review.question';

export interface CaseEventIntent {
  actor: string;
  type: string;
  data?: Record<string, unknown>;
}

export interface CaseDecision {
  status: CaseStatus;
  findings: Finding[];
  /** Figures of a new evaluation of the form (null: the stored ones stand). */
  computed: Record<string, unknown> | null;
  /** A new revision is written (with its findings) when the form was evaluated again or status or findings moved. */
  newRevision: boolean;
  /** Who decided (the `case.evaluated` event's actor). */
  actor: string;
  notices: NoticeName[];
  /** Events of the trigger itself, besides `case.evaluated` and the notices (which the writer records). */
  events: CaseEventIntent[];
  /** Case columns the trigger sets besides status and revision (e.g. when a reminder went out). */
  columns: { payment_reminded_at?: string; handled_findings_json?: string; review_json?: string | null; payment_findings_json?: string };
  /** What the decision's notices say besides the case's facts (a result mail's reason, its certificate). */
  noticeData?: NoticeExtra;
}

export class TransitionRefused extends Error {}

/** Finance handed a payment question on the case to staff (a staff finding whose message is finance's note). */
export const PAYMENT_ESCALATED = 'payment.escalated';

const PAYMENT_CODES: ReadonlySet<string> = new Set(['payment.ambiguous', 'payment.amount-mismatch', 'payment.bulk', 'payment.duplicate', PAYMENT_ESCALATED]);

/** Findings of the case's payment findings column (the matcher's, finance's escalation): replaced on every payment change, never accumulated. */
export function isPaymentFinding(f: Finding): boolean {
  return f.field === 'payment' && PAYMENT_CODES.has(f.code);
}

/** Is a payment of the case waiting for finance (入金確認中)? */
export function paymentUnderReview(paymentFindings: readonly Finding[]): boolean {
  return paymentFindings.some((f) => f.audience === 'finance');
}

/**
 * The notices a move from `prev` to `next` calls for, in the order the applicant should read them.
 * The applicant hears of missing items only from a look at the form (mail, reply, confirmed value), never
 * from a payment change; back from a payment question (exception, or finance's payment-review) to waiting, they
 * were told of the fee already — and while a payment of theirs is under review they are not asked to pay.
 */
export function noticesFor(prev: CaseStatus | null, next: CaseStatus, trigger: TriggerType, findings: readonly Finding[], suppressed: boolean): NoticeName[] {
  const out: NoticeName[] = [];
  const formLooked = trigger === 'application' || trigger === 'reply' || trigger === 'field-confirmed';
  if (!suppressed) {
    if (prev === null) out.push('acknowledgement');
    if (formLooked && findings.some((f) => f.audience === 'applicant')) out.push('missing-items');
    if (next === 'awaiting-payment' && prev !== 'awaiting-payment' && !(trigger === 'payment' && (prev === 'exception' || prev === 'payment-review'))) out.push('awaiting-payment');
    if (next === 'ready-for-review' && prev !== 'ready-for-review') out.push('accepted');
  }
  // The reviewer is told of every case that becomes complete, whether or not the applicant may be written to.
  if (next === 'ready-for-review' && prev !== 'ready-for-review') out.push('review-request');
  return out;
}

function sameFindings(a: readonly Finding[], b: readonly Finding[]): boolean {
  return a.length === b.length && JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Decides one case's change. Throws TransitionRefused when the trigger does not apply to the case as it
 * stands (a decided case, a decision on a case that is not ready for review).
 */
export function decideTransition(before: CaseBefore, trigger: CaseTrigger, rules: EvaluationRules): CaseDecision {
  const prev = before.status;
  switch (trigger.type) {
    case 'application':
    case 'reply':
    case 'field-confirmed': {
      if (prev !== null && isClosed(prev)) throw new TransitionRefused(`the case is decided (${prev})`);
      if (trigger.type === 'application' && prev !== null) throw new TransitionRefused('the case exists already');
      if (trigger.type !== 'application' && prev === null) throw new TransitionRefused('no such case');
      const question = before.findings.find((f) => f.code === REVIEW_QUESTION);
      // A reviewer's question is answered in words: a reply without files is the answer, not a case for staff.
      const facts = question && trigger.type === 'reply' ? { ...trigger.facts, intakeFindings: trigger.facts.intakeFindings.filter((f) => f.code !== 'reply.text-only') } : trigger.facts;
      const evaluation = evaluate(rules, { ...facts, paid: before.paid, paymentFindings: before.paymentFindings });
      const events: CaseEventIntent[] = trigger.type === 'field-confirmed'
        // The value itself is not recorded (it may be a name): the field and who confirmed it are.
        ? [{ actor: trigger.actor, type: 'field.confirmed', data: { field: trigger.field, corrected: trigger.corrected } }]
        : [];
      let { findings, status } = evaluation;
      if (facts.register && facts.application) {
        // Checked against the register of holders: findings a person handled stay handled.
        const checks = registerFindings(facts.application as { qualification?: unknown; name?: unknown; nameKana?: unknown }, facts.register, facts.received).filter((f) => !isHandled(f, facts.handled));
        if (checks.length) {
          findings = [...findings, ...checks];
          status = decideStatus(findings, before.paid);
        }
      }
      let notices = noticesFor(prev, status, trigger.type, findings, before.noticesSuppressed);
      if (question && trigger.type === 'reply') {
        // The applicant answered the reviewer: the case goes back to review (told of its acceptance already).
        findings = [...findings, finding('review.answered', 'reviewer', `審査担当者の質問に申請者が返信しました。返信メールを確認してください。（質問: ${question.message}）`)];
        notices = notices.filter((n) => n !== 'accepted');
        events.push({ actor: 'applicant', type: 'review.answered' });
      } else if (question) {
        // Anything else (a value confirmed) leaves the question open: the case still waits for the answer.
        findings = [...findings, question];
        status = decideStatus(findings, before.paid);
        notices = noticesFor(prev, status, trigger.type, findings.filter((f) => f !== question), before.noticesSuppressed);
      }
      return { status, findings, computed: evaluation.computed, newRevision: true, actor: 'validator', notices, events, columns: {} };
    }
    case 'payment': {
      if (prev === null) throw new TransitionRefused('no such case');
      if (isClosed(prev)) return unchanged(before, prev, trigger.actor);
      // The form is not looked at again: the last evaluation's findings stand, the payment findings are replaced.
      const findings = [...before.findings.filter((f) => !isPaymentFinding(f)), ...(before.paid ? [] : before.paymentFindings)];
      const status = decideStatus(findings, before.paid);
      if (status === prev && sameFindings(findings, before.findings)) return unchanged(before, prev, trigger.actor);
      return { status, findings, computed: null, newRevision: true, actor: trigger.actor, notices: noticesFor(prev, status, 'payment', findings, before.noticesSuppressed), events: [], columns: {} };
    }
    case 'payment-escalated': {
      if (prev === null || isClosed(prev)) throw new TransitionRefused(prev === null ? 'no such case' : `the case is decided (${prev})`);
      if (before.paid) throw new TransitionRefused('the fee is settled');
      if (!paymentUnderReview(before.paymentFindings)) throw new TransitionRefused('no payment of the case is under review');
      const note = trigger.note.trim();
      if (!note) throw new TransitionRefused('a note is needed');
      // Kept with the payment findings, so the matcher's next run and a look at the form keep it while the
      // payment is under review; it leaves with the question (the payment linked, set aside) or when staff handle it.
      const paymentFindings = [...before.paymentFindings.filter((f) => f.code !== PAYMENT_ESCALATED), finding(PAYMENT_ESCALATED, 'staff', note, { field: 'payment' })];
      const findings = [...before.findings.filter((f) => !isPaymentFinding(f)), ...paymentFindings];
      const status = decideStatus(findings, false);
      // An earlier escalation staff handled must not hide this one (evaluations leave handled findings out).
      const handled = (before.handled ?? []).filter((h) => h.code !== PAYMENT_ESCALATED);
      return {
        status, findings, computed: null, newRevision: true, actor: trigger.actor, notices: noticesFor(prev, status, 'payment-escalated', findings, before.noticesSuppressed),
        events: [{ actor: trigger.actor, type: 'payment.escalated', data: { payment: trigger.payment, note } }],
        columns: { payment_findings_json: JSON.stringify(paymentFindings), ...(handled.length !== (before.handled ?? []).length ? { handled_findings_json: JSON.stringify(handled) } : {}) },
      };
    }
    case 'payment-reminder': {
      if (prev !== 'awaiting-payment') throw new TransitionRefused(`the case is not waiting for its fee (${prev ?? 'none'})`);
      const notices: NoticeName[] = before.noticesSuppressed ? [] : ['payment-reminder'];
      return {
        ...unchanged(before, prev, 'system'), notices, columns: { payment_reminded_at: trigger.at },
        events: [{ actor: 'system', type: 'payment.reminder', data: { queued: notices.length > 0, waitingSince: trigger.waitingSince } }],
      };
    }
    case 'finding-handled': {
      if (prev === null || isClosed(prev)) throw new TransitionRefused(prev === null ? 'no such case' : `the case is decided (${prev})`);
      const entry: HandledFinding = { code: trigger.code, field: trigger.field, reason: trigger.reason, by: trigger.actor, at: trigger.at };
      const target = before.findings.find((f) => isHandled(f, [entry]));
      if (!target) throw new TransitionRefused(`no open staff or reviewer finding ${trigger.code}${trigger.field ? ` (${trigger.field})` : ''} on the case`);
      if (!trigger.reason.trim()) throw new TransitionRefused('a reason is needed');
      const findings = before.findings.filter((f) => !isHandled(f, [entry]));
      const status = decideStatus(findings, before.paid);
      // Finance's escalation lives with the payment findings: handled, it leaves them too (a payment change would bring it back).
      const paymentFindings = before.paymentFindings.filter((f) => !isHandled(f, [entry]));
      return {
        status, findings, computed: null, newRevision: true, actor: trigger.actor,
        columns: { handled_findings_json: JSON.stringify([...(before.handled ?? []), entry]), ...(paymentFindings.length !== before.paymentFindings.length ? { payment_findings_json: JSON.stringify(paymentFindings) } : {}) },
        // The applicant heard of missing items with the form; what changes now is the fee request or the acceptance.
        notices: noticesFor(prev, status, 'finding-handled', findings, before.noticesSuppressed),
        events: [{ actor: trigger.actor, type: 'finding.handled', data: { code: trigger.code, field: trigger.field, reason: trigger.reason } }],
      };
    }
    case 'notice-resent': {
      if (prev === null || isClosed(prev)) throw new TransitionRefused(prev === null ? 'no such case' : `the case is decided (${prev})`);
      if (!RESENDABLE[prev as keyof typeof RESENDABLE].includes(trigger.notice)) throw new TransitionRefused(`the notice ${trigger.notice} does not fit a case in ${prev}`);
      if (before.noticesSuppressed && trigger.notice !== 'review-request') throw new TransitionRefused('mail to the applicant is held for this case');
      return { ...unchanged(before, prev, trigger.actor), notices: [trigger.notice], events: [{ actor: trigger.actor, type: 'notice.resend', data: { notice: trigger.notice } }] };
    }
    case 'review-decision':
      return decideReview(before, trigger);
  }
}

/** The notices that may be sent again while a case is in a status: those that status was announced with. */
const RESENDABLE: Record<Exclude<CaseStatus, 'approved' | 'rejected'>, readonly NoticeName[]> = {
  'missing-items': ['acknowledgement', 'missing-items', 'review-question'],
  'awaiting-payment': ['acknowledgement', 'awaiting-payment', 'payment-reminder'],
  // A payment of theirs is under review: no request to pay.
  'payment-review': ['acknowledgement'],
  exception: ['acknowledgement'],
  'ready-for-review': ['acknowledgement', 'accepted', 'review-request'],
};

function unchanged(before: CaseBefore, status: CaseStatus, actor: string): CaseDecision {
  return { status, findings: [...before.findings], computed: null, newRevision: false, actor, notices: [], events: [], columns: {} };
}

/**
 * The reviewer's decision. Only a case ready for review can be decided, once: a second decision (two
 * reviewers on one case) is refused, so no second result mail goes out. With four eyes an approval first
 * records itself; another reviewer's approval then decides (a rejection or a question decides at once).
 */
function decideReview(before: CaseBefore, trigger: Extract<CaseTrigger, { type: 'review-decision' }>): CaseDecision {
  const prev = before.status;
  if (prev !== 'ready-for-review') {
    throw new TransitionRefused(prev !== null && isClosed(prev) ? `the case is decided already (${prev})` : prev === 'missing-items' && before.findings.some((f) => f.code === REVIEW_QUESTION) ? 'the case waits for the applicant\'s answer' : `the case is not ready for review (${prev ?? 'none'})`);
  }
  const reviewer = trigger.reviewer;
  const at = trigger.at ?? '';
  const first = before.review?.firstApproval;
  const mail = (name: NoticeName): NoticeName[] => (before.noticesSuppressed ? [] : [name]);
  const decided = { decision: trigger.decision, ...(trigger.reason ? { reason: trigger.reason } : {}), ...(trigger.text ? { text: trigger.text } : {}) };
  switch (trigger.decision) {
    case 'approved': {
      if (first && first.by === reviewer) throw new TransitionRefused('the same reviewer approved first: another reviewer must confirm');
      if (trigger.secondApprovalRequired && !first) {
        return {
          ...unchanged(before, prev, reviewer), columns: { review_json: JSON.stringify({ firstApproval: { by: reviewer, at } }) },
          events: [{ actor: reviewer, type: 'review.first-approval' }],
        };
      }
      return {
        status: 'approved', findings: [...before.findings], computed: null, newRevision: true, actor: reviewer, notices: mail('review-approved'), columns: { review_json: null },
        events: [{ actor: reviewer, type: 'case.decided', data: { ...decided, ...(first ? { firstApprovalBy: first.by } : {}) } }], ...(trigger.notice ? { noticeData: trigger.notice } : {}),
      };
    }
    case 'rejected':
      if (!trigger.reason) throw new TransitionRefused('a reason is needed');
      return {
        status: 'rejected', findings: [...before.findings], computed: null, newRevision: true, actor: reviewer, notices: mail('review-rejected'), columns: { review_json: null },
        events: [{ actor: reviewer, type: 'case.decided', data: decided }], ...(trigger.notice ? { noticeData: trigger.notice } : {}),
      };
    case 'returned': {
      const text = trigger.text?.trim() ?? '';
      if (!text) throw new TransitionRefused('a question is needed');
      if (before.noticesSuppressed) throw new TransitionRefused('mail to the applicant is held for this case');
      const findings = [...before.findings, finding(REVIEW_QUESTION, 'applicant', text, { field: 'review' })];
      const status = decideStatus(findings, before.paid);
      return {
        status, findings, computed: null, newRevision: true, actor: reviewer, notices: ['review-question'], columns: { review_json: null },
        events: [{ actor: reviewer, type: 'review.returned', data: { text } }],
      };
    }
  }
}
