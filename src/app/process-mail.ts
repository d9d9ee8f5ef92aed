// The journey of one mail: raw stored first, parsed, classified, its files read, each form turned into
// a case (or a reply folded into its case), evaluated, and everything committed in one transaction
// together with the notices it causes. analyseMail() writes nothing (it is what --dry-run runs);
// commitAnalysis() is the single write.
import type { App } from './context.ts';
import type { SourceMail } from '../intake/sources/mail-source.ts';
import { parseMail, type IncomingMail } from '../intake/parse-mail.ts';
import { sha256 } from '../intake/content-store.ts';
import { classifySubject } from '../intake/subject-rules.ts';
import { caseNumberIn } from '../intake/mail-headers.ts';
import { expandArchives } from '../intake/expand-archives.ts';
import { extractFile, type FileVerdict } from '../extract/extract-file.ts';
import { detectFileType } from '../extract/file-type.ts';
import type { ApplicationBase } from '../extract/forms/form-kind.ts';
import { applicantAndStaff, finding, type Finding } from '../validate/findings.ts';
import { validatorFor } from '../validate/index.ts';
import { transaction } from '../cases/db.ts';
import type { CaseRow } from '../cases/case-store.ts';
import { isClosed, type CaseStatus } from '../cases/status.ts';
import { matchExact, type OpenCase } from '../payments/matcher.ts';
import { evaluate, type Evaluation } from './evaluate.ts';
import { enqueueNotices, noticesFor, type Trigger } from './notify.ts';
import { tokyoDate } from '../shared/calendar.ts';
import type { SupportingDocument } from '../validate/validator.ts';
import { supportingDocuments } from './supporting-documents.ts';
import { readScannedFormFiles } from '../extract/scanned-form-files.ts';
import { fieldSources } from '../extract/forms/form-kind.ts';
import { casePaid, paymentFindingsOf } from './payment-state.ts';
import { runMatching } from './payment-matching.ts';
import { normaliseKana, transferKey } from '../payments/transfer-name.ts';

export type Classification = 'application' | 'reply' | 'near-miss' | 'ignored' | 'automatic' | 'malformed' | 'duplicate';

export interface AnalysedFile {
  filename: string;
  fromArchive?: string;
  content: Buffer;
  verdict: FileVerdict;
}

export interface CasePlan {
  existing?: CaseRow;
  kind: string;
  /** Index (in files) of the form this case is read from; null = keep the existing application. */
  formFile: number | null;
  application: ApplicationBase | null;
  /** Files to attach to the case (the form, proofs, and the unusable ones as evidence). */
  attachFiles: number[];
  intakeFindings: Finding[];
  suppressNotices: boolean;
  evaluation: Evaluation;
  paid: boolean;
  paymentToLink: number | null;
  previousStatus: CaseStatus | null;
}

export interface Analysis {
  source: string;
  sourceRef: string | null;
  raw: Buffer;
  sha256: string;
  dedupeKey: string;
  mail: IncomingMail | null;
  receivedAt: Date;
  classification: Classification;
  note: string | null;
  files: AnalysedFile[];
  plans: CasePlan[];
}

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

const UNKNOWN_KIND = 'unknown';

function fileFindings(files: AnalysedFile[]): Finding[] {
  const out: Finding[] = [];
  for (const f of files) {
    const name = f.fromArchive ? `${f.fromArchive} 内の ${f.filename}` : f.filename;
    if (f.verdict.role === 'unsupported') {
      out.push(...applicantAndStaff('attachment.unsupported',
        `添付ファイル「${name}」（${f.verdict.reason}）は読み取れない形式です。Word（.docx）、PDF、または画像（JPEG・PNG・TIFF）で保存し直してお送りください。`,
        `添付「${name}」: 非対応の形式（${f.verdict.reason}）`, { field: 'attachment' }));
    } else if (f.verdict.role === 'unreadable') {
      out.push(...applicantAndStaff('attachment.unreadable',
        `添付ファイル「${name}」を開けませんでした（${f.verdict.reason}）。ファイルが壊れているか、パスワードが設定されている可能性があります。パスワードを外して保存し直し、あらためてお送りください。`,
        `添付「${name}」: 読み取り不可（${f.verdict.reason}）`, { field: 'attachment' }));
    }
  }
  return out;
}

