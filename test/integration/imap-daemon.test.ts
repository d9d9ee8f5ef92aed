// The daemon on a real mailbox: a throwaway Dovecot (IMAP) and a real SMTP server (smtp-server), the
// real `conken start` as a child process, real SQLite files. Each test reads its own IMAP folder.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { DatabaseSync } from 'node:sqlite';
import path from 'node:path';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { dataEnv, mail, ROOT, tempDir } from '../support/harness.ts';
import { appendMails, dovecotAvailable, listMailbox, selfSignedCertificate, startDovecot, withImap, type Dovecot } from '../support/dovecot.ts';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.ts';
import { killAllDaemons, MAIN, startDaemonProcess, waitFor } from '../support/daemon-process.ts';
import { loadConfig } from '../../src/config/config.ts';
import { createApp, closeApp } from '../../src/app/context.ts';
import { drainSource } from '../../src/app/daemon.ts';
import { ImapSource, PROCESSED_KEYWORD } from '../../src/intake/sources/imap-source.ts';
import { MailboxSyncStore } from '../../src/cases/mailbox-sync-store.ts';
import { silentLogger } from '../../src/shared/log.ts';

const run = promisify(execFile);
const enabled = dovecotAvailable();

function openDb(dir: string): DatabaseSync {
  const db = new DatabaseSync(path.join(dir, 'conken.db'), { readOnly: true });
  // The daemon may hold a lock for a moment (its migrations at start, a checkpoint): wait, as its own readers do.
  db.exec('PRAGMA busy_timeout = 5000');
  return db;
}

/** Rows from the daemon's database; none before the daemon has made it. */
function query<T>(dir: string, sql: string, ...params: (string | number)[]): T[] {
  if (!existsSync(path.join(dir, 'conken.db'))) return [];
  const db = openDb(dir);
  try {
    return db.prepare(sql).all(...params) as T[];
  } catch (error) {
    // The file exists (made owner-only first) before the daemon has migrated it: nothing to read yet.
    if (/no such table/.test((error as Error).message)) return [];
    throw error;
  } finally {
    db.close();
  }
}

const JAN20 = new Date('2026-01-20T10:00:00+09:00');

/** The IMAP state the daemon last reported (undefined before it made its database). */
function sourceState(dir: string): string | undefined {
  try {
    return query<{ state: string }>(dir, "SELECT state FROM daemon_status WHERE component = 'source'")[0]?.state;
  } catch {
    return undefined;
  }
}

