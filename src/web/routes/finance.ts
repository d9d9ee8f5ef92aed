// Finance's pages: statement uploads (each imported by the CLI's own import, as a job the page polls), the
// imports list with the original files, the reconciliation queue (each waiting payment beside its ranked
// candidate cases), a payment's page (link, accept a short amount, set aside, unlink, split across cases)
// and the reconciliation export. Staff may look; only finance (and admin) change anything. Every change is a
// POST with the CSRF token, goes through the app's entry points (linkPayment, unlinkPayment, dismissPayment,
// splitPayment: the case transition) and is audited (the audit log keeps no free text: a reason lives with the
// event or the set-aside, where retention can reach it).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { importJob, importReport, importRunning, retryWithEra, startImportJob, type Era, type ImportJob } from '../../app/finance-imports.ts';
import { DISMISS_KINDS, dismissPayment, financeQueuePage, queueEntry, reasonOf, searchCases, splitPayment, type FinanceCase } from '../../app/finance-actions.ts';
import { linkPayment, PaymentActionError, unlinkPayment } from '../../app/import-payments.ts';
import type { ImportResult } from '../../app/import-payments.ts';
import { CODE_LABELS, EVENT_LABELS, KIND_LABELS, STATUS_LABELS, tokyoDateTime } from '../labels.ts';
import { awaitingPaymentExport, awaitingPaymentRows, daysSince, reconciliationExport, CP932_STAND_IN, type CsvEncoding, type CsvFile, type ReconciliationState } from '../../app/finance-exports.ts';
import type { AwaitingRow } from '../../cases/finance-queries.ts';
import { nfkc } from '../../shared/japanese.ts';
import { contentDisposition } from './file-response.ts';

const VIEW = ['staff', 'finance'] as const;
const CHANGE = ['finance'] as const;
/** A statement of 100,000 Zengin records is 20 MB; the intake's attachment limit is for mails. */
const MAX_STATEMENT_BYTES = 64 * 1024 * 1024;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const QUEUE_PAGE = 200;

const PHASES: Record<string, string> = {
  queued: '順番待ち（前のファイルの取込中）', parsing: 'ファイルを読み込んでいます', matching: '案件と照合しています', writing: '入金を登録しています',
  cases: '案件の状態を更新しています', done: '取込が完了しました', failed: '取り込めませんでした',
};
const FORMAT_LABELS: Record<string, string> = {
  'zengin-furikomi': '全銀 振込入金通知', 'zengin-nyushukkin': '全銀 入出金取引明細', 'csv-mufg': '三菱UFJ銀行 CSV', 'csv-rakuten': '楽天銀行 CSV', 'simple-csv': '簡易CSV',
};
const FINDING_LABELS: Record<string, string> = {
  'payment.ambiguous': '候補が複数・不確実', 'payment.amount-mismatch': '金額の不一致', 'payment.bulk': '一括振込', 'payment.duplicate': '二重入金',
};

export function formatLabel(format: string): string {
  return FORMAT_LABELS[format] ?? (format.startsWith('csv-generic:') ? `CSV（${format.slice(12)}）` : format);
}

function findingLabel(code: string | null): string {
  return code ? FINDING_LABELS[code] ?? CODE_LABELS[code] ?? code : '候補なし';
}

function yen(n: number | null | undefined): string {
  return n === null || n === undefined ? '—' : `${n.toLocaleString('ja-JP')}円`;
}

function statusLabel(status: string): string {
  return STATUS_LABELS[status] ?? status;
}

function who(request: FastifyRequest): string {
  return request.user!.login;
}

function isHtmx(request: FastifyRequest): boolean {
  return request.headers['hx-request'] === 'true';
}

function jobView(job: ImportJob) {
  const seconds = Math.round(((job.finishedAt ?? Date.now()) - job.startedAt) / 1000);
  return {
    id: job.id, fileName: job.fileName, size: job.size, phase: job.phase, phaseLabel: PHASES[job.phase] ?? job.phase, seconds, importId: job.importId, error: job.error,
    eraChoice: job.eraChoice, finished: job.finishedAt !== null, ms: job.finishedAt === null ? null : job.finishedAt - job.startedAt, step: ['queued', 'parsing', 'matching', 'writing', 'cases', 'done'].indexOf(job.phase),
  };
}