function applicationOf(row: CaseRow): ApplicationBase | null {
  return row.application_json ? (JSON.parse(row.application_json) as ApplicationBase) : null;
}

/** The payment key inputs of an application, for the exact matcher. */
export function openCaseFor(app: App, id: number, kind: string, application: ApplicationBase | null): OpenCase | null {
  const validator = validatorFor(kind);
  const fee = app.rules.kinds[kind]?.fee;
  if (!validator || !application || !fee) return null;
  const key = validator.paymentKey(application);
  return { id, digits: key.digits, kana: key.kana, declaredTransferName: key.declared, expectedAmount: fee };
}

function openCasesFromStore(app: App, exceptId?: number): OpenCase[] {
  return app.cases.casesAwaitingMatch()
    .filter((c) => c.id !== exceptId)
    .map((c) => openCaseFor(app, c.id, c.kind, applicationOf(c)))
    .filter((c): c is OpenCase => c !== null);
}

/** Is a payment already linked, or would one be linked now? (-1 stands for a case not yet created.) */
function paymentState(app: App, caseId: number | null, kind: string, application: ApplicationBase | null, alsoPlanned: OpenCase[]): { paid: boolean; link: number | null } {
  if (caseId !== null) {
    const fee = app.rules.kinds[kind]?.fee;
    if (casePaid(app, caseId, fee)) return { paid: true, link: null };
  }
  const self = openCaseFor(app, caseId ?? -1, kind, application);
  if (!self) return { paid: false, link: null };
  const payments = app.cases.unlinkedPayments().map((p) => ({ id: p.id, transferName: p.transfer_name, amount: p.amount }));
  if (payments.length === 0) return { paid: false, link: null };
  const others = [...openCasesFromStore(app, caseId ?? undefined), ...alsoPlanned];
  const match = matchExact([self, ...others], payments).find((m) => m.caseId === self.id);
  return match ? { paid: true, link: match.paymentId } : { paid: false, link: null };
}

