// The reviewer's decision on a case ready for review — approve, reject with a reason, or return it to the
// applicant with a question — one entry point for the CLI (`conken review`) and the workbench. A decision
// is a case transition (src/cases/transition.ts: decided once; four eyes when rules/review.yaml asks);
// an approval also writes the register of holders (a new number for a certification, a longer validity for
// a renewal) and keeps the certificate PDF with the case, all in the transaction that decides; the result
// mail (with the certificate) is composed after the commit like every notice. Audited.
import { rmSync } from 'node:fs';
import type { App } from './context.ts';
import { commitCaseChanges } from './deferred-notices.ts';
import { casePaid, handledFindingsOf, paymentFindingsOf } from './payment-state.ts';
import { decideTransition, TransitionRefused, type CaseTrigger, type NoticeExtra } from '../cases/transition.ts';
import { RegisterStore, type HolderRow } from '../cases/register-store.ts';
import { AuditLog } from '../cases/audit-log.ts';
import type { CaseRow } from '../cases/case-store.ts';
import type { CaseStatus } from '../cases/status.ts';
import { formatCertificationNumber } from '../config/review-rules.ts';
import { fiscalYearOf, renewalPeriodFor, renewedValidity, tokyoDate } from '../shared/calendar.ts';
import { CertificateError, japaneseDate, loadCertificateLayout, renderCertificate, type CertificateFacts } from '../outbound/certificate.ts';

export type ReviewAction = 'approve' | 'reject' | 'return';
export const REVIEW_ACTIONS: readonly ReviewAction[] = ['approve', 'reject', 'return'];

export interface ReviewInput {
  action: ReviewAction;
  /** Who decides, e.g. 'reviewer:ito' (the workbench login or the CLI's user). */
  reviewer: string;
  /** A rejection's reason: a code of rules/review.yaml's rejectionReasons. */
  reason?: string;
  /** A rejection's free text, or the question of a return. */
  text?: string;
  /** Where the decision came from, for the audit log ('cli' or the client's address). */
  address?: string;
}

export interface ReviewResult {
  case: string;
  previous: CaseStatus;
  status: CaseStatus;
  notices: string[];
  /** Four eyes: the approval is recorded and waits for a second reviewer. */
  awaitingSecondApproval?: boolean;
  certificationNumber?: string;
  validFrom?: string;
  validTo?: string;
}

export class ReviewError extends Error {}

/** What an approval grants: the holder's number and validity, and the certificate that says so. */
interface Grant {
  kind: 'certified' | 'renewed';
  holder: HolderRow | undefined;
  qualification: string;
  name: string;
  nameKana: string | null;
  email: string | null;
  certificationNumber: string;
  validFrom: string;
  validTo: string;
}

function refusal(reason: string): string {
  if (reason.startsWith('the case is decided already')) return `審査済みの案件です（${reason.includes('approved') ? '承認' : '不承認'}）。結果は既に決まっています`;
  if (reason.startsWith('the case waits')) return '申請者へ質問を送っており、回答を待っています';
  if (reason.startsWith('the case is not ready')) return '審査待ちの案件ではありません（書類・入金の確認中です）';
  if (reason.startsWith('the same reviewer')) return 'この承認は既にあなたが行っています。別の審査担当者の確認が必要です';
  if (reason.startsWith('a reason')) return '不承認の理由を選んでください';
  if (reason.startsWith('a question')) return '申請者への質問を入力してください';
  if (reason.startsWith('mail to the applicant is held')) return 'この案件は申請者へのメールを止めているため、質問を送れません';
  return reason;
}

function applicationOf(row: CaseRow): Record<string, unknown> {
  return row.application_json ? (JSON.parse(row.application_json) as Record<string, unknown>) : {};
}

function text(v: unknown): string | null {
  return typeof v === 'string' && v.trim() ? v.trim() : null;
}