/** Where a case number links: the staff's case page is for staff (and admin) only, finance has its own view of a case. */
function caseHref(request: FastifyRequest): (number: string) => string {
  const role = request.user!.role;
  return role === 'staff' || role === 'admin' ? (number) => `/cases/${number}` : (number) => `/finance/cases/${number}`;
}

function caseView(c: FinanceCase, href: (number: string) => string) {
  return { ...c, href: href(c.number), statusLabel: statusLabel(c.status), fee: yen(c.fee), feeValue: c.fee, linkedYen: yen(c.linked), received: tokyoDateTime(c.received) };
}

export function registerFinanceRoutes(server: FastifyInstance): void {
  const wb = server.workbench;
  const app = wb.app;

  const onImported = (login: string, address: string) => (job: ImportJob, result: ImportResult | null) => {
    wb.audit.record({
      login, action: job.error ? 'finance.upload.rejected' : 'finance.upload', target: job.importId !== null ? `import:${job.importId}` : null, address,
      detail: result ? { file: job.fileName, format: result.format, rows: result.rows, new: result.new, duplicate: result.duplicate, matched: result.matched.length } : { file: job.fileName, eraChoice: job.eraChoice },
    });
  };

  /** A write while an import holds the database would only wait for it: say so instead. */
  const busy = (reply: FastifyReply) => reply.code(409).type('text/html; charset=utf-8').send('<p class="error" role="alert">明細の取込中です。取込が終わってからもう一度お試しください。</p>');

  // ——— Uploads and imports ———

  server.get('/finance', { config: { roles: VIEW } }, async (request, reply) => reply.redirect('/finance/queue', 303));

  server.get('/finance/imports', { config: { roles: VIEW } }, async (request, reply) => {
    const imports = app.payments.importList().map((i) => ({
      ...i, when: tokyoDateTime(i.imported_at), formatLabel: formatLabel(i.format), who: i.actor.replace(/^finance:/, ''),
    }));
    return wb.page(request, reply, 'finance-imports', { title: '入金明細の取込', imports, maxMb: MAX_STATEMENT_BYTES / 1024 / 1024, canChange: request.user!.role !== 'staff' });
  });

  server.post('/finance/imports', { config: { roles: CHANGE } }, async (request, reply) => {
    if (!request.isMultipart()) return reply.code(400).type('text/html; charset=utf-8').send('<p class="error" role="alert">ファイルを選んでください。</p>');
    const jobs: ImportJob[] = [];
    const refused: string[] = [];
    for await (const part of request.parts({ limits: { fileSize: MAX_STATEMENT_BYTES, files: 20 } })) {
      if (part.type !== 'file') continue;
      const bytes = await part.toBuffer().catch(() => null);
      const fileName = (part.filename || 'statement').replace(/[\\/]/g, '_').slice(0, 200);
      if (!bytes || part.file.truncated) { refused.push(`${fileName}: ファイルが大きすぎます（${MAX_STATEMENT_BYTES / 1024 / 1024}MBまで）。1件も登録していません。`); continue; }
      if (bytes.length === 0) { refused.push(`${fileName}: 空のファイルです。1件も登録していません。`); continue; }
      jobs.push(startImportJob(app, { bytes, fileName, userId: request.user!.id, login: who(request) }, onImported(who(request), request.ip)));
    }
    if (jobs.length === 0 && refused.length === 0) refused.push('ファイルを選んでください。');
    return reply.code(200).header('cache-control', 'no-store').view('finance-jobs.eta', { jobs: jobs.map(jobView), refused });
  });

  // The page's own upload: one file per request, its bytes as the body (application/octet-stream, the name in
  // x-file-name). No multipart to scan for boundaries: on a 20 MB statement that parsing was most of what the
  // web import cost beyond the CLI's (BENCHMARKS.md, finance in the workbench). The multipart route above
  // stays for a plain form post.
  server.register(async (scope) => {
    scope.addContentTypeParser('application/octet-stream', { parseAs: 'buffer', bodyLimit: MAX_STATEMENT_BYTES }, (_request, body, done) => done(null, body));
    scope.post('/finance/imports/file', { config: { roles: CHANGE } }, async (request, reply) => {
      const bytes = request.body instanceof Buffer ? request.body : null;
      let fileName = 'statement';
      try {
        fileName = decodeURIComponent(String(request.headers['x-file-name'] ?? '')) || 'statement';
      } catch { /* a name that is not URI-encoded: the default */ }
      fileName = fileName.replace(/[\\/]/g, '_').slice(0, 200);
      const refused = !bytes || bytes.length === 0 ? [`${fileName}: 空のファイルです。1件も登録していません。`] : [];
      const jobs = refused.length ? [] : [startImportJob(app, { bytes: bytes!, fileName, userId: request.user!.id, login: who(request) }, onImported(who(request), request.ip))];
      return reply.code(200).header('cache-control', 'no-store').view('finance-jobs.eta', { jobs: jobs.map(jobView), refused });
    });
  });

  server.get<{ Params: { id: string } }>('/finance/jobs/:id', { config: { roles: CHANGE } }, async (request, reply) => {
    const job = importJob(request.params.id, request.user!.id);
    if (!job) return reply.code(404).type('text/html; charset=utf-8').send('<p class="error">この取込の状況は表示できません（時間が経ったか、別の利用者の取込です）。取込一覧をご確認ください。</p>');
    const report = job.phase === 'done' && job.importId !== null ? importReport(app, job.importId) : null;
    return reply.header('cache-control', 'no-store').view('finance-job.eta', { job: jobView(job), summary: report ? summaryOf(report, caseHref(request)) : null });
  });

  server.post<{ Params: { id: string }; Body: { era?: string } }>('/finance/jobs/:id/era', { config: { roles: CHANGE } }, async (request, reply) => {
    const job = importJob(request.params.id, request.user!.id);
    const era = String(request.body?.era ?? '') as Era;
    if (!job || (era !== 'wareki' && era !== 'seireki')) return reply.code(404).type('text/html; charset=utf-8').send('<p class="error">このファイルはもう選び直せません。もう一度アップロードしてください。</p>');
    const next = retryWithEra(app, job, era, who(request), onImported(who(request), request.ip));
    if (!next) return reply.code(409).type('text/html; charset=utf-8').send('<p class="error">このファイルはもう選び直せません。もう一度アップロードしてください。</p>');
    return reply.header('cache-control', 'no-store').view('finance-job.eta', { job: jobView(next), summary: null });
  });

  server.get<{ Params: { id: string } }>('/finance/imports/:id', { config: { roles: VIEW } }, async (request, reply) => {
    const report = importReport(app, Number(request.params.id));
    if (!report) return wb.page(request, reply, 'not-found', { title: '取込がありません' }, 404);
    return wb.page(request, reply, 'finance-import', { title: `取込 #${report.import.id}`, s: summaryOf(report, caseHref(request)) });
  });

  server.get<{ Params: { id: string } }>('/finance/imports/:id/file', { config: { roles: VIEW } }, async (request, reply) => {
    const imp = app.payments.importById(Number(request.params.id));
    if (!imp || !imp.stored_path) return wb.page(request, reply, 'not-found', { title: 'ファイルがありません' }, 404);
    wb.record(request, 'finance.import.download', { target: `import:${imp.id}` });
    return reply.type('application/octet-stream').header('content-disposition', contentDisposition('attachment', imp.file_name)).header('cache-control', 'private, no-store').send(app.files.get(imp.stored_path));
  });

  // ——— The reconciliation queue ———

  server.get<{ Querystring: { code?: string; page?: string } }>('/finance/queue', { config: { roles: VIEW } }, async (request, reply) => {
    // A busy account's statement holds thousands of other deposits: the page shows QUEUE_PAGE at a time.
    const counts = app.payments.waitingCountsByCode();
    const code = counts.has(String(request.query.code ?? '')) ? String(request.query.code) : '';
    const total = [...counts.values()].reduce((a, n) => a + n, 0);
    const filtered = code ? counts.get(code)! : total;
    const pages = Math.max(1, Math.ceil(filtered / QUEUE_PAGE));
    const page = Math.min(pages, Math.max(1, Number.parseInt(String(request.query.page ?? '1'), 10) || 1));
    const shown = financeQueuePage(app, code || null, QUEUE_PAGE, (page - 1) * QUEUE_PAGE).entries;
    const href = caseHref(request);
    return wb.page(request, reply, 'finance-queue', {
      title: '入金の消込', total, filtered, code, page, pages, canChange: request.user!.role !== 'staff', importRunning: importRunning(),
      counts: [...counts].map(([c, n]) => ({ code: c, n, label: c === 'none' ? '候補なし' : findingLabel(c) })),
      rows: shown.map((p) => ({
        id: p.id, paidOn: p.paidOn, amount: yen(p.amount), transferName: p.transferName, digits: p.digits, code: p.code, finding: findingLabel(p.code), reason: p.reason,
        candidates: p.candidates.map((c) => ({ ...caseView(c, href), score: Math.round(c.score * 100), why: c.reason, short: c.fee !== null && p.amount < c.fee })),
      })),
    });
  });

  // ——— A payment ———

  async function paymentPage(request: FastifyRequest, reply: FastifyReply, id: number, extra: { error?: string | null; q?: string } = {}, status = 200) {
    const p = app.payments.paymentById(id);
    if (!p) return wb.page(request, reply, 'not-found', { title: '入金がありません' }, 404);
    const href = caseHref(request);
    const links = app.payments.linksForPayment(id).map((l) => {
      const c = app.cases.caseById(l.case_id);
      return { case: c?.number ?? String(l.case_id), status: statusLabel(c?.status ?? ''), amount: yen(l.amount), accepted: !!l.accepted, by: l.linked_by, at: tokyoDateTime(l.linked_at) };
    });
    const queued = p.status === 'dismissed' || app.payments.linksForPayment(id).length ? null : queueEntry(app, id);
    const candidates = (queued?.candidates ?? []).map((c) => ({ ...caseView(c, href), score: Math.round(c.score * 100), why: c.reason }));
    const q = String(extra.q ?? (request.query as { q?: string }).q ?? '').slice(0, 100);
    const found = q ? searchCases(app, q).map((c) => caseView(c, href)) : [];
    const linked = app.payments.linksForPayment(id).reduce((s, l) => s + l.amount, 0);
    // The split: the matcher's candidates (for a bulk transfer: the company's employees) first, then the search.
    const splitCases = [...candidates, ...found.filter((f) => !candidates.some((c) => c.number === f.number))].filter((c) => !links.some((l) => l.case === c.number));
    return wb.page(request, reply, 'finance-payment', {
      title: `入金ID ${id}`, error: extra.error ?? null, q, found, candidates, links, splitCases, canChange: request.user!.role !== 'staff',
      p: { id, paidOn: p.paid_on, amount: yen(p.amount), amountValue: p.amount, transferName: p.transfer_name, digits: p.digits, reference: p.reference ?? null, status: p.status, finding: findingLabel(p.finding_code ?? null), reason: p.reason ?? null, hold: p.hold === 1, importId: p.import_id, rest: p.amount - linked, restYen: yen(p.amount - linked) },
      history: app.payments.paymentHistory(id).map((e) => {
        const data = e.data_json ? (JSON.parse(e.data_json) as { amount?: number; accepted?: boolean }) : {};
        return { at: tokyoDateTime(e.at), actor: e.actor, label: EVENT_LABELS[e.type] ?? e.type, case: e.case_number, href: e.case_number ? href(e.case_number) : null, amount: data.amount !== undefined ? yen(data.amount) : '', accepted: !!data.accepted };
      }),
      dismissal: app.payments.dismissalOf(id) ?? null, kinds: Object.entries(DISMISS_KINDS).map(([value, label]) => ({ value, label })),
    }, status);
  }

  server.get<{ Params: { id: string }; Querystring: { q?: string } }>('/finance/payments/:id', { config: { roles: VIEW } }, async (request, reply) => paymentPage(request, reply, Number(request.params.id)));

  /** Runs a finance action: on the queue (htmx) the row is replaced by what happened; on the payment page, back to it. */
  async function act(request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply, action: string, fn: (id: number) => { message: string; caseNumber?: string | null; detail: unknown }) {
    const id = Number(request.params.id);
    if (importRunning()) return busy(reply);
    let done: { message: string; caseNumber?: string | null; detail: unknown };
    try {
      done = fn(id);
    } catch (error) {
      if (!(error instanceof PaymentActionError)) throw error;
      if (isHtmx(request)) return reply.code(200).header('cache-control', 'no-store').view('finance-row-done.eta', { id, error: error.message, message: null });
      return paymentPage(request, reply, id, { error: error.message }, 422);
    }
    wb.record(request, action, { caseNumber: done.caseNumber ?? null, target: `payment:${id}`, detail: done.detail });
    if (isHtmx(request)) return reply.code(200).header('cache-control', 'no-store').view('finance-row-done.eta', { id, error: null, message: done.message });
    request.session.flash = done.message;
    return reply.redirect(`/finance/payments/${id}`, 303);
  }

  server.post<{ Params: { id: string }; Body: { case?: string; accept?: string; reason?: string } }>('/finance/payments/:id/link', { config: { roles: CHANGE } }, async (request, reply) => act(request, reply, 'finance.link', (id) => {
    const caseNumber = String(request.body?.case ?? '').normalize('NFKC').trim().toUpperCase();
    if (!caseNumber) throw new PaymentActionError('紐付ける案件を選んでください');
    const accept = request.body?.accept === '1';
    const reason = accept ? reasonOf(request.body?.reason) : undefined;
    const r = linkPayment(app, id, caseNumber, who(request), { accept, ...(reason ? { reason } : {}) });
    return {
      message: `入金ID ${id} を ${r.case} に紐付けました（${yen(r.amount)}${accept ? '・満額として受付' : ''}）。案件の状態：${statusLabel(r.status)}`,
      caseNumber: r.case, detail: { amount: r.amount, accepted: accept, status: r.status },
    };
  }));

  server.post<{ Params: { id: string }; Body: { case?: string; reason?: string } }>('/finance/payments/:id/unlink', { config: { roles: CHANGE } }, async (request, reply) => act(request, reply, 'finance.unlink', (id) => {
    const caseNumber = String(request.body?.case ?? '').trim().toUpperCase();
    if (!caseNumber) throw new PaymentActionError('紐付けを外す案件を選んでください');
    const reason = String(request.body?.reason ?? '').trim().slice(0, 500);
    const r = unlinkPayment(app, id, caseNumber, who(request), reason ? { reason } : {});
    return { message: `入金ID ${id} と ${caseNumber} の紐付けを外しました（この組み合わせは今後自動では紐付けません）。案件の状態：${r.cases.map((c) => statusLabel(c.status)).join('、')}`, caseNumber, detail: { cases: r.cases } };
  }));

  server.post<{ Params: { id: string }; Body: { kind?: string; reason?: string } }>('/finance/payments/:id/dismiss', { config: { roles: CHANGE } }, async (request, reply) => act(request, reply, 'finance.dismiss', (id) => {
    const kind = String(request.body?.kind ?? '');
    const r = dismissPayment(app, id, kind, String(request.body?.reason ?? ''), who(request));
    return { message: `入金ID ${id} を「${DISMISS_KINDS[kind]}」として対象外にしました。`, detail: { kind, cases: r.cases } };
  }));

  server.post<{ Params: { id: string }; Body: Record<string, string | string[] | undefined> }>('/finance/payments/:id/split', { config: { roles: CHANGE } }, async (request, reply) => act(request, reply, 'finance.split', (id) => {
    const body = request.body ?? {};
    const picked = ([] as string[]).concat(body.pick ?? []).map((c) => String(c).trim().toUpperCase()).filter(Boolean);
    const allocations = picked.map((c) => ({ case: c, amount: Number(String(body[`amount-${c}`] ?? '').replace(/[,，円\s]/g, '').normalize('NFKC')) }));
    const r = splitPayment(app, id, allocations, who(request));
    return { message: `入金ID ${id} を${r.links.length}件の案件に振り分けました（${r.links.map((l) => `${l.case} ${yen(l.amount)}`).join('、')}）。`, detail: { links: r.links } };
  }));

  server.post<{ Params: { id: string }; Body: { reason?: string } }>('/finance/payments/:id/unsplit', { config: { roles: CHANGE } }, async (request, reply) => act(request, reply, 'finance.split.undo', (id) => {
    // The split undone as a whole: every link of the payment removed in one transaction (unlinkPayment with no
    // case), each case moved back through the case transition; the payment waits again and is held from the matcher.
    if (app.payments.linksForPayment(id).length < 2) throw new PaymentActionError('この入金は複数の案件に振り分けられていません（1件ずつの紐付けは「この紐付けを外す」で外してください）');
    const reason = String(request.body?.reason ?? '').replace(/[\r\n\t]+/g, ' ').trim().slice(0, 500);
    const r = unlinkPayment(app, id, null, who(request), { reason: reason || '振り分けの取り消し' });
    return { message: `入金ID ${id} の振り分け（${r.cases.length}件）をすべて取り消しました。案件の状態：${r.cases.map((c) => `${c.case} ${statusLabel(c.status)}`).join('、')}`, detail: { cases: r.cases } };
  }));

  // ——— Cases from finance's side ———

  server.get<{ Querystring: AwaitingQuery }>('/finance/awaiting', { config: { roles: VIEW } }, async (request, reply) => {
    const q = awaitingQuery(request.query);
    const all = awaitingPaymentRows(app);
    const rows = sortAwaiting(filterAwaiting(all, q), q);
    const now = Date.now();
    const kinds = [...new Set(all.map((r) => r.kind))].sort().map((k) => ({ value: k, label: KIND_LABELS[k] ?? k }));
    return wb.page(request, reply, 'finance-awaiting', {
      title: '入金待ちの案件', q, total: all.length, kinds, sorts: AWAITING_SORTS, exportQuery: awaitingSearch(q, { what: 'awaiting' }),
      sortLink: (key: string) => `/finance/awaiting${awaitingSearch(q, { sort: key, dir: q.sort === key && q.dir === 'asc' ? 'desc' : 'asc' })}`,
      rows: rows.map((r) => ({
        number: r.number, name: typeof r.name === 'string' ? r.name : null, kana: typeof r.kana === 'string' ? r.kana : null, kind: KIND_LABELS[r.kind] ?? r.kind,
        fee: yen(r.expected_amount), linked: r.linked_amount ? yen(r.linked_amount) : null, since: tokyoDateTime(r.waiting_since), days: daysSince(r.waiting_since, now),
        reminders: r.reminders, lastReminder: r.last_reminder_at ? tokyoDateTime(r.last_reminder_at) : null, questioned: !!r.questioned, declared: r.payment_declared, company: typeof r.company === 'string' ? r.company : null,
      })),
    });
  });

  /** A case's payments and their history as finance sees them (also the fragment the staff's case page loads). */
  server.get<{ Params: { number: string } }>('/finance/cases/:number', { config: { roles: VIEW } }, async (request, reply) => {
    const c = app.cases.caseByNumber(String(request.params.number).toUpperCase());
    if (!c) return isHtmx(request) ? reply.code(404).type('text/html; charset=utf-8').send('<p class="muted">案件がありません。</p>') : wb.page(request, reply, 'not-found', { title: '案件がありません' }, 404);
    const data = caseHistory(c.id, c.number);
    const summary = app.payments.caseSummaries([c.id]).get(c.id);
    const view = {
      number: c.number, status: statusLabel(c.status), kind: KIND_LABELS[c.kind] ?? c.kind, fee: yen(c.expected_amount), linked: yen(summary?.linked_amount ?? 0),
      name: typeof summary?.name === 'string' ? summary.name : null, received: tokyoDateTime(c.received_at), ...data, staff: request.user!.role !== 'finance',
    };
    if (isHtmx(request)) return reply.header('cache-control', 'no-store').view('finance-case-history.eta', { c: view, fragment: true });
    return wb.page(request, reply, 'finance-case', { title: `${c.number} の入金`, c: view });
  });

  function caseHistory(caseId: number, number: string) {
    const payments = app.payments.paymentsForCase(caseId).map((p) => ({
      id: p.id, paidOn: p.paid_on, amount: yen(p.amount), linked: yen(p.link_amount), accepted: !!p.accepted, by: p.linked_by, transferName: p.transfer_name,
      split: app.payments.linksForPayment(p.id).length > 1,
    }));
    const events = app.cases.events(caseId).filter((e) => e.type.startsWith('payment.')).map((e) => {
      const d = e.data_json ? (JSON.parse(e.data_json) as { payment?: number; amount?: number; accepted?: boolean; reason?: string; kind?: string; queued?: boolean }) : {};
      return {
        at: tokyoDateTime(e.at), actor: e.actor, type: e.type, label: EVENT_LABELS[e.type] ?? e.type, payment: d.payment ?? null, amount: d.amount !== undefined ? yen(d.amount) : '',
        note: [d.accepted ? '満額扱い' : '', d.kind ? DISMISS_KINDS[d.kind] ?? d.kind : '', e.type === 'payment.reminder' ? (d.queued ? '督促メールを作成' : '督促メールは送らず（通知停止中）') : '', d.reason && d.reason !== 'bulk split' ? d.reason : d.reason === 'bulk split' ? '一括振込の振り分け' : ''].filter(Boolean).join('・'),
      };
    });
    // The workbench's own record of who did it (login, from the audit log): finance's actions on this case.
    const audit = wb.audit.list({ caseNumber: number, limit: 200 }).rows.filter((a) => a.action.startsWith('finance.')).reverse()
      .map((a) => ({ at: tokyoDateTime(a.at), login: a.login ?? '', action: AUDIT_LABELS[a.action] ?? a.action, target: a.target ?? '' }));
    return { payments, events, audit };
  }

  // ——— The exports ———

  server.get<{ Querystring: Record<string, string | undefined> }>('/finance/export', { config: { roles: VIEW } }, async (request, reply) => {
    const query = request.query;
    const what = query.what === 'awaiting' ? 'awaiting' : query.what === 'import' ? 'import' : query.what === 'period' ? 'period' : '';
    const encoding: CsvEncoding = query.encoding === 'cp932' ? 'cp932' : 'utf-8';
    const states = ([] as string[]).concat(query.state ?? []).filter((s): s is ReconciliationState => s in STATE_CHOICES);
    const imports = app.payments.importList(200).map((i) => ({ id: i.id, label: `#${i.id} ${i.file_name}（${tokyoDateTime(i.imported_at)}）` }));
    const form = (error: string | null, status = 200) => wb.page(request, reply, 'finance-export', {
      title: 'CSVの書き出し', error, what: what || 'period', from: String(query.from ?? ''), to: String(query.to ?? ''), importId: String(query.import ?? ''), encoding, imports,
      states: Object.entries(STATE_CHOICES).map(([value, label]) => ({ value, label, checked: states.includes(value as ReconciliationState) })), standIn: CP932_STAND_IN,
    }, status);
    if (!what) return form(null);
    let file: CsvFile;
    let name: string;
    let detail: Record<string, unknown>;
    if (what === 'period') {
      const from = String(query.from ?? '');
      const to = String(query.to ?? '');
      if (!DAY.test(from) || !DAY.test(to) || from > to) return form('期間を正しく指定してください（開始日が終了日より後になっていないか確認してください）。', 422);
      file = reconciliationExport(app, { from, to }, { encoding, states });
      name = `入金と消込状況_${from}_${to}.csv`;
      detail = { what, from, to };
    } else if (what === 'import') {
      const importId = Number(query.import);
      if (!Number.isSafeInteger(importId) || !app.payments.importById(importId)) return form('書き出す取込を選んでください。', 422);
      file = reconciliationExport(app, { importId }, { encoding, states });
      name = `入金と消込状況_取込${importId}.csv`;
      detail = { what, importId };
    } else {
      const q = awaitingQuery(query);
      file = awaitingPaymentExport(sortAwaiting(filterAwaiting(awaitingPaymentRows(app), q), q), { encoding });
      name = `入金待ちの案件_${new Date().toISOString().slice(0, 10)}.csv`;
      detail = { what, sort: q.sort, dir: q.dir, kind: q.kind || null, filtered: !!(q.q || q.questioned || q.days) };
    }
    // The count of characters replaced in CP932, never the characters themselves (they may be part of a name).
    wb.record(request, 'finance.export', { detail: { ...detail, encoding, rows: file.rows, ...(states.length ? { states } : {}), ...(file.replaced ? { replaced: file.replaced } : {}) } });
    return reply.type(`text/csv; charset=${encoding === 'cp932' ? 'Shift_JIS' : 'utf-8'}`).header('content-disposition', contentDisposition('attachment', name))
      .header('x-conken-replaced-characters', String(file.replaced)).header('cache-control', 'private, no-store').send(file.bytes);
  });
}

