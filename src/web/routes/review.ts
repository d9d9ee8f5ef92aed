// The reviewer's pages (role reviewer, or admin): the queue of cases ready for review, oldest first; one
// case with what the review mail shows (summary, computed figures, reviewer findings, the experience
// timeline, the original attachments viewable) and the decision form, which calls the same entry point as
// `conken review` (src/app/review.ts); the register of holders, searchable, exportable as CSV for Excel.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { reviewCase, ReviewError, type ReviewAction } from '../../app/review.ts';
import { exportRegisterCsv, HOLDER_STATUS_LABELS, HolderStatusError, listHolders, registerCheckOf, setHolderStatus, showHolder } from '../../app/register.ts';
import { RegisterStore, HOLDER_STATUSES, RECORDED_HOLDER_STATUSES, type HolderFilter, type HolderStatus, type RecordedHolderStatus } from '../../cases/register-store.ts';
import type { AttachmentRow, CaseRow } from '../../cases/case-store.ts';
import { summariserFor } from '../../outbound/summaries/index.ts';
import { checkCertificateLayout } from '../../outbound/certificate-layout.ts';
import { contentDisposition, INLINE_TYPES, sendStoredFile } from './file-response.ts';
import { CODE_LABELS, KIND_LABELS, STATUS_LABELS, bytes, tokyoDateTime, tokyoDay } from '../labels.ts';

const ACTION_LABELS: Record<string, string> = { approve: '承認', reject: '不承認', return: '申請者へ質問' };

type Params = { number: string };

function reviewerOf(request: FastifyRequest): string {
  return `${request.user!.role === 'admin' ? 'admin' : 'reviewer'}:${request.user!.login}`;
}

