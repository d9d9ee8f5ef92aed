// Finance's decisions in the workbench beyond linking and unlinking (those are linkPayment / unlinkPayment in
// import-payments.ts, shared with the CLI): a payment set aside as not ours or refunded, a bulk transfer split
// across several cases, and the read models the pages show (the queue with its candidates side by side, a
// case search; the exports are finance-exports.ts). Every case change goes through the case transition (runMatching,
// moveCasesOnByPayment, linkPayment), committed by commitCaseChanges.
import type { App } from './context.ts';
import { linkPayment, PaymentActionError, unmatchedPayments, type UnmatchedPayment } from './import-payments.ts';
import { moveCasesOnByPayment, runMatching } from './payment-matching.ts';
import { commitCaseChanges } from './deferred-notices.ts';
import { casePaid, handledFindingsOf, paymentFindingsOf } from './payment-state.ts';
import { decideTransition, TransitionRefused } from '../cases/transition.ts';
import type { Candidate } from '../payments/matcher.ts';
import type { FinanceCaseRow, PaymentRow } from '../cases/payment-ledger.ts';
import { nfkc } from '../shared/japanese.ts';

export const DISMISS_KINDS: Record<string, string> = { 'not-ours': '当方宛てではない入金', refunded: '返金済み' };

/** A reason finance gives: one line, trimmed, at most 500 characters; refused when empty. */
export function reasonOf(text: unknown): string {
  const reason = String(text ?? '').replace(/[\r\n\t]+/g, ' ').trim().slice(0, 500);
  if (!reason) throw new PaymentActionError('理由を入力してください');
  return reason;
}

/**
 * Finance sets a payment aside (not ours, refunded): it leaves the queue and is never matched again; the
 * cases it questioned (its candidates) lose its payment findings and move on through the case transition.
 */
export function dismissPayment(app: App, paymentId: number, kind: string, reasonText: string, who: string): { payment: number; cases: { case: string; status: string }[] } {
  if (!DISMISS_KINDS[kind]) throw new PaymentActionError('「当方宛てではない」か「返金済み」を選んでください');
  const reason = reasonOf(reasonText);
  return commitCaseChanges(app, () => {
    const p = app.payments.paymentById(paymentId);
    if (!p) throw new PaymentActionError(`入金ID ${paymentId} はありません`);
    if (p.status === 'dismissed') throw new PaymentActionError(`入金ID ${paymentId} は既に対象外にしています`);
    if (app.payments.linksForPayment(paymentId).length) throw new PaymentActionError(`入金ID ${paymentId} は案件に紐付いています。先に紐付けを外してください`);
    const questioned = p.candidates_json ? (JSON.parse(p.candidates_json) as Candidate[]).map((c) => c.caseId) : [];
    const actor = `finance:${who}`;
    app.payments.dismissPayment(paymentId, kind, reason, actor);
    app.cases.addEvent({ actor, type: 'payment.dismissed', data: { payment: paymentId, kind, reason } });
    for (const caseId of questioned) app.cases.addEvent({ caseId, actor, type: 'payment.dismissed', data: { payment: paymentId, kind, reason } });
    // The matcher no longer reads the payment: its findings leave the candidate cases, which move on.
    runMatching(app);
    const moved = moveCasesOnByPayment(app, questioned.map((caseId) => ({ caseId })), actor);
    return { payment: paymentId, cases: questioned.map((id) => ({ case: moved.numberOf.get(id) ?? String(id), status: moved.statusOf.get(id) ?? '' })) };
  });
}

/**
 * Finance hand one candidate case of a payment under review to staff, with a note: the case becomes a staff
 * exception whose finding is the note (the case transition, trigger `payment-escalated`); the payment stays in
 * finance's queue and its other candidates stay 入金確認中. The CLI's `payments escalate` and the workbench call this.
 */
