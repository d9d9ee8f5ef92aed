// Postal applications: staff upload the scanned paper form (PDF or pictures, several files at once) with the
// day it arrived; src/app/postal-intake.ts makes it a case through the intake's own pipeline. The upload is a
// multipart form: it is read before the CSRF check (which needs the token from the body), and only for a
// signed-in user, within the multipart limits the server sets (size per file, number of files).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { POSTAL_KINDS, PostalError, receivePostal, receivePostalReply } from '../../app/postal-intake.ts';
import { KIND_LABELS, STATUS_LABELS } from '../labels.ts';
import { tokyoDate } from '../../shared/calendar.ts';

interface UploadBody { _csrf?: string; kind?: string; receivedOn?: string; caseNumber?: string; files: { filename: string; content: Buffer }[] }

const FIELDS = ['_csrf', 'kind', 'receivedOn', 'caseNumber'] as const;

function actorOf(request: FastifyRequest): string {
  return `${request.user!.role === 'admin' ? 'admin' : 'staff'}:${request.user!.login}`;
}

export function registerPostalRoutes(server: FastifyInstance): void {
  const wb = server.workbench;
  const { app } = wb;
  const kinds = POSTAL_KINDS.filter((k) => app.rules.kinds[k]).map((k) => ({ kind: k, label: KIND_LABELS[k] ?? k }));
  const form = (typed: Partial<UploadBody> = {}, replyTyped: Partial<UploadBody> = {}) => ({ title: '郵送の申請', kinds, today: tokyoDate(new Date()), typed, replyTyped });
  // The body (fields and files) before the preHandlers: the CSRF token is one of its fields.
  const readUpload = async (request: FastifyRequest) => {
    if (!request.session?.userId || !request.isMultipart()) return;
    const body: UploadBody = { files: [] };
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        const content = await part.toBuffer();
        if (part.filename && content.length) body.files.push({ filename: part.filename, content });
      } else if ((FIELDS as readonly string[]).includes(part.fieldname)) {
        body[part.fieldname as (typeof FIELDS)[number]] = String(part.value ?? '');
      }
    }
    request.body = body;
  };

  // ?case=R-…: the case page's link to attach a posted reply, its number filled in.
  server.get<{ Querystring: { case?: string } }>('/postal', { config: { roles: ['staff'] } }, async (request, reply) => {
    const number = typeof request.query.case === 'string' ? request.query.case.normalize('NFKC').trim().toUpperCase().slice(0, 40) : '';
    return wb.page(request, reply, 'postal', form({}, number ? { caseNumber: number } : {}));
  });

  server.post<{ Body: UploadBody }>('/postal', {
    config: { roles: ['staff'] },
    preValidation: readUpload,
  }, async (request, reply) => {
    const body = request.body ?? { files: [] };
    try {
      const r = await receivePostal(app, { kind: String(body.kind ?? ''), receivedOn: String(body.receivedOn ?? '').trim(), files: body.files ?? [] }, actorOf(request));
      const c = r.cases[0]!;
      wb.record(request, 'postal.upload', { caseNumber: c.number, detail: { files: body.files.length, contact: r.contact } });
      request.session.flash = `郵送の申請を ${c.number} として登録しました（${STATUS_LABELS[c.status] ?? c.status}）。${r.contact === 'print' ? '申請書にメールアドレスがないため、通知は印刷して郵送してください。' : '通知は申請書のメールアドレスに送ります。'}`;
      return reply.redirect(`/cases/${c.number}`, 303);
    } catch (error) {
      if (!(error instanceof PostalError)) throw error;
      return wb.page(request, reply, 'postal', { ...form({ kind: body.kind, receivedOn: body.receivedOn }), actionError: error.message }, 422);
    }
  });

  // The applicant posted their reply (missing documents, a corrected form): the scans join the case named,
  // as a mail reply would (src/app/postal-intake.ts receivePostalReply).
  server.post<{ Body: UploadBody }>('/postal/reply', { config: { roles: ['staff'] }, preValidation: readUpload }, async (request, reply) => {
    const body = request.body ?? { files: [] };
    try {
      const r = await receivePostalReply(app, { caseNumber: String(body.caseNumber ?? ''), receivedOn: String(body.receivedOn ?? '').trim(), files: body.files ?? [] }, actorOf(request));
      const c = r.cases[0]!;
      wb.record(request, 'postal.reply', { caseNumber: c.number, detail: { files: body.files.length } });
      request.session.flash = `郵送の返信を ${c.number} に追加しました（${STATUS_LABELS[c.status] ?? c.status}）。`;
      return reply.redirect(`/cases/${c.number}`, 303);
    } catch (error) {
      if (!(error instanceof PostalError)) throw error;
      return wb.page(request, reply, 'postal', { ...form({}, { caseNumber: body.caseNumber, receivedOn: body.receivedOn }), replyError: error.message }, 422);
    }
  });
}
