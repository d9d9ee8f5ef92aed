// Staff triage of a mail that became no case of its own (a near miss, an unrelated mail with an attachment, a
// malformed or automatic mail): open it, then make it a case of a chosen kind, attach it to an existing case as
// the applicant's reply, or dismiss it with a reason. The workbench's pages and `conken triage` call these
// same entry points. The mail is read again from its raw bytes in the content store with the intake's own
// analysis (analyseStoredMail) and committed against its existing messages row: cases change only through the
// case transition and its writer.
import type { App } from './context.ts';
import { commitCaseChanges } from './deferred-notices.ts';
import { analyseStoredMail, UnreadableMailError, type StaffReading } from './analyse-mail.ts';
import { commitStoredAnalysis, rematchAfter, type MailOutcome } from './process-mail.ts';
import { handledFindingsOf, casePaid, paymentFindingsOf } from './payment-state.ts';
import { parseMail, type IncomingMail } from '../intake/parse-mail.ts';
import { detectFileType } from '../shared/file-type.ts';
import { decideTransition } from '../cases/transition.ts';
import { isClosed } from '../cases/status.ts';
import type { CaseRow, StoredMessageRow } from '../cases/case-store.ts';

export class TriageError extends Error {}

/** The classifications a person may still decide on (the queue's second tab). */
export const TRIAGEABLE: readonly string[] = ['near-miss', 'malformed', 'ignored', 'automatic'];

export interface MailAttachmentView {
  index: number;
  filename: string;
  type: string;
  size: number;
  /** What the intake made of it, when it stored the file (role and note). */
  role: string | null;
  note: string | null;
}

export interface MailView {
  message: StoredMessageRow;
  /** Parsed, or null when the mail cannot be parsed (then only the raw header block is shown). */
  parsed: { from: string | null; replyAddress: string | null; subject: string; date: Date | null; messageId: string | null; references: string[]; problems: string[] } | null;
  parseError: string | null;
  /** The header block as received (up to 16 KB), for what the parsed fields leave out. */
  rawHeaders: string;
  text: string;
  attachments: MailAttachmentView[];
  cases: { number: string; status: string; role: string }[];
  triageable: boolean;
}

/** A stored mail by its row id or its Message-ID (with or without the angle brackets). */
export function findMessage(app: App, ref: string): StoredMessageRow {
  const trimmed = ref.trim();
  const byId = /^\d+$/.test(trimmed) ? app.cases.messageById(Number(trimmed)) : undefined;
  const byKey = byId ?? (trimmed ? app.cases.messageByKey(`mid:${trimmed.replace(/^<|>$/g, '')}`) : undefined);
  const row = byKey ? app.cases.messageById(byKey.id) : undefined;
  if (!row) throw new TriageError(`メール ${ref} は見つかりません`);
  return row;
}

async function parsedOf(app: App, m: StoredMessageRow): Promise<{ raw: Buffer; mail: IncomingMail | null; error: string | null }> {
  const raw = app.files.get(m.raw_path);
  try {
    return { raw, mail: await parseMail(raw), error: null };
  } catch (error) {
    return { raw, mail: null, error: (error as Error).message };
  }
}

function headerBlock(raw: Buffer): string {
  const head = raw.subarray(0, 16 * 1024).toString('utf8');
  const end = head.search(/\r?\n\r?\n/);
  return (end >= 0 ? head.slice(0, end) : head).replace(/\r\n/g, '\n');
}

/** Everything the triage page shows of a mail. */
export async function openMail(app: App, id: number): Promise<MailView> {
  const message = app.cases.messageById(id);
  if (!message) throw new TriageError(`メール ${id} は見つかりません`);
  const { raw, mail, error } = await parsedOf(app, message);
  const stored = app.cases.messageAttachments(id);
  const used = new Set<number>();
  const attachments = (mail?.attachments ?? []).map((a, index) => {
    const row = stored.find((r) => !used.has(r.id) && r.filename === a.filename);
    if (row) used.add(row.id);
    return { index, filename: a.filename, type: detectFileType(a.content), size: a.content.length, role: row?.role ?? null, note: row?.note ?? null };
  });
  return {
    message,
    parsed: mail ? { from: mail.from, replyAddress: mail.replyAddress, subject: mail.subject, date: mail.date, messageId: mail.messageId, references: mail.references, problems: mail.problems } : null,
    parseError: error, rawHeaders: headerBlock(raw), text: mail?.text ?? '', attachments,
    cases: app.cases.messageCases(id).map((c) => ({ number: c.number, status: c.status, role: c.role })),
    triageable: TRIAGEABLE.includes(message.classification),
  };
}

/** One attachment of a stored mail, as the mail carries it (the raw bytes are the truth, stored or not). */
export async function mailAttachment(app: App, id: number, index: number): Promise<{ filename: string; content: Buffer; type: string } | undefined> {
  const message = app.cases.messageById(id);
  if (!message) return undefined;
  const { mail } = await parsedOf(app, message);
  const a = mail?.attachments[index];
  return a ? { filename: a.filename, content: a.content, type: detectFileType(a.content) } : undefined;
}

