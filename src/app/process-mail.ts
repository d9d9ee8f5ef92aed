// The journey of one mail: raw stored first, parsed, classified, its files read, each form turned into
// a case (or a reply folded into its case), evaluated, and everything committed in one transaction
// together with the notices it causes. analyseMail() writes nothing (it is what --dry-run runs);
// commitAnalysis() is the single write.
import type { App } from './context.ts';
import type { SourceMail } from '../intake/sources/mail-source.ts';
import { sha256 } from '../intake/content-store.ts';
import type { ApplicationBase } from '../extract/forms/form-kind.ts';
import type { Finding } from '../validate/findings.ts';
import { transaction } from '../cases/db.ts';
import type { CaseRow } from '../cases/case-store.ts';
import type { CaseStatus } from '../cases/status.ts';
import { commitCaseChanges } from './deferred-notices.ts';
import { paymentKeyColumns } from './payment-key.ts';
import type { CaseHead } from '../cases/case-writer.ts';
import { tokyoDate } from '../shared/calendar.ts';
import { fieldSources } from '../extract/forms/form-kind.ts';
import { runMatching } from './payment-matching.ts';
import { normaliseKana, transferKey } from '../payments/transfer-name.ts';
import { analyseMail, malformedPlan, openCaseFor, type Analysis, type AnalysedFile, type CasePlan, type Classification } from './analyse-mail.ts';
import { joinAuditReply } from './audit-replies.ts';
export { analyseMail, openCaseFor, type Analysis, type AnalysedFile, type CasePlan, type Classification } from './analyse-mail.ts';

export interface CaseOutcome {
  number: string | null;
  kind: string;
  status: CaseStatus;
  created: boolean;
  findings: Finding[];
  application: ApplicationBase | null;
  notices: string[];
}

export interface MailOutcome {
  ref: string | null;
  classification: Classification;
  ignored: boolean;
  note: string | null;
  cases: CaseOutcome[];
  /** For a duplicate: how the first copy was classified (a re-read copy is filed the same way). */
  firstSeenAs?: Classification;
}

/** The crops of values OCR could not confirm, kept in the content store and referred to from their evidence. */
function storeCrops(app: App, files: readonly AnalysedFile[]): void {
  for (const f of files) {
    if (f.verdict.role !== 'form' || !f.verdict.scan) continue;
    const sources = fieldSources(f.verdict.application);
    for (const u of f.verdict.scan.unconfirmed) {
      const source = sources.get(u.field);
      if (source && u.crop) source.crop = app.files.put(u.crop, '.png').path;
    }
  }
}

const CASE_PREFIX_UNKNOWN = 'X';

/**
 * A planned case, opened or joined, takes its files and any payment that is certainly its fee, and the
 * transition's decision is applied with the form's columns (inside the mail's transaction).
 */
function settlePlan(app: App, plan: CasePlan, head: CaseHead, messageId: number, attachmentIds: readonly number[], trigger?: string): CaseOutcome {
  for (const i of plan.attachFiles) app.cases.linkAttachment(head.id, attachmentIds[i]!);
  if (plan.paymentToLink !== null) {
    app.payments.linkPayment(plan.paymentToLink, head.id, 'matcher:exact');
    app.cases.addEvent({ caseId: head.id, actor: 'matcher', type: 'payment.linked', data: { payment: plan.paymentToLink, rule: 'exact' } });
  }
  const [applied] = app.writer.apply([{
    case: head, decision: plan.decision, messageId, ...(trigger ? { trigger } : {}),
    columns: {
      kind: plan.kind,
      intake_findings_json: JSON.stringify(plan.intakeFindings),
      ...(plan.formFile !== null ? { application_json: JSON.stringify(plan.application), form_attachment_id: attachmentIds[plan.formFile]! } : {}),
      ...paymentKeyColumns(app, head.id, plan.kind, plan.application),
    },
  }]);
  return { number: head.number, kind: plan.kind, status: applied!.status, created: !plan.existing, findings: plan.decision.findings, application: plan.application, notices: applied!.notices };
}

/**
 * The mail's one transaction: the message and its attachments stored, each planned case opened or joined,
 * its files and payment linked, and the case transition's decision applied by the writer (status, findings,
 * events, notices). The notices are composed after the commit.
 */
