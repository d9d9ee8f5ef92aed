// The case transition as a pure function: every status a case can be in (or none yet) against every trigger,
// what it decides (status, findings, a new revision, the notices) or that it refuses.
import { describe, expect, it } from 'vitest';
import { decideTransition, noticesFor, TransitionRefused, type CaseBefore, type CaseTrigger, type EvaluationFacts } from '../../src/cases/transition.ts';
import { CASE_STATUSES, type CaseStatus } from '../../src/cases/status.ts';
import { finding, type Finding } from '../../src/validate/findings.ts';

// No validator for this kind: an evaluation gives exactly the intake findings (and the payment findings).
const RULES = { intake: { ocr: { minConfidence: 85 } }, kinds: {} };
const application = { kind: 'fixture', sources: {}, invalid: {} };
const facts = (intakeFindings: Finding[] = []): EvaluationFacts => ({ kind: 'fixture', application, received: '2026-01-20', proofCount: 0, documents: [], intakeFindings });

const applicantFinding = finding('field.missing', 'applicant', '氏名がありません', { field: 'name' });
const staffFinding = finding('window.outside', 'staff', '受付期間外');
const reviewerFinding = finding('cpd.stated-total-mismatch', 'reviewer', '合計欄の不一致');
const ambiguous = finding('payment.ambiguous', 'staff', '入金ID 3 の可能性', { field: 'payment' });

const before = (status: CaseStatus | null, over: Partial<CaseBefore> = {}): CaseBefore => ({ status, findings: [], noticesSuppressed: false, paid: false, paymentFindings: [], ...over });

const TRIGGERS: CaseTrigger[] = [
  { type: 'application', facts: facts() },
  { type: 'reply', facts: facts() },
  { type: 'field-confirmed', field: 'name', corrected: true, actor: 'staff:sato', facts: facts() },
  { type: 'payment', actor: 'matcher' },
  { type: 'payment-reminder', at: '2026-02-10T00:00:00.000Z', waitingSince: '2026-01-20T00:00:00.000Z' },
  { type: 'review-decision', decision: 'approved', reviewer: 'reviewer:ito' },
  { type: 'finding-handled', code: 'window.outside', field: null, reason: '理事会承認済みの遅延受付', actor: 'staff:sato', at: '2026-03-05T01:00:00.000Z' },
  { type: 'notice-resent', notice: 'acknowledgement', actor: 'staff:sato' },
];

/** What each (status, trigger) pair must do with a form that has no findings and no fee paid. */
function expected(status: CaseStatus | null, trigger: CaseTrigger): { refused: true } | { status: CaseStatus; newRevision: boolean; notices: string[] } {
  const closed = status === 'approved' || status === 'rejected';
  switch (trigger.type) {
    case 'application':
      return status === null ? { status: 'awaiting-payment', newRevision: true, notices: ['acknowledgement', 'awaiting-payment'] } : { refused: true };
    case 'reply':
    case 'field-confirmed':
      if (status === null || closed) return { refused: true };
      return { status: 'awaiting-payment', newRevision: true, notices: status === 'awaiting-payment' ? [] : ['awaiting-payment'] };
    case 'payment':
      if (status === null) return { refused: true };
      if (closed || status === 'awaiting-payment') return { status, newRevision: false, notices: [] };
      // A case with no findings left and no fee: back to waiting (told already when it came from a payment question).
      return { status: 'awaiting-payment', newRevision: true, notices: status === 'exception' ? [] : ['awaiting-payment'] };
    case 'payment-reminder':
      return status === 'awaiting-payment' ? { status, newRevision: false, notices: ['payment-reminder'] } : { refused: true };
    case 'review-decision':
      return status === 'ready-for-review' ? { status: 'approved', newRevision: true, notices: [] } : { refused: true };
    case 'finding-handled':
      // The case as it stands here has no findings at all: there is nothing to mark handled.
      return { refused: true };
    case 'notice-resent':
      return status === null || closed ? { refused: true } : { status, newRevision: false, notices: ['acknowledgement'] };
  }
}

