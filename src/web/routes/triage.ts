// Mail triage: a mail that became no case of its own (the queue's second tab) opened — headers, body, its
// attachments viewed as on the case page — and decided: a case of a chosen kind, the applicant's reply to an
// existing case, or dismissed with a reason. Every decision goes through src/app/mail-triage.ts (the same entry
// points as `conken triage`) and is audited; a refusal is shown on the page.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import mammoth from 'mammoth';
import { dismissMail, mailAttachment, openMail, triageAsCase, triageAsReply, TriageError, type MailView } from '../../app/mail-triage.ts';
import type { MailOutcome } from '../../app/process-mail.ts';
import { CLASSIFICATION_LABELS, KIND_LABELS, STATUS_LABELS, bytes, tokyoDateTime } from '../labels.ts';
import { INLINE_TYPES, sendDownload, sendInline } from './file-response.ts';

const ROLE_LABELS: Record<string, string> = { form: '申請書', 'form-page': '申請書（ページ）', document: '添付書類', unsupported: '対応外の形式', unreadable: '開けないファイル' };

interface Params { id: string }

function messageId(raw: string): number | null {
  return /^\d{1,12}$/.test(raw) ? Number(raw) : null;
}

function actorOf(request: FastifyRequest): string {
  return `${request.user!.role === 'admin' ? 'admin' : 'staff'}:${request.user!.login}`;
}

function mailPage(view: MailView, kinds: string[]) {
  const m = view.message;
  return {
    mail: {
      id: m.id, received: tokyoDateTime(m.received_at), classification: m.classification, label: CLASSIFICATION_LABELS[m.classification] ?? (m.classification === 'dismissed' ? '対応不要' : m.classification),
      note: m.note, from: view.parsed?.from ?? m.from_address, replyAddress: view.parsed?.replyAddress ?? null, subject: view.parsed?.subject ?? m.subject,
      date: view.parsed?.date ? tokyoDateTime(view.parsed.date.toISOString()) : null, messageId: view.parsed?.messageId ?? m.message_id, problems: view.parsed?.problems ?? [],
    },
    parseError: view.parseError, rawHeaders: view.rawHeaders, text: view.text,
    attachments: view.attachments.map((a) => ({ ...a, size: bytes(a.size), role: a.role ? ROLE_LABELS[a.role] ?? a.role : null, viewable: a.type in INLINE_TYPES || a.type === 'docx', image: a.type !== 'pdf' && a.type in INLINE_TYPES })),
    cases: view.cases.map((c) => ({ ...c, statusLabel: STATUS_LABELS[c.status] ?? c.status, roleLabel: c.role === 'original' ? '保留中の案件' : '返信先' })),
    triageable: view.triageable, canAnalyse: view.parsed !== null,
    kinds: kinds.map((k) => ({ kind: k, label: KIND_LABELS[k] ?? k })),
  };
}

function outcomeMessage(o: MailOutcome, how: string): string {
  return o.cases.map((c) => `メールを${how}: ${c.number}（${KIND_LABELS[c.kind] ?? c.kind}）は「${STATUS_LABELS[c.status] ?? c.status}」です。`).join(' ');
}

