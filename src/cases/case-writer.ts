// The one writer of a case's state: it applies what the case transition (transition.ts) decided, inside the
// caller's transaction. It alone inserts cases, writes their status, revision and findings, and queues
// their notices in the outbox (transactional outbox): the SQL for those writes lives here and nowhere else.
// It applies one case or thousands (a statement import) with the same statements and a handful of bulk reads.
//
// Notices are always queued as snapshots (what the notice says, fixed at the decision) and composed after
// the commit (src/app/compose-notices.ts) or, should the process die first, by the sender. Measured: composing
// inline held a statement import's transaction for seconds (28,000 notices), while composing a single mail's
// two or three notices after its commit costs the same as inline; so there is one way, and it is this one.
import { SqlStore, type Params } from './sql-store.ts';
import type { CaseStore, CaseRow, EventInsert } from './case-store.ts';
import type { PaymentLedger } from './payment-ledger.ts';
import { postalRecipientOf, type OutboxStore, type PostalRecipient } from './outbox-store.ts';
import type { CaseStatus } from './status.ts';
import type { CaseDecision, NoticeName } from './transition.ts';
import type { Finding } from '../validate/findings.ts';
import { noticeSnapshot, type NoticeFacts, type NoticeSettings } from './notice-snapshot.ts';
import { tokyoDate } from '../shared/calendar.ts';

/** The columns of a case a transition may set besides status and revision (the form, its payment key, …). */
export type CaseColumns = Partial<Pick<CaseRow, 'kind' | 'form_attachment_id' | 'application_json' | 'computed_json' | 'intake_findings_json' | 'payment_digits' | 'payment_kana' | 'expected_amount' | 'payment_declared' | 'payment_company' | 'payment_findings_json' | 'payment_reminded_at' | 'handled_findings_json'>> & {
  /** The review in progress (four eyes: a first approval), migration 50. */
  review_json?: string | null;
};

/** The CaseRow columns that live in case_documents (migration 8). */
const DOCUMENT_COLUMNS: ReadonlySet<string> = new Set(['application_json', 'computed_json']);

/** What the writer needs to know of the case as it stood (read by the caller, one case or in bulk). */
export type CaseHead = Pick<CaseRow, 'id' | 'number' | 'kind' | 'status' | 'revision' | 'received_at' | 'applicant_address' | 'notices_suppressed'>;

export interface CaseChange {
  case: CaseHead;
  decision: CaseDecision;
  /** Columns written with the change (also when the decision keeps the revision). */
  columns?: CaseColumns;
  /** The mail that caused the change, for the events. */
  messageId?: number | null;
  /** Extra data for the `case.evaluated` event (what triggered it). */
  trigger?: string;
}

export interface AppliedChange {
  caseId: number;
  status: CaseStatus;
  revision: number;
  /** The notices queued (names), in order, those held back by the daily cap included. */
  notices: NoticeName[];
}

/** The start of the Tokyo day of an instant, as an ISO instant (the daily cap counts from it). */
function tokyoDayStart(now: Date): string {
  return new Date(`${tokyoDate(now)}T00:00:00+09:00`).toISOString();
}

export class CaseWriter extends SqlStore {
  private readonly cases: CaseStore;
  private readonly payments: PaymentLedger;
  private readonly outbox: OutboxStore;
  private readonly settings: NoticeSettings;

  constructor(stores: { cases: CaseStore; payments: PaymentLedger; outbox: OutboxStore }, settings: NoticeSettings) {
    super(stores.cases.db);
    this.cases = stores.cases;
    this.payments = stores.payments;
    this.outbox = stores.outbox;
    this.settings = settings;
  }