describe('the case transition: every status and trigger pair', () => {
  for (const status of [null, ...CASE_STATUSES]) {
    for (const trigger of TRIGGERS) {
      it(`${status ?? '(new)'} + ${trigger.type}`, () => {
        const want = expected(status, trigger);
        if ('refused' in want) {
          expect(() => decideTransition(before(status), trigger, RULES)).toThrow(TransitionRefused);
          return;
        }
        const d = decideTransition(before(status), trigger, RULES);
        expect({ status: d.status, newRevision: d.newRevision, notices: d.notices }).toEqual(want);
      });
    }
  }
});

describe('what an evaluation of the form decides', () => {
  it('opens a case in the state its findings call for, with the notices the applicant and reviewer need', () => {
    const open = (findings: Finding[], over: Partial<CaseBefore> = {}) => {
      const d = decideTransition(before(null, over), { type: 'application', facts: facts(findings) }, RULES);
      return [d.status, d.notices];
    };
    expect(open([applicantFinding])).toEqual(['missing-items', ['acknowledgement', 'missing-items']]);
    expect(open([staffFinding, applicantFinding])).toEqual(['exception', ['acknowledgement', 'missing-items']]);
    expect(open([reviewerFinding], { paid: true })).toEqual(['ready-for-review', ['acknowledgement', 'accepted', 'review-request']]);
    // Mail to the applicant held back (near miss, no address): the reviewer still hears of a complete case.
    expect(open([], { paid: true, noticesSuppressed: true })).toEqual(['ready-for-review', ['review-request']]);
    expect(open([applicantFinding], { noticesSuppressed: true })).toEqual(['missing-items', []]);
  });

  it('keeps the matcher\'s findings while the fee is unpaid and drops them once it is paid', () => {
    const reply = (paid: boolean) => decideTransition(before('exception', { paid, paymentFindings: [ambiguous] }), { type: 'reply', facts: facts() }, RULES);
    expect(reply(false)).toMatchObject({ status: 'exception', findings: [ambiguous] });
    expect(reply(true)).toMatchObject({ status: 'ready-for-review', findings: [], notices: ['accepted', 'review-request'] });
  });

  it('records who confirmed a value, never the value', () => {
    const d = decideTransition(before('exception'), TRIGGERS[2]!, RULES);
    expect(d.events).toEqual([{ actor: 'staff:sato', type: 'field.confirmed', data: { field: 'name', corrected: true } }]);
    expect(d.actor).toBe('validator');
  });
});

describe('a payment change', () => {
  it('replaces the payment findings, keeps the others, and moves the case on only when something changed', () => {
    const held = before('exception', { findings: [reviewerFinding, ambiguous], paymentFindings: [] });
    const cleared = decideTransition(held, { type: 'payment', actor: 'matcher' }, RULES);
    expect(cleared).toMatchObject({ status: 'awaiting-payment', findings: [reviewerFinding], newRevision: true, notices: [] });
    const paid = decideTransition(before('awaiting-payment', { findings: [reviewerFinding], paid: true }), { type: 'payment', actor: 'finance:suzuki' }, RULES);
    expect(paid).toMatchObject({ status: 'ready-for-review', actor: 'finance:suzuki', notices: ['accepted', 'review-request'] });
    const same = decideTransition(before('exception', { findings: [ambiguous], paymentFindings: [ambiguous] }), { type: 'payment', actor: 'matcher' }, RULES);
    expect(same).toMatchObject({ newRevision: false, notices: [], status: 'exception' });
  });

  it('never tells the applicant of missing items: only a look at the form does', () => {
    const d = decideTransition(before('exception', { findings: [applicantFinding, ambiguous] }), { type: 'payment', actor: 'matcher' }, RULES);
    expect(d).toMatchObject({ status: 'missing-items', notices: [] });
  });
});

