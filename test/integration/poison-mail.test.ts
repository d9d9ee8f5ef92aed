// A poison mail never stops the daemon (issue 19, point 5). A mail ahead of good mails that makes the
// daemon throw, stall, block its event loop, run out of memory or crash outright is retried at most
// daemon.maxAttempts times — the good mails are processed in between — then quarantined with a staff
// exception. The faults are injected with CONKEN_TEST_FAULT (src/app/poison-mail.ts: for tests only) on a
// marker in the poison mail's Message-ID; everything else is real: the real daemon in a child process
// (alone, or under the supervisor of bin/conken.js), real SQLite files, a real Dovecot.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DatabaseSync } from 'node:sqlite';
import path from 'node:path';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dataEnv, mail, ROOT, tempDir } from '../support/harness.ts';
import { appendMails, dovecotAvailable, listMailbox, startDovecot, withImap, type Dovecot } from '../support/dovecot.ts';
import { killAllDaemons, startDaemonProcess, waitFor, type DaemonProcess } from '../support/daemon-process.ts';
import { loadConfig } from '../../src/config/config.ts';
import { createApp, closeApp, type App } from '../../src/app/context.ts';
import { drainSource } from '../../src/app/daemon.ts';
import { FolderSource } from '../../src/intake/sources/folder-source.ts';
import { ImapSource, QUARANTINE_KEYWORD } from '../../src/intake/sources/imap-source.ts';
import { MailboxSyncStore } from '../../src/cases/mailbox-sync-store.ts';
import { silentLogger } from '../../src/shared/log.ts';

function query<T>(dir: string, sql: string, ...params: (string | number)[]): T[] {
  if (!existsSync(path.join(dir, 'conken.db'))) return [];
  const db = new DatabaseSync(path.join(dir, 'conken.db'), { readOnly: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } catch {
    return []; // not migrated yet
  } finally {
    db.close();
  }
}

interface Attempt { ref: string; state: string; attempts: number; reasons: string[] }
function attemptsOf(dir: string): Attempt[] {
  return query<{ ref: string; state: string; attempts: number; reasons_json: string }>(dir, 'SELECT ref, state, attempts, reasons_json FROM intake_attempts ORDER BY ref')
    .map((r) => ({ ref: r.ref, state: r.state, attempts: r.attempts, reasons: JSON.parse(r.reasons_json) as string[] }));
}
const attemptOf = (dir: string, ref: string) => attemptsOf(dir).find((a) => a.ref === ref);

/** The staff exceptions made for quarantined mails: their case and the text of their finding. */
function quarantineExceptions(dir: string): { number: string; status: string; message: string }[] {
  return query<{ number: string; status: string; message: string }>(dir, `SELECT c.number, c.status, f.message FROM cases c JOIN findings f ON f.case_id = c.id
    WHERE f.code = 'mail.malformed' AND f.audience = 'staff' AND f.message LIKE '%隔離%' ORDER BY c.number`);
}

/** Good mails, each from its own sender (the daily cap of notices per sender must not interfere). */
async function goodMails(prefix: string, n: number): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for (let i = 1; i <= n; i++) out.push(await mail({ messageId: `${prefix}-good-${i}@example.jp`, from: `申請者 <${prefix}.${i}@example.net>` }));
  return out;
}

const poison = (marker: string) => mail({ messageId: `${marker}@example.jp`, from: `申請者 <${marker}@example.net>` });

function folderEnv(dir: string, extra: Record<string, string>): Record<string, string> {
  return {
    ...dataEnv(dir), CONKEN_INBOX_POLL_SECONDS: '1', CONKEN_SENDER_INTERVAL_SECONDS: '1', CONKEN_LOG_LEVEL: 'info',
    CONKEN_DAEMON_MAX_ATTEMPTS: '3',
    // `conken start` may also serve the workbench: on a free port, never one another test holds.
    CONKEN_WEB_PORT: '0',
    ...extra,
  };
}

async function dropInto(dir: string, files: Record<string, Buffer>): Promise<void> {
  mkdirSync(path.join(dir, 'inbox'), { recursive: true });
  for (const [name, raw] of Object.entries(files)) writeFileSync(path.join(dir, 'inbox', name), raw);
}

