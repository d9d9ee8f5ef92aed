// What a matching run decides (SPEC §5), as plain data and without I/O: from the cases and payments as read,
// the automatic links made or moved, each payment's verdict and ranked candidates, the payment findings of the
// candidate cases, and the cases to move on. The payment ledger (src/cases/payment-ledger.ts) writes it; the
// case transition moves the cases on. Plain data so a statement import can hand it to its writer thread.
import { CaseIndex, reconcile, type Candidate, type OpenCase, type OpenPayment, type Verdict } from './matcher.ts';
import type { NewPayments } from './new-payments.ts';
import { finding, type Finding } from '../validate/findings.ts';

/** Reviewer decisions are final: a closed case takes no payment findings and is not an open candidate. */
function isClosed(status: string): boolean {
  return status === 'approved' || status === 'rejected';
}

export interface MatchingPaymentRow {
  id: number;
  transfer_name: string;
  digits: string | null;
  kana: string | null;
  entity: string | null;
  amount: number;
  paid_on: string;
  hold: number;
  auto_case: number | null;
  status: string;
  finding_code: string | null;
  candidates_json: string | null;
}

/** A case as the matcher and the payment-triggered transitions read it (no application JSON). */
export type FreshVerdict =
  | { id: number; status: 'matched'; caseId: number; matchedBy: string; matchedAt: string }
  | { id: number; status: 'attention' | 'unmatched'; findingCode: string | null; candidatesJson: string | null; reason: string | null };

export interface PaymentLinkRow {
  payment_id: number;
  case_id: number;
  amount: number;
  accepted: number;
  linked_by: string;
  linked_at: string;
}

export interface MatchingCaseRow {
  id: number;
  number: string;
  kind: string;
  status: string;
  revision: number;
  notices_suppressed: number;
  applicant_address: string | null;
  received_at: string;
  payment_digits: string | null;
  payment_kana: string | null;
  payment_declared: string | null;
  payment_company: string | null;
  expected_amount: number | null;
  payment_findings_json: string;
  manual_amount: number;
  manual_accepted: number;
  auto_links: number;
}

/** The verdict of a new payment that differs from the default one (unmatched, no finding, no candidates). */
/** An event the run records on a case (the case store writes it). */
export interface MatchEvent {
  caseId: number;
  actor: string;
  type: string;
  data: unknown;
  at?: string;
}

/** What a matching run decided; plain data, so it can be handed to another thread. */
export interface MatchDecision {
  /** Earlier payments' changes, in the order a one-by-one run makes them. */
  earlier: (
    | { op: 'unlink'; payment: number; caseId: number }
    | { op: 'link'; payment: number; caseId: number; amount: number }
    | { op: 'verdict'; payment: number; status: string; findingCode: string | null; candidatesJson: string | null; reason: string | null }
  )[];
  /** New payments whose verdict is not the default (unmatched, no finding, no candidates). */
  fresh: FreshVerdict[];
  freshLinks: Omit<PaymentLinkRow, 'accepted'>[];
  /** In the order a one-by-one run writes them; written after the new payments exist. */
  events: MatchEvent[];
  /** Cases to move on, with the matcher's payment findings for each. */
  moves: { caseId: number; paymentFindingsJson: string }[];
  newlyLinked: { payment: number; caseId: number }[];
}

// Every verdict that needs a person questions its candidate cases: they show 入金確認中 (payment-review) while
// finance decide, and are no staff exception for it (issue 16 point 4).
const ATTACH_TO_CASE: ReadonlySet<string> = new Set(['payment.ambiguous', 'payment.amount-mismatch', 'payment.bulk', 'payment.duplicate']);
/** Finance's escalation of a question to staff (transition.ts PAYMENT_ESCALATED), kept while the case is questioned. */
const ESCALATED = 'payment.escalated';
const CANDIDATE_THRESHOLD = 0.5;

function yen(n: number): string {
  return `${n.toLocaleString('ja-JP')}円`;
}

/**
 * The finance finding a payment verdict leaves on a candidate case: the case waits in payment-review (入金確認中)
 * while finance decide in their queue (names stay in the database, not in logs).
 */