describe('staff decisions on a case', () => {
  const late = finding('window.outside', 'staff', '受付期間外（3月5日受付）');
  const handle = (over: Partial<Extract<CaseTrigger, { type: 'finding-handled' }>> = {}): CaseTrigger => ({ type: 'finding-handled', code: 'window.outside', field: null, reason: '理事会承認済みの遅延受付', actor: 'staff:sato', at: '2026-03-05T01:00:00.000Z', ...over });

  it('a handled staff finding leaves the case, which moves on and asks for the fee, and stays handled', () => {
    const d = decideTransition(before('exception', { findings: [late, reviewerFinding] }), handle(), RULES);
    expect(d).toMatchObject({ status: 'awaiting-payment', findings: [reviewerFinding], newRevision: true, notices: ['awaiting-payment'], actor: 'staff:sato' });
    expect(d.events).toEqual([{ actor: 'staff:sato', type: 'finding.handled', data: { code: 'window.outside', field: null, reason: '理事会承認済みの遅延受付' } }]);
    const handled = JSON.parse(d.columns.handled_findings_json!) as { code: string }[];
    expect(handled).toEqual([{ code: 'window.outside', field: null, reason: '理事会承認済みの遅延受付', by: 'staff:sato', at: '2026-03-05T01:00:00.000Z' }]);
    // A later look at the form (a reply) leaves it out again.
    const reply = decideTransition(before('awaiting-payment', { handled: handled as never }), { type: 'reply', facts: { ...facts([late]), handled: handled as never } }, RULES);
    expect(reply.status).toBe('awaiting-payment');
  });

  it('refuses an applicant finding (only the applicant can fix it), a finding the case does not have, and no reason', () => {
    expect(() => decideTransition(before('missing-items', { findings: [applicantFinding] }), handle({ code: 'field.missing', field: 'name' }), RULES)).toThrow(TransitionRefused);
    expect(() => decideTransition(before('exception', { findings: [late] }), handle({ code: 'reply.text-only' }), RULES)).toThrow(/no open staff/);
    expect(() => decideTransition(before('exception', { findings: [late] }), handle({ reason: '  ' }), RULES)).toThrow(/reason/);
  });

  it('sends again only a notice the case\'s status was announced with, never while mail is held', () => {
    expect(decideTransition(before('missing-items'), { type: 'notice-resent', notice: 'missing-items', actor: 'staff:sato' }, RULES).notices).toEqual(['missing-items']);
    expect(() => decideTransition(before('exception'), { type: 'notice-resent', notice: 'missing-items', actor: 'staff:sato' }, RULES)).toThrow(/does not fit/);
    expect(() => decideTransition(before('missing-items', { noticesSuppressed: true }), { type: 'notice-resent', notice: 'missing-items', actor: 'staff:sato' }, RULES)).toThrow(/held/);
  });
});

describe('reminders and decisions', () => {
  it('reminds a waiting applicant and notes when, with no new revision', () => {
    const d = decideTransition(before('awaiting-payment'), TRIGGERS[4]!, RULES);
    expect(d).toMatchObject({ status: 'awaiting-payment', newRevision: false, notices: ['payment-reminder'], columns: { payment_reminded_at: '2026-02-10T00:00:00.000Z' } });
    expect(decideTransition(before('awaiting-payment', { noticesSuppressed: true }), TRIGGERS[4]!, RULES).notices).toEqual([]);
  });

  it('takes a reviewer decision once: a second one is refused', () => {
    const rejected = decideTransition(before('ready-for-review'), { type: 'review-decision', decision: 'rejected', reviewer: 'reviewer:ito', reason: '実務経験の証明が不十分' }, RULES);
    expect(rejected).toMatchObject({ status: 'rejected', newRevision: true, events: [{ type: 'case.decided', data: { decision: 'rejected', reason: '実務経験の証明が不十分' } }] });
    expect(() => decideTransition(before('rejected'), TRIGGERS[5]!, RULES)).toThrow(/decided already/);
  });

  it('lists notices in the order the applicant reads them', () => {
    expect(noticesFor(null, 'ready-for-review', 'application', [reviewerFinding], false)).toEqual(['acknowledgement', 'accepted', 'review-request']);
    expect(noticesFor('missing-items', 'missing-items', 'reply', [applicantFinding], false)).toEqual(['missing-items']);
    expect(noticesFor('ready-for-review', 'ready-for-review', 'reply', [], false)).toEqual([]);
  });
});
