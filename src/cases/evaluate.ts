// One evaluation of a case: the kind's validator, plus what we know about the mail (intake findings)
// and the fee, folded into findings and a status. Pure: data, rules and the date of receipt in.
import type { ApplicationBase } from '../extract/forms/form-kind.ts';
import type { IntakeRules, KindRules } from '../config/rules.ts';
import { validatorFor } from '../validate/index.ts';
import type { Channel, SupportingDocument } from '../validate/validator.ts';
import { applicantAndStaff, finding, type Finding } from '../validate/findings.ts';
import { decideStatus, type CaseStatus } from './status.ts';
import { unconfirmedFindings } from '../validate/unconfirmed.ts';
import type { IsoDate } from '../shared/calendar.ts';

export interface EvaluationInput {
  kind: string;
  application: ApplicationBase | null;
  received: IsoDate;
  proofCount: number;
  documents: readonly SupportingDocument[];
  intakeFindings: readonly Finding[];
  paid: boolean;
  /** Staff findings the payment matching left on the case (payment.ambiguous, payment.amount-mismatch). */
  paymentFindings?: readonly Finding[];
  /** Findings a person decided on (e.g. a late application accepted): left out of this evaluation. */
  handled?: readonly HandledFinding[];
  /** How the application came (default mail): a paper form's contact is its postal address. */
  channel?: Channel;
}

/** A staff or reviewer finding a person marked handled, with why. */
export interface HandledFinding {
  code: string;
  field: string | null;
  reason: string;
  by: string;
  at: string;
}

/** Is this finding one a person has handled? Applicant findings never are: only the applicant can fix those. */
export function isHandled(f: Finding, handled: readonly HandledFinding[] | undefined): boolean {
  return !!handled?.length && f.audience !== 'applicant' && handled.some((h) => h.code === f.code && h.field === (f.field ?? null));
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

/** The rules an evaluation reads: the intake's OCR threshold and each kind's rule file. */
export interface EvaluationRules {
  intake: Pick<IntakeRules, 'ocr'>;
  kinds: Record<string, KindRules>;
}

export function evaluate(rules: EvaluationRules, input: EvaluationInput): Evaluation {
  const findings: Finding[] = [...input.intakeFindings];
  let computed: Record<string, unknown> = {};
  const kindRules = rules.kinds[input.kind];
  const validator = validatorFor(input.kind);
  if (!input.application) {
    // A scan or photo we cannot read yet may well be the form: staff read it, the applicant is not asked again.
    const unread = input.documents.filter((d) => !d.facts.read);
    if (unread.length > 0) {
      findings.push(finding('form.not-found', 'staff', `申請書を自動で読み取れませんでした。画像・スキャンの添付（${unread.map((d) => d.filename).join('、')}）が申請書か確認し、内容を入力してください。`));
    } else findings.push(...formNotFound(kindRules?.label ?? ''));
  } else if (validator && kindRules) {
    const result = validator.validate(input.application, kindRules, { received: input.received, proofCount: input.proofCount, documents: input.documents, channel: input.channel ?? 'mail' });
    const unconfirmed = unconfirmedFindings(input.application, rules.intake.ocr.minConfidence);
    // While a value read by OCR is unconfirmed, what the applicant would be told may rest on a misread:
    // staff confirm first, and the applicant hears from the evaluation that follows.
    findings.push(...unconfirmed, ...result.findings.filter((f) => unconfirmed.length === 0 || f.audience !== 'applicant'));
    computed = result.computed;
  }
  if (!input.paid) findings.push(...(input.paymentFindings ?? []));
  const open = input.handled?.length ? findings.filter((f) => !isHandled(f, input.handled)) : findings;
  return { findings: open, computed, status: decideStatus(open, input.paid) };
}
