// Read-only queries of finance's pages (SELECT only) that no store has a method for: the cases still waiting
// for their fee with when they started waiting and the reminders sent, and the payments of an import for the
// export. A read model beside the stores (like workbench-queries.ts), so that SQL lives in src/cases/ only.
import { type Db, prepared } from './db.ts';

export interface AwaitingRow {
  id: number;
  number: string;
  kind: string;
  received_at: string;
  /** When the case started waiting: its (last) awaiting-payment notice, else its receipt — as the reminder job counts. */
  waiting_since: string;
  expected_amount: number | null;
  /** Linked so far (a short payment not accepted leaves the case waiting). */
  linked_amount: number;
  name: string | null;
  kana: string | null;
  payment_declared: string | null;
  payment_company: string | null;
  /** The company as written on the form (payment_company is its kana). */
  company: string | null;
  reminders: number;
  last_reminder_at: string | null;
  /** A payment waiting for finance names this case as a candidate (入金確認中). */
  questioned: number;
}

/** One line of the reconciliation export: a payment with one of its links (or none), its case and its set-aside. */
export interface ReconciliationLine {
  id: number; paid_on: string; amount: number; transfer_name: string; status: string; finding_code: string | null; reference: string | null;
  import_id: number; file_name: string; link_amount: number | null; accepted: number | null; linked_by: string | null; linked_at: string | null;
  case_number: string | null; case_status: string | null; expected_amount: number | null; link_count: number; linked_total: number;
  dismissed_kind: string | null; dismissed_reason: string | null;
}


/**
 * Every case waiting for its fee, oldest wait first, with its reminders: awaiting-payment, and payment-review
 * (入金確認中: unpaid too, a payment in finance's queue questions it — marked questioned).
 */
export function awaitingPayment(db: Db): AwaitingRow[] {
  // The cases a waiting payment questions, once (not a JSON scan per case).
  return prepared(db, `WITH questioned AS (SELECT DISTINCT json_extract(j.value, '$.caseId') AS case_id FROM payments p, json_each(p.candidates_json) j
        WHERE p.status = 'attention' AND p.candidates_json IS NOT NULL AND NOT EXISTS (SELECT 1 FROM payment_links x WHERE x.payment_id = p.id)),
      reminders AS (SELECT o.case_id, COUNT(*) AS n, MAX(o.created_at) AS last FROM outbox o WHERE o.kind = 'payment-reminder' GROUP BY o.case_id)
    SELECT c.id, c.number, c.kind, c.received_at, c.expected_amount, c.payment_declared, c.payment_company,
      COALESCE((SELECT MAX(o.created_at) FROM outbox o WHERE o.case_id = c.id AND o.kind = 'awaiting-payment'), c.received_at) AS waiting_since,
      (SELECT COALESCE(SUM(l.amount), 0) FROM payment_links l WHERE l.case_id = c.id) AS linked_amount,
      json_extract(d.application_json, '$.name') AS name, json_extract(d.application_json, '$.nameKana') AS kana,
      json_extract(d.application_json, '$.company') AS company,
      COALESCE(r.n, 0) AS reminders, r.last AS last_reminder_at, (q.case_id IS NOT NULL OR c.status = 'payment-review') AS questioned
    FROM cases c LEFT JOIN case_documents d ON d.case_id = c.id LEFT JOIN reminders r ON r.case_id = c.id LEFT JOIN questioned q ON q.case_id = c.id
    WHERE c.status IN ('awaiting-payment', 'payment-review') ORDER BY waiting_since, c.id`).all() as unknown as AwaitingRow[];
}

/**
 * The reconciliation of the payments booked in a period, or of one import: one line per link (a split payment
 * has several), an unlinked or set-aside payment one line.
 */
export function reconciliationLines(db: Db, of: { from: string; to: string } | { importId: number }): ReconciliationLine[] {
  const sql = `SELECT p.id, p.paid_on, p.amount, p.transfer_name, p.status, p.finding_code, p.reference, p.import_id, i.file_name,
      l.amount AS link_amount, l.accepted, l.linked_by, l.linked_at, c.number AS case_number, c.status AS case_status, c.expected_amount,
      (SELECT COUNT(*) FROM payment_links x WHERE x.payment_id = p.id) AS link_count,
      (SELECT COALESCE(SUM(x.amount), 0) FROM payment_links x WHERE x.payment_id = p.id) AS linked_total,
      dm.kind AS dismissed_kind, dm.reason AS dismissed_reason
    FROM payments p JOIN payment_imports i ON i.id = p.import_id
    LEFT JOIN payment_links l ON l.payment_id = p.id LEFT JOIN cases c ON c.id = l.case_id
    LEFT JOIN payment_dismissals dm ON dm.payment_id = p.id`;
  return ('importId' in of
    ? prepared(db, `${sql} WHERE p.import_id = ? ORDER BY p.id, c.number`).all(of.importId)
    : prepared(db, `${sql} WHERE p.paid_on >= ? AND p.paid_on <= ? ORDER BY p.paid_on, p.id, c.number`).all(of.from, of.to)) as unknown as ReconciliationLine[];
}