export async function analyseMail(app: App, source: string, incoming: SourceMail): Promise<Analysis> {
  const hash = sha256(incoming.raw);
  const base = { source, sourceRef: incoming.ref, raw: incoming.raw, sha256: hash, files: [] as AnalysedFile[], plans: [] as CasePlan[] };
  let mail: IncomingMail;
  try {
    mail = await parseMail(incoming.raw);
  } catch (error) {
    const receivedAt = incoming.receivedAt ?? incoming.fallbackTime ?? new Date();
    if (app.cases.messageByKey(`sha:${hash}`)) return { ...base, dedupeKey: `sha:${hash}`, mail: null, receivedAt, classification: 'duplicate', note: '既に処理済みのメール' };
    return { ...base, dedupeKey: `sha:${hash}`, mail: null, receivedAt, classification: 'malformed', note: `メールを解析できません: ${(error as Error).message}`, plans: [malformedPlan(app, `メールを解析できません: ${(error as Error).message}`, receivedAt)] };
  }
  const dedupeKey = mail.messageId ? `mid:${mail.messageId}` : `sha:${hash}`;
  const receivedAt = incoming.receivedAt ?? mail.date ?? incoming.fallbackTime ?? new Date();
  const analysis: Analysis = { ...base, dedupeKey, mail, receivedAt, classification: 'ignored', note: null };

  if (app.cases.messageByKey(dedupeKey)) return { ...analysis, classification: 'duplicate', note: '既に処理済みのメール（同じMessage-ID）' };
  if (mail.automatic) return { ...analysis, classification: 'automatic', note: mail.automatic };

  const numberInSubject = caseNumberIn(mail.subject);
  const replyTo = app.cases.caseByReferences(mail.references) ?? (numberInSubject ? app.cases.caseByNumber(numberInSubject) : undefined);
  const kinds = Object.values(app.rules.kinds);
  const subject = classifySubject(mail.subject, app.rules.intake, kinds);
  if (!replyTo && subject.verdict === 'unrelated') return { ...analysis, classification: 'ignored', note: '件名が受付ルールに一致しない' };

  analysis.files = await readFiles(app, mail);
  const forms = analysis.files.map((f, i) => ({ f, i })).filter((x) => x.f.verdict.role === 'form');
  const documents = analysis.files.map((f, i) => ({ f, i })).filter((x) => x.f.verdict.role === 'document').map((x) => x.i);
  const unusable = analysis.files.map((f, i) => ({ f, i })).filter((x) => x.f.verdict.role === 'unsupported' || x.f.verdict.role === 'unreadable').map((x) => x.i);
  const formPages = analysis.files.map((f, i) => ({ f, i })).filter((x) => x.f.verdict.role === 'form-page').map((x) => x.i);
  const problems = fileFindings(analysis.files);
  const received = tokyoDate(receivedAt);
  const planned: OpenCase[] = [];
  const newDocuments: SupportingDocument[] = documents.map((i) => {
    const f = analysis.files[i]!;
    return { filename: f.filename, facts: (f.verdict as Extract<FileVerdict, { role: 'document' }>).facts };
  });

  const planNew = (kind: string, formIndex: number | null, extra: Finding[], suppress: boolean): CasePlan => {
    const application = formIndex === null ? null : (analysis.files[formIndex]!.verdict as Extract<FileVerdict, { role: 'form' }>).application;
    const intakeFindings = [...problems, ...extra];
    const pay = paymentState(app, null, kind, application, planned);
    const evaluation = evaluate(app.rules, { kind, application, received, proofCount: documents.length, documents: newDocuments, intakeFindings, paid: pay.paid });
    const self = openCaseFor(app, -(planned.length + 2), kind, application);
    if (self) planned.push(self);
    return { kind, formFile: formIndex, application, attachFiles: [...(formIndex === null ? [] : [formIndex, ...formPages]), ...documents, ...unusable], intakeFindings, suppressNotices: suppress, evaluation, paid: pay.paid, paymentToLink: pay.link, previousStatus: null };
  };

  if (replyTo) {
    analysis.classification = 'reply';
    analysis.note = `受付番号 ${replyTo.number} への返信`;
    if (isClosed(replyTo.status)) {
      analysis.note += '（審査済みの案件）';
      return analysis;
    }
    const current = applicationOf(replyTo);
    // The case's own form: the first of its kind, or (when it has none yet) the first form of any kind.
    const own = forms.find((x) => (x.f.verdict as { kind: string }).kind === replyTo.kind) ?? (current ? undefined : forms[0]);
    const kind = own ? (own.f.verdict as { kind: string }).kind : replyTo.kind;
    const application = own ? (own.f.verdict as Extract<FileVerdict, { role: 'form' }>).application : current;
    const existingDocuments = supportingDocuments(app.cases.caseAttachments(replyTo.id));
    const extra: Finding[] = [];
    if (analysis.files.length === 0 && replyTo.status !== 'awaiting-payment' && replyTo.status !== 'ready-for-review') {
      extra.push(finding('reply.text-only', 'staff', '申請者から添付ファイルのない返信がありました。本文を確認し、必要なら申請内容を修正してください。'));
    }
    const intakeFindings = [...problems, ...extra];
    const pay = paymentState(app, replyTo.id, kind, application, planned);
    const evaluation = evaluate(app.rules, { kind, application, received: tokyoDate(new Date(replyTo.received_at)), proofCount: existingDocuments.length + documents.length, documents: [...existingDocuments, ...newDocuments], intakeFindings, paid: pay.paid, paymentFindings: paymentFindingsOf(replyTo) });
    analysis.plans.push({
      existing: replyTo, kind, formFile: own ? own.i : null, application, attachFiles: [...(own ? [own.i, ...formPages] : []), ...documents, ...unusable],
      intakeFindings, suppressNotices: replyTo.notices_suppressed === 1, evaluation, paid: pay.paid, paymentToLink: pay.link, previousStatus: replyTo.status,
    });
    // Further forms in a reply (e.g. the second qualification) open cases of their own.
    for (const x of forms.filter((x) => x !== own)) analysis.plans.push(planNew((x.f.verdict as { kind: string }).kind, x.i, [], false));
    return analysis;
  }

  const nearMiss = subject.verdict === 'near-miss';
  analysis.classification = nearMiss ? 'near-miss' : 'application';
  const subjectFindings = nearMiss ? [finding('subject.near-miss', 'staff', `件名「${mail.subject}」: ${subject.reason}。申請メールか確認してください（自動返信は止めています）。`, { field: 'subject' })] : [];
  if (!mail.replyAddress) subjectFindings.push(finding('mail.malformed', 'staff', '差出人のアドレスがないため、申請者に連絡できません。'));
  for (const problem of mail.problems) subjectFindings.push(finding('mail.malformed', 'staff', `メールの形式に問題があります: ${problem}。元のメールを確認してください。`));
  if (forms.length === 0) {
    const kind = subject.verdict === 'match' ? subject.kind : subject.verdict === 'near-miss' && subject.kind ? subject.kind : UNKNOWN_KIND;
    analysis.plans.push(planNew(kind, null, subjectFindings, nearMiss || !mail.replyAddress));
  } else {
    for (const x of forms) analysis.plans.push(planNew((x.f.verdict as { kind: string }).kind, x.i, subjectFindings, nearMiss || !mail.replyAddress));
  }
  return analysis;
}