  /**
   * Opens a case with the status its first decision gave it (revision 0: apply() writes revision 1 with its
   * findings and notices once the mail and attachments are linked). Call inside the creating transaction.
   */
  openCase(c: { prefix: string; year: number; kind: string; status: CaseStatus; applicantAddress: string | null; receivedAt: string; originMessageId: number | null; noticesSuppressed: boolean }): CaseHead {
    const number = this.cases.allocateNumber(c.prefix, c.year);
    const now = new Date().toISOString();
    const id = this.insert(`INSERT INTO cases (number, kind, status, applicant_address, received_at, origin_message_id, notices_suppressed, created_at, updated_at)
      VALUES ($number, $kind, $status, $applicantAddress, $receivedAt, $originMessageId, $suppressed, $now, $now)`,
    { number, kind: c.kind, status: c.status, applicantAddress: c.applicantAddress, receivedAt: c.receivedAt, originMessageId: c.originMessageId, suppressed: c.noticesSuppressed ? 1 : 0, now });
    // The case is new: "before" it had no status, which is what its first decision was made from.
    return { id, number, kind: c.kind, status: c.status, revision: 0, received_at: c.receivedAt, applicant_address: c.applicantAddress, notices_suppressed: c.noticesSuppressed ? 1 : 0 };
  }

  /** Applies decisions, in the order given. Returns each case's state afterwards. */
  apply(changes: readonly CaseChange[], now = new Date()): AppliedChange[] {
    const at = now.toISOString();
    const applied: AppliedChange[] = [];
    const findings: { caseId: number; revision: number; findings: readonly Finding[] }[] = [];
    const events: EventInsert[] = [];
    const noticed: { change: CaseChange; revision: number; index: number }[] = [];
    for (const change of changes) {
      const { case: c, decision } = change;
      const revision = decision.newRevision ? c.revision + 1 : c.revision;
      const columns: CaseColumns & { status?: CaseStatus; revision?: number } = { ...change.columns, ...decision.columns };
      if (decision.computed) columns.computed_json = JSON.stringify(decision.computed);
      if (decision.newRevision) {
        columns.status = decision.status;
        columns.revision = revision;
        findings.push({ caseId: c.id, revision, findings: decision.findings });
      }
      this.writeColumns(c.id, columns, at);
      if (columns.application_json) this.readdressLetters(c.id, columns.application_json, events, at);
      for (const e of decision.events) events.push({ caseId: c.id, messageId: change.messageId ?? null, actor: e.actor, type: e.type, ...(e.data ? { data: e.data } : {}), at });
      if (decision.newRevision) {
        events.push({ caseId: c.id, messageId: change.messageId ?? null, actor: decision.actor, type: 'case.evaluated', at,
          data: { revision, status: decision.status, previous: c.revision === 0 ? null : c.status, ...(change.trigger ? { trigger: change.trigger } : {}), codes: decision.findings.map((f) => `${f.code}/${f.audience}`) } });
      }
      applied.push({ caseId: c.id, status: decision.status, revision, notices: [] });
      if (decision.notices.length) noticed.push({ change, revision, index: applied.length - 1 });
    }
    this.saveFindings(findings);
    this.cases.addEvents(events);
    if (noticed.length) this.queueNotices(noticed.map((n) => ({ ...n, out: applied[n.index]! })), now);
    return applied;
  }

  /** Columns of a case row and of its documents, with statements fixed per column set (bulk imports reuse them). */
  private writeColumns(id: number, fields: Record<string, unknown>, at: string): void {
    const keys = Object.keys(fields).filter((k) => fields[k] !== undefined);
    if (keys.length === 0) return;
    const own = keys.filter((k) => !DOCUMENT_COLUMNS.has(k));
    const documents = keys.filter((k) => DOCUMENT_COLUMNS.has(k));
    const values = fields as Params;
    if (own.length) {
      this.stmt(`UPDATE cases SET ${own.map((k) => `${k} = $${k}, `).join('')}updated_at = $updatedAt WHERE id = $id`)
        .run({ ...Object.fromEntries(own.map((k) => [k, values[k] ?? null])), updatedAt: at, id });
    }
    if (documents.length) {
      this.stmt(`INSERT INTO case_documents (case_id, ${documents.join(', ')}) VALUES ($id, ${documents.map((k) => `$${k}`).join(', ')})
        ON CONFLICT (case_id) DO UPDATE SET ${documents.map((k) => `${k} = excluded.${k}`).join(', ')}`)
        .run({ ...Object.fromEntries(documents.map((k) => [k, values[k] ?? null])), id });
    }
  }

