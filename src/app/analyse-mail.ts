// Reading one mail without writing anything: raw parsed, classified (subject, automatic mail, reply to
// a case), its files read, and a plan for each case it opens or changes. This is what --dry-run runs;
// src/app/process-mail.ts commits the plans.
import type { App } from './context.ts';
import type { SourceMail } from '../intake/sources/mail-source.ts';
import { parseMail, type IncomingMail } from '../intake/parse-mail.ts';
import { sha256 } from '../intake/content-store.ts';
import { applicationMention, classifySubject, kindOfWords } from '../intake/subject-rules.ts';
import { caseNumberIn } from '../intake/mail-headers.ts';
import { expandArchives } from '../intake/expand-archives.ts';
import { extractFile, type FileVerdict } from '../extract/extract-file.ts';
import { detectFileType } from '../shared/file-type.ts';
import type { ApplicationBase } from '../extract/forms/form-kind.ts';
import { finding, type Finding } from '../validate/findings.ts';
import { formKind } from '../kinds/index.ts';
import type { CaseRow } from '../cases/case-store.ts';
import { isClosed, type CaseStatus } from '../cases/status.ts';
import { matchExact, type OpenCase } from '../payments/matcher.ts';
import { decideTransition, type CaseDecision } from '../cases/transition.ts';
import { postalRecipientOf } from '../cases/outbox-store.ts';
import { caseChannel } from './case-channel.ts';
import { tokyoDate } from '../shared/calendar.ts';
import type { SupportingDocument } from '../validate/validator.ts';
import { supportingDocuments } from './supporting-documents.ts';
import { attachmentFindings } from '../validate/attachment-findings.ts';
import { readScannedFormFiles } from '../extract/scanned-form-files.ts';
import { looksLikePages } from '../extract/documents/page-like.ts';
import { casePaid, handledFindingsOf, paymentFindingsOf } from './payment-state.ts';
import { registerFactsFor } from './register.ts';
import { auditReplyFiles, auditReplyTarget } from './audit-replies.ts';

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
  /** What the case transition decides for this case (applied by the writer when the mail is committed). */
  decision: CaseDecision;
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
  /** A holder's reply to a CPD audit request: it joins that audit (src/app/audit-replies.ts), no case plans. */
  auditReply?: { auditId: number; number: string };
}

export const UNKNOWN_KIND = 'unknown';

function applicationOf(row: CaseRow): ApplicationBase | null {
  return row.application_json ? (JSON.parse(row.application_json) as ApplicationBase) : null;
}

