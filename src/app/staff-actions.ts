// What staff do to a case besides confirming values (confirm-field.ts), each one case transition called the
// same way from the CLI and the workbench: mark a staff finding handled with the reason (a late application
// accepted, a text-only reply read), send a notice again, and leave a note on the case's history.
import type { App } from './context.ts';
import { commitCaseChanges } from './deferred-notices.ts';
import { casePaid, handledFindingsOf, paymentFindingsOf } from './payment-state.ts';
import { decideTransition, NOTICE_NAMES, TransitionRefused, type CaseTrigger, type NoticeName } from '../cases/transition.ts';
import type { CaseRow } from '../cases/case-store.ts';
import type { CaseStatus } from '../cases/status.ts';

export class StaffActionError extends Error {}

export interface StaffActionResult {
  case: string;
  status: CaseStatus;
  previous: CaseStatus;
  notices: string[];
}

/** The case and the transition, applied in one transaction; a refused transition becomes a clear message. */
function transition(app: App, caseNumber: string, trigger: (row: CaseRow) => CaseTrigger, now: Date): StaffActionResult {
  return commitCaseChanges(app, () => {
    const row = app.cases.caseByNumber(caseNumber);
    if (!row) throw new StaffActionError(`受付番号 ${caseNumber} の案件はありません`);
    let decision;
    try {
      decision = decideTransition({
        status: row.status, findings: app.cases.currentFindings(row.id), noticesSuppressed: row.notices_suppressed === 1,
        paid: casePaid(app, row.id, app.rules.kinds[row.kind]?.fee), paymentFindings: paymentFindingsOf(row), handled: handledFindingsOf(row),
      }, trigger(row), app.rules);
    } catch (error) {
      if (error instanceof TransitionRefused) throw new StaffActionError(`${row.number}: ${refusalInJapanese(error.message)}`);
      throw error;
    }
    const [applied] = app.writer.apply([{ case: row, decision }], now);
    return { case: row.number, status: applied!.status, previous: row.status, notices: applied!.notices };
  });
}

function refusalInJapanese(reason: string): string {
  if (reason.startsWith('no open staff')) return 'その確認事項はこの案件にありません（申請者が直す項目は処理済みにできません）';
  if (reason.startsWith('a reason')) return '理由を入力してください';
  if (reason.startsWith('the case is decided')) return '審査済みの案件です';
  if (reason.startsWith('mail to the applicant is held')) return 'この案件は申請者へのメールを止めています';
  if (reason.startsWith('the notice')) return 'この案件の現在の状態では、その通知は送れません';
  return reason;
}

/** Staff decide on a staff finding (code and, where it has one, the field): it leaves the case for good. */
export function handleFinding(app: App, caseNumber: string, code: string, field: string | null, reason: string, actor: string, now = new Date()): StaffActionResult {
  return transition(app, caseNumber, () => ({ type: 'finding-handled', code, field, reason: reason.trim(), actor, at: now.toISOString() }), now);
}

/** Staff send a notice of the case again (with a new Message-ID: it is a new mail). */
export function resendNotice(app: App, caseNumber: string, notice: string, actor: string, now = new Date()): StaffActionResult {
  if (!(NOTICE_NAMES as readonly string[]).includes(notice)) throw new StaffActionError(`通知 ${notice} はありません（${NOTICE_NAMES.join(', ')}）`);
  return transition(app, caseNumber, () => ({ type: 'notice-resent', notice: notice as NoticeName, actor }), now);
}

/** A note on the case's history: no change of the case, kept with its events (it may name people: never logged). */
export function addCaseNote(app: App, caseNumber: string, text: string, actor: string): void {
  const note = text.trim();
  if (!note) throw new StaffActionError('メモが空です');
  if (note.length > 4000) throw new StaffActionError('メモが長すぎます（4000文字まで）');
  const row = app.cases.caseByNumber(caseNumber);
  if (!row) throw new StaffActionError(`受付番号 ${caseNumber} の案件はありません`);
  app.cases.addEvent({ caseId: row.id, actor, type: 'case.note', data: { text: note } });
}
