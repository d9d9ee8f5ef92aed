// The CPD audit's pages (staff, or admin): an admin may draw a year by hand (seed entered or generated),
// the same drawAudit as `conken audit draw`, refused for a year drawn already; the audits of a year by state — received (proofs to check),
// complete, overdue, waiting, decided — with the recorded draw (seed, population hash); one audit with its
// events, the holder's files and the staff actions (proofs complete, the outcome with a reason). Changes go
// through src/app/audit.ts (the audit transition and its writer), which also writes the audit log.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AUDIT_OUTCOME_LABELS, AUDIT_STATE_LABELS, AuditError, auditStore, drawAudit, listAudits, markProofsComplete, recordAuditOutcome } from '../../app/audit.ts';
import { tokyoDate } from '../../shared/calendar.ts';
import { AUDIT_OUTCOMES, AUDIT_STATES, type AuditOutcome } from '../../cases/audit-transition.ts';
import { RegisterStore } from '../../cases/register-store.ts';
import type { AuditRow } from '../../cases/audit-store.ts';
import { sendStoredFile } from './file-response.ts';
import { bytes, tokyoDateTime } from '../labels.ts';

const FILTERS = [...AUDIT_STATES, 'decided', 'all'] as const;
type Filter = (typeof FILTERS)[number];
const FILTER_LABELS: Record<Filter, string> = { received: '受領（確認待ち）', complete: '書類確認済み', overdue: '期限切れ', requested: '提出待ち', decided: '結果記録済み', all: 'すべて' };
const EVENT_LABELS: Record<string, string> = {
  'audit.requested': '抽選で対象に選ばれ、書類の提出を依頼', 'notice.queued': 'メールを送信待ちに', 'audit.reminder': '提出期限前のご案内', 'audit.reply': '認定者から返信',
  'audit.overdue': '提出期限切れ', 'audit.complete': '書類確認済みに', 'audit.outcome': '結果を記録', 'audit.purged': '保存期間の経過により個人情報を削除',
};

type Params = { number: string };