  private saveFindings(rows: readonly { caseId: number; revision: number; findings: readonly Finding[] }[]): void {
    if (rows.length === 0) return;
    const stmt = this.stmt('INSERT INTO findings (case_id, revision, code, field, row, audience, message) VALUES (?, ?, ?, ?, ?, ?, ?)');
    for (const r of rows) for (const f of r.findings) stmt.run(r.caseId, r.revision, f.code, f.field ?? null, f.row ?? null, f.audience, f.message);
  }

  /**
   * The notices of the decisions, queued as snapshots: where each goes (its template's audience), its stable
   * Message-ID (sequence per case and notice), and the daily cap of automatic mails per applicant address.
   * What a snapshot is made of is read for all the cases at once.
   */
  private queueNotices(noticed: readonly { change: CaseChange; revision: number; out: AppliedChange }[], now: Date): void {
    const ids = noticed.map((n) => n.change.case.id);
    const attachments = this.cases.attachmentsForCases(ids);
    const messageIds = this.cases.messageIdsForCases(ids);
    const payments = this.payments.paymentsForCases(ids);
    const sequences = this.outbox.outboxCountsForCases(ids);
    const mailsToday = this.outbox.mailsPerAddressSince(tokyoDayStart(now));
    // No e-mail address (a paper application): the applicant's notices become letters to the form's address.
    const recipients = this.postalRecipients(noticed.filter((n) => !n.change.case.applicant_address).map((n) => n.change.case.id));
    const at = now.toISOString();
    const insert = this.stmt(`INSERT OR IGNORE INTO outbox (case_id, kind, rfc_message_id, to_address, audience, mail_json, notice_json, status, next_attempt_at, created_at)
      VALUES (?, ?, ?, ?, ?, '', ?, ?, ?, ?)`);
    const events: EventInsert[] = [];
    for (const { change, out } of noticed) {
      const c = change.case;
      const facts: NoticeFacts = { c, status: change.decision.status, findings: change.decision.findings, payments: payments.get(c.id) ?? [], attachments: attachments.get(c.id) ?? [], messageIds: messageIds.get(c.id) ?? [] };
      for (const name of change.decision.notices) {
        const audience = this.settings.audienceOf(name);
        const recipient = audience === 'applicant' && !c.applicant_address ? recipients.get(c.id) : undefined;
        if (recipient) {
          this.queueLetter(insert, events, facts, name, recipient, change.decision.noticeData, sequences, at);
          out.notices.push(name);
          continue;
        }
        const to = audience === 'reviewer' ? this.settings.reviewerAddress : c.applicant_address;
        if (!to) continue;
        const sequenceKey = `${c.id}|${name}`;
        const sequence = (sequences.get(sequenceKey) ?? 0) + 1;
        sequences.set(sequenceKey, sequence);
        // A result notice carries what the decision fixed besides the case (its reason, its certificate).
        const notice = { ...noticeSnapshot(this.settings, name, facts, to, sequence), ...(change.decision.noticeData ? { extra: change.decision.noticeData } : {}) };
        // The daily cap is for automatic mail (SPEC §2); a reviewer's result (the approval with its certificate,
        // a rejection, a question) is a person's decision and is never held back by it, though it counts.
        const decided = name === 'review-approved' || name === 'review-rejected' || name === 'review-question';
        const overCap = audience === 'applicant' && !decided && (mailsToday.get(to) ?? 0) >= this.settings.maxPerSenderPerDay;
        if (audience === 'applicant' && !overCap) mailsToday.set(to, (mailsToday.get(to) ?? 0) + 1);
        insert.run(c.id, name, notice.messageId, to, audience, JSON.stringify(notice), overCap ? 'suppressed' : 'pending', at, at);
        events.push({ caseId: c.id, actor: 'system', type: overCap ? 'notice.suppressed' : 'notice.queued', data: { kind: name, messageId: notice.messageId, ...(overCap ? { reason: 'daily limit per sender reached' } : {}) }, at });
        out.notices.push(name);
      }
    }
    this.cases.addEvents(events);
  }

  /** The postal recipients the forms of these cases give (only cases with one). */
  private postalRecipients(caseIds: readonly number[]): Map<number, PostalRecipient> {
    const out = new Map<number, PostalRecipient>();
    if (caseIds.length === 0) return out;
    for (const [id, row] of this.cases.applicationsOf(caseIds)) {
      const recipient = row.application_json ? postalRecipientOf(JSON.parse(row.application_json)) : null;
      if (recipient) out.set(id, recipient);
    }
    return out;
  }