export function escalatePayment(app: App, paymentId: number, caseNumber: string, noteText: string, who: string): { payment: number; case: string; status: string } {
  const note = String(noteText ?? '').replace(/[\r\n\t]+/g, ' ').trim().slice(0, 1000);
  if (!note) throw new PaymentActionError('スタッフへの連絡事項を入力してください');
  return commitCaseChanges(app, () => {
    const p = app.payments.paymentById(paymentId);
    if (!p) throw new PaymentActionError(`入金ID ${paymentId} はありません`);
    if (p.status === 'dismissed') throw new PaymentActionError(`入金ID ${paymentId} は対象外にしています`);
    const c = app.cases.caseByNumber(caseNumber);
    if (!c) throw new PaymentActionError(`受付番号 ${caseNumber} の案件はありません`);
    const candidates = p.candidates_json ? (JSON.parse(p.candidates_json) as Candidate[]) : [];
    if (!candidates.some((x) => x.caseId === c.id)) throw new PaymentActionError(`${c.number} は入金ID ${paymentId} の候補の案件ではありません`);
    let decision;
    try {
      decision = decideTransition({
        status: c.status, findings: app.cases.currentFindings(c.id), noticesSuppressed: c.notices_suppressed === 1,
        paid: casePaid(app, c.id, app.rules.kinds[c.kind]?.fee), paymentFindings: paymentFindingsOf(c), handled: handledFindingsOf(c),
      }, { type: 'payment-escalated', payment: paymentId, note, actor: `finance:${who}` }, app.rules);
    } catch (error) {
      if (!(error instanceof TransitionRefused)) throw error;
      const m = error.message;
      throw new PaymentActionError(`${c.number}: ${m.startsWith('the fee') ? '手数料の入金を確認済みの案件です'
        : m.startsWith('no payment') ? '入金確認中の案件ではありません（この入金による確認事項がありません）'
          : m.startsWith('the case is decided') ? '審査済みの案件です' : m}`);
    }
    const [applied] = app.writer.apply([{ case: c, decision, trigger: 'payment-escalated' }]);
    return { payment: paymentId, case: c.number, status: applied!.status };
  });
}

/**
 * One transfer for several cases (a company paying for its employees, one person paying two
 * qualifications): each case linked with its amount, through linkPayment. The amounts are checked first: each
 * a positive whole number of yen, the cases distinct, the sum (with what finance linked before) within the payment.
 */
export function splitPayment(app: App, paymentId: number, allocations: readonly { case: string; amount: number }[], who: string): { payment: number; links: { case: string; amount: number; status: string }[] } {
  const p = app.payments.paymentById(paymentId);
  if (!p) throw new PaymentActionError(`入金ID ${paymentId} はありません`);
  if (p.status === 'dismissed') throw new PaymentActionError(`入金ID ${paymentId} は対象外にしています`);
  if (allocations.length === 0) throw new PaymentActionError('振り分ける案件を選んでください');
  const seen = new Set<string>();
  for (const a of allocations) {
    if (!Number.isSafeInteger(a.amount) || a.amount <= 0) throw new PaymentActionError(`${a.case} の金額は1円以上の整数で入力してください`);
    if (seen.has(a.case)) throw new PaymentActionError(`${a.case} が2回選ばれています`);
    seen.add(a.case);
    if (!app.cases.caseByNumber(a.case)) throw new PaymentActionError(`受付番号 ${a.case} の案件はありません`);
  }
  const already = app.payments.linksForPayment(paymentId).filter((l) => !l.linked_by.startsWith('matcher') && !seen.has(caseNumberOf(app, l.case_id)));
  const before = already.reduce((s, l) => s + l.amount, 0);
  const sum = allocations.reduce((s, a) => s + a.amount, 0);
  if (before + sum > p.amount) {
    throw new PaymentActionError(`割当額の合計 ${yen(before + sum)}${before ? `（既に紐付け済み ${yen(before)}を含む）` : ''}が入金額 ${yen(p.amount)}を超えています`);
  }
  const links = allocations.map((a) => {
    const r = linkPayment(app, paymentId, a.case, who, { amount: a.amount, reason: 'bulk split' });
    return { case: r.case, amount: r.amount, status: r.status };
  });
  return { payment: paymentId, links };
}