export function registerAuditRoutes(server: FastifyInstance): void {
  const wb = server.workbench;
  const { app } = wb;
  const register = new RegisterStore(app.db);
  const auditOf = (n: string): AuditRow | undefined => auditStore(app).auditByNumber(String(n).normalize('NFKC').trim().toUpperCase());
  const notFound = (request: FastifyRequest, reply: FastifyReply) => wb.page(request, reply, 'not-found', { title: 'ありません' }, 404);
  const actorOf = (request: FastifyRequest) => `${request.user!.role}:${request.user!.login}`;

  /** The year a draw by hand would normally be for: the last calendar year (Tokyo), the population complete. */
  const lastYear = () => Number(tokyoDate(new Date()).slice(0, 4)) - 1;

  function listPage(request: FastifyRequest, reply: FastifyReply, query: { year?: string; state?: string }, extra: Record<string, unknown> = {}, status = 200) {
    const years = auditStore(app).drawnYears();
    const year = query.year && /^\d{4}$/.test(query.year) && years.includes(Number(query.year)) ? Number(query.year) : years[0];
    const filter: Filter = (FILTERS as readonly string[]).includes(query.state ?? '') ? query.state as Filter : 'all';
    // The draw by hand (admins): the same function as `conken audit draw`; a drawn year is refused there.
    const drawForm = request.user!.role === 'admin' ? { year: lastYear(), seed: '', ...(extra.drawTyped as object | undefined) } : null;
    const common = { drawForm, drawError: null, ...extra };
    if (year === undefined) return wb.page(request, reply, 'audit-list', { title: 'CPD監査', years, year: null, draw: null, rows: [], counts: {}, filter, filters: [], ...common }, status);
    const listing = listAudits(app, year, filter === 'all' ? undefined : filter);
    const rows = listing.audits.map((a) => ({
      number: a.number, certificationNumber: a.certification_number, name: register.holderByNumber(a.certification_number)?.name ?? '',
      state: a.state, stateLabel: AUDIT_STATE_LABELS[a.state] ?? a.state, deadline: a.deadline, replies: a.replies, noAddress: !a.address,
      outcome: a.outcome ? AUDIT_OUTCOME_LABELS[a.outcome] ?? a.outcome : null,
    }));
    const counts = listing.counts;
    const filters = FILTERS.map((f) => ({ value: f, label: FILTER_LABELS[f], count: f === 'all' ? Object.values(counts).reduce((s, n) => s + n, 0) : counts[f] ?? 0 }));
    const draw = listing.draw ? { ...listing.draw, recorded: tokyoDateTime(listing.draw.recorded_at) } : null;
    return wb.page(request, reply, 'audit-list', { title: `CPD監査 ${year}年`, years, year, draw, rows, counts, filter, filters, ...common }, status);
  }

  server.get<{ Querystring: { year?: string; state?: string } }>('/audit', { config: { roles: ['staff'] } }, async (request, reply) => listPage(request, reply, request.query));

  server.post<{ Body: Record<string, string> }>('/audit/draw', { config: { roles: ['admin'] } }, async (request, reply) => {
    const yearText = String(request.body?.year ?? '').normalize('NFKC').trim();
    const seed = String(request.body?.seed ?? '').normalize('NFKC').trim();
    try {
      if (!/^\d{4}$/.test(yearText)) throw new AuditError('抽選する年を4桁の数字で入力してください。');
      // Audited by drawAudit itself, in the draw's transaction (who, from where, the seed's source, the population's hash).
      const r = drawAudit(app, Number(yearText), { ...(seed ? { seed } : {}), actor: actorOf(request), login: request.user!.login, address: request.ip });
      request.session.flash = `${r.year}年のCPD監査の抽選を行いました（シード ${r.seed}${r.seedSource === 'generated' ? '、自動生成' : ''}、母集団 ${r.populationCount}件から ${r.chosen.length}名）。`;
      return reply.redirect(`/audit?year=${r.year}`, 303);
    } catch (error) {
      if (!(error instanceof AuditError)) throw error;
      return listPage(request, reply, /^\d{4}$/.test(yearText) ? { year: yearText } : {}, { drawError: error.message, drawTyped: { year: yearText, seed } }, 409);
    }
  });

  function auditPage(request: FastifyRequest, reply: FastifyReply, a: AuditRow, extra: Record<string, unknown> = {}, status = 200) {
    const store = auditStore(app);
    const holder = register.holderByNumber(a.certification_number);
    return wb.page(request, reply, 'audit-case', {
      title: `CPD監査 ${a.number}`, audit: { ...a, stateLabel: AUDIT_STATE_LABELS[a.state] ?? a.state, outcomeLabel: a.outcome ? AUDIT_OUTCOME_LABELS[a.outcome] : null, outcomeAt: tokyoDateTime(a.outcome_at), remindedAt: tokyoDateTime(a.reminded_at) },
      holder: holder ? { name: holder.name, qualification: holder.qualification, validTo: holder.valid_to } : null,
      evidence: store.evidence(a.id).map((e) => ({ id: e.id, filename: e.filename, size: bytes(e.size), received: tokyoDateTime(e.received_at) })),
      events: store.events(a.id).map((e) => {
        const data = e.data_json ? (JSON.parse(e.data_json) as Record<string, unknown>) : {};
        const notes = [data.otherSender ? '名簿のメールアドレス以外から' : '', data.late ? '期限後' : '', data.afterOutcome ? '結果の記録後' : ''].filter(Boolean);
        return { at: tokyoDateTime(e.at), actor: e.actor, label: `${EVENT_LABELS[e.type] ?? e.type}${notes.length ? `（${notes.join('・')}）` : ''}` };
      }),
      outcomes: AUDIT_OUTCOMES.map((o) => ({ value: o, label: AUDIT_OUTCOME_LABELS[o] })),
      typed: {}, ...extra,
    }, status);
  }

  server.get<{ Params: Params }>('/audit/:number', { config: { roles: ['staff'] } }, async (request, reply) => {
    const a = auditOf(request.params.number);
    if (!a) return notFound(request, reply);
    wb.record(request, 'cpd-audit.view', { caseNumber: a.number });
    return auditPage(request, reply, a);
  });

  server.post<{ Params: Params }>('/audit/:number/complete', { config: { roles: ['staff'] } }, async (request, reply) => {
    const a = auditOf(request.params.number);
    if (!a) return notFound(request, reply);
    try {
      markProofsComplete(app, a.number, { actor: actorOf(request), login: request.user!.login, address: request.ip });
    } catch (error) {
      if (!(error instanceof AuditError)) throw error;
      return auditPage(request, reply, auditOf(a.number)!, { actionError: error.message }, 409);
    }
    request.session.flash = `${a.number} を「書類確認済み」にしました。`;
    return reply.redirect(`/audit/${a.number}`, 303);
  });

  server.post<{ Params: Params; Body: Record<string, string> }>('/audit/:number/outcome', { config: { roles: ['staff'] } }, async (request, reply) => {
    const a = auditOf(request.params.number);
    if (!a) return notFound(request, reply);
    const outcome = String(request.body?.outcome ?? '');
    const reason = String(request.body?.reason ?? '');
    try {
      if (!(AUDIT_OUTCOMES as readonly string[]).includes(outcome)) throw new AuditError('結果（合格・不合格・免除）を選んでください。');
      recordAuditOutcome(app, a.number, { outcome: outcome as AuditOutcome, reason, actor: actorOf(request), login: request.user!.login, address: request.ip });
    } catch (error) {
      if (!(error instanceof AuditError)) throw error;
      return auditPage(request, reply, auditOf(a.number)!, { actionError: error.message, typed: { outcome, reason } }, 409);
    }
    request.session.flash = `${a.number} の結果を「${AUDIT_OUTCOME_LABELS[outcome]}」として記録しました。`;
    return reply.redirect(`/audit/${a.number}`, 303);
  });

  server.get<{ Params: Params & { id: string } }>('/audit/:number/files/:id', { config: { roles: ['staff'] } }, async (request, reply) => {
    const a = auditOf(request.params.number);
    const e = a && auditStore(app).evidence(a.id).find((x) => String(x.id) === request.params.id);
    if (!a || !e) return notFound(request, reply);
    wb.record(request, 'attachment.view', { caseNumber: a.number, target: String(e.id) });
    return sendStoredFile(reply, e.detected_type, e.filename, app.files.get(e.store_path));
  });
}
