// Poison mail: a mail that fails, hangs or crashes the daemon every time it is read must not stop the
// intake of every mail behind it (issue 19). The daemon counts attempts durably before each mail
// (src/cases/intake-attempts.ts); after config daemon.maxAttempts failed attempts the mail is set aside
// here: its raw bytes are stored and it becomes a staff exception (a `mail.malformed` finding with the
// reasons, as a mail that cannot be parsed does), then the source files it in its quarantine folder.
// Nothing here parses the mail with the library that may be what kills the process: the few headers
// needed are read from the raw header block by hand, bounded.
import type { App } from './context.ts';
import type { MailSource, SourceMail } from '../intake/sources/mail-source.ts';
import { sha256 } from '../intake/content-store.ts';
import { commitAnalysis, type MailOutcome } from './process-mail.ts';
import { malformedPlan, type Analysis } from './analyse-mail.ts';
import { IntakeAttempts, type AttemptRecord } from '../cases/intake-attempts.ts';
import { QUARANTINE_KEYWORD } from '../intake/sources/imap-source.ts';

/** The header block is read at most this far: a header that long is itself a reason to look by hand. */
const HEADER_LIMIT = 256 * 1024;

/** The raw header block (up to the first empty line), unfolded, as latin1 text (only ASCII headers are read). */
function headerBlock(raw: Buffer): string {
  const head = raw.subarray(0, HEADER_LIMIT).toString('latin1');
  const end = head.search(/\r?\n\r?\n/);
  return (end < 0 ? head : head.slice(0, end)).replace(/\r?\n[ \t]+/g, ' ');
}

function headerValue(block: string, name: string): string | null {
  const match = new RegExp(`^${name}:[ \\t]*(.*)$`, 'im').exec(block);
  const value = match?.[1]?.trim();
  return value ? value : null;
}

/**
 * The key the mail's own analysis would file it under (src/app/analyse-mail.ts: its Message-ID, else the hash
 * of its bytes), so that a copy of it processed later (or an attempt abandoned over the time bound that
 * still commits) is recognised as the same mail, never a second record.
 */
export function dedupeKeyOf(raw: Buffer): string {
  const id = headerValue(headerBlock(raw), 'message-id');
  const messageId = id ? id.replace(/^</, '').replace(/>$/, '') : null;
  return messageId ? `mid:${messageId}` : `sha:${sha256(raw)}`;
}

/** Reason kinds recorded per attempt (src/cases/intake-attempts.ts), as staff read them. */
const REASON_TEXT: Record<string, string> = {
  crash: '処理中にプロセスが停止しました',
  memory: 'メモリの上限を超えました',
  hang: '処理が時間内に終わらず、プロセスが応答しませんでした',
  timeout: '処理が時間内に終わりませんでした',
  error: '処理中にエラーが発生しました',
};

/** What staff read: what happened to each attempt in Japanese, with the technical reason of the last one. */
export function reasonsForStaff(reasons: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const r of reasons) {
    const kind = /^(\w+):/.exec(r)?.[1] ?? 'error';
    const text = REASON_TEXT[kind] ?? REASON_TEXT.error!;
    counts.set(text, (counts.get(text) ?? 0) + 1);
  }
  const summary = [...counts].map(([text, n]) => `${text}（${n}回）`).join('、');
  const last = reasons[reasons.length - 1];
  return last ? `${summary}。最後の理由: ${last}` : summary;
}

function placeOf(app: App, source: MailSource): string {
  return source.name === 'imap'
    ? `メールボックス「${app.config.imap.quarantineFolder}」（移せない場合はフラグ ${QUARANTINE_KEYWORD}）`
    : '受信フォルダの quarantine フォルダ';
}

