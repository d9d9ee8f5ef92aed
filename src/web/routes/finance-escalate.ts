// Finance hand one candidate case of a payment under review (入金確認中) to staff, with a note: the case
// becomes a staff exception whose finding is the note (escalatePayment: the case transition, the same call as
// `conken payments escalate`). A POST with the CSRF token (the server adds the check to every POST), finance
// (and admin) only, audited; the note itself lives with the case's finding and event, not in the audit log.
import type { FastifyInstance } from 'fastify';
import { escalatePayment } from '../../app/finance-actions.ts';
import { importRunning } from '../../app/finance-imports.ts';
import { PaymentActionError } from '../../app/import-payments.ts';
import { STATUS_LABELS } from '../labels.ts';

export function registerFinanceEscalateRoutes(server: FastifyInstance): void {
  const wb = server.workbench;

  server.post<{ Params: { id: string }; Body: { case?: string; note?: string } }>('/finance/payments/:id/escalate', { config: { roles: ['finance'] } }, async (request, reply) => {
    const id = Number(request.params.id);
    const caseNumber = String(request.body?.case ?? '').normalize('NFKC').trim().toUpperCase();
    const back = `/finance/payments/${Number.isSafeInteger(id) ? id : 0}`;
    if (importRunning()) {
      return wb.page(request, reply, 'finance-escalate', { title: '事務局への確認依頼', back, error: '明細の取込中です。取込が終わってからもう一度お試しください。' }, 409);
    }
    let r;
    try {
      if (!caseNumber) throw new PaymentActionError('事務局に確認を依頼する案件を選んでください');
      r = escalatePayment(wb.app, id, caseNumber, String(request.body?.note ?? ''), request.user!.login);
    } catch (error) {
      if (!(error instanceof PaymentActionError)) throw error;
      return wb.page(request, reply, 'finance-escalate', { title: '事務局への確認依頼', back, error: error.message }, 422);
    }
    wb.record(request, 'finance.escalate', { caseNumber: r.case, target: `payment:${id}`, detail: { status: r.status } });
    request.session.flash = `${r.case} の確認を事務局に依頼しました（入金ID ${id}）。案件の状態：${STATUS_LABELS[r.status] ?? r.status}`;
    return reply.redirect(back, 303);
  });
}
