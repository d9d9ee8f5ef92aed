// How a CPD audit case changes, decided in one pure function (no I/O, the time comes with the trigger);
// src/cases/audit-store.ts applies a decision (row, events, the mail through the case writer's outbox).
//
// Why an aggregate of its own and not a case of kind 'cpd-audit' in `cases`: a case's transition
// (transition.ts) is about an application — the form evaluated into findings, the fee, the review — and
// its statuses (missing-items … approved) are what the queue, the matcher, the digest and retention read.
// An audit has none of that: it is a request with a deadline, the holder's proofs, and a staff outcome.
// Folding it into decideTransition would put audit states into every reader of a case's status, or
// special cases into every trigger. So an audit keeps "one way a case changes" on its own: every change of
// an audit case is decided here and written by the one audit writer, and its mails go out through the
// case writer's outbox (CaseWriter.queueOfficeMail) like every office mail.
import { TransitionRefused } from './transition.ts';

export const AUDIT_STATES = ['requested', 'received', 'complete', 'overdue'] as const;
export type AuditState = (typeof AUDIT_STATES)[number];
export const AUDIT_OUTCOMES = ['passed', 'failed', 'waived'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];
/** The office's mails of an audit: the request, the reminder, and the outcome notice (one per outcome). */
export type AuditMail = 'audit-request' | 'audit-reminder' | AuditOutcomeMail;
export type AuditOutcomeMail = `audit-${AuditOutcome}`;

export { TransitionRefused };

/** The audit as it stands (null: not opened yet). */
export interface AuditBefore {
  state: AuditState;
  deadline: string;
  /** Whether the holder can be written to (the register has an address). */
  hasAddress: boolean;
  remindedAt: string | null;
  firstReplyAt: string | null;
  outcome: AuditOutcome | null;
}

export type AuditTrigger =
  /** The holder was drawn: the request for the CPD proofs, with its deadline (YYYY-MM-DD, Tokyo). */
  | { type: 'drawn'; deadline: string; hasAddress: boolean }
  /** The holder replied (by the subject's reference or in the request's thread); files: attachments kept. */
  | { type: 'reply'; files: number; at: string }
  /** The reminder before the deadline (today: Tokyo date); once, and only to one who has not replied. */
  | { type: 'reminder'; today: string; at: string }
  /** The deadline passed without a reply. */
  | { type: 'deadline-passed'; today: string }
  /** Staff checked the proofs: they are all there, the outcome can be decided. */
  | { type: 'proofs-complete'; actor: string }
  /** The outcome, with who and why. */
  | { type: 'outcome'; outcome: AuditOutcome; actor: string; reason: string; at: string };

export interface AuditEventIntent {
  actor: string;
  type: string;
  data?: Record<string, unknown>;
}

export interface AuditDecision {
  state: AuditState;
  /** Columns set besides the state. */
  columns: { reminded_at?: string; first_reply_at?: string; outcome?: AuditOutcome; outcome_by?: string; outcome_reason?: string; outcome_at?: string };
  events: AuditEventIntent[];
  /** The mail the change calls for (composed by the caller, queued by the writer). */
  mail: AuditMail | null;
}

export function decideAudit(before: AuditBefore | null, trigger: AuditTrigger): AuditDecision {
  if (trigger.type === 'drawn') {
    if (before) throw new TransitionRefused('the audit exists already');
    return {
      state: 'requested', columns: {}, mail: trigger.hasAddress ? 'audit-request' : null,
      events: [{ actor: 'system', type: 'audit.requested', data: { deadline: trigger.deadline, mailed: trigger.hasAddress } }],
    };
  }
  if (!before) throw new TransitionRefused('no such audit');
  const decided = before.outcome !== null;
  switch (trigger.type) {
    case 'reply': {
      // Proofs sent late, or after the outcome, are still kept with the audit: staff decide what they mean.
      const state: AuditState = !decided && (before.state === 'requested' || before.state === 'overdue') ? 'received' : before.state;
      return {
        state, mail: null, columns: before.firstReplyAt ? {} : { first_reply_at: trigger.at },
        events: [{ actor: 'holder', type: 'audit.reply', data: { files: trigger.files, ...(decided ? { afterOutcome: true } : {}), ...(before.state === 'overdue' ? { late: true } : {}) } }],
      };
    }
    case 'reminder': {
      if (decided || before.state !== 'requested') throw new TransitionRefused(`no reminder: the audit is ${before.outcome ?? before.state}`);
      if (before.remindedAt) throw new TransitionRefused('reminded already');
      if (trigger.today > before.deadline) throw new TransitionRefused('the deadline has passed');
      return {
        state: 'requested', columns: { reminded_at: trigger.at }, mail: before.hasAddress ? 'audit-reminder' : null,
        events: [{ actor: 'system', type: 'audit.reminder', data: { mailed: before.hasAddress } }],
      };
    }
    case 'deadline-passed': {
      if (decided || before.state !== 'requested') throw new TransitionRefused(`not waiting for a reply (${before.outcome ?? before.state})`);
      if (trigger.today <= before.deadline) throw new TransitionRefused('the deadline has not passed');
      return { state: 'overdue', columns: {}, mail: null, events: [{ actor: 'system', type: 'audit.overdue', data: { deadline: before.deadline } }] };
    }
    case 'proofs-complete': {
      if (decided) throw new TransitionRefused(`the outcome is recorded (${before.outcome})`);
      if (before.state !== 'received') throw new TransitionRefused(`no proofs to check (${before.state})`);
      return { state: 'complete', columns: {}, mail: null, events: [{ actor: trigger.actor, type: 'audit.complete' }] };
    }
    case 'outcome': {
      if (decided) throw new TransitionRefused(`the outcome is recorded already (${before.outcome})`);
      const reason = trigger.reason.trim();
      if (!reason) throw new TransitionRefused('a reason is needed');
      // Passed means the proofs were seen: not before the holder sent any.
      if (trigger.outcome === 'passed' && before.state !== 'received' && before.state !== 'complete') throw new TransitionRefused(`no proofs received (${before.state})`);
      // The holder is told the outcome (in the request's thread), once: the outcome is recorded only once.
      return {
        state: before.state, mail: before.hasAddress ? `audit-${trigger.outcome}` : null,
        columns: { outcome: trigger.outcome, outcome_by: trigger.actor, outcome_reason: reason, outcome_at: trigger.at },
        events: [{ actor: trigger.actor, type: 'audit.outcome', data: { outcome: trigger.outcome, state: before.state, mailed: before.hasAddress } }],
      };
    }
  }
}
