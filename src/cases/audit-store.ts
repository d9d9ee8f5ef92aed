// The annual CPD audit's storage (migration 70): the recorded draws (append-only: the database refuses to
// change or delete one), the population they are drawn from (the register's case history: renewals
// approved in a year), and the audit cases with their events and the holder's replies. The audit writer
// (AuditStore.apply) is the one place an audit case changes, applying what decideAudit (audit-transition.ts)
// decided; its mails are queued by the case writer (CaseWriter.queueOfficeMail), never here. Callers hold
// the transaction.
import { SqlStore } from './sql-store.ts';
import type { CaseStore } from './case-store.ts';
import type { CaseWriter } from './case-writer.ts';
import type { AuditDecision, AuditMail, AuditOutcome, AuditState, AuditBefore } from './audit-transition.ts';

export interface DrawRow {
  year: number;
  seed: string;
  seed_source: 'admin' | 'generated';
  population_json: string;
  population_count: number;
  population_sha256: string;
  window_from: string;
  window_to: string;
  sample_size: number;
  sample_rule: string;
  drawn_by: string;
  recorded_at: string;
}

export interface SelectionRow {
  year: number;
  rank: number;
  certification_number: string;
  draw_key: string;
  selected_at: string;
}

export interface AuditRow {
  id: number;
  number: string;
  year: number;
  certification_number: string;
  holder_id: number | null;
  address: string | null;
  state: AuditState;
  deadline: string;
  request_message_id: string | null;
  reminder_message_id: string | null;
  reminded_at: string | null;
  first_reply_at: string | null;
  outcome: AuditOutcome | null;
  outcome_by: string | null;
  outcome_reason: string | null;
  outcome_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface AuditEventRow {
  id: number;
  at: string;
  actor: string;
  type: string;
  data_json: string | null;
}

export interface EvidenceRow {
  id: number;
  message_id: number;
  filename: string;
  detected_type: string;
  size: number;
  store_path: string;
  received_at: string;
  subject: string | null;
}

/** A composed mail the decision called for: where it goes, its stable Message-ID, the mail itself. */
export interface AuditMailOut {
  to: string;
  messageId: string;
  mail: unknown;
}

export function auditBefore(row: AuditRow): AuditBefore {
  return { state: row.state, deadline: row.deadline, hasAddress: !!row.address, remindedAt: row.reminded_at, firstReplyAt: row.first_reply_at, outcome: row.outcome };
}

export class AuditStore extends SqlStore {
  private readonly cases: CaseStore;
  private readonly writer: CaseWriter;

  constructor(stores: { cases: CaseStore; writer: CaseWriter }) {
    super(stores.cases.db);
    this.cases = stores.cases;
    this.writer = stores.writer;
  }

  // ── the population and the draws ──

  /**
   * The certification numbers of the renewals approved in [from, to) (ISO instants): the register's case
   * history (holder_cases, role 'renewed', written with the reviewer's approval). Unsorted, possibly repeated.
   */
  renewalsApproved(from: string, to: string): string[] {
    return this.all<{ n: string }>(`SELECT h.certification_number AS n FROM holder_cases hc JOIN certified_holders h ON h.id = hc.holder_id
      WHERE hc.role = 'renewed' AND hc.at >= ? AND hc.at < ?`, from, to).map((r) => r.n);
  }

  drawOf(year: number): DrawRow | undefined {
    return this.get('SELECT * FROM cpd_audit_draws WHERE year = ?', year);
  }

  drawnYears(): number[] {
    return this.all<{ year: number }>('SELECT year FROM cpd_audit_draws ORDER BY year DESC').map((r) => r.year);
  }

  /** Records a draw before it is made (its seed and frozen population); fails if the year has one. */
  recordDraw(d: DrawRow): void {
    this.stmt(`INSERT INTO cpd_audit_draws (year, seed, seed_source, population_json, population_count, population_sha256, window_from, window_to, sample_size, sample_rule, drawn_by, recorded_at)
      VALUES ($year, $seed, $seed_source, $population_json, $population_count, $population_sha256, $window_from, $window_to, $sample_size, $sample_rule, $drawn_by, $recorded_at)`)
      .run(d as unknown as Record<string, string | number>);
  }

  recordSelections(rows: readonly SelectionRow[]): void {
    const insert = this.stmt('INSERT INTO cpd_audit_selections (year, rank, certification_number, draw_key, selected_at) VALUES (?, ?, ?, ?, ?)');
    for (const r of rows) insert.run(r.year, r.rank, r.certification_number, r.draw_key, r.selected_at);
  }

  selectionsOf(year: number): SelectionRow[] {
    return this.all('SELECT * FROM cpd_audit_selections WHERE year = ? ORDER BY rank', year);
  }

  // ── audit cases ──

  auditById(id: number): AuditRow | undefined {
    return this.get('SELECT * FROM cpd_audits WHERE id = ?', id);
  }

  auditByNumber(number: string): AuditRow | undefined {
    return this.get('SELECT * FROM cpd_audits WHERE number = ?', number);
  }

  /** The audit whose request or reminder one of these Message-IDs is (a reply's In-Reply-To, References). */
  auditByMessageIds(ids: readonly string[]): AuditRow | undefined {
    for (const id of ids) {
      const row = this.get<AuditRow>('SELECT * FROM cpd_audits WHERE request_message_id = ? OR reminder_message_id = ?', id, id);
      if (row) return row;
    }
    return undefined;
  }

