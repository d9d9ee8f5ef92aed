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
// The matcher's question about a payment is finance's (入金確認中), never a staff exception.
const ambiguous = finding('payment.ambiguous', 'finance', '入金ID 3 の可能性', { field: 'payment' });

const before = (status: CaseStatus | null, over: Partial<CaseBefore> = {}): CaseBefore => ({ status, findings: [], noticesSuppressed: false, paid: false, paymentFindings: [], ...over });

const TRIGGERS: CaseTrigger[] = [
  { type: 'application', facts: facts() },
  { type: 'reply', facts: facts() },
  { type: 'field-confirmed', field: 'name', corrected: true, actor: 'staff:sato', facts: facts() },
  { type: 'payment', actor: 'matcher' },
  { type: 'payment-reminder', at: '2026-02-10T00:00:00.000Z', waitingSince: '2026-01-20T00:00:00.000Z' },
  { type: 'review-decision', decision: 'approved', reviewer: 'reviewer:ito' },
  { type: 'review-decision', decision: 'rejected', reviewer: 'reviewer:ito', reason: 'other', text: '要件を満たしていません' },
  { type: 'review-decision', decision: 'returned', reviewer: 'reviewer:ito', text: 'B-2の主催団体名をお知らせください。' },
  { type: 'finding-handled', code: 'window.outside', field: null, reason: '理事会承認済みの遅延受付', actor: 'staff:sato', at: '2026-03-05T01:00:00.000Z' },
  { type: 'notice-resent', notice: 'acknowledgement', actor: 'staff:sato' },
  { type: 'payment-escalated', payment: 3, note: '申請者に振込名義を確認してください', actor: 'finance:suzuki' },
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
      return { status: 'awaiting-payment', newRevision: true, notices: status === 'exception' || status === 'payment-review' ? [] : ['awaiting-payment'] };
    case 'payment-escalated':
      // The case as it stands here has no payment under review: there is nothing to escalate.
      return { refused: true };
    case 'payment-reminder':
      return status === 'awaiting-payment' ? { status, newRevision: false, notices: ['payment-reminder'] } : { refused: true };
    case 'review-decision':
      if (status !== 'ready-for-review') return { refused: true };
      if (trigger.decision === 'approved') return { status: 'approved', newRevision: true, notices: ['review-approved'] };
      if (trigger.decision === 'rejected') return { status: 'rejected', newRevision: true, notices: ['review-rejected'] };
      // A question waits for the applicant's answer like missing items.
      return { status: 'missing-items', newRevision: true, notices: ['review-question'] };
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
      it(`${status ?? '(new)'} + ${trigger.type}${trigger.type === 'review-decision' ? ` (${trigger.decision})` : ''}`, () => {
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
    const reply = (paid: boolean) => decideTransition(before('payment-review', { paid, paymentFindings: [ambiguous] }), { type: 'reply', facts: facts() }, RULES);
    expect(reply(false)).toMatchObject({ status: 'payment-review', findings: [ambiguous], notices: [] });
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
    const same = decideTransition(before('payment-review', { findings: [ambiguous], paymentFindings: [ambiguous] }), { type: 'payment', actor: 'matcher' }, RULES);
    expect(same).toMatchObject({ newRevision: false, notices: [], status: 'payment-review' });
  });

  it('never tells the applicant of missing items: only a look at the form does', () => {
    const d = decideTransition(before('exception', { findings: [applicantFinding, ambiguous] }), { type: 'payment', actor: 'matcher' }, RULES);
    expect(d).toMatchObject({ status: 'missing-items', notices: [] });
  });
});

