// The case page: what was read and where from, the values OCR could not confirm beside their cell's picture
// (confirm as read with one key, or correct), findings by audience, attachments (viewed in the browser or
// downloaded), payments, notices and the history. Confirming goes through confirmField, the same entry point
// as `conken confirm`: the web code never writes a case.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import mammoth from 'mammoth';
import path from 'node:path';
import { confirmField, ConfirmError } from '../../app/confirm-field.ts';
import { addCaseNote, handleFinding, resendNotice, StaffActionError } from '../../app/staff-actions.ts';
import { NOTICE_NAMES } from '../../cases/transition.ts';
import { postalStatus } from '../../app/postal-intake.ts';
import { isLetter, letterRecipient } from '../../cases/outbox-store.ts';
import { applicationValues, fieldSources, type ApplicationBase } from '../../extract/forms/form-kind.ts';
import type { Provenance } from '../../extract/document.ts';
import type { AttachmentRow, CaseRow } from '../../cases/case-store.ts';
import { nextInQueue, queuePosition } from '../../cases/workbench-queries.ts';
import { INLINE_TYPES, sendDownload, sendInline } from './file-response.ts';
import { AUDIENCE_LABELS, CODE_LABELS, EVENT_LABELS, KIND_LABELS, OUTBOX_STATUS_LABELS, STATUS_LABELS, bytes, fieldLabel, tokyoDateTime, tokyoDay, yen } from '../labels.ts';

const CASE_NUMBER = /^[A-Z]-\d{4}-\d{6}$/;
/** The notices staff may send again, in words (the transition refuses one that does not fit the case). */
const NOTICE_LABELS: Record<string, string> = {
  acknowledgement: '受付のお知らせ', 'missing-items': '不足事項のお願い', 'awaiting-payment': '手数料のお支払いのお願い', accepted: '受理のお知らせ',
  'review-request': '審査の依頼（審査担当宛て）', 'payment-reminder': '手数料のお支払いの督促',
};
/** Staff's own events on the history (the shared labels name the intake's and the transition's). */
const STAFF_EVENT_LABELS: Record<string, string> = {
  'case.note': 'メモ', 'finding.handled': '確認事項の処理', 'notice.resend': '通知の再送', 'notice.suppressed': '通知の保留',
  'case.triaged': 'メールの仕分け（申請として受付）', 'postal.received': '郵送の申請の登録', 'postal.reply': '郵送の返信の追加', 'letter.posted': '郵便を郵送済みにした', 'letter.readdressed': '郵便の宛先を申請書の住所に更新', 'mail.triaged': 'メールの仕分け', 'mail.dismissed': 'メールを対応不要として処理',
};
/** A letter's status (src/cases/outbox-store.ts): waiting to be printed, then posted. */
const LETTER_STATUS_LABELS: Record<string, string> = { letter: '印刷待ち', posted: '郵送済み' };
const ROLE_LABELS: Record<string, string> = { form: '申請書', 'form-page': '申請書（ページ）', document: '添付書類', unsupported: '対応外の形式', unreadable: '開けないファイル' };

interface Params { number: string }

function valueText(values: Map<string, { value: string }>, field: string): string {
  const direct = values.get(field)?.value;
  if (direct !== undefined) return direct === 'true' ? 'はい' : direct === 'false' ? 'いいえ' : direct;
  if (field.endsWith('.period')) {
    const row = field.slice(0, -'.period'.length);
    const from = values.get(`${row}.from`)?.value;
    const to = values.get(`${row}.to`)?.value;
    const ongoing = values.get(`${row}.ongoing`)?.value === 'true';
    return from ? `${from}〜${ongoing ? '現在' : to ?? ''}` : '';
  }
  return '';
}

/** One file, or the first of the pages' files (a form sent as five photos names all five on every value). */
function fileLabel(file: string): { file: string; files: string } {
  const files = file.split(/,\s*/).filter(Boolean);
  return { file: files.length > 1 ? `${files[0]} ほか${files.length - 1}件` : file, files: file };
}