/** The payment key inputs of an application, for the exact matcher. */
export function openCaseFor(app: App, id: number, kind: string, application: ApplicationBase | null): OpenCase | null {
  const form = formKind(kind);
  const fee = app.rules.kinds[kind]?.fee;
  if (!form || !application || !fee) return null;
  const key = form.paymentKey(application);
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
  const payments = app.payments.unlinkedPayments().map((p) => ({ id: p.id, transferName: p.transfer_name, amount: p.amount }));
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
  const audit = auditReplyTarget(app, mail);
  if (audit) return { ...analysis, classification: 'reply', note: `CPD監査 ${audit.number} への返信`, files: auditReplyFiles(app, mail), auditReply: { auditId: audit.id, number: audit.number } };

  const numberInSubject = caseNumberIn(mail.subject);
  const replyTo = app.cases.caseByReferences(mail.references) ?? (numberInSubject ? app.cases.caseByNumber(numberInSubject) : undefined);
  const kinds = Object.values(app.rules.kinds);
  const subject = classifySubject(mail.subject, app.rules.intake, kinds);
  // A subject that matches no rule does not decide alone (SPEC §2, issue 19): a mail carrying one of our
  // forms is an application whatever its subject says; one that speaks of an application (申請, 更新,
  // 認定, a case number) without a form we can read goes to staff; only mail with neither is ignored.
  const byContent = !replyTo && subject.verdict === 'unrelated';
  const mention = byContent ? applicationMention(mail.subject, mail.text, app.rules.intake) : null;
  analysis.files = await readFiles(app, mail, byContent && !mention ? 'by-content' : 'all');
  if (byContent && !mention && !analysis.files.some((f) => f.verdict.role === 'form')) {
    return { ...analysis, files: [], classification: 'ignored', note: '件名が受付ルールに一致せず、申請書の添付も申請への言及もない' };
  }
  const sorted = sortFiles(analysis.files);
  const { forms, documents, unusable, formPages, problems, newDocuments } = sorted;
  const received = tokyoDate(receivedAt);
  const planned: OpenCase[] = [];

  const planNew = (kind: string, formIndex: number | null, extra: Finding[], suppress: boolean): CasePlan => {
    const application = formIndex === null ? null : (analysis.files[formIndex]!.verdict as Extract<FileVerdict, { role: 'form' }>).application;
    const intakeFindings = [...problems, ...extra];
    const pay = paymentState(app, null, kind, application, planned);
    const decision = decideTransition({ status: null, findings: [], noticesSuppressed: suppress, paid: pay.paid, paymentFindings: [] },
      { type: 'application', facts: { kind, application, received, proofCount: documents.length, documents: newDocuments, intakeFindings, ...registerFactsFor(app, kind, application) } }, app.rules);
    const self = openCaseFor(app, -(planned.length + 2), kind, application);
    if (self) planned.push(self);
    return { kind, formFile: formIndex, application, attachFiles: [...(formIndex === null ? [] : [formIndex, ...formPages]), ...documents, ...unusable], intakeFindings, suppressNotices: suppress, decision, paid: pay.paid, paymentToLink: pay.link, previousStatus: null };
  };

  if (replyTo) {
    analysis.classification = 'reply';
    analysis.note = `受付番号 ${replyTo.number} への返信`;
    if (isClosed(replyTo.status)) {
      analysis.note += '（審査済みの案件）';
      return analysis;
    }
    const { plan, own } = replyPlan(app, replyTo, analysis.files, sorted, planned);
    analysis.plans.push(plan);
    // Further forms in a reply (e.g. the second qualification) open cases of their own.
    for (const x of forms.filter((x) => x !== own)) analysis.plans.push(planNew((x.f.verdict as { kind: string }).kind, x.i, [], false));
    return analysis;
  }

  // A recognised form settles it: the mail is an application, whatever its subject. Otherwise a near-miss
  // subject, or an unrelated one that mentions an application, is for staff and nobody is answered.
  const hasForm = forms.length > 0;
  const nearMiss = !hasForm && (subject.verdict === 'near-miss' || mention !== null);
  analysis.classification = nearMiss ? 'near-miss' : 'application';
  const subjectFindings: Finding[] = [];
  if (nearMiss) {
    const reason = subject.verdict === 'near-miss' ? subject.reason : `件名は受付ルールに一致しませんが、${mention}があります`;
    subjectFindings.push(finding('subject.near-miss', 'staff', `件名「${mail.subject}」: ${reason}。申請書として読み取れる添付がありません。申請メールか確認してください（自動返信は止めています）。`, { field: 'subject' }));
  } else if (subject.verdict !== 'match' && hasForm) {
    // The form was recognised by its content, so the applicant is answered as under the right subject:
    // acknowledgement, what is missing, the fee. The note is for the reviewer, not a staff exception:
    // a staff finding would hold the case in `exception` through every later payment and re-evaluation
    // (nothing clears an intake finding but a reply), stalling a good application over its subject line,
    // and nothing in it needs a person before the review. Staff still see it on the case and in the log.
    const how = subject.verdict === 'near-miss' ? `${subject.reason}が` : '受付ルールに一致しませんが、';
    subjectFindings.push(finding(subject.verdict === 'near-miss' ? 'subject.near-miss' : 'subject.unmatched', 'reviewer',
      `件名「${mail.subject}」は${how}添付の申請書を内容から判別して受け付けました。`, { field: 'subject' }));
    analysis.note = subject.verdict === 'near-miss' ? '件名は受付ルールとわずかに異なるが、添付の申請書から受付' : '件名は受付ルールに一致しないが、添付の申請書から受付';
  }
  if (!mail.replyAddress) subjectFindings.push(finding('mail.malformed', 'staff', '差出人のアドレスがないため、申請者に連絡できません。'));
  for (const problem of mail.problems) subjectFindings.push(finding('mail.malformed', 'staff', `メールの形式に問題があります: ${problem}。元のメールを確認してください。`));
  if (forms.length === 0) {
    const kind = subject.verdict === 'match' ? subject.kind : subject.verdict === 'near-miss' && subject.kind ? subject.kind : kindOfWords(`${mail.subject} ${mail.text.slice(0, 1500)}`, kinds) ?? UNKNOWN_KIND;
    analysis.plans.push(planNew(kind, null, subjectFindings, nearMiss || !mail.replyAddress));
  } else {
    for (const x of forms) analysis.plans.push(planNew((x.f.verdict as { kind: string }).kind, x.i, subjectFindings, nearMiss || !mail.replyAddress));
  }
  return analysis;
}