function caseNumberOf(app: App, caseId: number): string {
  return app.cases.caseById(caseId)?.number ?? '';
}

function yen(n: number): string {
  return `${n.toLocaleString('ja-JP')}円`;
}

export interface FinanceCase {
  number: string;
  kind: string;
  status: string;
  received: string;
  name: string | null;
  kana: string | null;
  digits: string | null;
  declared: string | null;
  company: string | null;
  fee: number | null;
  linked: number;
}

function financeCase(r: FinanceCaseRow): FinanceCase {
  return {
    number: r.number, kind: r.kind, status: r.status, received: r.received_at, name: typeof r.name === 'string' ? r.name : null, kana: typeof r.kana === 'string' ? r.kana : null,
    digits: r.payment_digits, declared: r.payment_declared, company: r.payment_company, fee: r.expected_amount, linked: r.linked_amount,
  };
}

export interface QueueEntry extends Omit<UnmatchedPayment, 'candidates'> {
  digits: string | null;
  candidates: (FinanceCase & { score: number; reason: string })[];
}

/** Finance's queue: every payment waiting (not linked, not set aside), each with its ranked candidate cases as finance compares them. */
export function financeQueue(app: App): QueueEntry[] {
  return entriesOf(app, app.payments.unlinkedPayments());
}

/** One page of the queue (oldest first), of one finding code ('none': no candidate) or all, with the counts per code. */
export function financeQueuePage(app: App, code: string | null, limit: number, offset: number): { entries: QueueEntry[]; counts: Map<string, number> } {
  return { entries: entriesOf(app, app.payments.waitingPage(code, limit, offset)), counts: app.payments.waitingCountsByCode() };
}

/** One payment as the queue shows it (whatever its state: its candidates are those the matcher left). */
export function queueEntry(app: App, paymentId: number): QueueEntry | null {
  const p = app.payments.paymentById(paymentId);
  return p ? entriesOf(app, [p])[0]! : null;
}

function entriesOf(app: App, waiting: PaymentRow[]): QueueEntry[] {
  const ids = new Set<number>();
  const parsed = new Map<number, Candidate[]>();
  for (const p of waiting) {
    const list = p.candidates_json ? (JSON.parse(p.candidates_json) as Candidate[]) : [];
    parsed.set(p.id, list);
    for (const c of list) ids.add(c.caseId);
  }
  const cases = app.payments.caseSummaries([...ids]);
  return waiting.map((p) => ({
    id: p.id, paidOn: p.paid_on, amount: p.amount, transferName: p.transfer_name, status: p.status ?? 'unmatched', code: p.finding_code ?? null, reason: p.reason ?? null,
    reference: p.reference ?? null, digits: p.digits,
    candidates: parsed.get(p.id)!.flatMap((c) => {
      const row = cases.get(c.caseId);
      return row ? [{ ...financeCase(row), score: c.score, reason: c.reason }] : [];
    }),
  }));
}

export { unmatchedPayments };

/** Width, case, spaces and katakana/hiragana folded, so a search finds カナ by かな. */
function fold(text: string): string {
  return nfkc(text).toLowerCase().replace(/[\s\u3000・]/g, '').replace(/[\u30a1-\u30f6]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0x60));
}

/** Open cases matching a search (number, name, kana, declared transfer name, company), newest first. */
export function searchCases(app: App, query: string, limit = 20): FinanceCase[] {
  const q = fold(query.slice(0, 100));
  if (!q) return [];
  const out: FinanceCase[] = [];
  for (const r of app.payments.openCaseSummaries()) {
    const c = financeCase(r);
    if ([c.number, c.name, c.kana, c.declared, c.company].some((v) => v && fold(v).includes(q))) out.push(c);
    if (out.length >= limit) break;
  }
  return out;
}

/** A case finance may link, as the pages show it (null when there is none). */
export function financeCaseByNumber(app: App, number: string): FinanceCase | null {
  const c = app.cases.caseByNumber(number);
  if (!c) return null;
  const row = app.payments.caseSummaries([c.id]).get(c.id);
  return row ? financeCase(row) : null;
}
