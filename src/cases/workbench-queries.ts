// Read-only queries of the workbench (SELECT only): the queue of exceptions and the mails that became no
// case. Cases themselves are read through the case store; these are the lists it has no method for, shaped
// for a page of 1,000 rows (no application JSON parsed: the few values shown are extracted by SQLite). A read
// model beside the stores, so that SQL lives in src/cases/ only.
import { type Db, prepared } from './db.ts';

export interface QueueRow {
  id: number;
  number: string;
  kind: string;
  received_at: string;
  applicant_address: string | null;
  name: string | null;
  kana: string | null;
  reasons: { code: string; field: string | null; message: string }[];
}

export interface MailRow {
  id: number;
  received_at: string;
  from_address: string | null;
  subject: string | null;
  classification: string;
  note: string | null;
  attachments: number;
  case_number: string | null;
}


/** Every case in `exception`, oldest first, with its current staff findings (why it waits). */
export function exceptionQueue(db: Db): QueueRow[] {
  const cases = prepared(db, `SELECT c.id, c.number, c.kind, c.received_at, c.applicant_address,
      json_extract(d.application_json, '$.name') AS name, json_extract(d.application_json, '$.nameKana') AS kana
    FROM cases c LEFT JOIN case_documents d ON d.case_id = c.id
    WHERE c.status = 'exception' ORDER BY c.received_at, c.id`).all() as unknown as Omit<QueueRow, 'reasons'>[];
  const findings = prepared(db, `SELECT f.case_id, f.code, f.field, f.message FROM cases c JOIN findings f ON f.case_id = c.id AND f.revision = c.revision
    WHERE c.status = 'exception' AND f.audience = 'staff' ORDER BY f.id`).all() as unknown as { case_id: number; code: string; field: string | null; message: string }[];
  const byCase = new Map<number, QueueRow>();
  const rows: QueueRow[] = cases.map((c) => {
    const row = { ...c, name: typeof c.name === 'string' ? c.name : null, kana: typeof c.kana === 'string' ? c.kana : null, reasons: [] };
    byCase.set(c.id, row);
    return row;
  });
  for (const f of findings) byCase.get(f.case_id)?.reasons.push({ code: f.code, field: f.field, message: f.message });
  return rows;
}

/** The next case of the queue after this one (queue order: received, then id), else the first other one. */
export function nextInQueue(db: Db, current: { id: number; received_at: string }): string | null {
  const after = prepared(db, `SELECT number FROM cases WHERE status = 'exception' AND (received_at > ? OR (received_at = ? AND id > ?))
    ORDER BY received_at, id LIMIT 1`).get(current.received_at, current.received_at, current.id) as { number: string } | undefined;
  if (after) return after.number;
  const first = prepared(db, `SELECT number FROM cases WHERE status = 'exception' AND id != ? ORDER BY received_at, id LIMIT 1`).get(current.id) as { number: string } | undefined;
  return first?.number ?? null;
}

/** Position of a case in the queue (1-based) and the queue's length, for "3 / 12". */
export function queuePosition(db: Db, current: { id: number; received_at: string }): { position: number; total: number } {
  const r = prepared(db, `SELECT
      (SELECT COUNT(*) FROM cases WHERE status = 'exception' AND (received_at < ? OR (received_at = ? AND id <= ?))) AS position,
      (SELECT COUNT(*) FROM cases WHERE status = 'exception') AS total`).get(current.received_at, current.received_at, current.id) as { position: number; total: number };
  return r;
}

/** Mails that need a person's eye: near misses, malformed mails, unrelated or automatic mails; newest first. */
export function mailsForTriage(db: Db, limit = 500): MailRow[] {
  return prepared(db, `SELECT m.id, m.received_at, m.from_address, m.subject, m.classification, m.note,
      (SELECT COUNT(*) FROM attachments a WHERE a.message_id = m.id) AS attachments,
      (SELECT c.number FROM case_messages cm JOIN cases c ON c.id = cm.case_id WHERE cm.message_id = m.id ORDER BY c.id LIMIT 1) AS case_number
    FROM messages m WHERE m.classification IN ('near-miss', 'malformed', 'ignored', 'automatic')
    ORDER BY m.received_at DESC, m.id DESC LIMIT ?`).all(limit) as unknown as MailRow[];
}

/** Cases per status (the header's counts). */
export function statusCounts(db: Db): Record<string, number> {
  const rows = prepared(db, 'SELECT status, COUNT(*) AS n FROM cases GROUP BY status').all() as unknown as { status: string; n: number }[];
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}