describe.skipIf(!enabled)('IMAP/SMTP daemon against Dovecot and an SMTP server', { timeout: 90_000 }, () => {
  let dovecot: Dovecot;
  let sink: SmtpSink;

  beforeAll(async () => {
    dovecot = await startDovecot();
    sink = await startSmtpSink();
  });
  afterEach(killAllDaemons);
  afterAll(async () => {
    await killAllDaemons();
    await sink?.close();
    await dovecot?.destroy();
  });

  /** Env for the daemon: data in dir, this test's IMAP folder, the sink; fast timers. */
  function envFor(dir: string, folder: string, extra: Record<string, string> = {}): Record<string, string> {
    return {
      ...dataEnv(dir), ...dovecot.env(), ...sink.env(),
      CONKEN_IMAP_MAILBOX: folder, CONKEN_IMAP_PROCESSED_FOLDER: `${folder}-Processed`,
      CONKEN_IMAP_POLL_SECONDS: '300', CONKEN_SENDER_INTERVAL_SECONDS: '1',
      CONKEN_SENDER_BACKOFF_BASE_SECONDS: '1', CONKEN_SENDER_BACKOFF_MAX_SECONDS: '2',
      CONKEN_LOG_LEVEL: 'info',
      ...extra,
    };
  }

  async function createFolder(folder: string): Promise<void> {
    await withImap(dovecot, async (c) => { await c.mailboxCreate(folder); });
  }

  const sentTo = (messageIds: string[]) => sink.received.filter((r) => r.inReplyTo && messageIds.includes(r.inReplyTo));

  it('mail arriving while the daemon idles is taken at once (IDLE), answered in its thread over SMTP and filed; unrelated mail is left alone', async () => {
    const dir = tempDir();
    const folder = 'Idle';
    await createFolder(folder);
    const env = envFor(dir, folder);
    const daemon = startDaemonProcess(env);
    try {
      await waitFor(() => sourceState(dir) === 'connected', 'the daemon to connect');
      // Polling is every 300 s here: only IDLE can make the daemon see these within seconds.
      const application = await mail({ messageId: 'idle-1@example.jp' });
      const unrelated = await mail({ messageId: 'idle-lunch@example.jp', subject: 'ランチのお誘い', attachments: [] });
      // An auto-reply quoting the intake subject: never answered (RFC 3834 loop protection), left alone.
      const autoReply = await mail({ messageId: 'idle-auto@example.jp', headers: { 'Auto-Submitted': 'auto-replied' }, attachments: [] });
      // INTERNALDATE (5 March, outside the window) differs from the Date header (20 January): the server's time counts.
      await appendMails(dovecot, [unrelated, autoReply, application], { mailbox: folder, date: new Date('2026-03-05T10:00:00+09:00') });
      const t0 = Date.now();
      await waitFor(() => sentTo(['idle-1@example.jp']).length >= 1, 'the acknowledgement', 8000);
      expect(Date.now() - t0).toBeLessThan(8000);

      const [ack] = sentTo(['idle-1@example.jp']);
      const [c] = query<{ number: string; status: string; received_at: string }>(dir, 'SELECT number, status, received_at FROM cases');
      expect(c).toMatchObject({ number: 'R-2026-000001', status: 'exception', received_at: '2026-03-05T01:00:00.000Z' });
      expect(ack!.envelopeTo).toEqual(['k.konda@example.jp']);
      expect(ack!.envelopeFrom).toBe('intake@conken.example.jp');
      expect(ack!.subject).toMatch(/^Re: 【コン検】.*受付番号 R-2026-000001/);
      expect(ack!.references).toContain('<idle-1@example.jp>');
      expect(ack!.messageId).toBe('R-2026-000001.acknowledgement.1@conken-intake.local');
      expect(ack!.raw.toString()).toMatch(/^Auto-Submitted: auto-replied/m);

      await waitFor(async () => (await listMailbox(dovecot, `${folder}-Processed`)).length === 1, 'the mail to be filed');
      const inbox = await listMailbox(dovecot, folder);
      expect(inbox.map((m) => m.messageId)).toEqual(['idle-lunch@example.jp', 'idle-auto@example.jp']);
      expect(inbox.map((m) => m.flags)).toEqual([[], []]); // untouched: not even \Seen
      expect(sink.received.filter((r) => r.inReplyTo === 'idle-auto@example.jp' || r.inReplyTo === 'idle-lunch@example.jp')).toEqual([]);

      const status = await run(process.execPath, [MAIN, 'status', '--json'], { env: { ...process.env, ...env } });
      const s = JSON.parse(status.stdout);
      expect(s.running).toBe(true);
      expect(s.components.find((x: { component: string }) => x.component === 'source')).toMatchObject({ state: 'connected', backlog: 0 });
      expect(s.components.find((x: { component: string }) => x.component === 'transport')).toMatchObject({ state: 'ok', lastError: null });
      // A second sender beside the running daemon could send a notice twice: conken send refuses.
      const send = await run(process.execPath, [MAIN, 'send'], { env: { ...process.env, ...env } }).then(() => ({ code: 0, stderr: '' }), (e: { code: number; stderr: string }) => e);
      expect(send.code).toBe(2);
      expect(send.stderr).toMatch(/daemon is running/);
    } finally {
      const exit = await daemon.stop('SIGTERM');
      expect(exit.code).toBe(0);
    }
    // Logs are structured and carry no personal data.
    const logs = daemon.logs();
    expect(logs).toMatch(/"msg":"IMAP connected"/);
    expect(logs).not.toMatch(/k\.konda|今田|健太郎/);
    const after = await run(process.execPath, [MAIN, 'status'], { env: { ...process.env, ...env } }).catch((e: { stdout: string; code: number }) => e);
    expect(after.stdout).toMatch(/daemon: not running/);
  });

  it('mail that arrived while the daemon was down is caught up in UID order; the same mail delivered twice becomes one case', async () => {
    const dir = tempDir();
    const folder = 'Catchup';
    await createFolder(folder);
    const env = envFor(dir, folder);
    // A sender of its own per mail: the daily cap of automatic mails per sender must not interfere.
    const m = async (id: string) => mail({ messageId: id, from: `申請者 <${id.replace('@', '.at.')}@example.net>` });
    const [m1, m2, m3] = [await m('down-1@example.jp'), await m('down-2@example.jp'), await m('down-3@example.jp')];
    await appendMails(dovecot, [m1, m2, m1, m3], { mailbox: folder, date: JAN20 });

    let daemon = startDaemonProcess(env);
    await waitFor(() => sink.received.filter((r) => r.caseNumber?.startsWith('R-') && sentTo(['down-1@example.jp', 'down-2@example.jp', 'down-3@example.jp']).includes(r)).length === 6, 'six notices');
    await waitFor(async () => (await listMailbox(dovecot, folder)).length === 0, 'the folder to be empty');
    expect((await daemon.stop()).code).toBe(0);

    const cases = query<{ number: string; message_id: string }>(dir, 'SELECT c.number, m.message_id FROM cases c JOIN messages m ON m.id = c.origin_message_id ORDER BY c.number');
    expect(cases).toEqual([
      { number: 'R-2026-000001', message_id: 'down-1@example.jp' },
      { number: 'R-2026-000002', message_id: 'down-2@example.jp' },
      { number: 'R-2026-000003', message_id: 'down-3@example.jp' },
    ]);
    expect((await listMailbox(dovecot, `${folder}-Processed`)).map((x) => x.messageId)).toEqual(['down-1@example.jp', 'down-2@example.jp', 'down-1@example.jp', 'down-3@example.jp']);

    // Down again: a second copy of an old mail and a new one arrive.
    await appendMails(dovecot, [m2, await m('down-4@example.jp')], { mailbox: folder, date: JAN20 });
    daemon = startDaemonProcess(env);
    await waitFor(() => sentTo(['down-4@example.jp']).length === 2, 'the new mail answered');
    await waitFor(async () => (await listMailbox(dovecot, folder)).length === 0, 'the folder to be empty');
    expect((await daemon.stop()).code).toBe(0);
    expect(query<{ n: number }>(dir, 'SELECT COUNT(*) AS n FROM cases')[0]!.n).toBe(4);
    const answers = sentTo(['down-1@example.jp', 'down-2@example.jp', 'down-3@example.jp', 'down-4@example.jp']);
    expect(answers).toHaveLength(8);
    expect(new Set(answers.map((a) => a.messageId)).size).toBe(8);
  });

  it('the IMAP server restarting mid-session: the daemon reconnects with backoff and every mail becomes exactly one case', async () => {
    const dir = tempDir();
    const folder = 'Restart';
    await createFolder(folder);
    const env = envFor(dir, folder);
    const ids = Array.from({ length: 6 }, (_, i) => `restart-${i}@example.jp`);
    const from = (id: string) => `申請者 <${id.replace('@', '.at.')}@example.net>`;
    const daemon = startDaemonProcess(env);
    try {
      await waitFor(() => sourceState(dir) === 'connected', 'the daemon to connect');
      await appendMails(dovecot, await Promise.all(ids.map((id) => mail({ messageId: id, from: from(id) }))), { mailbox: folder, date: JAN20 });
      // Restart while the batch is being worked on: fetches, moves and IDLE are cut off.
      await waitFor(() => sentTo(ids).length >= 1 || query(dir, 'SELECT 1 FROM cases').length >= 1, 'the first case', 10_000, 20);
      await dovecot.restart();
      const late = await mail({ messageId: 'restart-late@example.jp', from: from('restart-late@example.jp') });
      await appendMails(dovecot, [late], { mailbox: folder, date: JAN20 });
      await waitFor(() => sentTo([...ids, 'restart-late@example.jp']).length === 14, 'fourteen notices', 30_000);
      await waitFor(async () => (await listMailbox(dovecot, folder)).length === 0, 'the folder to be empty', 15_000);
      const errors = query<{ last_error: string | null }>(dir, "SELECT last_error FROM daemon_status WHERE component = 'source'");
        expect(errors[0]!.last_error).toBeTruthy();
    } finally {
      expect((await daemon.stop()).code).toBe(0);
    }
    expect(daemon.logs()).toMatch(/IMAP connection lost or refused; will reconnect/);
    const perMail = query<{ message_id: string; n: number }>(dir, 'SELECT m.message_id, COUNT(*) AS n FROM cases c JOIN messages m ON m.id = c.origin_message_id GROUP BY m.message_id');
    expect(perMail).toHaveLength(7);
    expect(perMail.every((r) => r.n === 1)).toBe(true);
    const answers = sentTo([...ids, 'restart-late@example.jp']);
    expect(new Set(answers.map((a) => a.messageId)).size).toBe(answers.length);
  });

  it('SMTP refusing then accepting: notices are retried with backoff, keep their Message-ID and arrive once each', async () => {
    const dir = tempDir();
    const folder = 'Refuse';
    await createFolder(folder);
    sink.refuseNext(3);
    const refusedBefore = sink.refused;
    const daemon = startDaemonProcess(envFor(dir, folder));
    try {
      await appendMails(dovecot, [await mail({ messageId: 'refuse-1@example.jp', from: 'refuse@example.net' })], { mailbox: folder, date: JAN20 });
      await waitFor(() => sentTo(['refuse-1@example.jp']).length === 2, 'both notices', 20_000);
      await new Promise((r) => setTimeout(r, 1500)); // time for any wrongful resend
    } finally {
      await daemon.stop();
    }
    expect(sink.refused - refusedBefore).toBe(3);
    const outbox = query<{ rfc_message_id: string; status: string; attempts: number; last_error: string | null }>(dir, 'SELECT rfc_message_id, status, attempts, last_error FROM outbox ORDER BY id');
    expect(outbox.map((o) => o.status)).toEqual(['sent', 'sent']);
    // Attempts count every try: three refused, then one accepted each.
    expect(outbox.reduce((n, o) => n + o.attempts, 0)).toBe(5);
    expect(daemon.logs().match(/"msg":"mail delivery failed; will retry"/g)).toHaveLength(3);
    expect(daemon.logs()).toMatch(/451 try again later/);
    expect(sentTo(['refuse-1@example.jp']).map((r) => r.messageId).sort()).toEqual(outbox.map((o) => o.rfc_message_id).sort());
  });

  it('a recipient the SMTP server rejects: retried, and the address never reaches the logs or the status', async () => {
    const dir = tempDir();
    const folder = 'Unknown';
    await createFolder(folder);
    sink.unknownRecipients.add('gone.applicant@example.net');
    const daemon = startDaemonProcess(envFor(dir, folder));
    try {
      await appendMails(dovecot, [await mail({ messageId: 'unknown-1@example.jp', from: '不明 太郎 <gone.applicant@example.net>' })], { mailbox: folder, date: JAN20 });
      await waitFor(() => query<{ n: number }>(dir, 'SELECT COUNT(*) AS n FROM outbox WHERE attempts >= 2')[0]?.n === 2, 'two failed attempts each', 20_000);
      await waitFor(() => query<{ last_error: string | null }>(dir, "SELECT last_error FROM daemon_status WHERE component = 'transport'")[0]?.last_error, 'the transport error in the status');
      const status = query<{ state: string; last_error: string }>(dir, "SELECT state, last_error FROM daemon_status WHERE component = 'transport'")[0]!;
      expect(status.state).toBe('failing');
      expect(status.last_error).toMatch(/550.*<address>.*User unknown/);
    } finally {
      await daemon.stop();
      sink.unknownRecipients.clear();
    }
    expect(daemon.logs()).toMatch(/mail delivery failed; will retry/);
    expect(daemon.logs()).not.toMatch(/gone\.applicant|不明/);
    expect(sink.received.filter((r) => r.inReplyTo === 'unknown-1@example.jp')).toEqual([]);
  });

  it('a payment completes the case while the daemon runs: the acceptance (threaded) and the reviewer mail with the form go out over SMTP', async () => {
    const dir = tempDir();
    const folder = 'Review';
    await createFolder(folder);
    const env = envFor(dir, folder);
    const daemon = startDaemonProcess(env);
    try {
      await appendMails(dovecot, [await mail({ messageId: 'review-1@example.jp' })], { mailbox: folder, date: JAN20 });
      await waitFor(() => sentTo(['review-1@example.jp']).length === 2, 'acknowledgement and payment request');
      const before = sink.received.length;
      // Finance imports the statement from another shell; with SMTP configured the daemon delivers.
      const imported = await run(process.execPath, [MAIN, 'payments', 'import', path.join(ROOT, 'samples', 'statements', 'payments.csv'), '--json'], { env: { ...process.env, ...env } });
      expect(JSON.parse(imported.stdout).matched).toEqual([{ payment: 1, case: 'R-2026-000001', status: 'ready-for-review' }]);
      await waitFor(() => sink.received.length >= before + 2, 'the acceptance and the reviewer mail');
      const review = sink.received.slice(before).find((r) => r.envelopeTo[0] === 'reviewer@conken.example.jp')!;
      expect(review.messageId).toBe('R-2026-000001.review-request.1@conken-intake.local');
      expect(review.raw.toString()).toMatch(/Content-Disposition: attachment/);
      expect(review.raw.toString()).toMatch(/^Auto-Submitted: auto-generated/m);
      const accepted = sink.received.slice(before).find((r) => r.envelopeTo[0] === 'k.konda@example.jp')!;
      expect(accepted.subject).toMatch(/^Re: .*受理.*R-2026-000001/);
      expect(accepted.inReplyTo).toBe('review-1@example.jp');
    } finally {
      expect((await daemon.stop()).code).toBe(0);
    }
  });

  it('the daily cap per sender holds over SMTP: beyond it notices are suppressed for staff, not sent', async () => {
    const dir = tempDir();
    const folder = 'Cap';
    await createFolder(folder);
    const daemon = startDaemonProcess(envFor(dir, folder));
    const ids = ['cap-1@example.jp', 'cap-2@example.jp', 'cap-3@example.jp', 'cap-4@example.jp'];
    try {
      await waitFor(() => sourceState(dir) === 'connected', 'the daemon to connect');
      await appendMails(dovecot, await Promise.all(ids.map((id) => mail({ messageId: id, from: 'cap@example.net' }))), { mailbox: folder, date: JAN20 });
      await waitFor(() => query(dir, 'SELECT 1 FROM cases').length === 4 && query(dir, "SELECT 1 FROM outbox WHERE status = 'pending'").length === 0, 'four cases, outbox delivered');
      await new Promise((r) => setTimeout(r, 1000));
    } finally {
      await daemon.stop();
    }
    const statuses = query<{ status: string }>(dir, 'SELECT status FROM outbox ORDER BY id').map((o) => o.status);
    expect(statuses).toEqual(['sent', 'sent', 'sent', 'sent', 'sent', 'sent', 'suppressed', 'suppressed']); // rules/intake.yaml: 6 a day
    expect(sentTo(ids)).toHaveLength(6);
  });

  it('a new UIDVALIDITY: the folder is read again from the start and what was already handled is recognised, not repeated', async () => {
    const dir = tempDir();
    const folder = 'Validity';
    await createFolder(folder);
    const config = loadConfig({ cwd: ROOT, env: { ...envFor(dir, folder) } });
    const app = createApp(config, silentLogger());
    const source = new ImapSource(config.imap, new MailboxSyncStore(app.db), app.log);
    try {
      const first = await mail({ messageId: 'validity-1@example.jp' });
      await appendMails(dovecot, [first], { mailbox: folder, date: JAN20 });
      expect((await drainSource(app, source)).map((o) => o.classification)).toEqual(['application']);
      const before = new MailboxSyncStore(app.db).get(folder)!;
      // The folder is deleted and made again (UIDs renumbered), and the old mail comes back with a new one.
      await withImap(dovecot, async (c) => { await c.mailboxDelete(folder); await c.mailboxCreate(folder); });
      await appendMails(dovecot, [first, await mail({ messageId: 'validity-2@example.jp' })], { mailbox: folder, date: JAN20 });
      await source.close();
      const again = new ImapSource(config.imap, new MailboxSyncStore(app.db), app.log);
      const outcomes = await drainSource(app, again);
      await again.close();
      expect(outcomes.map((o) => o.classification)).toEqual(['duplicate', 'application']);
      const after = new MailboxSyncStore(app.db).get(folder)!;
      expect(after.uidvalidity).not.toBe(before.uidvalidity);
      expect(app.cases.listCases().map((c) => c.number)).toEqual(['R-2026-000001', 'R-2026-000002']);
      expect(await listMailbox(dovecot, folder)).toEqual([]);
    } finally {
      await source.close();
      closeApp(app);
    }
  });

  it('a mail that cannot be committed holds the watermark back without blocking the mail after it, and is read again', async () => {
    const dir = tempDir();
    const folder = 'Hold';
    await createFolder(folder);
    const config = loadConfig({ cwd: ROOT, env: envFor(dir, folder) });
    const app = createApp(config, silentLogger());
    const source = new ImapSource(config.imap, new MailboxSyncStore(app.db), app.log);
    const refs = (mails: { ref: string }[]) => mails.map((m) => Number(m.ref.split(':')[1]));
    try {
      // UID 1 will fail; 2–6 are unrelated; 7 is an application.
      const raws = [await mail({ messageId: 'hold-1@example.jp' })];
      for (let i = 2; i <= 6; i++) raws.push(await mail({ messageId: `hold-${i}@example.jp`, subject: `お知らせ ${i}`, attachments: [] }));
      raws.push(await mail({ messageId: 'hold-7@example.jp', from: 'hold7@example.net' }));
      await appendMails(dovecot, raws, { mailbox: folder, date: JAN20 });

      const first = await source.pending();
      expect(refs(first)).toEqual([1, 2, 3, 4, 5]);
      for (const m of first.slice(1)) await source.done(m, 'ignored'); // UID 1 "failed": never done
      const second = await source.pending();
      expect(refs(second)).toEqual([1, 6, 7]); // the failed one again; the handled ones not re-read
      await source.done(second[1]!, 'ignored');
      await source.done(second[2]!, 'processed');
      expect(new MailboxSyncStore(app.db).get(folder)!.lastUid).toBe(0); // held back by UID 1
      const third = await source.pending();
      expect(refs(third)).toEqual([1]);
      await source.done(third[0]!, 'processed');
      expect(new MailboxSyncStore(app.db).get(folder)!.lastUid).toBe(6);
      expect(await source.pending()).toEqual([]);
      expect((await listMailbox(dovecot, folder)).map((m) => m.messageId)).toEqual(['hold-2@example.jp', 'hold-3@example.jp', 'hold-4@example.jp', 'hold-5@example.jp', 'hold-6@example.jp']);
    } finally {
      await source.close();
      closeApp(app);
    }
  });

  it('without a processed folder, handled mails are flagged in place and never read again; nothing is deleted', async () => {
    const dir = tempDir();
    const folder = 'Flagged';
    await createFolder(folder);
    const config = loadConfig({ cwd: ROOT, env: envFor(dir, folder), overrides: { 'imap.processedFolder': '' } });
    const app = createApp(config, silentLogger());
    try {
      await appendMails(dovecot, [await mail({ messageId: 'flag-1@example.jp' }), await mail({ messageId: 'flag-lunch@example.jp', subject: 'ランチ', attachments: [] })], { mailbox: folder, date: JAN20 });
      const source = new ImapSource(config.imap, new MailboxSyncStore(app.db), app.log);
      expect((await drainSource(app, source)).map((o) => o.classification)).toEqual(['application', 'ignored']);
      const box = await listMailbox(dovecot, folder);
      expect(box.map((m) => [m.messageId, m.flags.sort()])).toEqual([['flag-1@example.jp', ['$ConkenProcessed', '\\Seen']], ['flag-lunch@example.jp', []]]);
      expect(PROCESSED_KEYWORD).toBe('$ConkenProcessed');
      // Even with the watermark lost, a flagged mail is not read again (the unrelated one is, and stays unrelated).
      await source.close();
      app.db.prepare('UPDATE mailbox_sync SET last_uid = 0').run();
      const restarted = new ImapSource(config.imap, new MailboxSyncStore(app.db), app.log);
      expect((await drainSource(app, restarted)).map((o) => [o.classification, o.firstSeenAs])).toEqual([['duplicate', 'ignored']]);
      await restarted.close();
      expect((await listMailbox(dovecot, folder)).map((m) => m.flags.length)).toEqual([2, 0]);
    } finally {
      closeApp(app);
    }
  });
});

