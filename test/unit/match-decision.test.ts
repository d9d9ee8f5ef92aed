// The matching decision called directly (src/payments/match-decision.ts: no I/O): from the cases and payments
// as read, which links it makes or moves, each payment's verdict, the findings it leaves on candidate cases,
// and the cases it moves on.
import { describe, expect, it } from 'vitest';
import { CaseIndex } from '../../src/payments/matcher.ts';
import { decideMatching, openCasesOf, type MatchingCaseRow, type MatchingPaymentRow } from '../../src/payments/match-decision.ts';
import { transferKey } from '../../src/payments/transfer-name.ts';

const NOW = '2026-02-01T00:00:00.000Z';

function caseRow(id: number, digits: string, kana: string, over: Partial<MatchingCaseRow> = {}): MatchingCaseRow {
  return {
    id, number: `R-2026-${String(id).padStart(6, '0')}`, kind: 'renewal', status: 'awaiting-payment', revision: 1, notices_suppressed: 0, applicant_address: `a${id}@example.jp`,
    received_at: '2026-01-20T01:00:00.000Z', payment_digits: digits, payment_kana: kana, payment_declared: `${digits}${kana}`, payment_company: null, expected_amount: 11000,
    payment_findings_json: '[]', manual_amount: 0, manual_accepted: 0, auto_links: 0, ...over,
  };
}

function payment(id: number, transferName: string, amount: number, over: Partial<MatchingPaymentRow> = {}): MatchingPaymentRow {
  const key = transferKey(transferName);
  return { id, transfer_name: transferName, digits: key.digits, kana: key.kana, entity: key.entity, amount, paid_on: '2026-01-25', hold: 0, auto_case: null, status: 'unmatched', finding_code: null, candidates_json: null, ...over };
}

const decide = (cases: MatchingCaseRow[], payments: MatchingPaymentRow[]) => decideMatching(cases, new CaseIndex(openCasesOf(cases)), payments, null, NOW);

