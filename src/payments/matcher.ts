// Matching payments to cases (SPEC §5), pure: no I/O, no clock. This is the minimal exact matcher:
// a payment is linked automatically only when its key (4 digits + name) and amount are exact and the
// pairing is unique on both sides. Everything else stays unmatched for finance (an automatic match
// must never be wrong). Ranked candidates for the uncertain ones belong to the reconciliation issue.
import { normaliseKana, transferKey } from './transfer-name.ts';

export interface OpenCase {
  id: number;
  digits: string | null;
  kana: string | null;
  declaredTransferName: string | null;
  expectedAmount: number;
}

export interface OpenPayment {
  id: number;
  transferName: string;
  amount: number;
}

export interface Match {
  paymentId: number;
  caseId: number;
  rule: string;
}

function caseKeys(c: OpenCase): string[] {
  const keys = new Set<string>();
  if (c.digits && c.kana) keys.add(`${c.digits}|${normaliseKana(c.kana)}`);
  if (c.declaredTransferName) {
    const k = transferKey(c.declaredTransferName);
    if (k.digits && k.kana) keys.add(`${k.digits}|${k.kana}`);
  }
  return [...keys];
}

function paymentKey(p: OpenPayment): string | null {
  const k = transferKey(p.transferName);
  return k.digits && k.kana ? `${k.digits}|${k.kana}` : null;
}

export function matchExact(cases: readonly OpenCase[], payments: readonly OpenPayment[]): Match[] {
  const casesByKey = new Map<string, OpenCase[]>();
  for (const c of cases) for (const k of caseKeys(c)) casesByKey.set(k, [...(casesByKey.get(k) ?? []), c]);
  const paymentsByCase = new Map<number, OpenPayment[]>();
  for (const p of payments) {
    const key = paymentKey(p);
    if (!key) continue;
    const candidates = [...new Set(casesByKey.get(key) ?? [])];
    if (candidates.length !== 1) continue; // no case, or digits + name shared by two applicants
    const c = candidates[0]!;
    if (p.amount !== c.expectedAmount) continue;
    paymentsByCase.set(c.id, [...(paymentsByCase.get(c.id) ?? []), p]);
  }
  const matches: Match[] = [];
  for (const [caseId, ps] of paymentsByCase) {
    if (ps.length !== 1) continue; // two payments for one case: a person decides which is the fee
    matches.push({ paymentId: ps[0]!.id, caseId, rule: 'exact key (digits + name) and amount, unique' });
  }
  return matches;
}