function triageable(app: App, ref: string): StoredMessageRow {
  const m = findMessage(app, ref);
  if (!TRIAGEABLE.includes(m.classification)) throw new TriageError(`このメールは既に処理済みです（分類: ${m.classification}）`);
  return m;
}

/** The case the intake held the mail in (a near miss, a malformed mail), while it is still open. */
function heldCase(app: App, messageId: number): CaseRow | undefined {
  const held = app.cases.messageCases(messageId).find((c) => c.role === 'original');
  const row = held ? app.cases.caseById(held.id) : undefined;
  return row && !isClosed(row.status) ? row : undefined;
}

/**
 * The held case is not the application after all (the mail was a reply to another case, or nothing for us):
 * staff's decision settles its staff findings, each through the case transition with the reason. Mail to the
 * applicant stays held for it, so it leaves the queue without anyone being written to. Inside the caller's transaction.
 */
function settleHeld(app: App, held: CaseRow, reason: string, actor: string, now: Date): void {
  for (;;) {
    const row = app.cases.caseById(held.id)!;
    const findings = app.cases.currentFindings(row.id);
    const open = findings.find((f) => f.audience === 'staff');
    if (!open) return;
    const decision = decideTransition({
      status: row.status, findings, noticesSuppressed: row.notices_suppressed === 1,
      paid: casePaid(app, row.id, app.rules.kinds[row.kind]?.fee), paymentFindings: paymentFindingsOf(row), handled: handledFindingsOf(row),
    }, { type: 'finding-handled', code: open.code, field: open.field ?? null, reason, actor, at: now.toISOString() }, app.rules);
    app.writer.apply([{ case: row, decision }], now);
  }
}

async function analyse(app: App, m: StoredMessageRow, reading: StaffReading) {
  try {
    return await analyseStoredMail(app, {
      raw: app.files.get(m.raw_path), source: m.source, sourceRef: m.source_ref, sha256: m.sha256, dedupeKey: m.dedupe_key, receivedAt: new Date(m.received_at),
    }, reading);
  } catch (error) {
    if (error instanceof UnreadableMailError) throw new TriageError(`${error.message}（対応不要として閉じることだけができます）`);
    throw error;
  }
}

/** The mail is an application of the kind staff chose: a new case, or the case it was held in becomes it. */
export async function triageAsCase(app: App, ref: string, kind: string, actor: string, now = new Date()): Promise<MailOutcome> {
  const m = triageable(app, ref);
  if (!app.rules.kinds[kind]) throw new TriageError(`申請の種別 ${kind} はありません（${Object.keys(app.rules.kinds).join(', ')}）`);
  const held = heldCase(app, m.id);
  // The held case becomes the application when its number already fits the kind (R- for a renewal); a case
  // held as of unknown kind (X-) would give the applicant a number of the wrong kind: a new case is opened and
  // the held one settled instead.
  const prefix = app.rules.kinds[kind]!.casePrefix;
  const reuse = held && held.number.startsWith(`${prefix}-`) ? held : undefined;
  const analysis = await analyse(app, m, { as: 'application', kind, ...(reuse ? { held: reuse } : {}) });
  const outcome = commitStoredAnalysis(app, m.id, analysis, actor, (o) => {
    if (held && !reuse) settleHeld(app, held, `メールを ${o.cases[0]?.number ?? ''} として受付`, actor, now);
  });
  rematchAfter(app, outcome);
  return outcome;
}

/** The mail is the applicant's reply to a case: its attachments join the case, which is evaluated again. */
export async function triageAsReply(app: App, ref: string, caseNumber: string, actor: string, now = new Date()): Promise<MailOutcome> {
  const m = triageable(app, ref);
  const target = app.cases.caseByNumber(caseNumber.normalize('NFKC').trim().toUpperCase());
  if (!target) throw new TriageError(`受付番号 ${caseNumber} の案件はありません`);
  if (isClosed(target.status)) throw new TriageError(`${target.number} は審査済みの案件です`);
  const held = heldCase(app, m.id);
  if (held?.id === target.id) throw new TriageError(`このメールは既に ${target.number} の元のメールです`);
  const analysis = await analyse(app, m, { as: 'reply', to: target });
  const outcome = commitStoredAnalysis(app, m.id, analysis, actor, () => {
    if (held) settleHeld(app, held, `メールを ${target.number} への返信として処理`, actor, now);
  });
  rematchAfter(app, outcome);
  return outcome;
}

/** Nothing for us: the mail is closed with the reason (kept on the mail and in its event). */
export function dismissMail(app: App, ref: string, reason: string, actor: string, now = new Date()): { message: number; held: string | null } {
  const m = triageable(app, ref);
  const why = reason.trim();
  if (!why) throw new TriageError('理由を入力してください');
  if (why.length > 1000) throw new TriageError('理由が長すぎます（1000文字まで）');
  const held = heldCase(app, m.id);
  commitCaseChanges(app, () => {
    app.cases.reclassifyMessage(m.id, 'dismissed', `対応不要: ${why}`);
    app.cases.addEvent({ messageId: m.id, ...(held ? { caseId: held.id } : {}), actor, type: 'mail.dismissed', data: { reason: why, previous: m.classification } });
    if (held) settleHeld(app, held, `メールを対応不要として処理: ${why}`, actor, now);
  });
  return { message: m.id, held: held?.number ?? null };
}