/** What an event says, in a line: the usual ones in words, the others as their data (cut short). */
function eventSummary(type: string, json: string | null, kind: string): string {
  if (!json) return '';
  const d = JSON.parse(json) as Record<string, unknown>;
  if (type === 'case.evaluated' && typeof d.status === 'string') {
    const codes = Array.isArray(d.codes) ? (d.codes as string[]).map((c) => CODE_LABELS[c.split('/')[0]!] ?? c) : [];
    return `${d.previous ? `${STATUS_LABELS[String(d.previous)] ?? d.previous} → ` : ''}${STATUS_LABELS[d.status] ?? d.status}${codes.length ? `（${[...new Set(codes)].join('、')}）` : ''}`;
  }
  if (type === 'case.created' && typeof d.kind === 'string') return KIND_LABELS[d.kind] ?? d.kind;
  if (type === 'notice.queued' && typeof d.kind === 'string') return `${d.kind}${typeof d.messageId === 'string' ? `（${d.messageId}）` : ''}${d.channel === 'letter' ? '・印刷して郵送' : ''}`;
  if (type === 'letter.posted' && typeof d.kind === 'string') return `${d.kind}${typeof d.messageId === 'string' ? `（${d.messageId}）` : ''}`;
  if (type === 'field.confirmed' && typeof d.field === 'string') return `${fieldLabel(d.field, kind)}：${d.corrected ? '修正して確定' : '読み取りどおり確定'}`;
  if (type === 'case.note' && typeof d.text === 'string') return d.text;
  if (type === 'finding.handled' && typeof d.code === 'string') return `${CODE_LABELS[d.code] ?? d.code}${typeof d.field === 'string' && d.field ? `（${fieldLabel(d.field, kind)}）` : ''}：${String(d.reason ?? '')}`;
  if (type === 'notice.resend' && typeof d.notice === 'string') return NOTICE_LABELS[d.notice] ?? d.notice;
  if (type === 'mail.dismissed' && typeof d.reason === 'string') return d.reason;
  if (type === 'case.triaged' && typeof d.kind === 'string') return KIND_LABELS[d.kind] ?? d.kind;
  if (type === 'postal.reply' && typeof d.receivedOn === 'string') return `${d.receivedOn} 受付・${String(d.files)}ファイル`;
  if (type === 'postal.received' && typeof d.receivedOn === 'string') return `${d.receivedOn} 受付・${String(d.files)}ファイル・${d.contact === 'print' ? '通知は印刷して郵送' : '通知はメール'}`;
  return json.length < 300 ? json : `${json.slice(0, 300)}…`;
}

function percent(confidence: number): number {
  return Math.round(confidence * 100);
}

function loadCase(server: FastifyInstance, raw: string): CaseRow | undefined {
  const number = raw.normalize('NFKC').trim().toUpperCase();
  if (!CASE_NUMBER.test(number)) return undefined;
  return server.workbench.app.cases.caseByNumber(number);
}