export function registerReviewRoutes(server: FastifyInstance): void {
  const wb = server.workbench;
  const { app } = wb;
  const register = new RegisterStore(app.db);
  const caseOf = (n: string): CaseRow | undefined => app.cases.caseByNumber(String(n).normalize('NFKC').trim().toUpperCase());
  const notFound = (request: FastifyRequest, reply: FastifyReply) => wb.page(request, reply, 'not-found', { title: 'ありません' }, 404);

  // The certificate's layout, checked when the workbench starts (conken start, conken web): broken, the
  // review part does not open — every review page says which file and what is wrong — while the rest of
  // the workbench (and the daemon's intake) goes on. Checked again on each review request while broken
  // (a small YAML file and a font's first bytes), so a fixed file reopens the review without a restart;
  // each approval checks it once more before it draws a certificate.
  let layout = checkCertificateLayout(app.config.templatesDir);
  if (!layout.ok) app.log.error({ file: layout.file, problem: layout.problem }, layout.message);
  const reviewClosed = (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> | null => {
    if (!layout.ok) layout = checkCertificateLayout(app.config.templatesDir);
    if (layout.ok) return null;
    return wb.page(request, reply, 'review-unavailable', { title: '審査を停止しています', file: layout.file, problem: layout.problem }, 503);
  };

  server.get('/review', { config: { roles: ['reviewer'] } }, async (request, reply) => {
    const closed = reviewClosed(request, reply);
    if (closed) return closed;
    const rows = register.reviewQueue().map((r) => {
      const pending = r.review_json ? (JSON.parse(r.review_json) as { firstApproval?: { by: string } }).firstApproval : undefined;
      return { number: r.number, kind: KIND_LABELS[r.kind] ?? r.kind, received: tokyoDay(r.received_at), pendingBy: pending?.by ?? null };
    });
    return wb.page(request, reply, 'review-queue', { title: '審査待ちの案件', rows });
  });

  function casePage(request: FastifyRequest, reply: FastifyReply, c: CaseRow, extra: Record<string, unknown> = {}, status = 200) {
    const application = c.application_json ? (JSON.parse(c.application_json) as Record<string, unknown>) : null;
    const computed = c.computed_json ? (JSON.parse(c.computed_json) as Record<string, unknown>) : {};
    const summary = application ? summariserFor(c.kind)(application, computed) : { fieldsTable: '', sections: [] };
    const findings = app.cases.currentFindings(c.id);
    const state = register.reviewStateOf(c.id);
    const holder = register.holderOfCase(c.id);
    return wb.page(request, reply, 'review-case', {
      title: `審査 ${c.number}`, number: c.number, kind: KIND_LABELS[c.kind] ?? c.kind, status: c.status, statusLabel: STATUS_LABELS[c.status] ?? c.status,
      received: tokyoDateTime(c.received_at), summary,
      reviewerFindings: findings.filter((f) => f.audience === 'reviewer').map((f) => ({ code: CODE_LABELS[f.code] ?? f.code, message: f.message })),
      otherFindings: findings.filter((f) => f.audience !== 'reviewer').map((f) => ({ code: CODE_LABELS[f.code] ?? f.code, message: f.message })),
      attachments: app.cases.caseAttachments(c.id).map((a: AttachmentRow) => ({ id: a.id, filename: a.filename, size: bytes(a.size), role: a.role, inline: !!INLINE_TYPES[a.detected_type] })),
      reasons: app.rules.review.rejectionReasons, pendingBy: state?.firstApproval?.by ?? null, fourEyes: app.rules.review.requireSecondApproval,
      holder: holder ? { number: holder.certification_number, from: holder.valid_from, to: holder.valid_to } : null,
      registerCheck: registerCheckOf(app, c),
      typed: {}, ...extra,
    }, status);
  }

  server.get<{ Params: Params }>('/review/:number', { config: { roles: ['reviewer'] } }, async (request, reply) => {
    const closed = reviewClosed(request, reply);
    if (closed) return closed;
    const c = caseOf(request.params.number);
    if (!c) return notFound(request, reply);
    wb.record(request, 'review.view', { caseNumber: c.number });
    return casePage(request, reply, c);
  });

  server.post<{ Params: Params; Body: Record<string, string> }>('/review/:number/decide', { config: { roles: ['reviewer'] } }, async (request, reply) => {
    const closed = reviewClosed(request, reply);
    if (closed) return closed;
    const c = caseOf(request.params.number);
    if (!c) return notFound(request, reply);
    const body = request.body ?? {};
    const action = String(body.action ?? '') as ReviewAction;
    try {
      const r = await reviewCase(app, c.number, {
        action, reviewer: reviewerOf(request), address: request.ip,
        ...(body.reason ? { reason: String(body.reason) } : {}), ...(body.text ? { text: String(body.text) } : {}),
      });
      request.session.flash = r.awaitingSecondApproval
        ? `${r.case} の承認を記録しました。別の審査担当者の確認で確定します。`
        : `${r.case} を${ACTION_LABELS[action] ?? action}としました（${STATUS_LABELS[r.status] ?? r.status}）。${r.certificationNumber ? `認定番号 ${r.certificationNumber}、有効期間 ${r.validFrom}〜${r.validTo}。` : ''}${r.notices.length ? '申請者へのメールを送信待ちにしました。' : ''}`;
      return reply.redirect('/review', 303);
    } catch (error) {
      if (!(error instanceof ReviewError)) throw error;
      // Decided meanwhile by someone else (or a missing reason): the page again, with why.
      return casePage(request, reply, caseOf(c.number)!, { actionError: error.message, typed: { action, reason: body.reason ?? '', text: body.text ?? '' } }, 409);
    }
  });

  server.get<{ Params: Params & { id: string } }>('/review/:number/attachments/:id', { config: { roles: ['reviewer'] } }, async (request, reply) => {
    const c = caseOf(request.params.number);
    const a = c && app.cases.caseAttachments(c.id).find((x) => String(x.id) === request.params.id);
    if (!c || !a) return notFound(request, reply);
    wb.record(request, 'attachment.view', { caseNumber: c.number, target: String(a.id) });
    return sendStoredFile(reply, a.detected_type, a.filename, app.files.get(a.store_path));
  });

  const filterOf = (q: Record<string, string | undefined>): HolderFilter => ({
    ...(q.q?.trim() ? { query: q.q.trim() } : {}),
    ...(q.qualification && app.rules.review.qualifications[q.qualification] ? { qualification: q.qualification } : {}),
    ...(q.expiryYear && /^\d{4}$/.test(q.expiryYear) ? { expiryYear: Number(q.expiryYear) } : {}),
    ...(q.status && (HOLDER_STATUSES as readonly string[]).includes(q.status) ? { status: q.status as HolderStatus } : {}),
  });

  server.get<{ Querystring: Record<string, string | undefined> }>('/register', { config: { roles: ['reviewer', 'staff'] } }, async (request, reply) => {
    const filter = filterOf(request.query);
    const rows = listHolders(app, { ...filter, limit: 500 }).map((h) => ({ ...h, statusLabel: HOLDER_STATUS_LABELS[h.status] ?? h.status }));
    return wb.page(request, reply, 'review-register', {
      title: '認定者名簿', rows, query: request.query, qualifications: Object.keys(app.rules.review.qualifications), statuses: HOLDER_STATUSES.map((s) => ({ value: s, label: HOLDER_STATUS_LABELS[s] })),
      exportQuery: new URLSearchParams(Object.entries(request.query).filter((e): e is [string, string] => !!e[1])).toString(),
    });
  });

  // One holder: data, the history (the cases that certified or renewed them, each change of the recorded
  // state with its reason), and for a reviewer or admin the form recording revoked / lapsed / active again.
  function holderPage(request: FastifyRequest, reply: FastifyReply, number: string, extra: Record<string, unknown> = {}, status = 200) {
    const d = showHolder(app, number);
    if (!d) return notFound(request, reply);
    const role = request.user!.role;
    return wb.page(request, reply, 'review-holder', {
      title: `認定者 ${d.holder.certification_number}`, holder: { ...d.holder, statusLabel: HOLDER_STATUS_LABELS[d.holder.status] }, cases: d.cases,
      statusChanges: d.statusChanges.map((c) => ({ day: tokyoDay(c.at), by: c.by, from: HOLDER_STATUS_LABELS[c.previous], to: HOLDER_STATUS_LABELS[c.status], reason: c.reason })),
      canChangeStatus: role === 'reviewer' || role === 'admin',
      statusChoices: RECORDED_HOLDER_STATUSES.filter((s) => s !== d.holder.recorded_status).map((s) => ({ value: s, label: HOLDER_STATUS_LABELS[s] })),
      typed: {}, ...extra,
    }, status);
  }

  server.get<{ Params: Params }>('/register/holders/:number', { config: { roles: ['reviewer', 'staff'] } }, async (request, reply) => holderPage(request, reply, request.params.number));

  // Recording a holder revoked, lapsed or active again is consequential (no renewal, no reminder; a renewal
  // becomes a staff finding): the first POST only checks and shows a confirmation, the second (confirmed)
  // records it through the same entry point as `conken registry set-status`.
  server.post<{ Params: Params; Body: Record<string, string> }>('/register/holders/:number/status', { config: { roles: ['reviewer'] } }, async (request, reply) => {
    const body = request.body ?? {};
    const status = String(body.status ?? '') as RecordedHolderStatus;
    const reason = String(body.reason ?? '');
    const input = { status, reason, by: reviewerOf(request), address: request.ip };
    try {
      if (body.confirmed !== 'yes') {
        const r = setHolderStatus(app, request.params.number, { ...input, dryRun: true });
        return holderPage(request, reply, request.params.number, { confirm: { status, label: HOLDER_STATUS_LABELS[status], from: HOLDER_STATUS_LABELS[r.previous], reason: reason.trim() }, typed: { status, reason } });
      }
      const r = setHolderStatus(app, request.params.number, input);
      request.session.flash = `認定番号 ${r.certificationNumber} を「${HOLDER_STATUS_LABELS[r.status]}」として記録しました（以前：${HOLDER_STATUS_LABELS[r.previous]}）。`;
      return reply.redirect(`/register/holders/${encodeURIComponent(r.certificationNumber)}`, 303);
    } catch (error) {
      if (!(error instanceof HolderStatusError)) throw error;
      return holderPage(request, reply, request.params.number, { actionError: error.message, typed: { status, reason } }, 409);
    }
  });

  server.get<{ Querystring: Record<string, string | undefined> }>('/register/export.csv', { config: { roles: ['reviewer', 'staff'] } }, async (request, reply) => {
    wb.record(request, 'register.export');
    return reply.type('text/csv; charset=utf-8').header('content-disposition', contentDisposition('attachment', '認定者名簿.csv')).header('cache-control', 'private, no-store')
      .send(exportRegisterCsv(listHolders(app, { ...filterOf(request.query), limit: 1_000_000 })));
  });
}