const PICTURES: readonly string[] = ['jpeg', 'png', 'tiff'];

/**
 * Reads the mail's files. 'all': every file, and the pictures and scanned PDFs as a scanned form when no
 * other form is found (a mail under an intake subject, a reply, or one that mentions an application).
 * 'by-content' is for a mail that matched no rule and mentions nothing: most such mail is not ours, and
 * OCR is what costs (a picture's text ~1–4 s, reading a scanned form ~1 minute per page on this machine).
 * So the Word files and PDFs are read first (seconds); the pictures only when that found a form (they
 * are then its proofs: the exam report), or when they look like the pages of a form — two or more
 * page-shaped pictures at scan or photo resolution (src/extract/documents/page-like.ts). A single photo,
 * a logo or a banner never starts a minute of OCR per page on a mail that gave no sign of being ours.
 */
async function readFiles(app: App, mail: IncomingMail, mode: 'all' | 'by-content' = 'all'): Promise<AnalysedFile[]> {
  const files: AnalysedFile[] = [];
  const read = async (content: Uint8Array, filename: string) => extractFile(content, filename, { ocrMinConfidence: app.rules.intake.ocr.minConfidence });
  const later: number[] = [];
  for (const a of expandArchives(mail.attachments, app.rules.intake.attachments)) {
    const type = detectFileType(a.content);
    const deferred = mode === 'by-content' && !a.refused && PICTURES.includes(type);
    const verdict: FileVerdict = a.refused
      ? { role: 'unreadable', type, reason: a.refused, ...(a.refusedProblem ? { problem: a.refusedProblem } : {}) }
      // Not read yet (a placeholder replaced below, or dropped with the ignored mail).
      : deferred ? { role: 'unsupported', type, reason: '未読（画像）' } : await read(a.content, a.filename);
    if (deferred) later.push(files.length);
    files.push({ filename: a.filename, ...(a.fromArchive ? { fromArchive: a.fromArchive } : {}), content: a.content, verdict });
  }
  if (later.length > 0) {
    const formFound = files.some((f) => f.verdict.role === 'form');
    const scannedPdfs = files.filter((f) => f.verdict.role === 'document' && f.verdict.type === 'pdf' && f.verdict.document?.blocks.length === 0).map((f) => f.content);
    if (!formFound && !(await looksLikePages([...later.map((i) => files[i]!.content), ...scannedPdfs]))) return files;
    for (const i of later) files[i]!.verdict = await read(files[i]!.content, files[i]!.filename);
  }
  // No Word or PDF form: the pictures and scanned PDFs may be the form, printed, filled in and scanned.
  if (!files.some((f) => f.verdict.role === 'form') && (mode === 'all' || await looksLikePages(scannedCandidates(files)))) {
    const scanned = await readScannedFormFiles(files, app.rules.intake.ocr.minConfidence);
    if (scanned) {
      const first = files[scanned.formFile]!;
      first.verdict = scanned.verdict;
      for (const i of scanned.pageFiles) files[i]!.verdict = { role: 'form-page', type: files[i]!.verdict.type, note: `申請書「${first.filename}」の続きのページ（OCR）` };
    }
  }
  return files;
}

/** The pictures and scanned PDFs that may be pages of a scanned form (as readScannedFormFiles takes them). */
function scannedCandidates(files: readonly AnalysedFile[]): Uint8Array[] {
  return files.filter((f) => f.verdict.role === 'document' && f.verdict.facts.kind !== 'exam-report'
    && (PICTURES.includes(f.verdict.type) || (f.verdict.type === 'pdf' && f.verdict.document?.blocks.length === 0))).map((f) => f.content);
}