describe('matching decisions', () => {
  it('links an exact key with the fee, and moves that case on', () => {
    const d = decide([caseRow(1, '0123', 'コンダケンタロウ'), caseRow(2, '4567', 'ヤマダハナコ')], [payment(10, '0123ｺﾝﾀﾞｹﾝﾀﾛｳ', 11000)]);
    expect(d.earlier).toEqual([{ op: 'link', payment: 10, caseId: 1, amount: 11000 }]);
    expect(d.newlyLinked).toEqual([{ payment: 10, caseId: 1 }]);
    expect(d.events).toEqual([{ caseId: 1, actor: 'matcher', type: 'payment.linked', data: { payment: 10, rule: expect.any(String) } }]);
    expect(d.moves).toEqual([{ caseId: 1, paymentFindingsJson: '[]' }]);
  });

  it('never links a wrong amount: the payment waits with a finding, and the case gets a finance finding naming it (入金確認中, not a staff exception)', () => {
    const d = decide([caseRow(1, '0123', 'コンダケンタロウ')], [payment(10, '0123ｺﾝﾀﾞｹﾝﾀﾛｳ', 10000)]);
    expect(d.newlyLinked).toEqual([]);
    expect(d.earlier).toEqual([expect.objectContaining({ op: 'verdict', payment: 10, status: 'attention', findingCode: 'payment.amount-mismatch' })]);
    expect(d.moves).toHaveLength(1);
    const findings = JSON.parse(d.moves[0]!.paymentFindingsJson) as { code: string; audience: string; message: string }[];
    expect(findings).toEqual([expect.objectContaining({ code: 'payment.amount-mismatch', audience: 'finance', field: 'payment' })]);
    expect(findings[0]!.message).toContain('入金ID 10');
  });

  it('leaves a payment for nobody unmatched and moves no case', () => {
    const d = decide([caseRow(1, '0123', 'コンダケンタロウ')], [payment(10, '9999ｽｽﾞｷｲﾁﾛｳ', 11000)]);
    expect(d.newlyLinked).toEqual([]);
    expect(d.moves).toEqual([]);
  });

  it('does not link digits two applicants share, and questions both cases', () => {
    const d = decide([caseRow(1, '0123', 'コンダケンタロウ'), caseRow(2, '0123', 'コンドウケンタ')], [payment(10, '0123ｺﾝﾄﾞｳｹﾝﾀﾛｳ', 11000)]);
    expect(d.newlyLinked).toEqual([]);
    expect(d.moves.map((m) => m.caseId).sort()).toEqual(expect.arrayContaining([1]));
    const found = d.moves.flatMap((m) => JSON.parse(m.paymentFindingsJson) as { code: string; audience: string }[]);
    expect(found.length).toBeGreaterThan(0);
    expect(found.every((f) => f.code === 'payment.ambiguous' && f.audience === 'finance')).toBe(true);
  });

  it('takes the earlier of two exact payments as the fee, whatever order they came in, and unlinks the later', () => {
    const cases = [caseRow(1, '0123', 'コンダケンタロウ', { auto_links: 1 })];
    const later = payment(11, '0123ｺﾝﾀﾞｹﾝﾀﾛｳ', 11000, { paid_on: '2026-01-28', auto_case: 1, status: 'matched' });
    const earlier = payment(12, '0123ｺﾝﾀﾞｹﾝﾀﾛｳ', 11000, { paid_on: '2026-01-22' });
    const d = decide(cases, [later, earlier]);
    expect(d.newlyLinked).toEqual([{ payment: 12, caseId: 1 }]);
    expect(d.earlier).toEqual(expect.arrayContaining([{ op: 'unlink', payment: 11, caseId: 1 }]));
  });

  it('puts no finding on a decided case', () => {
    const d = decide([caseRow(1, '0123', 'コンダケンタロウ', { status: 'approved' })], [payment(10, '0123ｺﾝﾀﾞｹﾝﾀﾛｳ', 10000)]);
    expect(d.moves.flatMap((m) => JSON.parse(m.paymentFindingsJson) as unknown[])).toEqual([]);
  });

  it('questions the unpaid candidates of a bulk transfer and of a second payment, never the paid case', () => {
    const company = { payment_company: 'カブシキガイシヤサンプル' };
    const bulk = decide([caseRow(1, '0123', 'コンダケンタロウ', company), caseRow(2, '4567', 'ヤマダハナコ', company), caseRow(3, '8901', 'サトウイチロウ', company)], [payment(10, 'ｶ)ｻﾝﾌﾟﾙ', 33000)]);
    const bulkFindings = bulk.moves.flatMap((m) => (JSON.parse(m.paymentFindingsJson) as { code: string; audience: string }[]).map((f) => `${m.caseId}:${f.code}/${f.audience}`));
    expect(bulkFindings.sort()).toEqual(['1:payment.bulk/finance', '2:payment.bulk/finance', '3:payment.bulk/finance']);

    // The same person's two applications, one paid: a second transfer questions the other one, never the paid case.
    const twice = decide([caseRow(1, '0123', 'コンダケンタロウ', { auto_links: 1 }), caseRow(2, '0123', 'コンダケンタロウ', { number: 'C-2026-000002', kind: 'certification' })],
      [payment(10, '0123ｺﾝﾀﾞｹﾝﾀﾛｳ', 11000, { auto_case: 1, status: 'matched' }), payment(11, '0123ｺﾝﾀﾞｹﾝﾀﾛｳ', 11000, { paid_on: '2026-01-28' })]);
    const byCase = new Map(twice.moves.map((m) => [m.caseId, JSON.parse(m.paymentFindingsJson) as { code: string }[]]));
    expect(byCase.get(1) ?? []).toEqual([]);
    expect((byCase.get(2) ?? []).map((f) => `${f.code}/${(f as { audience?: string }).audience}`)).toEqual(['payment.ambiguous/finance']);
  });

  it("keeps finance's escalation while the case is still questioned, and drops it with the question", () => {
    const escalated = { code: 'payment.escalated', audience: 'staff', field: 'payment', message: '申請者に確認してください' };
    const cases = (json: string) => [caseRow(1, '0123', 'コンダケンタロウ', { payment_findings_json: json })];
    const questioned = decide(cases('[]'), [payment(10, '0123ｺﾝﾀﾞｹﾝﾀﾛｳ', 10000)]);
    const stored = JSON.parse(questioned.moves[0]!.paymentFindingsJson) as object[];
    const withEscalation = JSON.stringify([...stored, escalated]);
    // The next run: the same question, so the same findings with the escalation: nothing moves.
    expect(decide(cases(withEscalation), [payment(10, '0123ｺﾝﾀﾞｹﾝﾀﾛｳ', 10000)]).moves
      .filter((m) => m.paymentFindingsJson !== withEscalation)).toEqual([]);
    // Finance set the payment aside (held, no longer read as a question): the escalation goes with it.
    const gone = decide(cases(withEscalation), [payment(10, '0123ｺﾝﾀﾞｹﾝﾀﾛｳ', 10000, { hold: 1 })]);
    expect(gone.moves).toEqual([{ caseId: 1, paymentFindingsJson: '[]' }]);
  });
});