const STATE_CHOICES: Record<ReconciliationState, string> = { linked: '消込済み', split: '分割消込', partial: '一部消込', unlinked: '未消込', dismissed: '対象外' };

const AUDIT_LABELS: Record<string, string> = {
  'finance.link': '紐付け', 'finance.unlink': '紐付けの取り消し', 'finance.split': '振り分け', 'finance.split.undo': '振り分けの取り消し', 'finance.dismiss': '対象外に', 'finance.escalate': '事務局へ相談',
};

type AwaitingQuery = { sort?: string; dir?: string; kind?: string; q?: string; questioned?: string; days?: string };
const AWAITING_SORTS: Record<string, string> = { since: '入金待ちの開始', number: '受付番号', name: '氏名', kind: '種別', fee: '手数料', reminders: '督促の回数', last: '最後の督促' };

function awaitingQuery(raw: AwaitingQuery & Record<string, unknown>): { sort: string; dir: 'asc' | 'desc'; kind: string; q: string; questioned: boolean; days: number | null } {
  const sort = String(raw.sort ?? 'since');
  const days = Number.parseInt(String(raw.days ?? ''), 10);
  return {
    sort: sort in AWAITING_SORTS ? sort : 'since', dir: raw.dir === 'desc' ? 'desc' : 'asc', kind: String(raw.kind ?? '').slice(0, 40), q: String(raw.q ?? '').slice(0, 100),
    questioned: raw.questioned === '1', days: Number.isFinite(days) && days > 0 ? days : null,
  };
}