/** Everything the case page shows. */
function caseView(server: FastifyInstance, c: CaseRow) {
  const { app } = server.workbench;
  const application = c.application_json ? JSON.parse(c.application_json) as ApplicationBase : null;
  const sources = application ? fieldSources(application) : new Map<string, Provenance>();
  const values = application ? applicationValues(application) : new Map<string, { value: string; confidence: number }>();
  const findings = app.cases.currentFindings(c.id);
  const minConfidence = app.rules.intake.ocr.minConfidence;
  const unconfirmed = findings.filter((f) => f.code === 'field.unconfirmed' && f.field && sources.has(f.field)).map((f) => {
    const s = sources.get(f.field!)!;
    return { field: f.field!, label: fieldLabel(f.field!, c.kind), reading: s.text.replace(/\s+/g, ' ').trim(), confidence: percent(s.confidence), location: s.location, ...fileLabel(s.file), crop: !!s.crop, message: f.message };
  });
  const unconfirmedSet = new Set(unconfirmed.map((u) => u.field));
  const fields = [...sources].map(([field, s]) => ({
    field, label: fieldLabel(field, c.kind), value: valueText(values, field), text: s.text.replace(/\s+/g, ' ').trim(), ...fileLabel(s.file), location: s.location,
    confidence: percent(s.confidence), low: percent(s.confidence) < minConfidence && !s.confirmedBy, confirmedBy: s.confirmedBy ?? null,
    pending: unconfirmedSet.has(field), list: /\[\d+\]/.test(field) ? field.split('[')[0]! : '',
  }));
  // Finance's payment questions (入金確認中) are shown when there are any: finance answer them in their queue.
  const audiences = (['staff', 'applicant', 'reviewer', 'finance'] as const).map((a) => ({
    audience: a, label: AUDIENCE_LABELS[a], findings: findings.filter((f) => f.audience === a).map((f, i) => ({
      ...f, label: CODE_LABELS[f.code] ?? f.code, fieldLabel: f.field ? fieldLabel(f.field, c.kind) : '',
      // Staff decide on their own findings (a late application accepted); an unconfirmed value is confirmed above instead.
      handleable: a === 'staff' && f.code !== 'field.unconfirmed', key: `${a}-${i}`,
    })),
  })).filter((a) => a.audience !== 'finance' || a.findings.length > 0);
  const attachments = app.cases.caseAttachments(c.id).map((a) => ({
    id: a.id, filename: a.filename, type: a.detected_type, role: ROLE_LABELS[a.role] ?? a.role, size: bytes(a.size), note: a.note, fromArchive: a.from_archive,
    viewable: a.detected_type in INLINE_TYPES || a.detected_type === 'docx', image: a.detected_type !== 'pdf' && a.detected_type in INLINE_TYPES,
  }));
  const payments = app.payments.paymentsForCase(c.id).map((p) => ({ paidOn: p.paid_on, amount: yen(p.amount), linked: yen(p.link_amount), name: p.transfer_name, by: p.linked_by, accepted: !!p.accepted }));
  const notices = app.outbox.outboxForCase(c.id).map((o) => {
    const mail = o.mail_json ? JSON.parse(o.mail_json) as { subject?: string; text?: string } : null;
    // A letter (no e-mail address): to the form's postal address, printed and posted by staff.
    const letter = isLetter(o) ? letterRecipient(o) : null;
    const to = letter ? `${letter.postalCode ? `〒${letter.postalCode} ` : ''}${letter.address} ${letter.name} 様（郵送）` : o.to_address;
    return { id: o.id, kind: o.kind, audience: AUDIENCE_LABELS[o.audience] ?? o.audience, to, status: LETTER_STATUS_LABELS[o.status] ?? OUTBOX_STATUS_LABELS[o.status] ?? o.status, created: tokyoDateTime(o.created_at), sent: tokyoDateTime(o.sent_at), subject: mail?.subject ?? '（作成待ち）', text: mail?.text ?? '', error: o.last_error,
      letter: !!letter, waiting: !!letter && o.status === 'letter' };
  });
  const events = app.cases.events(c.id).map((e) => ({ at: tokyoDateTime(e.at), actor: e.actor, type: EVENT_LABELS[e.type] ?? STAFF_EVENT_LABELS[e.type] ?? e.type, code: e.type, data: eventSummary(e.type, e.data_json, c.kind), note: e.type === 'case.note' }));
  const computed = c.computed_json ? JSON.parse(c.computed_json) as Record<string, unknown> : null;
  return {
    case: {
      number: c.number, kind: KIND_LABELS[c.kind] ?? c.kind, status: c.status, statusLabel: STATUS_LABELS[c.status] ?? c.status, received: tokyoDateTime(c.received_at),
      receivedDay: tokyoDay(c.received_at), address: c.applicant_address, expected: yen(c.expected_amount),
      name: application ? (application as unknown as { name?: string }).name ?? null : null,
      kana: application ? (application as unknown as { nameKana?: string }).nameKana ?? null : null,
    },
    hasApplication: !!application, unconfirmed, fields: fields.filter((f) => !f.list), lists: groupLists(fields.filter((f) => f.list), c.kind),
    minConfidence, audiences, attachments, payments, notices, events, computed,
    queue: c.status === 'exception' ? queuePosition(app.db, c) : null,
    postal: (() => {
      const p = postalStatus(app, c.id);
      return p ? { ...p, toPrint: p.toPrint.map((n) => NOTICE_LABELS[n] ?? n) } : null;
    })(),
    // A letter's address read from a scan and not confirmed yet: staff confirm it before printing.
    letterAddressUnconfirmed: findings.some((f) => f.code === 'field.unconfirmed' && (f.field === 'name' || f.field === 'postalCode' || f.field === 'address')),
    noticeChoices: NOTICE_NAMES.map((n) => ({ name: n, label: NOTICE_LABELS[n] ?? n })), noticesHeld: c.notices_suppressed === 1, closed: c.status === 'approved' || c.status === 'rejected',
    next: nextInQueue(app.db, c),
  };
}

function groupLists<T extends { list: string; label: string }>(fields: T[], kind: string): { list: string; label: string; fields: T[] }[] {
  const out = new Map<string, T[]>();
  for (const f of fields) out.set(f.list, [...(out.get(f.list) ?? []), f]);
  return [...out].map(([list, rows]) => ({ list, label: fieldLabel(list, kind).split('（')[0]!, fields: rows }));
}