describe.skipIf(!enabled)('IMAP and SMTP over TLS', { timeout: 90_000 }, () => {
  let dovecot: Dovecot;
  let sink: SmtpSink;
  const login = { user: 'conken', pass: 'smtp-test-password' };

  beforeAll(async () => {
    const tls = selfSignedCertificate(tempDir('conken-tls-'));
    dovecot = await startDovecot({ tls });
    sink = await startSmtpSink({ tls, auth: login });
  });
  afterEach(killAllDaemons);
  afterAll(async () => {
    await killAllDaemons();
    await sink?.close();
    await dovecot?.destroy();
  });

  const tlsEnv = (dir: string, folder: string): Record<string, string> => ({
    ...dataEnv(dir), ...dovecot.env(),
    CONKEN_IMAP_STARTTLS: 'true', CONKEN_IMAP_TLS_REJECT_UNAUTHORIZED: 'false',
    CONKEN_IMAP_MAILBOX: folder, CONKEN_IMAP_PROCESSED_FOLDER: `${folder}-Processed`,
    CONKEN_SMTP_HOST: '127.0.0.1', CONKEN_SMTP_PORT: String(sink.port), CONKEN_SMTP_SECURE: 'false', CONKEN_SMTP_STARTTLS: 'true',
    CONKEN_SMTP_USER: login.user, CONKEN_SMTP_PASSWORD: login.pass, CONKEN_SMTP_TLS_REJECT_UNAUTHORIZED: 'false',
    CONKEN_SENDER_INTERVAL_SECONDS: '1',
  });

  it('conken start over STARTTLS with logins on both sides: mail in, replies out, encrypted', async () => {
    const dir = tempDir();
    await withImap(dovecot, async (c) => { await c.mailboxCreate('Tls'); });
    const daemon = startDaemonProcess(tlsEnv(dir, 'Tls'));
    try {
      await appendMails(dovecot, [await mail({ messageId: 'tls-1@example.jp' })], { mailbox: 'Tls', date: JAN20 });
      await waitFor(() => sink.received.filter((r) => r.inReplyTo === 'tls-1@example.jp').length === 2, 'both notices');
    } finally {
      expect((await daemon.stop()).code).toBe(0);
    }
    const replies = sink.received.filter((r) => r.inReplyTo === 'tls-1@example.jp');
    expect(replies.map((r) => [r.secure, r.user])).toEqual([[true, 'conken'], [true, 'conken']]);
    expect(await listMailbox(dovecot, 'Tls')).toEqual([]);
  });

  it('implicit TLS (IMAPS) works, and a certificate that does not verify is refused: the error is shown and the mail waits', async () => {
    const dir = tempDir();
    await withImap(dovecot, async (c) => { await c.mailboxCreate('Imaps'); });
    await appendMails(dovecot, [await mail({ messageId: 'imaps-1@example.jp' })], { mailbox: 'Imaps', date: JAN20 });
    const env = { ...tlsEnv(dir, 'Imaps'), CONKEN_IMAP_PORT: String(dovecot.tlsPort), CONKEN_IMAP_SECURE: 'true' };
    const app = createApp(loadConfig({ cwd: ROOT, env: { ...env, CONKEN_IMAP_TLS_REJECT_UNAUTHORIZED: 'true' } }), silentLogger());
    try {
      const strict = new ImapSource(app.config.imap, new MailboxSyncStore(app.db), app.log);
      expect(await drainSource(app, strict)).toEqual([]);
      expect(strict.health()).toMatchObject({ state: 'disconnected', lastError: expect.stringMatching(/certificate/i) });
      await strict.close();
      expect(await listMailbox(dovecot, 'Imaps')).toHaveLength(1);

      const relaxed = new ImapSource({ ...app.config.imap, tlsRejectUnauthorized: false }, new MailboxSyncStore(app.db), app.log);
      expect((await drainSource(app, relaxed)).map((o) => o.classification)).toEqual(['application']);
      await relaxed.close();
      expect(await listMailbox(dovecot, 'Imaps')).toEqual([]);
    } finally {
      closeApp(app);
    }
  });
});