async function readFiles(app: App, mail: IncomingMail): Promise<AnalysedFile[]> {
  const files: AnalysedFile[] = [];
  for (const a of expandArchives(mail.attachments, app.rules.intake.attachments)) {
    const verdict: FileVerdict = a.refused
      ? { role: 'unreadable', type: detectFileType(a.content), reason: a.refused }
      : await extractFile(a.content, a.filename, { ocrMinConfidence: app.rules.intake.ocr.minConfidence });
    files.push({ filename: a.filename, ...(a.fromArchive ? { fromArchive: a.fromArchive } : {}), content: a.content, verdict });
  }
  // No Word or PDF form: the pictures and scanned PDFs may be the form, printed, filled in and scanned.
  if (!files.some((f) => f.verdict.role === 'form')) {
    const scanned = await readScannedFormFiles(files, app.rules.intake.ocr.minConfidence);
    if (scanned) {
      const first = files[scanned.formFile]!;
      first.verdict = scanned.verdict;
      for (const i of scanned.pageFiles) files[i]!.verdict = { role: 'form-page', type: files[i]!.verdict.type, note: `申請書「${first.filename}」の続きのページ（OCR）` };
    }
  }
  return files;
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

function malformedPlan(app: App, reason: string, receivedAt: Date): CasePlan {
  const intakeFindings = [finding('mail.malformed', 'staff', `${reason}。元のメールを確認してください。`)];
  return {
    kind: UNKNOWN_KIND, formFile: null, application: null, attachFiles: [], intakeFindings, suppressNotices: true,
    evaluation: { findings: intakeFindings, computed: {}, status: 'exception' }, paid: false, paymentToLink: null, previousStatus: null,
  };
}

const CASE_PREFIX_UNKNOWN = 'X';

/** The single write: message, attachments, cases, findings, events, payment links and outbox rows. */
export function commitAnalysis(app: App, a: Analysis): MailOutcome {
  const outcome: MailOutcome = { ref: a.sourceRef, classification: a.classification, ignored: a.plans.length === 0, note: a.note, cases: [] };
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
  transaction(app.db, () => {
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
    if (a.classification === 'reply' && a.plans.length === 0) {
      const closed = a.mail ? app.cases.caseByReferences(a.mail.references) : undefined;
      if (closed) app.cases.linkMessage(closed.id, messageId, 'reply');
    }

    for (const plan of a.plans) {
      const kindRules = app.rules.kinds[plan.kind];
      let row: CaseRow;
      if (plan.existing) {
        row = plan.existing;
        app.cases.linkMessage(row.id, messageId, 'reply');
        app.cases.addEvent({ caseId: row.id, messageId, actor: 'intake', type: 'case.reply-received', data: { attachments: plan.attachFiles.length, newForm: plan.formFile !== null } });
      } else {
        const number = app.cases.allocateNumber(kindRules?.casePrefix ?? CASE_PREFIX_UNKNOWN, Number(tokyoDate(a.receivedAt).slice(0, 4)));
        const id = app.cases.insertCase({ number, kind: plan.kind, status: plan.evaluation.status, applicantAddress: a.mail?.replyAddress ?? null, receivedAt: a.receivedAt.toISOString(), originMessageId: messageId, noticesSuppressed: plan.suppressNotices });
        app.cases.linkMessage(id, messageId, 'original');
        row = app.cases.caseById(id)!;
        app.cases.addEvent({ caseId: id, messageId, actor: 'intake', type: 'case.created', data: { number, kind: plan.kind } });
      }
      for (const i of plan.attachFiles) app.cases.linkAttachment(row.id, attachmentIds[i]!);
      if (plan.paymentToLink !== null) {
        app.cases.linkPayment(plan.paymentToLink, row.id, 'matcher:exact');
        app.cases.addEvent({ caseId: row.id, actor: 'matcher', type: 'payment.linked', data: { payment: plan.paymentToLink, rule: 'exact' } });
      }
      const revision = row.revision + 1;
      const key = plan.application ? openCaseFor(app, row.id, plan.kind, plan.application) : null;
      app.cases.updateCase(row.id, {
        status: plan.evaluation.status,
        kind: plan.kind,
        revision,
        intake_findings_json: JSON.stringify(plan.intakeFindings),
        computed_json: JSON.stringify(plan.evaluation.computed),
        ...(plan.formFile !== null ? { application_json: JSON.stringify(plan.application), form_attachment_id: attachmentIds[plan.formFile]! } : {}),
        payment_digits: key?.digits ?? null,
        payment_kana: key?.kana ?? null,
        payment_declared: key?.declaredTransferName ?? null,
        payment_company: (plan.application as { companyKana?: string | null } | null)?.companyKana ?? null,
        expected_amount: kindRules?.fee ?? null,
      });
      app.cases.saveFindings(row.id, revision, plan.evaluation.findings);
      app.cases.addEvent({ caseId: row.id, messageId, actor: 'validator', type: 'case.evaluated', data: { revision, status: plan.evaluation.status, previous: plan.previousStatus, codes: plan.evaluation.findings.map((f) => `${f.code}/${f.audience}`) } });
      const updated = app.cases.caseById(row.id)!;
      const trigger: Trigger = plan.existing ? 'reply' : 'mail';
      const notices = enqueueNotices(app, updated, noticesFor(plan.previousStatus, plan.evaluation.status, trigger, plan.evaluation, plan.suppressNotices), plan.evaluation);
      outcome.cases.push({ number: updated.number, kind: plan.kind, status: plan.evaluation.status, created: !plan.existing, findings: plan.evaluation.findings, application: plan.application, notices });
    }
  });
  return outcome;
}

/** For --dry-run: the outcome an analysis would have, without writing anything. */
export function previewAnalysis(a: Analysis): MailOutcome {
  return {
    ref: a.sourceRef, classification: a.classification, ignored: a.plans.length === 0, note: a.note,
    cases: a.plans.map((p) => ({
      number: p.existing?.number ?? null, kind: p.kind, status: p.evaluation.status, created: !p.existing,
      findings: p.evaluation.findings, application: p.application,
      notices: noticesFor(p.previousStatus, p.evaluation.status, p.existing ? 'reply' : 'mail', p.evaluation, p.suppressNotices),
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
  // A new or changed application may be a candidate for payments already on hand (SPEC §5: matching re-runs
  // whenever either side changes). Its own exact payment was linked in the commit above.
  // A full matching run only when an unlinked payment shares the case's digits or name: fuzzier candidates
  // (a name off by a character, a company's bulk transfer) are found by the hourly run.
  const rows = outcome.cases.map((c) => (c.number ? app.cases.caseByNumber(c.number) : undefined)).filter((r) => r !== undefined);
  const keys = rows.flatMap((r) => [
    { digits: r.payment_digits, kana: r.payment_kana ? normaliseKana(r.payment_kana) : null },
    ...(r.payment_declared ? [transferKey(r.payment_declared)] : []),
  ]);
  if (keys.length && app.cases.unlinkedPaymentLike(keys)) {
    const run = transaction(app.db, () => runMatching(app));
    for (const c of outcome.cases) {
      const row = c.number ? app.cases.caseByNumber(c.number) : undefined;
      if (row && run.reevaluated.includes(row.number)) c.status = row.status;
    }
  }
  app.log.info({ ref: incoming.ref, classification: outcome.classification, cases: outcome.cases.map((c) => `${c.number}:${c.status}`) }, 'mail processed');
  return outcome;
}