describe('a payment under review is finance\'s question (入金確認中)', () => {
  const staffAmbiguous = finding('payment.ambiguous', 'staff', '入金ID 3 の可能性（旧）', { field: 'payment' });
  const short = finding('payment.amount-mismatch', 'finance', '入金ID 4 は手数料に足りません', { field: 'payment' });
  const note = '申請者に振込名義を確認してください';
  const escalate = (over: Partial<Extract<CaseTrigger, { type: 'payment-escalated' }>> = {}): CaseTrigger => ({ type: 'payment-escalated', payment: 3, note, actor: 'finance:suzuki', ...over });
  const escalated = finding('payment.escalated', 'staff', note, { field: 'payment' });

  it('a questioned unpaid case waits in payment-review, not as a staff exception, and the applicant is told nothing', () => {
    for (const prev of ['awaiting-payment', 'exception'] as const) {
      // (exception: a case questioned before payment questions were finance's, with the old staff finding)
      const d = decideTransition(before(prev, { findings: prev === 'exception' ? [staffAmbiguous] : [], paymentFindings: [ambiguous] }), { type: 'payment', actor: 'matcher' }, RULES);
      expect(d).toMatchObject({ status: 'payment-review', findings: [ambiguous], newRevision: true, notices: [] });
    }
    expect(decideTransition(before('awaiting-payment', { paymentFindings: [short] }), { type: 'payment', actor: 'matcher' }, RULES).status).toBe('payment-review');
  });

  it('a new application whose payment is under review is acknowledged, without a request to pay', () => {
    const d = decideTransition(before(null, { paymentFindings: [ambiguous] }), { type: 'application', facts: facts() }, RULES);
    expect(d).toMatchObject({ status: 'payment-review', notices: ['acknowledgement'] });
    // Missing items come first: the applicant must act, and hears of it.
    const missing = decideTransition(before(null, { paymentFindings: [ambiguous] }), { type: 'application', facts: facts([applicantFinding]) }, RULES);
    expect(missing).toMatchObject({ status: 'missing-items', notices: ['acknowledgement', 'missing-items'] });
    // A staff question on the form still makes an exception.
    expect(decideTransition(before(null, { paymentFindings: [ambiguous] }), { type: 'application', facts: facts([staffFinding]) }, RULES).status).toBe('exception');
  });

  it('leaves payment-review when finance decide: paid moves on, the others wait for their fee again without a new request', () => {
    const review = (over: Partial<CaseBefore>) => before('payment-review', { findings: [ambiguous], ...over });
    expect(decideTransition(review({ paid: true, paymentFindings: [ambiguous] }), { type: 'payment', actor: 'finance:suzuki' }, RULES))
      .toMatchObject({ status: 'ready-for-review', findings: [], notices: ['accepted', 'review-request'] });
    expect(decideTransition(review({ paymentFindings: [] }), { type: 'payment', actor: 'finance:suzuki' }, RULES))
      .toMatchObject({ status: 'awaiting-payment', findings: [], newRevision: true, notices: [] });
  });

  it('no reminder and no request to pay while a payment is under review', () => {
    expect(() => decideTransition(before('payment-review', { findings: [ambiguous], paymentFindings: [ambiguous] }), TRIGGERS[4]!, RULES)).toThrow(TransitionRefused);
    expect(() => decideTransition(before('payment-review'), { type: 'notice-resent', notice: 'awaiting-payment', actor: 'staff:sato' }, RULES)).toThrow(/does not fit/);
    expect(() => decideTransition(before('payment-review'), { type: 'notice-resent', notice: 'payment-reminder', actor: 'staff:sato' }, RULES)).toThrow(/does not fit/);
  });

  it('finance escalate one case to staff with a note: a staff exception whose finding is the note, kept with the payment findings', () => {
    const d = decideTransition(before('payment-review', { findings: [reviewerFinding, ambiguous], paymentFindings: [ambiguous] }), escalate(), RULES);
    expect(d).toMatchObject({ status: 'exception', findings: [reviewerFinding, ambiguous, escalated], newRevision: true, notices: [], actor: 'finance:suzuki' });
    expect(d.events).toEqual([{ actor: 'finance:suzuki', type: 'payment.escalated', data: { payment: 3, note } }]);
    expect(JSON.parse(d.columns.payment_findings_json!)).toEqual([ambiguous, escalated]);
    // Escalated again: one finding, the latest note.
    const again = decideTransition(before('exception', { findings: [ambiguous, escalated], paymentFindings: [ambiguous, escalated] }), escalate({ note: '  別の件です  ' }), RULES);
    expect(again.findings.filter((f) => f.code === 'payment.escalated').map((f) => f.message)).toEqual(['別の件です']);
  });

  it('refuses an escalation without a payment under review, without a note, on a paid or decided case', () => {
    expect(() => decideTransition(before('awaiting-payment'), escalate(), RULES)).toThrow(/no payment of the case is under review/);
    expect(() => decideTransition(before('payment-review', { paymentFindings: [ambiguous] }), escalate({ note: ' \n ' }), RULES)).toThrow(/note/);
    expect(() => decideTransition(before('payment-review', { paymentFindings: [ambiguous], paid: true }), escalate(), RULES)).toThrow(/settled/);
    expect(() => decideTransition(before('approved', { paymentFindings: [ambiguous] }), escalate(), RULES)).toThrow(/decided/);
  });

  it('an escalation lasts through payment changes and looks at the form while the payment is under review, and goes with it', () => {
    const esc = before('exception', { findings: [ambiguous, escalated], paymentFindings: [ambiguous, escalated] });
    expect(decideTransition(esc, { type: 'payment', actor: 'matcher' }, RULES)).toMatchObject({ status: 'exception', newRevision: false });
    expect(decideTransition(esc, { type: 'reply', facts: facts() }, RULES)).toMatchObject({ status: 'exception', findings: [ambiguous, escalated] });
    // Finance linked the payment to this case: paid, it moves on.
    expect(decideTransition({ ...esc, paid: true }, { type: 'payment', actor: 'finance:suzuki' }, RULES)).toMatchObject({ status: 'ready-for-review', findings: [] });
    // Finance linked it elsewhere or set it aside: the matcher's run leaves no question, so no escalation either.
    expect(decideTransition({ ...esc, paymentFindings: [] }, { type: 'payment', actor: 'finance:suzuki' }, RULES)).toMatchObject({ status: 'awaiting-payment', findings: [], notices: [] });
  });

  it('staff handle the escalation: the case is finance\'s again, and the handled note leaves the payment findings', () => {
    const esc = before('exception', { findings: [ambiguous, escalated], paymentFindings: [ambiguous, escalated] });
    const d = decideTransition(esc, { type: 'finding-handled', code: 'payment.escalated', field: 'payment', reason: '申請者に電話で確認し、経理へ回答済み', actor: 'staff:sato', at: '2026-02-03T01:00:00.000Z' }, RULES);
    expect(d).toMatchObject({ status: 'payment-review', findings: [ambiguous], notices: [] });
    expect(JSON.parse(d.columns.payment_findings_json!)).toEqual([ambiguous]);
    // A later escalation is not hidden by the handled one.
    const handled = JSON.parse(d.columns.handled_findings_json!) as never[];
    const later = decideTransition(before('payment-review', { findings: [ambiguous], paymentFindings: [ambiguous], handled }), escalate(), RULES);
    expect(later.status).toBe('exception');
    expect(JSON.parse(later.columns.handled_findings_json!)).toEqual([]);
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
    expect(() => decideTransition(before('approved'), TRIGGERS[6]!, RULES)).toThrow(/decided already/);
  });

  it('a rejection needs a reason; a question needs its text and an applicant who may be written to', () => {
    expect(() => decideTransition(before('ready-for-review'), { type: 'review-decision', decision: 'rejected', reviewer: 'reviewer:ito' }, RULES)).toThrow(/reason/);
    expect(() => decideTransition(before('ready-for-review'), { type: 'review-decision', decision: 'returned', reviewer: 'reviewer:ito', text: ' ' }, RULES)).toThrow(/question/);
    expect(() => decideTransition(before('ready-for-review', { noticesSuppressed: true }), TRIGGERS[7]!, RULES)).toThrow(/held/);
    // Mail held: the decision stands, the result mail waits for staff.
    expect(decideTransition(before('ready-for-review', { noticesSuppressed: true }), TRIGGERS[5]!, RULES).notices).toEqual([]);
  });

  it('carries a result notice\'s own values (reason, certificate) to the writer', () => {
    const notice = { view: { reason: '要件' }, attachments: [{ filename: '認定書.pdf', storePath: 'ab/cd.pdf' }] };
    expect(decideTransition(before('ready-for-review'), { ...(TRIGGERS[6] as Extract<CaseTrigger, { type: 'review-decision' }>), notice }, RULES).noticeData).toEqual(notice);
  });
});