describe.skipIf(!enabled)('polling fallback', { timeout: 90_000 }, () => {
  let dovecot: Dovecot;
  let sink: SmtpSink;
  beforeAll(async () => {
    dovecot = await startDovecot({ noIdle: true });
    sink = await startSmtpSink();
  });
  afterEach(killAllDaemons);
  afterAll(async () => {
    await killAllDaemons();
    await sink?.close();
    await dovecot?.destroy();
  });

  it('a server without IDLE is polled on the node-cron schedule: mail is still taken', async () => {
    const caps = await withImap(dovecot, async (c) => [...c.capabilities.keys()]);
    expect(caps).not.toContain('IDLE');
    const dir = tempDir();
    const daemon = startDaemonProcess({ ...dataEnv(dir), ...dovecot.env(), ...sink.env(), CONKEN_IMAP_POLL_SECONDS: '2', CONKEN_SENDER_INTERVAL_SECONDS: '1' });
    try {
      await waitFor(() => sourceState(dir) === 'connected', 'the daemon to connect');
      await appendMails(dovecot, [await mail({ messageId: 'poll-1@example.jp' })], { date: JAN20 });
      await waitFor(() => sink.received.filter((r) => r.inReplyTo === 'poll-1@example.jp').length === 2, 'both notices', 15_000);
      await waitFor(async () => (await listMailbox(dovecot, 'INBOX')).length === 0, 'the mail to be filed');
    } finally {
      expect((await daemon.stop()).code).toBe(0);
    }
    expect((await listMailbox(dovecot, 'Processed')).map((m) => m.messageId)).toEqual(['poll-1@example.jp']);
  });
});