export function commitAnalysis(app: App, a: Analysis): MailOutcome {
  const outcome: MailOutcome = { ref: a.sourceRef, classification: a.classification, ignored: a.plans.length === 0 && !a.auditReply, note: a.note, cases: [] };
  if (a.classification === 'duplicate') {
    const first = app.cases.messageByKey(a.dedupeKey);
    if (first) outcome.firstSeenAs = first.classification as Classification;
    app.cases.addEvent({ actor: 'intake', type: 'mail.duplicate', data: { dedupeKey: a.dedupeKey, ref: a.sourceRef } });
    return outcome;
  }
  // Raw first: the content-addressed store is written before the database learns of the mail.
  const rawPath = app.files.put(a.raw, '.eml').path;
  storeCrops(app, a.files);
  const stored = a.files.map((f) => app.files.put(f.content));
  commitCaseChanges(app, () => {
    const messageId = app.cases.insertMessage({
      dedupeKey: a.dedupeKey, messageId: a.mail?.messageId ?? null, sha256: a.sha256, rawPath, source: a.source, sourceRef: a.sourceRef,
      receivedAt: a.receivedAt.toISOString(), from: a.mail?.from ?? null, subject: a.mail?.subject ?? null, classification: a.classification, note: a.note,
    });
    const attachmentIds = a.files.map((f, i) => app.cases.insertAttachment({
      message_id: messageId, filename: f.filename, from_archive: f.fromArchive ?? null, detected_type: f.verdict.type, size: f.content.length,
      sha256: stored[i]!.sha256, store_path: stored[i]!.path, role: f.verdict.role, form_kind: f.verdict.role === 'form' ? f.verdict.kind : null,
      note: 'reason' in f.verdict ? f.verdict.reason : 'note' in f.verdict ? f.verdict.note : null,
      facts_json: f.verdict.role === 'document' ? JSON.stringify(f.verdict.facts) : null,
    }));
    app.cases.addEvent({ messageId, actor: 'intake', type: `mail.${a.classification}`, data: { ref: a.sourceRef, note: a.note, attachments: a.files.length } });
    if (a.auditReply) joinAuditReply(app, a.auditReply.auditId, messageId, attachmentIds.length, a.receivedAt, a.mail?.replyAddress ?? null);
    else if (a.classification === 'reply' && a.plans.length === 0) {
      const closed = a.mail ? app.cases.caseByReferences(a.mail.references) : undefined;
      if (closed) app.cases.linkMessage(closed.id, messageId, 'reply');
    }

    for (const plan of a.plans) {
      const kindRules = app.rules.kinds[plan.kind];
      let head: CaseHead;
      if (plan.existing) {
        head = plan.existing;
        app.cases.linkMessage(head.id, messageId, 'reply');
        app.cases.addEvent({ caseId: head.id, messageId, actor: 'intake', type: 'case.reply-received', data: { attachments: plan.attachFiles.length, newForm: plan.formFile !== null } });
      } else {
        head = app.writer.openCase({
          prefix: kindRules?.casePrefix ?? CASE_PREFIX_UNKNOWN, year: Number(tokyoDate(a.receivedAt).slice(0, 4)), kind: plan.kind, status: plan.decision.status,
          applicantAddress: a.mail?.replyAddress ?? null, receivedAt: a.receivedAt.toISOString(), originMessageId: messageId, noticesSuppressed: plan.suppressNotices,
        });
        app.cases.linkMessage(head.id, messageId, 'original');
        app.cases.addEvent({ caseId: head.id, messageId, actor: 'intake', type: 'case.created', data: { number: head.number, kind: plan.kind } });
      }
      outcome.cases.push(settlePlan(app, plan, head, messageId, attachmentIds));
    }
  });
  return outcome;
}

/**
 * A stored mail staff triaged (analyseStoredMail), committed against its existing messages row instead of a
 * new one: the row's classification and note change, its attachment rows are read again (a file stored with
 * the mail keeps its row; one never stored, as with an ignored mail, gets one), and each plan goes through the
 * case transition via the writer as in commitAnalysis. One transaction; the notices are composed after it.
 */