describe('four eyes', () => {
  const approve = (reviewer: string): CaseTrigger => ({ type: 'review-decision', decision: 'approved', reviewer, at: '2026-02-20T01:00:00.000Z', secondApprovalRequired: true });
  it('the first approval records itself and decides nothing; the same reviewer cannot confirm; another one decides', () => {
    const first = decideTransition(before('ready-for-review'), approve('reviewer:ito'), RULES);
    expect(first).toMatchObject({ status: 'ready-for-review', newRevision: false, notices: [], events: [{ type: 'review.first-approval' }] });
    const review = JSON.parse(first.columns.review_json!) as { firstApproval: { by: string; at: string } };
    expect(review).toEqual({ firstApproval: { by: 'reviewer:ito', at: '2026-02-20T01:00:00.000Z' } });
    expect(() => decideTransition(before('ready-for-review', { review }), approve('reviewer:ito'), RULES)).toThrow(/same reviewer/);
    const second = decideTransition(before('ready-for-review', { review }), approve('admin:kato'), RULES);
    expect(second).toMatchObject({ status: 'approved', notices: ['review-approved'], columns: { review_json: null } });
    expect(second.events[0]!.data).toMatchObject({ firstApprovalBy: 'reviewer:ito' });
    // A rejection by the second reviewer decides at once and clears the first approval.
    expect(decideTransition(before('ready-for-review', { review }), TRIGGERS[6]!, RULES)).toMatchObject({ status: 'rejected', columns: { review_json: null } });
  });
});