export function registerTriageRoutes(server: FastifyInstance): void {
  const wb = server.workbench;
  const { app } = wb;
  const kinds = () => Object.keys(app.rules.kinds);
  const notFound = (request: FastifyRequest, reply: FastifyReply) => wb.page(request, reply, 'not-found', { title: 'メールがありません' }, 404);

  async function show(request: FastifyRequest, reply: FastifyReply, id: number, extra: Record<string, unknown> = {}, status = 200) {
    const view = await openMail(app, id);
    return wb.page(request, reply, 'mail', { title: `メール ${id}`, tab: 'mails', ...mailPage(view, kinds()), ...extra }, status);
  }

  server.get<{ Params: Params }>('/mails/:id', { config: { roles: ['staff'] } }, async (request, reply) => {
    const id = messageId(request.params.id);
    if (id === null || !app.cases.messageById(id)) return notFound(request, reply);
    wb.record(request, 'mail.view', { target: String(id) });
    return show(request, reply, id);
  });

  server.get<{ Params: Params & { index: string } }>('/mails/:id/attachments/:index', { config: { roles: ['staff'] } }, async (request, reply) => {
    const id = messageId(request.params.id);
    const a = id === null ? undefined : await mailAttachment(app, id, Number(request.params.index));
    if (id === null || !a || !/^\d{1,4}$/.test(request.params.index)) return notFound(request, reply);
    wb.record(request, 'mail.attachment.view', { target: `${id}:${request.params.index}` });
    if (a.type === 'docx') {
      let text: string;
      try {
        text = (await mammoth.extractRawText({ buffer: a.content })).value;
      } catch {
        text = '';
      }
      return wb.page(request, reply, 'mail-attachment', { title: a.filename, mailId: id, index: request.params.index, filename: a.filename, text, viewable: true });
    }
    const type = INLINE_TYPES[a.type];
    if (!type) return wb.page(request, reply, 'mail-attachment', { title: a.filename, mailId: id, index: request.params.index, filename: a.filename, text: '', viewable: false }, 415);
    return sendInline(reply, type, a.filename, a.content);
  });

  server.get<{ Params: Params & { index: string } }>('/mails/:id/attachments/:index/download', { config: { roles: ['staff'] } }, async (request, reply) => {
    const id = messageId(request.params.id);
    const a = id === null ? undefined : await mailAttachment(app, id, Number(request.params.index));
    if (id === null || !a || !/^\d{1,4}$/.test(request.params.index)) return notFound(request, reply);
    wb.record(request, 'mail.attachment.download', { target: `${id}:${request.params.index}` });
    return sendDownload(reply, a.filename, a.content);
  });

  /** A triage decision: done (audited, then to where the work continues) or refused (shown on the mail's page). */
  async function decide(request: FastifyRequest<{ Params: Params; Body: Record<string, string> }>, reply: FastifyReply,
    act: (id: number, body: Record<string, string>) => Promise<{ audit: string; caseNumber: string | null; detail?: unknown; message: string; to: string }>) {
    const id = messageId(request.params.id);
    if (id === null || !app.cases.messageById(id)) return notFound(request, reply);
    const body = request.body ?? {};
    try {
      const done = await act(id, body);
      wb.record(request, done.audit, { caseNumber: done.caseNumber, target: String(id), detail: done.detail });
      request.session.flash = done.message;
      return reply.redirect(done.to, 303);
    } catch (error) {
      if (!(error instanceof TriageError)) throw error;
      wb.record(request, 'mail.triage-refused', { target: String(id), detail: { action: request.routeOptions.url } });
      return show(request, reply, id, { actionError: error.message, typed: body }, request.headers['hx-request'] ? 200 : 422);
    }
  }

  server.post<{ Params: Params; Body: Record<string, string> }>('/mails/:id/case', { config: { roles: ['staff'] } }, (request, reply) =>
    decide(request, reply, async (id, body) => {
      const kind = String(body.kind ?? '');
      const o = await triageAsCase(app, String(id), kind, actorOf(request));
      const number = o.cases[0]?.number ?? null;
      return { audit: 'mail.triage.case', caseNumber: number, detail: { kind }, message: outcomeMessage(o, '申請として受け付けました'), to: number ? `/cases/${number}` : '/queue/mails' };
    }));

  server.post<{ Params: Params; Body: Record<string, string> }>('/mails/:id/attach', { config: { roles: ['staff'] } }, (request, reply) =>
    decide(request, reply, async (id, body) => {
      const target = String(body.case ?? '').trim();
      if (!target) throw new TriageError('受付番号を入力してください');
      const o = await triageAsReply(app, String(id), target, actorOf(request));
      const number = o.cases[0]?.number ?? null;
      return { audit: 'mail.triage.attach', caseNumber: number, message: outcomeMessage(o, '返信として案件に加えました'), to: number ? `/cases/${number}` : '/queue/mails' };
    }));

  server.post<{ Params: Params; Body: Record<string, string> }>('/mails/:id/dismiss', { config: { roles: ['staff'] } }, (request, reply) =>
    decide(request, reply, async (id, body) => {
      const r = dismissMail(app, String(id), String(body.reason ?? ''), actorOf(request));
      // The reason may name people: the audit records the decision, the reason stays with the mail.
      return { audit: 'mail.triage.dismiss', caseNumber: r.held, message: `メールを対応不要として閉じました${r.held ? `（保留していた ${r.held} も対応済みにしました）` : ''}。`, to: '/queue/mails' };
    }));
}