export function commitStoredAnalysis(app: App, messageId: number, a: Analysis, actor: string, inside?: (outcome: MailOutcome) => void): MailOutcome {
  const outcome: MailOutcome = { ref: a.sourceRef, classification: a.classification, ignored: a.plans.length === 0, note: a.note, cases: [] };
  storeCrops(app, a.files);
  const stored = a.files.map((f) => app.files.put(f.content));
  commitCaseChanges(app, () => {
    app.cases.reclassifyMessage(messageId, a.classification, a.note);
    app.cases.addEvent({ messageId, actor, type: 'mail.triaged', data: { as: a.classification, cases: a.plans.map((p) => p.existing?.number ?? null), kind: a.plans[0]?.kind ?? null } });
    const existing = app.cases.messageAttachments(messageId);
    const used = new Set<number>();
    const attachmentIds = a.files.map((f, i) => {
      const reading = {
        detected_type: f.verdict.type, role: f.verdict.role, form_kind: f.verdict.role === 'form' ? f.verdict.kind : null,
        note: 'reason' in f.verdict ? f.verdict.reason : 'note' in f.verdict ? f.verdict.note : null,
        facts_json: f.verdict.role === 'document' ? JSON.stringify(f.verdict.facts) : null,
      };
      const row = existing.find((r) => !used.has(r.id) && r.sha256 === stored[i]!.sha256 && r.filename === f.filename);
      if (row) {
        used.add(row.id);
        app.cases.updateAttachmentReading(row.id, reading);
        return row.id;
      }
      return app.cases.insertAttachment({ message_id: messageId, filename: f.filename, from_archive: f.fromArchive ?? null, size: f.content.length, sha256: stored[i]!.sha256, store_path: stored[i]!.path, ...reading });
    });
    for (const plan of a.plans) {
      const kindRules = app.rules.kinds[plan.kind];
      let head: CaseHead;
      if (plan.existing && a.classification === 'reply') {
        head = plan.existing;
        app.cases.linkMessage(head.id, messageId, 'reply');
        app.cases.addEvent({ caseId: head.id, messageId, actor, type: 'case.reply-received', data: { attachments: plan.attachFiles.length, newForm: plan.formFile !== null, triaged: true } });
      } else if (plan.existing) {
        // The case the mail was held in becomes the application: mail to the applicant is no longer held.
        head = { ...plan.existing, notices_suppressed: plan.suppressNotices ? 1 : 0 };
        if (!plan.suppressNotices) app.cases.releaseNotices(head.id);
        app.cases.addEvent({ caseId: head.id, messageId, actor, type: 'case.triaged', data: { kind: plan.kind, previousKind: plan.existing.kind } });
      } else {
        head = app.writer.openCase({
          prefix: kindRules?.casePrefix ?? CASE_PREFIX_UNKNOWN, year: Number(tokyoDate(a.receivedAt).slice(0, 4)), kind: plan.kind, status: plan.decision.status,
          applicantAddress: a.mail?.replyAddress ?? null, receivedAt: a.receivedAt.toISOString(), originMessageId: messageId, noticesSuppressed: plan.suppressNotices,
        });
        app.cases.linkMessage(head.id, messageId, 'original');
        app.cases.addEvent({ caseId: head.id, messageId, actor, type: 'case.created', data: { number: head.number, kind: plan.kind, triaged: true } });
      }
      outcome.cases.push(settlePlan(app, plan, head, messageId, attachmentIds, 'triage'));
    }
    inside?.(outcome);
  });
  return outcome;
}

/** For --dry-run: the outcome an analysis would have, without writing anything. */
export function previewAnalysis(a: Analysis): MailOutcome {
  return {
    ref: a.sourceRef, classification: a.classification, ignored: a.plans.length === 0, note: a.note,
    cases: a.plans.map((p) => ({
      number: p.existing?.number ?? null, kind: p.kind, status: p.decision.status, created: !p.existing,
      findings: p.decision.findings, application: p.application,
      notices: p.decision.notices,
    })),
  };
}

/** Analyse and commit one mail. Never throws for bad input: an unexpected failure becomes a staff exception. */
export async function processMail(app: App, source: string, incoming: SourceMail): Promise<MailOutcome> {
  let analysis: Analysis;
  try {
    analysis = await analyseMail(app, source, incoming);
  } catch (error) {
    app.log.error({ ref: incoming.ref, err: (error as Error).message }, 'mail analysis failed; recorded as a staff exception');
    const receivedAt = incoming.receivedAt ?? incoming.fallbackTime ?? new Date();
    const hash = sha256(incoming.raw);
    analysis = {
      source, sourceRef: incoming.ref, raw: incoming.raw, sha256: hash, dedupeKey: `sha:${hash}`, mail: null, receivedAt,
      classification: 'malformed', note: `処理中のエラー: ${(error as Error).message}`, files: [], plans: [malformedPlan(app, `処理中のエラー: ${(error as Error).message}`, receivedAt)],
    };
    if (app.cases.messageByKey(analysis.dedupeKey)) analysis = { ...analysis, classification: 'duplicate', plans: [] };
  }
  const outcome = commitAnalysis(app, analysis);
  rematchAfter(app, outcome);
  app.log.info({ ref: incoming.ref, classification: outcome.classification, cases: outcome.cases.map((c) => `${c.number}:${c.status}`) }, 'mail processed');
  return outcome;
}

/**
 * A new or changed application may be a candidate for payments already on hand (SPEC §5: matching re-runs
 * whenever either side changes). Its own exact payment was linked in the commit. A full matching run only
 * when an unlinked payment shares the case's digits or name: fuzzier candidates (a name off by a character,
 * a company's bulk transfer) are found by the hourly run. The outcome's statuses are brought up to date.
 */
export function rematchAfter(app: App, outcome: MailOutcome): void {
  const rows = outcome.cases.map((c) => (c.number ? app.cases.caseByNumber(c.number) : undefined)).filter((r) => r !== undefined);
  const keys = rows.flatMap((r) => [
    { digits: r.payment_digits, kana: r.payment_kana ? normaliseKana(r.payment_kana) : null },
    ...(r.payment_declared ? [transferKey(r.payment_declared)] : []),
  ]);
  if (keys.length && app.payments.unlinkedPaymentLike(keys)) {
    const run = commitCaseChanges(app, () => runMatching(app));
    for (const c of outcome.cases) {
      const row = c.number ? app.cases.caseByNumber(c.number) : undefined;
      if (row && run.reevaluated.includes(row.number)) c.status = row.status;
    }
  }
}
