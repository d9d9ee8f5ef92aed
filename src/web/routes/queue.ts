// The staff's home: the exceptions queue (oldest first, why each case waits, counts per reason) with its
// filters and search, and the mails that need a person's eye in a second tab.
import type { FastifyInstance } from 'fastify';
import { exceptionQueue, mailsForTriage, type QueueRow } from '../../cases/workbench-queries.ts';
import { CLASSIFICATION_LABELS, CODE_LABELS, KIND_LABELS, daysSince, fieldLabel, tokyoDateTime, tokyoDay } from '../labels.ts';
import { nfkc } from '../../shared/japanese.ts';

/** Search text folded the same way on both sides: width, case, spaces, and katakana as hiragana. */
export function fold(text: string): string {
  return nfkc(text).toLowerCase().replace(/[\s\u3000・]/g, '').replace(/[\u30a1-\u30f6]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0x60));
}

function matches(row: QueueRow, q: string): boolean {
  return [row.number, row.name, row.kana, row.applicant_address].some((v) => v && fold(v).includes(q));
}

/**
 * Why a case waits, one line per reason: a reason found once keeps its message; a reason found for many
 * fields (twenty values OCR could not confirm) becomes one line naming the first few fields.
 */
function summarise(reasons: QueueRow['reasons'], kind: string): { label: string; message: string }[] {
  const byCode = new Map<string, QueueRow['reasons']>();
  for (const r of reasons) byCode.set(r.code, [...(byCode.get(r.code) ?? []), r]);
  return [...byCode].map(([code, list]) => {
    const label = CODE_LABELS[code] ?? code;
    if (list.length === 1) return { label, message: list[0]!.message };
    const fields = list.map((r) => (r.field ? fieldLabel(r.field, kind) : '')).filter(Boolean);
    const shown = fields.slice(0, 4).join('、');
    return { label: `${label} ×${list.length}`, message: fields.length ? `${shown}${fields.length > 4 ? ` ほか${fields.length - 4}件` : ''}` : list[0]!.message };
  });
}

export function registerQueueRoutes(server: FastifyInstance): void {
  const wb = server.workbench;

  server.get<{ Querystring: { q?: string; kind?: string; reason?: string } }>('/queue', { config: { roles: ['staff'] } }, async (request, reply) => {
    const all = exceptionQueue(wb.app.db);
    const q = fold(String(request.query.q ?? '').slice(0, 100));
    const kind = String(request.query.kind ?? '');
    const reason = String(request.query.reason ?? '');
    const counts = new Map<string, number>();
    for (const row of all) for (const code of new Set(row.reasons.map((r) => r.code))) counts.set(code, (counts.get(code) ?? 0) + 1);
    const kinds = new Map<string, number>();
    for (const row of all) kinds.set(row.kind, (kinds.get(row.kind) ?? 0) + 1);
    const rows = all.filter((r) => (!q || matches(r, q)) && (!kind || r.kind === kind) && (!reason || r.reasons.some((x) => x.code === reason)));
    const now = Date.now();
    return wb.page(request, reply, 'queue', {
      title: '要対応の案件', tab: 'cases', total: all.length, q: request.query.q ?? '', kind, reason, lettersWaiting: wb.app.outbox.lettersWaitingCount(),
      reasons: [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([code, n]) => ({ code, n, label: CODE_LABELS[code] ?? code })),
      kinds: [...kinds].map(([k, n]) => ({ kind: k, n, label: KIND_LABELS[k] ?? k })),
      rows: rows.map((r) => ({
        number: r.number, kind: KIND_LABELS[r.kind] ?? r.kind, received: tokyoDateTime(r.received_at), waited: daysSince(r.received_at, now),
        name: r.name, kana: r.kana, address: r.applicant_address,
        reasons: summarise(r.reasons, r.kind),
      })),
    });
  });

  server.get<{ Querystring: { q?: string; type?: string } }>('/queue/mails', { config: { roles: ['staff'] } }, async (request, reply) => {
    const all = mailsForTriage(wb.app.db);
    const q = fold(String(request.query.q ?? '').slice(0, 100));
    const type = String(request.query.type ?? '');
    const counts = new Map<string, number>();
    for (const m of all) counts.set(m.classification, (counts.get(m.classification) ?? 0) + 1);
    const rows = all.filter((m) => (!type || m.classification === type) && (!q || [m.subject, m.from_address, m.case_number].some((v) => v && fold(v).includes(q))));
    return wb.page(request, reply, 'mails', {
      title: '確認が必要なメール', tab: 'mails', q: request.query.q ?? '', type, total: all.length,
      types: [...counts].map(([t, n]) => ({ type: t, n, label: CLASSIFICATION_LABELS[t] ?? t })),
      rows: rows.map((m) => ({ ...m, received: tokyoDateTime(m.received_at), day: tokyoDay(m.received_at), label: CLASSIFICATION_LABELS[m.classification] ?? m.classification })),
    });
  });
}