function awaitingSearch(q: ReturnType<typeof awaitingQuery>, extra: Record<string, string>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...extra })) params.set(k, v);
  if (!params.has('sort') && q.sort !== 'since') params.set('sort', q.sort);
  if (!params.has('dir') && q.dir !== 'asc') params.set('dir', q.dir);
  if (q.kind) params.set('kind', q.kind);
  if (q.q) params.set('q', q.q);
  if (q.questioned) params.set('questioned', '1');
  if (q.days) params.set('days', String(q.days));
  const s = params.toString();
  return s ? `?${s}` : '';
}

/** Width, case, spaces and katakana/hiragana folded, so a search finds カナ by かな. */
function fold(text: string): string {
  return nfkc(text).toLowerCase().replace(/[\s\u3000・]/g, '').replace(/[\u30a1-\u30f6]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0x60));
}

function filterAwaiting(rows: AwaitingRow[], q: ReturnType<typeof awaitingQuery>): AwaitingRow[] {
  const text = q.q ? fold(q.q) : '';
  const now = Date.now();
  return rows.filter((r) => (!q.kind || r.kind === q.kind) && (!q.questioned || r.questioned) && (q.days === null || daysSince(r.waiting_since, now) >= q.days)
    && (!text || [r.number, r.name, r.kana, r.payment_declared, r.payment_company, r.company].some((v) => typeof v === 'string' && fold(v).includes(text))));
}

