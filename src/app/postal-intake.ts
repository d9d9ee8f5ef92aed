// Postal applications: staff scan the paper form (PDF or pictures, several files at once) and upload it with
// the day it arrived. It becomes a case through the same pipeline as a mail: the scans are wrapped in an
// in-memory mail (the intake source "postal", a Message-ID of our own), read by the intake's own analysis
// (analyseStoredMail, the kind staff chose) and committed like any mail (commitAnalysis: message, attachments,
// case, transition). Paper has no sender: the form's e-mail address is the contact when it gives one;
// otherwise mail to the applicant is held and the notices the case calls for are listed for staff to print.
import { randomUUID } from 'node:crypto';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import type { App } from './context.ts';
import { analyseStoredMail } from './analyse-mail.ts';
import { commitAnalysis, rematchAfter, type MailOutcome } from './process-mail.ts';
import { sha256 } from '../intake/content-store.ts';
import { detectFileType } from '../shared/file-type.ts';
import { noticesFor } from '../cases/transition.ts';
import { isClosed } from '../cases/status.ts';
import { POSTAL_SOURCE } from './case-channel.ts';

export class PostalError extends Error {}

/** The forms that may come by post: form 001, the renewal (SPEC; the certification form is sent by mail only). */
export const POSTAL_KINDS: readonly string[] = ['renewal'];

const SCAN_TYPES: Record<string, string> = { pdf: 'application/pdf', png: 'image/png', jpeg: 'image/jpeg', tiff: 'image/tiff' };

export interface PostalUpload {
  kind: string;
  /** The day the letter arrived (Tokyo), YYYY-MM-DD. */
  receivedOn: string;
  files: { filename: string; content: Buffer }[];
}

export interface PostalOutcome extends MailOutcome {
  /** Where notices go: by mail to the form's address, or printed by staff. */
  contact: 'mail' | 'print';
  /** With no address: the applicant's notices the case called for, for staff to print and post. */
  toPrint: string[];
}

function checkUpload(app: App, u: PostalUpload, now: Date): Date {
  if (!POSTAL_KINDS.includes(u.kind) || !app.rules.kinds[u.kind]) throw new PostalError(`郵送で受け付ける申請は ${POSTAL_KINDS.join(', ')} だけです`);
  return checkScans(u, now);
}

/** The day the letter arrived and its scans (an application's or a reply's). */
function checkScans(u: Pick<PostalUpload, 'receivedOn' | 'files'>, now: Date): Date {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(u.receivedOn)) throw new PostalError('受付日を入力してください（例: 2026-01-20）');
  // Noon in Tokyo: the day stays the day whatever the server's zone.
  const receivedAt = new Date(`${u.receivedOn}T12:00:00+09:00`);
  if (Number.isNaN(receivedAt.getTime()) || receivedAt.toISOString().slice(0, 10) !== u.receivedOn) throw new PostalError(`受付日 ${u.receivedOn} は日付として読めません`);
  if (receivedAt.getTime() - now.getTime() > 24 * 3_600_000) throw new PostalError('受付日が未来の日付です');
  if (u.files.length === 0) throw new PostalError('スキャンしたファイルを選んでください（PDF または画像、複数可）');
  for (const f of u.files) {
    const type = detectFileType(f.content);
    if (!(type in SCAN_TYPES)) throw new PostalError(`${f.filename}: PDF または画像（PNG・JPEG・TIFF）を選んでください`);
  }
  return receivedAt;
}

/** The upload as a mail of its own (no sender): the intake reads it as it reads any mail's attachments. */
async function postalMail(u: Pick<PostalUpload, 'receivedOn' | 'files'>, receivedAt: Date, messageId: string, actor: string, what = '申請書'): Promise<Buffer> {
  const composer = new MailComposer({
    subject: `郵送の${what}（${u.receivedOn} 受付）`,
    text: `郵送で届いた${what}を ${actor} がスキャンして登録しました。`,
    date: receivedAt,
    messageId: `<${messageId}>`,
    textEncoding: 'base64',
    attachments: u.files.map((f) => ({ filename: f.filename, content: f.content, contentType: SCAN_TYPES[detectFileType(f.content)] })),
  });
  return composer.compile().build();
}