  /**
   * A notice as a letter: the same snapshot as the mail (composed by the same function, so the same text), not
   * a reply in a mail thread, never sent by the sender (status 'letter' until staff post it), outside the daily
   * cap (which guards against mail loops; a letter is printed by a person).
   */
  private queueLetter(insert: ReturnType<CaseWriter['stmt']>, events: EventInsert[], facts: NoticeFacts, name: NoticeName, recipient: PostalRecipient,
    extra: CaseDecision['noticeData'], sequences: Map<string, number>, at: string): void {
    const c = facts.c;
    const sequenceKey = `${c.id}|${name}`;
    const sequence = (sequences.get(sequenceKey) ?? 0) + 1;
    sequences.set(sequenceKey, sequence);
    const notice = { ...noticeSnapshot(this.settings, name, { ...facts, messageIds: [] }, '', sequence), ...(extra ? { extra } : {}) };
    insert.run(c.id, name, notice.messageId, JSON.stringify(recipient), 'applicant', JSON.stringify(notice), 'letter', at, at);
    events.push({ caseId: c.id, actor: 'system', type: 'notice.queued', data: { kind: name, messageId: notice.messageId, channel: 'letter' }, at });
  }

  /**
   * The form changed (a value confirmed or corrected, a new form): letters still waiting to be printed go to the
   * address it gives now, so a scan's address corrected by staff is the one printed. A letter posted stays as it was.
   */
  private readdressLetters(caseId: number, applicationJson: string, events: EventInsert[], at: string): void {
    const recipient = postalRecipientOf(JSON.parse(applicationJson));
    if (!recipient) return;
    const to = JSON.stringify(recipient);
    const result = this.stmt(`UPDATE outbox SET to_address = ? WHERE case_id = ? AND status = 'letter' AND to_address != '' AND to_address != ?`).run(to, caseId, to);
    if (Number(result.changes) > 0) events.push({ caseId, actor: 'system', type: 'letter.readdressed', data: { letters: Number(result.changes) }, at });
  }

  /**
   * Staff posted a printed letter: it leaves the letters waiting to be printed (once; false when it was not
   * waiting). The case itself does not change; its history records who posted which letter.
   */
  markLetterPosted(caseId: number, outboxId: number, actor: string, now = new Date()): boolean {
    const at = now.toISOString();
    const result = this.stmt(`UPDATE outbox SET status = 'posted', sent_at = ? WHERE id = ? AND case_id = ? AND status = 'letter'`).run(at, outboxId, caseId);
    if (Number(result.changes) === 0) return false;
    const row = this.get<{ kind: string; rfc_message_id: string }>('SELECT kind, rfc_message_id FROM outbox WHERE id = ?', outboxId)!;
    this.cases.addEvents([{ caseId, actor, type: 'letter.posted', data: { kind: row.kind, messageId: row.rfc_message_id }, at }]);
    return true;
  }

  /** Whether a mail with this Message-ID was queued (an office mail's once-only key). */
  wasQueued(rfcMessageId: string): boolean {
    return this.get('SELECT 1 AS one FROM outbox WHERE rfc_message_id = ?', rfcMessageId) !== undefined;
  }

  /**
   * An office mail that is about no single case (the staff's daily digest, a holder's renewal reminder), queued composed. Its Message-ID is
   * stable per occasion (e.g. the digest's period), so queuing it twice queues it once.
   */
  queueOfficeMail(o: { kind: string; rfcMessageId: string; to: string; mail: unknown; audience?: 'staff' | 'applicant' }, now = new Date()): boolean {
    const at = now.toISOString();
    const result = this.stmt(`INSERT OR IGNORE INTO outbox (case_id, kind, rfc_message_id, to_address, audience, mail_json, status, next_attempt_at, created_at)
      VALUES (NULL, ?, ?, ?, ?, ?, 'pending', ?, ?)`).run(o.kind, o.rfcMessageId, o.to, o.audience ?? 'staff', JSON.stringify(o.mail), at, at);
    return Number(result.changes) > 0;
  }
}
