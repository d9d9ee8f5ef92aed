// One evaluation of a case: the kind's validator, plus what we know about the mail (intake findings)
// and the fee, folded into findings and a status. Pure: data, rules and the date of receipt in.
import type { ApplicationBase } from '../extract/forms/form-kind.ts';
import type { Rules } from './load-rules.ts';
import { validatorFor } from '../validate/index.ts';
import { applicantAndStaff, type Finding } from '../validate/findings.ts';
import { decideStatus, type CaseStatus } from '../cases/status.ts';
import type { IsoDate } from '../shared/calendar.ts';

export interface EvaluationInput {
  kind: string;
  application: ApplicationBase | null;
  received: IsoDate;
  proofCount: number;
  intakeFindings: readonly Finding[];
  paid: boolean;
  /** Staff findings the payment matching left on the case (payment.ambiguous, payment.amount-mismatch). */
  paymentFindings?: readonly Finding[];
}

export interface Evaluation {
  findings: Finding[];
  computed: Record<string, unknown>;
  status: CaseStatus;
}

export function formNotFound(kindLabel: string): Finding[] {
  return applicantAndStaff('form.not-found',
    `メールに${kindLabel}の申請書が見つかりませんでした。協会の申請フォーム（Wordファイル、またはそれを印刷・記入したPDFやスキャン画像）を添付してご返信ください。`,
    '申請書として認識できる添付ファイルがありません。添付内容を確認してください。');
}

export function evaluate(rules: Rules, input: EvaluationInput): Evaluation {
  const findings: Finding[] = [...input.intakeFindings];
  let computed: Record<string, unknown> = {};
  const kindRules = rules.kinds[input.kind];
  const validator = validatorFor(input.kind);
  if (!input.application) {
    findings.push(...formNotFound(kindRules?.label ?? ''));
  } else if (validator && kindRules) {
    const result = validator.validate(input.application, kindRules, { received: input.received, proofCount: input.proofCount });
    findings.push(...result.findings);
    computed = result.computed;
  }
  if (!input.paid) findings.push(...(input.paymentFindings ?? []));
  return { findings, computed, status: decideStatus(findings, input.paid) };
}