describe('a question to the applicant', () => {
  const question = finding('review.question', 'applicant', 'B-2の主催団体名をお知らせください。', { field: 'review' });
  const textOnly = finding('reply.text-only', 'staff', '本文のみの返信');
  const returned = (over: Partial<CaseBefore> = {}) => before('missing-items', { findings: [question], paid: true, ...over });

  it('is an applicant finding: the case waits in missing-items, and a decision waits for the answer', () => {
    const d = decideTransition(before('ready-for-review', { paid: true, findings: [reviewerFinding] }), TRIGGERS[7]!, RULES);
    expect(d).toMatchObject({ status: 'missing-items', findings: [reviewerFinding, question], notices: ['review-question'], events: [{ type: 'review.returned' }] });
    expect(() => decideTransition(returned(), TRIGGERS[5]!, RULES)).toThrow(/waits for the applicant/);
    expect(decideTransition(returned(), { type: 'notice-resent', notice: 'review-question', actor: 'staff:sato' }, RULES).notices).toEqual(['review-question']);
  });

  it('the reply (text only is the answer, not a case for staff) brings it back to the reviewer, without a second acceptance mail', () => {
    const d = decideTransition(returned(), { type: 'reply', facts: facts([textOnly]) }, RULES);
    expect(d.status).toBe('ready-for-review');
    expect(d.findings.map((f) => `${f.code}/${f.audience}`)).toEqual(['review.answered/reviewer']);
    expect(d.notices).toEqual(['review-request']);
    expect(d.events).toEqual([{ actor: 'applicant', type: 'review.answered' }]);
    // Without a question, a text-only reply stays a case for staff.
    expect(decideTransition(before('missing-items', { paid: true }), { type: 'reply', facts: facts([textOnly]) }, RULES).status).toBe('exception');
  });

  it('a value confirmed meanwhile leaves the question open and tells the applicant nothing again', () => {
    const d = decideTransition(returned(), TRIGGERS[2]!, RULES);
    expect(d).toMatchObject({ status: 'missing-items', findings: [question], notices: [] });
    const paid = decideTransition(returned({ paid: false }), { type: 'payment', actor: 'matcher' }, RULES);
    expect(paid.findings).toEqual([question]);
  });

  it('lists notices in the order the applicant reads them', () => {
    expect(noticesFor(null, 'ready-for-review', 'application', [reviewerFinding], false)).toEqual(['acknowledgement', 'accepted', 'review-request']);
    expect(noticesFor('missing-items', 'missing-items', 'reply', [applicantFinding], false)).toEqual(['missing-items']);
    expect(noticesFor('ready-for-review', 'ready-for-review', 'reply', [], false)).toEqual([]);
  });
});