/** The number and validity an approval of this case grants (from the form, the register and the calendar). */
function grantOf(app: App, register: RegisterStore, row: CaseRow): Grant {
  const a = applicationOf(row);
  const qualification = text(a.qualification);
  const name = text(a.name);
  if (!qualification || !name) throw new ReviewError(`${row.number}: 申請書の資格または氏名が読めていないため、承認できません`);
  const base = { qualification, name, nameKana: text(a.nameKana), email: text(a.email) ?? row.applicant_address };
  const format = (seq: number, year: number) => formatCertificationNumber(app.rules.review.certificationNumber.pattern, qualification, year, seq);
  if (row.kind === 'renewal') {
    const number = text(a.certificationNumber)?.normalize('NFKC').toUpperCase();
    if (!number) throw new ReviewError(`${row.number}: 認定番号が読めていないため、承認できません`);
    const holder = register.holderByNumber(number);
    // Three fiscal years from the end of the current validity (the register's, else the period the renewal reports on).
    const currentEnd = holder?.valid_to ?? renewalPeriodFor(tokyoDate(new Date(row.received_at))).end;
    const renewed = renewedValidity(currentEnd);
    return { ...base, kind: 'renewed', holder, certificationNumber: number, validFrom: renewed.start, validTo: renewed.end };
  }
  const computed = row.computed_json ? (JSON.parse(row.computed_json) as { firstValidity?: { start: string; end: string } | null }) : {};
  const validity = computed.firstValidity;
  if (!validity) throw new ReviewError(`${row.number}: 最初の認定期間を計算できません（試験結果報告書の発行日が読めていません）`);
  const year = fiscalYearOf(validity.start);
  return { ...base, kind: 'certified', holder: undefined, certificationNumber: register.peekNumber(qualification, year, (seq) => format(seq, year)), validFrom: validity.start, validTo: validity.end };
}

function qualificationName(app: App, q: string): string {
  return app.rules.review.qualifications[q]?.name ?? q;
}

/**
 * Decides a case. Throws ReviewError with a message for the reviewer when the decision does not apply
 * (a case decided already — the second of two reviewers —, not ready, a missing reason or question).
 */
