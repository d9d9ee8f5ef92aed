// Letters: the notices of applicants who gave no e-mail address (paper applications), which staff print and post
// instead of the daemon mailing them. The list of letters waiting to be printed, one letter's printable PDF
// (inline, drawn from the composed notice by src/app/letters.ts), and "posted" (a POST with the CSRF token,
// through the app's entry point and so the case writer; audited).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { letterPdf, LetterNotFound, lettersToPrint, markLetterPosted } from '../../app/letters.ts';
import { tokyoDateTime } from '../labels.ts';
import { sendInline } from './file-response.ts';

const CASE_NUMBER = /^[A-Z]-\d{4}-\d{6}$/;

/** What each notice is called on paper (the template names are for developers). */
export const LETTER_LABELS: Record<string, string> = {
  acknowledgement: '受付のお知らせ', 'missing-items': '不足事項のお願い', 'awaiting-payment': '手数料のお支払いのお願い', accepted: '受理のお知らせ',
  'payment-reminder': '手数料のお支払いの督促', 'review-approved': '審査結果（承認）', 'review-rejected': '審査結果（不承認）', 'review-question': '審査担当からの確認',
};

interface Params { number: string; id: string }

function actorOf(request: FastifyRequest): string {
  return `${request.user!.role === 'admin' ? 'admin' : 'staff'}:${request.user!.login}`;
}

/** The case number and letter id of a request, or nothing (a malformed one is simply not found). */
function target(params: Params): { number: string; id: number } | undefined {
  const number = params.number.normalize('NFKC').trim().toUpperCase();
  const id = Number(params.id.replace(/\.pdf$/, ''));
  return CASE_NUMBER.test(number) && Number.isSafeInteger(id) && id > 0 ? { number, id } : undefined;
}

export function registerLetterRoutes(server: FastifyInstance): void {
  const wb = server.workbench;
  const { app } = wb;
  const notFound = (request: FastifyRequest, reply: FastifyReply) => wb.page(request, reply, 'not-found', { title: '郵送する通知がありません' }, 404);

  server.get('/letters', { config: { roles: ['staff'] } }, async (request, reply) => {
    // The same entry point as `conken letters list`.
    const rows = lettersToPrint(app).map((l) => {
      const to = l.recipient;
      return { id: l.id, number: l.caseNumber, label: LETTER_LABELS[l.kind] ?? l.kind, subject: l.subject ?? '（作成待ち）', created: tokyoDateTime(l.createdAt), name: to?.name ?? '', address: to ? `${to.postalCode ? `〒${to.postalCode} ` : ''}${to.address}` : '' };
    });
    wb.record(request, 'letters.view', { detail: { waiting: rows.length } });
    return wb.page(request, reply, 'letters', { title: '印刷待ちの郵便', rows });
  });

  // The printable letter, inline in the browser's PDF viewer (and its own print button).
  server.get<{ Params: Params }>('/cases/:number/letters/:id', { config: { roles: ['staff'] } }, async (request, reply) => {
    const t = target(request.params);
    if (!t) return notFound(request, reply);
    let letter;
    try {
      letter = await letterPdf(app, t.number, t.id);
    } catch (error) {
      if (error instanceof LetterNotFound) return notFound(request, reply);
      throw error;
    }
    wb.record(request, 'letter.view', { caseNumber: t.number, target: String(t.id) });
    return sendInline(reply, 'application/pdf', letter.filename, letter.pdf);
  });

  server.post<{ Params: Params; Body: Record<string, string> }>('/cases/:number/letters/:id/posted', { config: { roles: ['staff'] } }, async (request, reply) => {
    const t = target(request.params);
    if (!t) return notFound(request, reply);
    let posted: boolean;
    try {
      posted = markLetterPosted(app, t.number, t.id, actorOf(request));
    } catch (error) {
      if (error instanceof LetterNotFound) return notFound(request, reply);
      throw error;
    }
    wb.record(request, 'letter.posted', { caseNumber: t.number, target: String(t.id), detail: { changed: posted } });
    request.session.flash = posted ? `${t.number}: 郵送済みにしました。` : `${t.number}: この通知はすでに郵送済みです。`;
    // Back where staff were: the list of letters, or the case.
    return reply.redirect(request.body?.from === 'letters' ? '/letters' : `/cases/${t.number}`, 303);
  });
}