function caseFinding(v: Extract<Verdict, { status: 'attention' }>, c: Candidate, p: { id: number; paidOn: string; amount: number; transferName: string }, caseNumber: string, fee: number): Finding {
  const what = `入金ID ${p.id}（${p.paidOn} ${yen(p.amount)} 振込名義「${p.transferName}」）`;
  const command = `conken payments link ${p.id} ${caseNumber}`;
  switch (v.code) {
    case 'payment.amount-mismatch':
      return finding('payment.amount-mismatch', 'finance', `${what}は振込名義が一致しますが、金額が手数料${yen(fee)}と異なります（差額 ${yen(p.amount - fee)}）。経理担当が確認中です。この金額で受け付ける場合は \`${command} --accept\` で紐付けてください。`, { field: 'payment' });
    case 'payment.bulk':
      return finding('payment.bulk', 'finance', `${what}は複数の申請分をまとめた振込の可能性があり、この申請も含まれる可能性があります（${c.reason}）。経理担当が振り分けを確認中です。`, { field: 'payment' });
    case 'payment.duplicate':
      return finding('payment.duplicate', 'finance', `${what}は入金済みの申請への2回目の入金の可能性があり、この申請の手数料の可能性もあります（${c.reason}）。経理担当が確認中です。`, { field: 'payment' });
    default:
      return finding('payment.ambiguous', 'finance', `${what}がこの申請の手数料の可能性がありますが、自動では確定できません（${c.reason}）。経理担当が確認中です。確定したら \`${command}\` で紐付けてください。`, { field: 'payment' });
  }
}

/** A case whose fee is settled (a duplicate's first payment) is not questioned: the transition would drop it anyway. */
function settled(c: MatchingCaseRow): boolean {
  return c.auto_links > 0 || c.manual_accepted === 1 || (c.expected_amount !== null && c.manual_amount >= c.expected_amount);
}

/** The matcher's view of the cases read for a run. */
export function openCasesOf(caseRows: readonly MatchingCaseRow[]): OpenCase[] {
  return caseRows.map((c) => ({
    id: c.id, digits: c.payment_digits, kana: c.payment_kana, declaredTransferName: c.payment_declared, expectedAmount: c.expected_amount!,
    companyKana: c.payment_company, settledAmount: c.manual_accepted ? Number.MAX_SAFE_INTEGER : c.manual_amount, open: !isClosed(c.status),
  }));
}

