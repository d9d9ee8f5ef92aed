// Reading one mail without writing anything: raw parsed, classified (subject, automatic mail, reply to
// a case), its files read, and a plan for each case it opens or changes. This is what --dry-run runs;
// src/app/process-mail.ts commits the plans.
import type { App } from './context.ts';
import type { SourceMail } from '../intake/sources/mail-source.ts';
import { parseMail, type IncomingMail } from '../intake/parse-mail.ts';
import { sha256 } from '../intake/content-store.ts';
import { classifySubject } from '../intake/subject-rules.ts';
import { caseNumberIn } from '../intake/mail-headers.ts';
import { expandArchives } from '../intake/expand-archives.ts';
import { extractFile, type FileVerdict } from '../extract/extract-file.ts';
import { detectFileType } from '../shared/file-type.ts';
import type { ApplicationBase } from '../extract/forms/form-kind.ts';
import { finding, type Finding } from '../validate/findings.ts';
import { validatorFor } from '../validate/index.ts';
import type { CaseRow } from '../cases/case-store.ts';
import { isClosed, type CaseStatus } from '../cases/status.ts';
import { matchExact, type OpenCase } from '../payments/matcher.ts';
import { evaluate, type Evaluation } from './evaluate.ts';
import { tokyoDate } from '../shared/calendar.ts';
import type { SupportingDocument } from '../validate/validator.ts';
import { supportingDocuments } from './supporting-documents.ts';
import { attachmentFindings } from '../validate/attachment-findings.ts';
import { readScannedFormFiles } from '../extract/scanned-form-files.ts';
import { casePaid, paymentFindingsOf } from './payment-state.ts';

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

export const UNKNOWN_KIND = 'unknown';

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
  const problems = attachmentFindings(analysis.files);
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

export function malformedPlan(app: App, reason: string, receivedAt: Date): CasePlan {
  const intakeFindings = [finding('mail.malformed', 'staff', `${reason}。元のメールを確認してください。`)];
  return {
    kind: UNKNOWN_KIND, formFile: null, application: null, attachFiles: [], intakeFindings, suppressNotices: true,
    evaluation: { findings: intakeFindings, computed: {}, status: 'exception' }, paid: false, paymentToLink: null, previousStatus: null,
  };
}