function sortAwaiting(rows: AwaitingRow[], q: ReturnType<typeof awaitingQuery>): AwaitingRow[] {
  const key = (r: AwaitingRow): string | number => {
    switch (q.sort) {
      case 'number': return r.number;
      case 'name': return typeof r.kana === 'string' ? r.kana : typeof r.name === 'string' ? r.name : '';
      case 'kind': return r.kind;
      case 'fee': return r.expected_amount ?? -1;
      case 'reminders': return r.reminders;
      case 'last': return r.last_reminder_at ?? '';
      default: return r.waiting_since;
    }
  };
  const sign = q.dir === 'desc' ? -1 : 1;
  const collator = new Intl.Collator('ja');
  return [...rows].sort((a, b) => {
    const x = key(a);
    const y = key(b);
    const c = typeof x === 'number' && typeof y === 'number' ? x - y : collator.compare(String(x), String(y));
    return c !== 0 ? sign * c : a.id - b.id;
  });
}

function summaryOf(r: NonNullable<ReturnType<typeof importReport>>, href: (number: string) => string) {
  const i = r.import;
  return {
    id: i.id, file: i.file_name, format: formatLabel(i.format), encoding: i.encoding ?? '—', when: tokyoDateTime(i.imported_at), who: i.actor.replace(/^finance:/, ''), kept: !!i.stored_path,
    rows: i.rows_total, debits: i.rows_debit, new: i.rows_new, duplicate: i.rows_duplicate, sameFileAs: r.sameFileAs, overlaps: r.overlaps,
    matched: r.matched.map((m) => ({ ...m, amountYen: yen(m.amount), cases: m.cases.map((c) => ({ ...c, href: href(c.case), statusLabel: statusLabel(c.status) })) })),
    attention: r.attention.map((a) => ({ ...a, amountYen: yen(a.amount), finding: a.linked ? '手動で紐付け済み' : a.status === 'dismissed' ? '対象外' : findingLabel(a.code) })),
    waiting: r.waiting, listed: r.attention.length, notListed: r.notListed,
  };
}