/** Step 1: decide, from the cases and payments as read (the index may be built ahead, e.g. while another thread parses). */
export function decideMatching(caseRows: readonly MatchingCaseRow[], index: CaseIndex, stored: readonly MatchingPaymentRow[], fresh: NewPayments | null, now = new Date().toISOString()): MatchDecision {
  const byId = new Map(caseRows.map((c) => [c.id, c]));
  const storedById = new Map(stored.map((p) => [p.id, p]));
  const freshCount = fresh ? fresh.paidOn.length : 0;
  const firstFreshId = fresh && freshCount ? fresh.firstId : Number.MAX_SAFE_INTEGER;
  const payments: OpenPayment[] = new Array(stored.length + freshCount);
  for (let i = 0; i < stored.length; i++) {
    const p = stored[i]!;
    payments[i] = { id: p.id, transferName: p.transfer_name, amount: p.amount, paidOn: p.paid_on, linkedTo: p.auto_case, hold: p.hold === 1, key: { digits: p.digits, kana: p.kana ?? '', entity: p.entity } };
  }
  for (let i = 0; i < freshCount; i++) {
    payments[stored.length + i] = { id: firstFreshId + i, transferName: fresh!.transferName[i]!, amount: fresh!.amount[i]!, paidOn: fresh!.paidOn[i]!, linkedTo: null, hold: false, key: fresh!.keys[i]! };
  }
  const { verdicts } = reconcile(index, payments);

  const decision: MatchDecision = { earlier: [], fresh: [], freshLinks: [], events: [], moves: [], newlyLinked: [] };
  const affected = new Set<number>();
  const findingsByCase = new Map<number, Finding[]>();
  for (const v of verdicts) {
    const freshIndex = v.paymentId - firstFreshId;
    const earlier = freshIndex >= 0 ? undefined : storedById.get(v.paymentId)!;
    const p = earlier ? { id: earlier.id, paidOn: earlier.paid_on, amount: earlier.amount, transferName: earlier.transfer_name, hold: earlier.hold }
      : { id: v.paymentId, paidOn: fresh!.paidOn[freshIndex]!, amount: fresh!.amount[freshIndex]!, transferName: fresh!.transferName[freshIndex]!, hold: 0 };
    const autoCase = earlier ? earlier.auto_case : null;
    if (v.status === 'matched') {
      if (autoCase !== v.caseId) {
        if (autoCase !== null) {
          decision.earlier.push({ op: 'unlink', payment: p.id, caseId: autoCase });
          affected.add(autoCase);
        }
        if (!earlier) {
          decision.fresh.push({ id: p.id, status: 'matched', caseId: v.caseId, matchedBy: 'matcher:exact', matchedAt: now });
          decision.freshLinks.push({ payment_id: p.id, case_id: v.caseId, amount: p.amount, linked_by: 'matcher:exact', linked_at: now });
        } else {
          decision.earlier.push({ op: 'link', payment: p.id, caseId: v.caseId, amount: p.amount });
        }
        decision.events.push({ caseId: v.caseId, actor: 'matcher', type: 'payment.linked', data: { payment: p.id, rule: v.rule } });
        affected.add(v.caseId);
        decision.newlyLinked.push({ payment: p.id, caseId: v.caseId });
      }
      continue;
    }
    if (autoCase !== null) {
      // An earlier identical payment is the fee for this case: this one becomes the duplicate.
      decision.earlier.push({ op: 'unlink', payment: p.id, caseId: autoCase });
      decision.events.push({ caseId: autoCase, actor: 'matcher', type: 'payment.unlinked', data: { payment: p.id, reason: 'an earlier identical payment was linked instead' } });
      affected.add(autoCase);
    }
    const code = v.status === 'attention' ? v.code : null;
    const candidatesJson = v.candidates.length ? JSON.stringify(v.candidates) : null;
    if (earlier) {
      if (earlier.status !== v.status || (earlier.finding_code ?? null) !== code || (earlier.candidates_json ?? null) !== candidatesJson || autoCase !== null) {
        decision.earlier.push({ op: 'verdict', payment: p.id, status: v.status, findingCode: code, candidatesJson, reason: v.reason });
      }
    } else if (v.status !== 'unmatched' || code !== null || candidatesJson !== null) {
      // (A new payment without a candidate keeps the default verdict: unmatched, no reason.)
      decision.fresh.push({ id: p.id, status: v.status, findingCode: code, candidatesJson, reason: v.reason });
    }
    // A payment finance unlinked by hand stays in their queue but no longer questions the case.
    if (v.status === 'attention' && ATTACH_TO_CASE.has(v.code) && p.hold !== 1) {
      for (const c of v.candidates) {
        const row = byId.get(c.caseId);
        if (c.score < CANDIDATE_THRESHOLD || !row || isClosed(row.status) || settled(row)) continue;
        const list = findingsByCase.get(c.caseId) ?? [];
        list.push(caseFinding(v, c, p, row.number, row.expected_amount!));
        findingsByCase.set(c.caseId, list);
      }
    }
  }
  // A short amount finance linked by hand (without --accept) still leaves the case waiting.
  for (const c of caseRows) {
    if (c.manual_amount > 0 && !c.manual_accepted && c.auto_links === 0 && c.manual_amount < c.expected_amount! && !isClosed(c.status)) {
      const list = findingsByCase.get(c.id) ?? [];
      list.push(finding('payment.amount-mismatch', 'finance', `紐付けた入金の合計（${yen(c.manual_amount)}）が手数料${yen(c.expected_amount!)}に足りません（不足 ${yen(c.expected_amount! - c.manual_amount)}）。経理担当が確認中です。不足分の入金を紐付けるか、この金額で受け付ける場合は --accept を付けて紐付け直してください。`, { field: 'payment' }));
      findingsByCase.set(c.id, list);
    }
  }
  // Finance's escalation to staff stays while the case is still questioned; with the question it goes.
  for (const c of caseRows) {
    if (!c.payment_findings_json.includes(ESCALATED)) continue;
    const list = findingsByCase.get(c.id);
    if (!list?.length) continue;
    list.push(...(JSON.parse(c.payment_findings_json) as Finding[]).filter((f) => f.code === ESCALATED));
  }
  // A case moves on when its fee may have changed or its payment findings did.
  for (const c of caseRows) {
    const json = JSON.stringify(findingsByCase.get(c.id) ?? []);
    if (json !== c.payment_findings_json || affected.has(c.id)) decision.moves.push({ caseId: c.id, paymentFindingsJson: json });
  }
  for (const id of affected) if (!byId.has(id)) decision.moves.push({ caseId: id, paymentFindingsJson: JSON.stringify(findingsByCase.get(id) ?? []) });
  return decision;
}