const emls = (folder: string) => (existsSync(folder) ? readdirSync(folder).filter((f) => f.endsWith('.eml')).sort() : []);
/** The good mails' cases: one per good mail, each an application that went its normal way. */
const goodCases = (dir: string) => query<{ number: string; status: string }>(dir, `SELECT number, status FROM cases WHERE number LIKE 'R-%' AND status != 'exception' ORDER BY number`);
const restarts = (d: DaemonProcess) => (d.logs().match(/the daemon ended abnormally; restarting it/g) ?? []).length;

afterEach(killAllDaemons);

describe('a poison mail in the inbox folder', { timeout: 180_000 }, () => {
  it('crashing the process: the supervisor restarts the daemon, the good mails behind it are processed, and after 3 crashes it is quarantined with a staff exception', async () => {
    const dir = tempDir();
    const [g1, g2, g3] = await goodMails('crash', 3);
    await dropInto(dir, { '0-poison.eml': await poison('poison-crash'), '1-good.eml': g1!, '2-good.eml': g2!, '3-good.eml': g3! });
    const daemon = startDaemonProcess(folderEnv(dir, { CONKEN_TEST_FAULT: 'crash:poison-crash@' }), { supervised: true });
    await waitFor(() => emls(path.join(dir, 'inbox', 'quarantine')).length === 1 && emls(path.join(dir, 'inbox')).length === 0, 'the poison mail quarantined and the inbox empty', 120_000, 250);

    expect(emls(path.join(dir, 'inbox', 'quarantine'))).toEqual(['0-poison.eml']);
    expect(emls(path.join(dir, 'inbox', 'processed'))).toEqual(['1-good.eml', '2-good.eml', '3-good.eml']);
    expect(goodCases(dir)).toHaveLength(3);
    const [exception] = quarantineExceptions(dir);
    expect(exception).toMatchObject({ status: 'exception' });
    expect(exception!.message).toMatch(/3回処理を試みても完了しなかった/);
    expect(exception!.message).toMatch(/処理中にプロセスが停止しました（3回）/);
    expect(attemptOf(dir, '0-poison.eml')).toMatchObject({ state: 'quarantined', attempts: 3 });
    expect(attemptOf(dir, '0-poison.eml')!.reasons.every((r) => r.startsWith('crash:'))).toBe(true);
    // The raw mail is stored, as every mail is; the quarantine is in the audit trail.
    expect(query(dir, `SELECT 1 FROM messages WHERE dedupe_key = 'mid:poison-crash@example.jp' AND raw_path != ''`)).toHaveLength(1);
    expect(query(dir, `SELECT 1 FROM events WHERE type = 'mail.quarantined'`)).toHaveLength(1);
    // Three crashes, three restarts; the fourth start quarantined it and is still running.
    expect(restarts(daemon)).toBe(3);
    expect(daemon.child.exitCode).toBeNull();
    expect(await daemon.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    expect(daemon.logs()).not.toMatch(/crash\.\d@example\.net|今田|健太郎/);
  });

  it('a restart after a crash counts the attempt: the crashed mail waits behind the others, and the start after the third crash quarantines it', async () => {
    const dir = tempDir();
    const [g1, g2] = await goodMails('count', 2);
    await dropInto(dir, { '0-poison.eml': await poison('poison-count') });
    const env = folderEnv(dir, { CONKEN_TEST_FAULT: 'crash:poison-count@' });

    // First start: the poison mail is the only one; the process aborts on it (as V8 out of memory does).
    let daemon = startDaemonProcess(env);
    expect((await daemon.exited).signal).toBe('SIGABRT');
    expect(attemptOf(dir, '0-poison.eml')).toMatchObject({ state: 'processing', attempts: 1 });

    // Second start: the crash is counted, and the good mails that arrived meanwhile go first.
    await dropInto(dir, { '1-good.eml': g1!, '2-good.eml': g2! });
    daemon = startDaemonProcess(env);
    expect((await daemon.exited).signal).toBe('SIGABRT');
    expect(daemon.logs()).toMatch(/the previous run ended while processing this mail; counted as a failed attempt/);
    expect(emls(path.join(dir, 'inbox', 'processed'))).toEqual(['1-good.eml', '2-good.eml']);
    expect(attemptOf(dir, '0-poison.eml')).toMatchObject({ state: 'processing', attempts: 2, reasons: [expect.stringMatching(/^crash:/)] });

    daemon = startDaemonProcess(env);
    expect((await daemon.exited).signal).toBe('SIGABRT');
    expect(attemptOf(dir, '0-poison.eml')).toMatchObject({ state: 'processing', attempts: 3 });

    // Fourth start: out of attempts, set aside before it is processed again; the daemon keeps running.
    daemon = startDaemonProcess(env);
    await waitFor(() => emls(path.join(dir, 'inbox', 'quarantine')).length === 1, 'the poison mail quarantined', 30_000);
    expect(attemptOf(dir, '0-poison.eml')).toMatchObject({ state: 'quarantined', attempts: 3 });
    expect(attemptOf(dir, '0-poison.eml')!.reasons).toHaveLength(3);
    expect(quarantineExceptions(dir)).toHaveLength(1);
    expect(goodCases(dir)).toHaveLength(2);
    expect(await daemon.stop('SIGTERM'), daemon.logs()).toEqual({ code: 0, signal: null });
  });

  it('blocking the event loop past the time bound: the watchdog ends the process, the reason is kept, and the mail is quarantined', async () => {
    const dir = tempDir();
    const [g1] = await goodMails('hang', 1);
    await dropInto(dir, { '0-poison.eml': await poison('poison-hang'), '1-good.eml': g1! });
    const daemon = startDaemonProcess(folderEnv(dir, { CONKEN_TEST_FAULT: 'hang:poison-hang@', CONKEN_DAEMON_MAIL_TIMEOUT_SECONDS: '2' }), { supervised: true });
    await waitFor(() => emls(path.join(dir, 'inbox', 'quarantine')).length === 1, 'the poison mail quarantined', 150_000, 250);
    expect(emls(path.join(dir, 'inbox', 'processed'))).toEqual(['1-good.eml']);
    const attempt = attemptOf(dir, '0-poison.eml')!;
    expect(attempt).toMatchObject({ state: 'quarantined', attempts: 3 });
    expect(attempt.reasons.every((r) => /^hang: .*time bound/.test(r))).toBe(true);
    expect(quarantineExceptions(dir)[0]!.message).toMatch(/処理が時間内に終わらず、プロセスが応答しませんでした（3回）/);
    expect(daemon.logs()).toMatch(/"msg":"watchdog: ending the process/);
    expect(restarts(daemon)).toBe(3);
    expect(await daemon.stop('SIGTERM')).toEqual({ code: 0, signal: null });
  });

  it('growing past the memory bound: the watchdog ends the process at the limit, and the mail is quarantined', async () => {
    const dir = tempDir();
    const [g1] = await goodMails('memory', 1);
    await dropInto(dir, { '0-poison.eml': await poison('poison-memory'), '1-good.eml': g1! });
    const daemon = startDaemonProcess(folderEnv(dir, { CONKEN_TEST_FAULT: 'memory:poison-memory@', CONKEN_DAEMON_MEMORY_LIMIT_MB: '700' }), { supervised: true });
    await waitFor(() => emls(path.join(dir, 'inbox', 'quarantine')).length === 1, 'the poison mail quarantined', 120_000, 250);
    expect(emls(path.join(dir, 'inbox', 'processed'))).toEqual(['1-good.eml']);
    const attempt = attemptOf(dir, '0-poison.eml')!;
    expect(attempt).toMatchObject({ state: 'quarantined', attempts: 3 });
    for (const r of attempt.reasons) {
      const used = Number(/used (\d+) MiB, over the limit of 700 MiB/.exec(r)?.[1]);
      expect(used, r).toBeGreaterThan(700);
      expect(used, r).toBeLessThan(1000); // ended near the bound, not wherever memory ran out
    }
    expect(quarantineExceptions(dir)[0]!.message).toMatch(/メモリの上限を超えました（3回）/);
    expect(await daemon.stop('SIGTERM')).toEqual({ code: 0, signal: null });
  });

  it('throwing, or never settling (in process): each attempt is bounded in time, the others go first, and the third failure quarantines it', async () => {
    const dir = tempDir();
    const config = loadConfig({ cwd: ROOT, env: { ...dataEnv(dir), CONKEN_DAEMON_MAIL_TIMEOUT_SECONDS: '5' } });
    const app: App = createApp(config, silentLogger());
    const source = new FolderSource(config.inbox.dir, config.inbox.processedDir);
    process.env.CONKEN_TEST_FAULT = 'throw:poison-throw@,stall:poison-stall@';
    try {
      const [g1, g2, g3] = await goodMails('inproc', 3);
      await dropInto(dir, { '0-throw.eml': await poison('poison-throw'), '1-stall.eml': await poison('poison-stall'), '2-good.eml': g1! });
      const round = async () => (await drainSource(app, source)).map((o) => `${o.ref}:${o.classification}`);
      expect(await round()).toEqual(['2-good.eml:application']);
      expect(attemptOf(dir, '0-throw.eml')).toMatchObject({ state: 'failed', attempts: 1, reasons: ['error: injected test fault'] });
      expect(attemptOf(dir, '1-stall.eml')).toMatchObject({ state: 'failed', attempts: 1, reasons: ['timeout: no result after 5 s'] });
      // New mail goes ahead of the ones that failed before.
      await dropInto(dir, { '3-good.eml': g2! });
      const t0 = Date.now();
      expect(await round()).toEqual(['3-good.eml:application']);
      expect(Date.now() - t0).toBeLessThan(20_000);
      await dropInto(dir, { '4-good.eml': g3! });
      expect(await round()).toEqual(['4-good.eml:application', '0-throw.eml:malformed', '1-stall.eml:malformed']);
      expect(emls(config.inbox.dir)).toEqual([]);
      expect(emls(path.join(config.inbox.dir, 'quarantine'))).toEqual(['0-throw.eml', '1-stall.eml']);
      expect(attemptsOf(dir).filter((a) => a.state === 'quarantined').map((a) => [a.ref, a.attempts])).toEqual([['0-throw.eml', 3], ['1-stall.eml', 3]]);
      const exceptions = quarantineExceptions(dir);
      expect(exceptions.map((e) => e.message)).toEqual([
        expect.stringMatching(/処理中にエラーが発生しました（3回）。最後の理由: error: injected test fault/),
        expect.stringMatching(/処理が時間内に終わりませんでした（3回）。最後の理由: timeout: no result after 5 s/),
      ]);
      // Read again (a copy dropped back in): recognised, filed aside again, no second exception.
      await dropInto(dir, { '5-throw-again.eml': await poison('poison-throw') });
      expect(await round()).toEqual(['5-throw-again.eml:duplicate']);
      expect(emls(path.join(config.inbox.dir, 'quarantine'))).toEqual(['0-throw.eml', '1-stall.eml', '5-throw-again.eml']);
      expect(quarantineExceptions(dir)).toHaveLength(2);
      expect(app.cases.listCases().filter((c) => c.status !== 'exception')).toHaveLength(3);
    } finally {
      delete process.env.CONKEN_TEST_FAULT;
      closeApp(app);
    }
  });
});

const enabled = dovecotAvailable();

describe.skipIf(!enabled)('a poison mail in the IMAP mailbox (Dovecot)', { timeout: 180_000 }, () => {
  let dovecot: Dovecot;
  beforeAll(async () => { dovecot = await startDovecot(); });
  afterAll(async () => {
    await killAllDaemons();
    await dovecot?.destroy();
  });

  it('crashing the process: the good mails behind it are processed and filed; after 3 crashes it is moved to the Quarantine mailbox (created) with a staff exception', async () => {
    const dir = tempDir();
    const folder = 'Poison';
    await withImap(dovecot, async (c) => { await c.mailboxCreate(folder); });
    const goods = await goodMails('imap', 2);
    await appendMails(dovecot, [await poison('poison-imap'), ...goods], { mailbox: folder, date: new Date('2026-01-20T10:00:00+09:00') });
    const daemon = startDaemonProcess({
      ...folderEnv(dir, { CONKEN_TEST_FAULT: 'crash:poison-imap@' }), ...dovecot.env(),
      CONKEN_IMAP_MAILBOX: folder, CONKEN_IMAP_PROCESSED_FOLDER: `${folder}-Processed`, CONKEN_IMAP_QUARANTINE_FOLDER: `${folder}-Quarantine`, CONKEN_IMAP_POLL_SECONDS: '1',
    }, { supervised: true });
    await waitFor(async () => (await listMailbox(dovecot, `${folder}-Quarantine`)).length === 1, 'the poison mail in the quarantine mailbox', 120_000, 500);
    await waitFor(async () => (await listMailbox(dovecot, `${folder}-Processed`)).length === 2, 'the good mails filed', 20_000, 500);
    expect((await listMailbox(dovecot, `${folder}-Quarantine`)).map((m) => m.messageId)).toEqual(['poison-imap@example.jp']);
    expect((await listMailbox(dovecot, `${folder}-Processed`)).map((m) => m.messageId)).toEqual(['imap-good-1@example.jp', 'imap-good-2@example.jp']);
    expect(await listMailbox(dovecot, folder)).toEqual([]);
    expect(goodCases(dir)).toHaveLength(2);
    expect(quarantineExceptions(dir)).toHaveLength(1);
    const [attempt] = attemptsOf(dir).filter((a) => a.state === 'quarantined');
    expect(attempt).toMatchObject({ attempts: 3 });
    expect(attempt!.ref).toMatch(/^\d+:1$/); // UIDVALIDITY:UID, the first mail of the folder
    expect(restarts(daemon)).toBe(3);
    expect(await daemon.stop('SIGTERM')).toEqual({ code: 0, signal: null });
  });

  it('where the quarantine mailbox cannot be made, the mail is flagged in place and passed over from then on', async () => {
    const dir = tempDir();
    const folder = 'PoisonFlag';
    await withImap(dovecot, async (c) => { await c.mailboxCreate(folder); });
    // An invalid mailbox name: Dovecot refuses to create it, so moving is not possible.
    const config = loadConfig({ cwd: ROOT, env: { ...dataEnv(dir), ...dovecot.env(), CONKEN_IMAP_MAILBOX: folder, CONKEN_IMAP_PROCESSED_FOLDER: `${folder}-Processed`, CONKEN_IMAP_QUARANTINE_FOLDER: 'bad/../name', CONKEN_DAEMON_MAX_ATTEMPTS: '2' } });
    const app = createApp(config, silentLogger());
    const source = new ImapSource(config.imap, new MailboxSyncStore(app.db), app.log);
    process.env.CONKEN_TEST_FAULT = 'throw:poison-flag@';
    try {
      const [good] = await goodMails('flag', 1);
      await appendMails(dovecot, [await poison('poison-flag'), good!], { mailbox: folder });
      expect((await drainSource(app, source)).map((o) => o.classification)).toEqual(['application']);
      expect((await drainSource(app, source)).map((o) => o.classification)).toEqual(['malformed']);
      const [left] = await listMailbox(dovecot, folder);
      expect(left).toMatchObject({ messageId: 'poison-flag@example.jp' });
      expect(left!.flags).toEqual(expect.arrayContaining(['\\Flagged', QUARANTINE_KEYWORD]));
      expect(quarantineExceptions(dir)).toHaveLength(1);
      // The watermark passed it (the good mail, UID 2, was moved away).
      const sync = new MailboxSyncStore(app.db);
      expect(sync.get(folder)!.lastUid).toBe(1);
      // Read from the start again (a new source, its memory gone, the watermark back at 0): passed over by
      // its keyword, without fetching a second record or processing it again.
      await source.close();
      sync.set(folder, { uidvalidity: sync.get(folder)!.uidvalidity, lastUid: 0 });
      const again = new ImapSource(config.imap, new MailboxSyncStore(app.db), app.log);
      expect(await drainSource(app, again)).toEqual([]);
      await again.close();
      expect(quarantineExceptions(dir)).toHaveLength(1);
      expect(sync.get(folder)!.lastUid).toBe(1);
      expect(attemptsOf(dir).find((a) => a.state === 'quarantined')).toMatchObject({ attempts: 2 });
    } finally {
      delete process.env.CONKEN_TEST_FAULT;
      await source.close();
      closeApp(app);
    }
  });
});
