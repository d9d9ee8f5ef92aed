// Every notice is queued unrendered by the case writer (mail_json '', the NoticeSnapshot in notice_json) and
// composed here right after the commit of the decision (commitCaseChanges), 500 per transaction: composing
// 28,000 notices inside a statement import's transaction would hold the database for seconds. Should the
// process die in between, the sender composes what is left before delivering it. Either way a notice is
// composed from the same snapshot by the same function, and it is still sent at most once (the outbox row,
// its Message-ID and status are fixed when it is queued).
import type { App } from './context.ts';
import { isLetter, type OutboxRow } from '../cases/outbox-store.ts';
import { POSTAL_SOURCE } from './case-channel.ts';
import { transaction } from '../cases/db.ts';
import type { OutgoingMail } from '../outbound/outgoing-mail.ts';
import { composeFromSnapshot } from '../outbound/compose-snapshot.ts';
import type { NoticeSnapshot } from '../cases/notice-snapshot.ts';

const BATCH = 500;

type CaseDocuments = Map<number, { application: Record<string, unknown> | null; computed: Record<string, unknown>; appliedByPost: boolean }>;

function documentsOf(app: App, caseIds: readonly number[]): CaseDocuments {
  const out: CaseDocuments = new Map();
  // A paper application's notices say so even when they go by mail (to the form's e-mail address).
  const postal = app.cases.casesFromSource(caseIds, POSTAL_SOURCE);
  for (const [id, row] of app.cases.applicationsOf(caseIds)) {
    out.set(id, {
      application: row.application_json ? (JSON.parse(row.application_json) as Record<string, unknown>) : null,
      computed: row.computed_json ? (JSON.parse(row.computed_json) as Record<string, unknown>) : {},
      appliedByPost: postal.has(id),
    });
  }
  return out;
}

function compose(app: App, row: OutboxRow, documents: CaseDocuments): OutgoingMail {
  if (!row.notice_json) throw new Error(`outbox ${row.id}: neither a mail nor a notice to compose`);
  const snapshot = JSON.parse(row.notice_json) as NoticeSnapshot;
  const docs = documents.get(snapshot.caseId) ?? { application: null, computed: {}, appliedByPost: false };
  // A letter is worded for paper (reply by post, documents enclosed): the templates' byPost sections.
  return composeFromSnapshot(app.templates, snapshot, docs.application, docs.computed, isLetter(row) ? 'post' : 'mail', docs.appliedByPost);
}

/** Composes every queued notice not rendered yet, inside the caller's transaction; returns how many. */
export function composeUnrenderedNotices(app: App, limit = Number.MAX_SAFE_INTEGER): number {
  let rendered = 0;
  while (rendered < limit) {
    const rows = app.outbox.unrenderedNotices(Math.min(BATCH, limit - rendered));
    if (rows.length === 0) break;
    const documents = documentsOf(app, [...new Set(rows.map((r) => r.case_id).filter((id): id is number => id !== null))]);
    for (const row of rows) app.outbox.setRenderedMail(row.id, compose(app, row, documents));
    rendered += rows.length;
  }
  return rendered;
}

/** After a bulk job's commit: composes every queued notice, 500 per transaction; returns how many. */
export function renderQueuedNotices(app: App): number {
  let rendered = 0;
  for (;;) {
    const done = transaction(app.db, () => composeUnrenderedNotices(app, BATCH));
    rendered += done;
    if (done < BATCH) return rendered;
  }
}

/** The mail of an outbox row, composing (and storing) it first if it was queued unrendered. */
export function mailOfOutboxRow(app: App, row: OutboxRow): OutgoingMail {
  if (row.mail_json !== '') return JSON.parse(row.mail_json) as OutgoingMail;
  const mail = compose(app, row, documentsOf(app, row.case_id === null ? [] : [row.case_id]));
  app.outbox.setRenderedMail(row.id, mail);
  return mail;
}

/**
 * A change of cases in one transaction, then its notices composed: the way every caller (a mail, a
 * confirmed value, a payment link, a reminder job) commits what the case transition decided.
 */
export function commitCaseChanges<T>(app: App, change: () => T): T {
  const result = transaction(app.db, change);
  renderQueuedNotices(app);
  return result;
}