export function malformedPlan(app: App, reason: string, receivedAt: Date): CasePlan {
  const intakeFindings = [finding('mail.malformed', 'staff', `${reason}。元のメールを確認してください。`)];
  return {
    kind: UNKNOWN_KIND, formFile: null, application: null, attachFiles: [], intakeFindings, suppressNotices: true,
    // Nothing to evaluate: the mail itself is the problem, and only staff hear of it (notices held back).
    decision: { status: 'exception', findings: intakeFindings, computed: {}, newRevision: true, actor: 'intake', notices: [], events: [], columns: {} }, paid: false, paymentToLink: null, previousStatus: null,
  };
}


/**
 * What staff decided a stored mail is (the workbench's mail triage, `conken triage`): an application of the
 * kind they chose — `held` is the case the intake held the mail in (a near miss, a malformed mail), which
 * becomes that application — or the applicant's reply to a case they name.
 */
export type StaffReading =
  /** postal: a paper form staff scanned (src/app/postal-intake.ts): the contact is the form's e-mail address, if any. */
  | { as: 'application'; kind: string; held?: CaseRow; postal?: boolean }
  | { as: 'reply'; to: CaseRow };

/** A mail already stored (messages row and raw bytes), as analyseStoredMail reads it again. */
export interface StoredMail {
  raw: Buffer;
  source: string;
  sourceRef: string | null;
  sha256: string;
  dedupeKey: string;
  receivedAt: Date;
}

export class UnreadableMailError extends Error {}

/**
 * A stored mail read again with the intake's own reading of its files, the classification decided by staff
 * instead of by its subject. Writes nothing: src/app/process-mail.ts commits it against the stored message.
 * The intake's analyseMail is untouched by this (new mail never comes here).
 */
export async function analyseStoredMail(app: App, stored: StoredMail, reading: StaffReading): Promise<Analysis> {
  let mail: IncomingMail;
  try {
    mail = await parseMail(stored.raw);
  } catch (error) {
    throw new UnreadableMailError(`メールを解析できません: ${(error as Error).message}`);
  }
  const files = await readFiles(app, mail, 'all');
  const analysis: Analysis = { ...stored, mail, classification: reading.as === 'application' ? 'application' : 'reply', note: null, files, plans: [] };
  const sorted = sortFiles(files);
  const { forms, documents, unusable, formPages, problems, newDocuments } = sorted;
  const formOf = (x: { f: AnalysedFile }) => x.f.verdict as Extract<FileVerdict, { role: 'form' }>;

  if (reading.as === 'application') {
    const { kind, held } = reading;
    // The form of the kind staff chose; without one the case is opened without a form (the applicant is asked for it).
    const own = forms.find((x) => formOf(x).kind === kind);
    const application = own ? formOf(own).application : null;
    const extra: Finding[] = [];
    if (reading.postal) {
      // Paper has no sender: the applicant is written to at the form's e-mail address when it gives a readable
      // one; without it the notices are for staff to print and post (held: none goes out by mail).
      const email = application ? (application as ApplicationBase & { email?: string | null }).email ?? null : null;
      mail.replyAddress = email && !('email' in application!.invalid) && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) ? email : null;
    } else {
      if (!mail.replyAddress) extra.push(finding('mail.malformed', 'staff', '差出人のアドレスがないため、申請者に連絡できません。'));
      for (const problem of mail.problems) extra.push(finding('mail.malformed', 'staff', `メールの形式に問題があります: ${problem}。元のメールを確認してください。`));
    }
    const intakeFindings = [...problems, ...extra];
    // A paper form without an e-mail address but with a postal address: its notices are letters (case writer).
    const suppress = !mail.replyAddress && !(reading.postal && postalRecipientOf(application));
    const pay = paymentState(app, held?.id ?? null, kind, application, []);
    // A held case was never announced to the applicant (its mail was held back): staff's decision makes it the
    // application, so it is decided as a new one — the acknowledgement first, then what the form calls for.
    const decision = decideTransition({ status: null, findings: [], noticesSuppressed: suppress, paid: pay.paid, paymentFindings: held ? paymentFindingsOf(held) : [] },
      { type: 'application', facts: { kind, application, received: tokyoDate(stored.receivedAt), proofCount: documents.length, documents: newDocuments, intakeFindings, ...(held ? { handled: handledFindingsOf(held) } : {}), ...(reading.postal ? { channel: 'post' as const } : {}), ...registerFactsFor(app, kind, application) } }, app.rules);
    analysis.note = reading.postal ? `郵送の申請書を職員が登録（${kind}）` : `職員の判断により申請として受付（${kind}）`;
    analysis.plans.push({
      ...(held ? { existing: held } : {}), kind, formFile: own ? own.i : null, application,
      attachFiles: [...(own ? [own.i, ...formPages] : []), ...documents, ...unusable],
      intakeFindings, suppressNotices: suppress, decision, paid: pay.paid, paymentToLink: pay.link, previousStatus: held?.status ?? null,
    });
    return analysis;
  }

  // The applicant's reply, as the intake reads one (the reply branch of analyseMail), to the case staff named.
  const replyTo = reading.to;
  analysis.note = `職員の判断により受付番号 ${replyTo.number} への返信として受付`;
  analysis.plans.push(replyPlan(app, replyTo, files, sorted, []).plan);
  return analysis;
}