function actorOf(request: FastifyRequest): string {
  return `${request.user!.role === 'admin' ? 'admin' : 'staff'}:${request.user!.login}`;
}

export function registerCaseRoutes(server: FastifyInstance): void {
  const wb = server.workbench;
  const { app } = wb;
  const notFound = (request: FastifyRequest, reply: FastifyReply) => wb.page(request, reply, 'not-found', { title: '案件がありません' }, 404);

  server.get<{ Params: Params }>('/cases/:number', { config: { roles: ['staff'] } }, async (request, reply) => {
    const c = loadCase(server, request.params.number);
    if (!c) return notFound(request, reply);
    wb.record(request, 'case.view', { caseNumber: c.number });
    return wb.page(request, reply, 'case', { title: `${c.number}`, ...caseView(server, c), errors: {} });
  });

  server.post<{ Params: Params; Body: Record<string, string> }>('/cases/:number/confirm', { config: { roles: ['staff'] } }, async (request, reply) => {
    const c = loadCase(server, request.params.number);
    if (!c) return notFound(request, reply);
    const body = request.body ?? {};
    const view = caseView(server, c);
    const shown = new Map(view.unconfirmed.map((u) => [u.field, u]));
    const action = body.action === 'all' || body.action === 'all-next' ? body.action : 'one';
    const targets = action === 'one' ? [String(body.field ?? '')] : [...shown.keys()].filter((f) => body[`v:${f}`] !== undefined);
    const errors: Record<string, string> = {};
    let done = 0;
    for (const field of targets) {
      const u = shown.get(field);
      if (!u) {
        errors[field] = 'この項目は確認待ちではありません（画面を読み込み直してください）。';
        continue;
      }
      const typed = String(body[`v:${field}`] ?? '').trim();
      // Unchanged: confirmed as read (the reading stays exactly as OCR gave it); changed: the correction.
      const value = typed === u.reading ? undefined : typed;
      try {
        confirmField(app, c.number, field, value, actorOf(request));
        done++;
        wb.record(request, 'field.confirm', { caseNumber: c.number, target: field, detail: { corrected: value !== undefined } });
      } catch (error) {
        if (!(error instanceof ConfirmError)) throw error;
        errors[field] = error.message;
      }
    }
    const after = app.cases.caseById(c.id)!;
    const message = done ? `${done}件の値を確定しました。${after.status !== c.status ? `案件は「${STATUS_LABELS[after.status] ?? after.status}」になりました。` : ''}` : null;
    const htmx = !!request.headers['hx-request'];
    if (action === 'all-next' && Object.keys(errors).length === 0) {
      const next = nextInQueue(app.db, after);
      const to = next && next !== after.number ? `/cases/${next}` : '/queue';
      request.session.flash = message ? `${c.number}: ${message}` : undefined;
      if (htmx) return reply.header('hx-redirect', to).code(204).send();
      return reply.redirect(to, 303);
    }
    if (!htmx && Object.keys(errors).length === 0) {
      request.session.flash = message ?? undefined;
      return reply.redirect(`/cases/${c.number}`, 303);
    }
    // htmx swaps only a 2xx answer: the page with its errors comes as 200 to it, as 422 to a plain form post.
    return wb.page(request, reply, 'case', { title: c.number, ...caseView(server, after), errors, flash: message }, Object.keys(errors).length && !htmx ? 422 : 200);
  });

  /**
   * A staff decision on the case (a finding handled, a notice sent again, a note): the app's entry point does
   * it through the case transition; a refusal is shown on the page (422, or 200 to htmx) with what was typed.
   */
  async function staffDecision(request: FastifyRequest<{ Params: Params; Body: Record<string, string> }>, reply: FastifyReply, act: (c: CaseRow, body: Record<string, string>) => { audit: string; target?: string; detail?: unknown; message: string }) {
    const c = loadCase(server, request.params.number);
    if (!c) return notFound(request, reply);
    const body = request.body ?? {};
    try {
      const done = act(c, body);
      wb.record(request, done.audit, { caseNumber: c.number, target: done.target ?? null, detail: done.detail });
      request.session.flash = done.message;
      return reply.redirect(`/cases/${c.number}`, 303);
    } catch (error) {
      if (!(error instanceof StaffActionError)) throw error;
      wb.record(request, 'case.action-refused', { caseNumber: c.number, detail: { action: request.routeOptions.url } });
      const after = app.cases.caseById(c.id)!;
      return wb.page(request, reply, 'case', { title: c.number, ...caseView(server, after), errors: {}, actionError: error.message, typed: body }, request.headers['hx-request'] ? 200 : 422);
    }
  }

  server.post<{ Params: Params; Body: Record<string, string> }>('/cases/:number/handle', { config: { roles: ['staff'] } }, (request, reply) =>
    staffDecision(request, reply, (c, body) => {
      const code = String(body.code ?? '');
      const field = body.field ? String(body.field) : null;
      const r = handleFinding(app, c.number, code, field, String(body.reason ?? ''), actorOf(request));
      return { audit: 'finding.handle', target: field ? `${code}:${field}` : code, detail: { status: r.status },
        message: `「${CODE_LABELS[code] ?? code}」を処理済みにしました。案件は「${STATUS_LABELS[r.status] ?? r.status}」です。${r.notices.length ? `通知: ${r.notices.map((n) => NOTICE_LABELS[n] ?? n).join('、')}` : ''}` };
    }));

  server.post<{ Params: Params; Body: Record<string, string> }>('/cases/:number/resend', { config: { roles: ['staff'] } }, (request, reply) =>
    staffDecision(request, reply, (c, body) => {
      const notice = String(body.notice ?? '');
      resendNotice(app, c.number, notice, actorOf(request));
      return { audit: 'notice.resend', target: notice, message: `「${NOTICE_LABELS[notice] ?? notice}」をもう一度送ります（送信待ちに入れました）。` };
    }));

  server.post<{ Params: Params; Body: Record<string, string> }>('/cases/:number/note', { config: { roles: ['staff'] } }, (request, reply) =>
    staffDecision(request, reply, (c, body) => {
      addCaseNote(app, c.number, String(body.text ?? ''), actorOf(request));
      // The note's text may name people: the audit records that a note was added, not what it says.
      return { audit: 'case.note', message: 'メモを履歴に残しました。' };
    }));

  /** The attachment if it belongs to the case, else nothing (ids are not secrets, but the case must match). */
  function attachmentOf(c: CaseRow, id: string): AttachmentRow | undefined {
    return app.cases.caseAttachments(c.id).find((a) => String(a.id) === id);
  }

  server.get<{ Params: Params & { id: string } }>('/cases/:number/attachments/:id', { config: { roles: ['staff'] } }, async (request, reply) => {
    const c = loadCase(server, request.params.number);
    const a = c && attachmentOf(c, request.params.id);
    if (!c || !a) return notFound(request, reply);
    wb.record(request, 'attachment.view', { caseNumber: c.number, target: String(a.id) });
    const bytes = app.files.get(a.store_path);
    if (a.detected_type === 'docx') {
      let text: string;
      try {
        text = (await mammoth.extractRawText({ buffer: bytes })).value;
      } catch {
        text = '';
      }
      return wb.page(request, reply, 'attachment-text', { title: a.filename, number: c.number, filename: a.filename, id: a.id, text });
    }
    const type = INLINE_TYPES[a.detected_type];
    if (!type) return wb.page(request, reply, 'not-viewable', { title: a.filename, number: c.number, filename: a.filename, id: a.id }, 415);
    return sendInline(reply, type, a.filename, bytes);
  });

  server.get<{ Params: Params & { id: string } }>('/cases/:number/attachments/:id/download', { config: { roles: ['staff'] } }, async (request, reply) => {
    const c = loadCase(server, request.params.number);
    const a = c && attachmentOf(c, request.params.id);
    if (!c || !a) return notFound(request, reply);
    wb.record(request, 'attachment.download', { caseNumber: c.number, target: String(a.id) });
    return sendDownload(reply, a.filename, app.files.get(a.store_path));
  });

  // The picture of a value's cell on the scan (only a crop the case's own evidence names).
  server.get<{ Params: Params; Querystring: { field?: string } }>('/cases/:number/crop', { config: { roles: ['staff'] } }, async (request, reply) => {
    const c = loadCase(server, request.params.number);
    if (!c || !c.application_json) return notFound(request, reply);
    const source = fieldSources(JSON.parse(c.application_json) as ApplicationBase).get(String(request.query.field ?? ''));
    const crop = source?.crop;
    if (!crop || path.isAbsolute(crop) || crop.split(/[\\/]/).includes('..')) return notFound(request, reply);
    return reply.type('image/png').header('cache-control', 'private, max-age=600').send(app.files.get(crop));
  });
}