  auditsOfYear(year: number, state?: AuditState | 'decided' | 'open'): AuditRow[] {
    const filter = state === 'decided' ? 'AND outcome IS NOT NULL' : state === 'open' ? 'AND outcome IS NULL' : state ? 'AND state = $state AND outcome IS NULL' : '';
    return this.stmt(`SELECT * FROM cpd_audits WHERE year = $year ${filter} ORDER BY number`).all({ year, ...(state && state !== 'decided' && state !== 'open' ? { state } : {}) }) as unknown as AuditRow[];
  }

  /** Per state (undecided) and decided, for one year. */
  countsOfYear(year: number): Record<string, number> {
    const out: Record<string, number> = { requested: 0, received: 0, complete: 0, overdue: 0, decided: 0 };
    for (const r of this.all<{ k: string; n: number }>("SELECT CASE WHEN outcome IS NULL THEN state ELSE 'decided' END AS k, COUNT(*) AS n FROM cpd_audits WHERE year = ? GROUP BY k", year)) out[r.k] = r.n;
    return out;
  }

  /** Per year, the undecided audits that need staff: replies received and not checked yet, and overdue ones. */
  needingStaff(): { year: number; received: number; overdue: number }[] {
    return this.all(`SELECT year, SUM(state = 'received') AS received, SUM(state = 'overdue') AS overdue FROM cpd_audits
      WHERE outcome IS NULL AND state IN ('received', 'overdue') GROUP BY year ORDER BY year`);
  }

  /** Undecided audits still waiting for a reply (the daily follow-up reads them). */
  waitingForReply(): AuditRow[] {
    return this.all("SELECT * FROM cpd_audits WHERE state = 'requested' AND outcome IS NULL ORDER BY number");
  }

  /** Opens an audit case (state from its first decision), numbered like a case: PREFIX-YEAR-NNNNNN. */
  openAudit(a: { prefix: string; year: number; numberYear: number; certificationNumber: string; holderId: number | null; address: string | null; deadline: string; state: AuditState; at: string }): AuditRow {
    const number = this.cases.allocateNumber(a.prefix, a.numberYear);
    const id = this.insert(`INSERT INTO cpd_audits (number, year, certification_number, holder_id, address, state, deadline, created_at, updated_at)
      VALUES ($number, $year, $cn, $holder, $address, $state, $deadline, $at, $at)`,
    { number, year: a.year, cn: a.certificationNumber, holder: a.holderId, address: a.address, state: a.state, deadline: a.deadline, at: a.at });
    return this.auditById(id)!;
  }

  /**
   * The one writer of an audit case: the decision's state and columns, its events, and its mail queued
   * by the case writer (its Message-ID kept on the audit, so a reply in its thread finds the audit).
   */
  apply(audit: AuditRow, decision: AuditDecision, mail: AuditMailOut | null, now: Date): AuditRow {
    const at = now.toISOString();
    const columns: Record<string, string | null> = { state: decision.state, ...decision.columns };
    // The request's and reminder's Message-IDs find the audit of a reply; the outcome notice is threaded to
    // the request, so a reply to it names the request too.
    if (decision.mail === 'audit-request' && mail) columns.request_message_id = mail.messageId;
    if (decision.mail === 'audit-reminder' && mail) columns.reminder_message_id = mail.messageId;
    const keys = Object.keys(columns);
    this.stmt(`UPDATE cpd_audits SET ${keys.map((k) => `${k} = $${k}, `).join('')}updated_at = $updated_at WHERE id = $id`).run({ ...columns, updated_at: at, id: audit.id });
    const insert = this.stmt('INSERT INTO cpd_audit_events (audit_id, at, actor, type, data_json) VALUES (?, ?, ?, ?, ?)');
    for (const e of decision.events) insert.run(audit.id, at, e.actor, e.type, e.data ? JSON.stringify(e.data) : null);
    if (decision.mail && mail) {
      const queued = this.writer.queueOfficeMail({ kind: decision.mail satisfies AuditMail, rfcMessageId: mail.messageId, to: mail.to, mail: mail.mail, audience: 'applicant' }, now);
      insert.run(audit.id, at, 'system', 'notice.queued', JSON.stringify({ kind: decision.mail, messageId: mail.messageId, queued }));
    }
    return this.auditById(audit.id)!;
  }

  events(auditId: number): AuditEventRow[] {
    return this.all('SELECT id, at, actor, type, data_json FROM cpd_audit_events WHERE audit_id = ? ORDER BY id', auditId);
  }

  linkMessage(auditId: number, messageId: number): void {
    this.stmt('INSERT OR IGNORE INTO cpd_audit_messages (audit_id, message_id) VALUES (?, ?)').run(auditId, messageId);
  }

  /** The files the holder sent (the attachments of the replies joined to the audit), oldest first. */
  evidence(auditId: number): EvidenceRow[] {
    return this.all(`SELECT a.id, a.message_id, a.filename, a.detected_type, a.size, a.store_path, m.received_at, m.subject
      FROM cpd_audit_messages am JOIN messages m ON m.id = am.message_id JOIN attachments a ON a.message_id = m.id
      WHERE am.audit_id = ? ORDER BY m.received_at, a.id`, auditId);
  }

  replyCount(auditId: number): number {
    return this.get<{ n: number }>('SELECT COUNT(*) AS n FROM cpd_audit_messages WHERE audit_id = ?', auditId)!.n;
  }
}