/** A mail's files by what they are, and what the intake tells of the ones it could not use. */
function sortFiles(files: readonly AnalysedFile[]) {
  const indexed = files.map((f, i) => ({ f, i }));
  const documents = indexed.filter((x) => x.f.verdict.role === 'document').map((x) => x.i);
  return {
    forms: indexed.filter((x) => x.f.verdict.role === 'form'),
    documents,
    unusable: indexed.filter((x) => x.f.verdict.role === 'unsupported' || x.f.verdict.role === 'unreadable').map((x) => x.i),
    formPages: indexed.filter((x) => x.f.verdict.role === 'form-page').map((x) => x.i),
    problems: attachmentFindings(files),
    newDocuments: documents.map((i): SupportingDocument => ({ filename: files[i]!.filename, facts: (files[i]!.verdict as Extract<FileVerdict, { role: 'document' }>).facts })),
  };
}

/**
 * The applicant's reply to an open case (new mail, or a mail staff attached): the case's own form — the first of
 * its kind, or (when it has none yet) the first form of any kind — read again with the case's documents and the
 * reply's, as the transition's `reply`.
 */
function replyPlan(app: App, replyTo: CaseRow, files: readonly AnalysedFile[], sorted: ReturnType<typeof sortFiles>, planned: OpenCase[]): { plan: CasePlan; own: { f: AnalysedFile; i: number } | undefined } {
  const { forms, documents, unusable, formPages, problems, newDocuments } = sorted;
  const formOf = (x: { f: AnalysedFile }) => x.f.verdict as Extract<FileVerdict, { role: 'form' }>;
  const current = applicationOf(replyTo);
  const own = forms.find((x) => formOf(x).kind === replyTo.kind) ?? (current ? undefined : forms[0]);
  const kind = own ? formOf(own).kind : replyTo.kind;
  const application = own ? formOf(own).application : current;
  const existingDocuments = supportingDocuments(app.cases.caseAttachments(replyTo.id));
  const extra: Finding[] = [];
  if (files.length === 0 && replyTo.status !== 'awaiting-payment' && replyTo.status !== 'ready-for-review') {
    extra.push(finding('reply.text-only', 'staff', '申請者から添付ファイルのない返信がありました。本文を確認し、必要なら申請内容を修正してください。'));
  }
  const intakeFindings = [...problems, ...extra];
  const pay = paymentState(app, replyTo.id, kind, application, planned);
  const decision = decideTransition(
    { status: replyTo.status, findings: app.cases.currentFindings(replyTo.id), noticesSuppressed: replyTo.notices_suppressed === 1, paid: pay.paid, paymentFindings: paymentFindingsOf(replyTo) },
    { type: 'reply', facts: { kind, application, received: tokyoDate(new Date(replyTo.received_at)), proofCount: existingDocuments.length + documents.length, documents: [...existingDocuments, ...newDocuments], intakeFindings, handled: handledFindingsOf(replyTo), channel: caseChannel(app, replyTo), ...registerFactsFor(app, kind, application) } }, app.rules);
  return {
    own,
    plan: {
      existing: replyTo, kind, formFile: own ? own.i : null, application, attachFiles: [...(own ? [own.i, ...formPages] : []), ...documents, ...unusable],
      intakeFindings, suppressNotices: replyTo.notices_suppressed === 1, decision, paid: pay.paid, paymentToLink: pay.link, previousStatus: replyTo.status,
    },
  };
}