/** A paper application uploaded by staff becomes a case (one transaction, as a mail's). */
export async function receivePostal(app: App, u: PostalUpload, actor: string, now = new Date()): Promise<PostalOutcome> {
  const receivedAt = checkUpload(app, u, now);
  const messageId = `postal.${randomUUID()}@conken-intake.local`;
  const raw = await postalMail(u, receivedAt, messageId, actor);
  const analysis = await analyseStoredMail(app, { raw, source: POSTAL_SOURCE, sourceRef: `upload:${actor}`, sha256: sha256(raw), dedupeKey: `mid:${messageId}`, receivedAt }, { as: 'application', kind: u.kind, postal: true });
  const plan = analysis.plans[0]!;
  const contact = analysis.mail?.replyAddress ? 'mail' : 'print';
  // What the applicant would have been sent: staff print these while mail is held for the case.
  const toPrint = contact === 'print' ? noticesFor(null, plan.decision.status, 'application', plan.decision.findings, false).filter((n) => n !== 'review-request') : [];
  const outcome = commitAnalysis(app, analysis);
  rematchAfter(app, outcome);
  const number = outcome.cases[0]?.number;
  const row = number ? app.cases.caseByNumber(number) : undefined;
  if (row) app.cases.addEvent({ caseId: row.id, actor, type: 'postal.received', data: { receivedOn: u.receivedOn, files: u.files.length, contact, toPrint } });
  return { ...outcome, contact, toPrint };
}

/** The postal facts of a case, for its page: null when it came by mail. */
export function postalStatus(app: App, caseId: number): { receivedOn: string; contact: 'mail' | 'print'; toPrint: string[] } | null {
  const event = app.cases.events(caseId).find((e) => e.type === 'postal.received');
  if (!event?.data_json) return null;
  const d = JSON.parse(event.data_json) as { receivedOn: string; contact: 'mail' | 'print'; toPrint: string[] };
  return { receivedOn: d.receivedOn, contact: d.contact, toPrint: d.toPrint ?? [] };
}

export interface PostalReplyUpload {
  /** The case the applicant wrote back about (its number, as the letter quoted it). */
  caseNumber: string;
  /** The day the reply arrived (Tokyo), YYYY-MM-DD. */
  receivedOn: string;
  files: { filename: string; content: Buffer }[];
}

/**
 * The applicant posted their reply (the missing documents, a corrected form): staff scan it and name the case.
 * It joins the case exactly as a mail reply staff attach does (src/app/mail-triage.ts triageAsReply): the scans
 * as an in-memory mail, read as the applicant's reply to that case (the transition's `reply`), committed like a
 * mail, payments matched again; the upload is on the case's history.
 */
export async function receivePostalReply(app: App, u: PostalReplyUpload, actor: string, now = new Date()): Promise<MailOutcome> {
  const number = u.caseNumber.normalize('NFKC').trim().toUpperCase();
  if (!number) throw new PostalError('受付番号を入力してください（例: R-2026-000123）');
  const target = app.cases.caseByNumber(number);
  if (!target) throw new PostalError(`受付番号 ${number} の案件はありません`);
  if (isClosed(target.status)) throw new PostalError(`${target.number} は審査済みの案件です`);
  const receivedAt = checkScans(u, now);
  const messageId = `postal.${randomUUID()}@conken-intake.local`;
  const raw = await postalMail(u, receivedAt, messageId, actor, '返信');
  const analysis = await analyseStoredMail(app, { raw, source: POSTAL_SOURCE, sourceRef: `upload:${actor}`, sha256: sha256(raw), dedupeKey: `mid:${messageId}`, receivedAt }, { as: 'reply', to: target });
  const outcome = commitAnalysis(app, analysis);
  rematchAfter(app, outcome);
  app.cases.addEvent({ caseId: target.id, actor, type: 'postal.reply', data: { receivedOn: u.receivedOn, files: u.files.length } });
  return outcome;
}