export async function reviewCase(app: App, caseNumber: string, input: ReviewInput, now = new Date()): Promise<ReviewResult> {
  if (!REVIEW_ACTIONS.includes(input.action)) throw new ReviewError(`操作 ${input.action} はありません（approve, reject, return）`);
  const register = new RegisterStore(app.db);
  const rules = app.rules.review;
  const at = now.toISOString();
  let reasonLabel: string | undefined;
  if (input.action === 'reject') {
    if (!input.reason) throw new ReviewError(`不承認の理由を選んでください（${rules.rejectionReasons.map((r) => r.code).join(', ')}）`);
    reasonLabel = rules.rejectionReasons.find((r) => r.code === input.reason)?.label;
    if (!reasonLabel) throw new ReviewError(`不承認の理由 ${input.reason} はありません（${rules.rejectionReasons.map((r) => r.code).join(', ')}）`);
  }
  const found = app.cases.caseByNumber(caseNumber);
  if (!found) throw new ReviewError(`受付番号 ${caseNumber} の案件はありません`);

  // An approval that decides draws its certificate first (the PDF takes a moment; the transaction must not
  // wait for it) with the number it will be given; the transaction checks the number still holds.
  for (let attempt = 0; ; attempt++) {
    const row = app.cases.caseByNumber(caseNumber)!;
    const state = register.reviewStateOf(row.id);
    const decides = input.action === 'approve' && row.status === 'ready-for-review' && (!rules.requireSecondApproval || (!!state?.firstApproval && state.firstApproval.by !== input.reviewer));
    let grant: Grant | undefined;
    let certificate: { path: string; sha256: string; size: number; filename: string } | undefined;
    if (decides) {
      grant = grantOf(app, register, row);
      const facts: CertificateFacts = {
        name: grant.name, qualification: grant.qualification, qualificationName: qualificationName(app, grant.qualification),
        certificationNumber: grant.certificationNumber, validFrom: grant.validFrom, validTo: grant.validTo, issuedOn: tokyoDate(now),
      };
      let pdf: Uint8Array;
      try {
        pdf = await renderCertificate(loadCertificateLayout(app.config.templatesDir), facts);
      } catch (error) {
        // A layout staff broke (or a font gone) stops the approval with why, before anything is decided.
        if (error instanceof CertificateError) throw new ReviewError(`${row.number}: 認定書を作成できません（${error.message}）。${error.file} を確認してください`);
        throw error;
      }
      const stored = app.files.put(pdf, '.pdf');
      certificate = { ...stored, size: pdf.length, filename: `認定書_${grant.certificationNumber}.pdf` };
    }
    try {
    return commitCaseChanges(app, (): ReviewResult => {
      const c = app.cases.caseByNumber(caseNumber)!;
      let notice: NoticeExtra | undefined;
      if (grant && certificate) {
        if (grant.kind === 'certified') {
          const year = fiscalYearOf(grant.validFrom);
          const number = register.allocateNumber(grant.qualification, year, (seq) => formatCertificationNumber(rules.certificationNumber.pattern, grant!.qualification, year, seq));
          // Another approval took the number meanwhile: draw the certificate again with the next one.
          if (number !== grant.certificationNumber) throw new Retry();
        }
        notice = {
          view: { certificationNumber: grant.certificationNumber, qualification: grant.qualification, qualificationName: qualificationName(app, grant.qualification), validFrom: japaneseDate(grant.validFrom), validTo: japaneseDate(grant.validTo) },
          attachments: [{ filename: certificate.filename, storePath: certificate.path, contentType: 'application/pdf' }],
        };
      } else if (input.action === 'reject') {
        notice = { view: { reason: reasonLabel!, reasonText: input.text?.trim() ?? '' } };
      }
      const trigger: CaseTrigger = {
        type: 'review-decision', decision: input.action === 'approve' ? 'approved' : input.action === 'reject' ? 'rejected' : 'returned',
        reviewer: input.reviewer, at, ...(input.reason ? { reason: input.reason } : {}), ...(input.text?.trim() ? { text: input.text.trim() } : {}),
        secondApprovalRequired: rules.requireSecondApproval, ...(notice ? { notice } : {}),
      };
      let decision;
      try {
        decision = decideTransition({
          status: c.status, findings: app.cases.currentFindings(c.id), noticesSuppressed: c.notices_suppressed === 1,
          paid: casePaid(app, c.id, app.rules.kinds[c.kind]?.fee), paymentFindings: paymentFindingsOf(c), handled: handledFindingsOf(c), review: register.reviewStateOf(c.id),
        }, trigger, app.rules);
      } catch (error) {
        if (error instanceof TransitionRefused) throw new ReviewError(`${c.number}: ${refusal(error.message)}`);
        throw error;
      }
      // The case moved between the certificate and now (another reviewer's first approval): draw again.
      if ((decision.status === 'approved') !== !!grant) throw new Retry();
      if (grant && certificate && decision.status === 'approved') {
        if (grant.kind === 'certified') register.certify(c.id, grant, at);
        else if (grant.holder) register.renew(grant.holder.id, c.id, grant.validFrom, grant.validTo, at);
        // A renewal of a holder the register does not know yet (the register may be incomplete): added now.
        else register.certify(c.id, grant, at, 'renewed');
        const messageId = c.origin_message_id ?? app.cases.caseMessages(c.id)[0]?.id;
        if (messageId !== undefined) register.addCertificate(c.id, messageId, { filename: certificate.filename, size: certificate.size, sha256: certificate.sha256, storePath: certificate.path });
      }
      const [applied] = app.writer.apply([{ case: c, decision }], now);
      new AuditLog(app.db).record({ login: input.reviewer, action: `review.${input.action}`, caseNumber: c.number, address: input.address ?? null, at,
        detail: { status: applied!.status, ...(input.reason ? { reason: input.reason } : {}), ...(grant && decision.status === 'approved' ? { certificationNumber: grant.certificationNumber } : {}) } });
      const pending = decision.status === 'ready-for-review' && input.action === 'approve';
      return {
        case: c.number, previous: c.status, status: applied!.status, notices: applied!.notices,
        ...(pending ? { awaitingSecondApproval: true } : {}),
        ...(grant && decision.status === 'approved' ? { certificationNumber: grant.certificationNumber, validFrom: grant.validFrom, validTo: grant.validTo } : {}),
      };
    });
    } catch (error) {
      // Rolled back: nothing of this attempt stays (the number's sequence included), nor its certificate
      // (it names a person) unless another attachment holds the same file.
      if (certificate && !register.isStoredFileReferenced(certificate.path)) rmSync(app.files.fullPath(certificate.path), { force: true });
      if (!(error instanceof Retry)) throw error;
      if (attempt >= 3) throw new ReviewError(`${caseNumber}: 他の審査と重なりました。もう一度お試しください`);
    }
  }
}

/** The case or the number moved between drawing the certificate and deciding: try again. */
class Retry extends Error {}