/** The quarantined mail's analysis, built as a mail that cannot be parsed is: an `exception` case with a staff finding. */
export function quarantineAnalysis(app: App, source: MailSource, incoming: SourceMail, record: AttemptRecord): Analysis {
  const hash = sha256(incoming.raw);
  const dedupeKey = dedupeKeyOf(incoming.raw);
  const date = headerValue(headerBlock(incoming.raw), 'date');
  const headerDate = date ? new Date(date) : null;
  const receivedAt = incoming.receivedAt ?? (headerDate && !Number.isNaN(headerDate.getTime()) ? headerDate : null) ?? incoming.fallbackTime ?? new Date();
  const note = `このメールは${record.attempts}回処理を試みても完了しなかったため、ほかのメールの受付を止めないよう${placeOf(app, source)}に隔離しました（${reasonsForStaff(record.reasons)}）`;
  const base = { source: source.name, sourceRef: incoming.ref, raw: incoming.raw, sha256: hash, dedupeKey, mail: null, receivedAt, files: [] };
  // Already recorded (quarantined before and read again, or a copy went through): filed again, nothing new.
  if (app.cases.messageByKey(dedupeKey) || app.cases.messageByKey(`sha:${hash}`)) return { ...base, classification: 'duplicate', note: '既に処理済みのメール', plans: [] };
  return { ...base, classification: 'malformed', note, plans: [malformedPlan(app, note, receivedAt)] };
}

/**
 * Sets a mail aside: the raw mail stored and a staff exception committed (commitAnalysis), the attempt
 * record marked, then the mail filed in the source's quarantine folder. If the commit fails the mail stays
 * where it is and this is tried again next round; if only the filing fails it is filed when read again.
 */
export async function quarantineMail(app: App, source: MailSource, mail: SourceMail, record: AttemptRecord): Promise<MailOutcome> {
  const outcome = commitAnalysis(app, quarantineAnalysis(app, source, mail, record));
  const attempts = new IntakeAttempts(app.db);
  if (record.state !== 'quarantined') {
    const number = outcome.cases[0]?.number;
    const row = number ? app.cases.caseByNumber(number) : undefined;
    app.cases.addEvent({ ...(row ? { caseId: row.id } : {}), actor: 'intake', type: 'mail.quarantined', data: { ref: mail.ref, source: source.name, attempts: record.attempts, reasons: record.reasons } });
    attempts.quarantined(source.name, record.sha256);
  }
  app.log.error({ ref: mail.ref, attempts: record.attempts, reasons: record.reasons, cases: outcome.cases.map((c) => c.number) }, 'mail quarantined after repeated failed attempts; recorded as a staff exception');
  await source.done(mail, 'quarantined');
  return outcome;
}

/**
 * CONKEN_TEST_FAULT — FOR THE TESTS ONLY (test/integration/poison-mail.test.ts); never set it anywhere else.
 * "<kind>:<marker>[,<kind>:<marker>…]": when a mail's raw bytes contain marker, the daemon misbehaves on it as a poison mail
 * would: crash (the process aborts, as V8 does out of memory), hang (the event loop is blocked for good),
 * stall (the processing never settles), memory (memory grows until something stops it), throw (an error).
 */
export async function injectedFault(raw: Buffer): Promise<void> {
  const spec = process.env.CONKEN_TEST_FAULT;
  if (!spec) return;
  // Several faults, comma-separated, each for its own marker.
  const fault = spec.split(',').map((f) => ({ kind: f.slice(0, f.indexOf(':')), marker: f.slice(f.indexOf(':') + 1) }))
    .find((f) => f.kind && f.marker && raw.includes(f.marker));
  if (!fault) return;
  switch (fault.kind) {
    case 'crash':
      process.abort();
      break;
    case 'hang':
      for (;;) { /* blocks the event loop: only the watchdog thread can end this */ }
    case 'stall':
      await new Promise<never>(() => undefined);
      break;
    case 'memory': {
      const hog: Buffer[] = [];
      for (;;) {
        hog.push(Buffer.alloc(16 * 1024 * 1024, 1));
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    case 'throw':
      throw new Error('injected test fault');
    default:
      throw new Error(`CONKEN_TEST_FAULT: unknown kind ${fault.kind}`);
  }
}
