// A throwaway Dovecot IMAP server for tests and the benchmark: its own config, maildir, passwd file,
// base_dir and state_dir in a temp folder, listening on a free loopback port, plain password, no TLS.
// It can be stopped and started again on the same port and the same mail (server restart tests).
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ImapFlow } from 'imapflow';
import { tempDir } from './harness.ts';

export const IMAP_USER = 'intake';
export const IMAP_PASSWORD = 'intake-test-password';

function findBinary(name: string): string | null {
  for (const dir of [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/usr/bin', '/usr/local/sbin']) {
    const full = path.join(dir, name);
    if (dir && existsSync(full)) return full;
  }
  return null;
}

/**
 * Whether Dovecot can be used. In CI a missing Dovecot is an error (the fault tests must run there);
 * elsewhere the suites skip with a message saying how to install it.
 */
export function dovecotAvailable(): boolean {
  const found = findBinary('dovecot') !== null && findBinary('doveadm') !== null;
  if (!found && process.env.CI === 'true') throw new Error('dovecot is not installed: the IMAP tests need the Debian package dovecot-imapd (.ci/run installs it)');
  if (!found) console.warn('[imap tests] skipped: dovecot not found (apt-get install dovecot-imapd)');
  return found;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, up: boolean, ms = 10_000): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => { s.destroy(); resolve(true); });
      s.once('error', () => resolve(false));
    });
    if (open === up) return;
    if (Date.now() - t0 > ms) throw new Error(`dovecot port ${port} did not ${up ? 'open' : 'close'} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface Dovecot {
  host: string;
  port: number;
  /** Implicit-TLS port (0 without tls). */
  tlsPort: number;
  user: string;
  password: string;
  dir: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Stop and start again: same port, same mail. */
  restart(): Promise<void>;
  /** Stop for good and remove the temp folder. */
  destroy(): Promise<void>;
  /** Env vars pointing conken at this server. */
  env(): Record<string, string>;
}

export interface TlsFiles {
  cert: string;
  key: string;
}

/** A self-signed certificate for localhost (openssl), for the TLS and STARTTLS tests. */
export function selfSignedCertificate(dir: string): TlsFiles {
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=localhost'], { stdio: 'ignore' });
  return { cert, key };
}

/**
 * Plain by default. With tls: STARTTLS on `port` (plain-text login refused before it) and implicit TLS
 * on `tlsPort`.
 */
export async function startDovecot(options: { tls?: TlsFiles; noIdle?: boolean } = {}): Promise<Dovecot> {
  const dir = tempDir('conken-dovecot-');
  const port = await freePort();
  const tlsPort = options.tls ? await freePort() : 0;
  const user = os.userInfo();
  for (const d of ['base', 'state', 'mail', 'log']) mkdirSync(path.join(dir, d), { recursive: true });
  // The unprivileged login processes must reach the sockets under base_dir.
  chmodSync(dir, 0o755);
  chmodSync(path.join(dir, 'base'), 0o755);
  // Dovecot never lets a mail user be root: as root, the mail belongs to the package's dovecot user.
  const owner = user.uid === 0 ? systemUser('dovecot') : { uid: user.uid, gid: user.gid };
  chownSync(path.join(dir, 'mail'), owner.uid, owner.gid);
  writeFileSync(path.join(dir, 'passwd'), `${IMAP_USER}:{PLAIN}${IMAP_PASSWORD}:${owner.uid}:${owner.gid}::${path.join(dir, 'mail')}::\n`);
  const conf = path.join(dir, 'dovecot.conf');
  writeFileSync(conf, [
    `base_dir = ${path.join(dir, 'base')}`,
    `state_dir = ${path.join(dir, 'state')}`,
    'protocols = imap',
    'listen = 127.0.0.1',
    ...(options.tls
      ? ['ssl = yes', `ssl_cert = <${options.tls.cert}`, `ssl_key = <${options.tls.key}`, 'disable_plaintext_auth = yes']
      : ['ssl = no', 'disable_plaintext_auth = no']),
    'auth_mechanisms = plain login',
    `log_path = ${path.join(dir, 'log', 'dovecot.log')}`,
    // Dovecot refuses to run its login processes as root: as root use the package's own users.
    ...(user.uid === 0 ? [] : [`default_internal_user = ${user.username}`, `default_login_user = ${user.username}`, `default_internal_group = ${user.username}`]),
    'first_valid_uid = 0',
    `mail_location = maildir:${path.join(dir, 'mail')}`,
    'mail_fsync = never',
    // A server without IDLE (the polling fallback test): capabilities listed explicitly, IDLE left out.
    ...(options.noIdle ? ['imap_capability = IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE LITERAL+ NAMESPACE UIDPLUS CHILDREN MOVE'] : []),
    // A stop ends every session, as a real server restart or crash would.
    'shutdown_clients = yes',
    'service imap-login {',
    `  inet_listener imap {\n    address = 127.0.0.1\n    port = ${port}\n  }`,
    options.tls ? `  inet_listener imaps {\n    address = 127.0.0.1\n    port = ${tlsPort}\n    ssl = yes\n  }` : '  inet_listener imaps {\n    port = 0\n  }',
    '}',
    'service anvil {\n  chroot =\n}',
    'service imap-login {\n  chroot =\n}',
    `passdb {\n  driver = passwd-file\n  args = scheme=PLAIN ${path.join(dir, 'passwd')}\n}`,
    `userdb {\n  driver = passwd-file\n  args = ${path.join(dir, 'passwd')}\n}`,
    'namespace inbox {\n  inbox = yes\n  separator = /\n}',
    '',
  ].join('\n'));

  let running = false;
  const d: Dovecot = {
    host: '127.0.0.1', port, tlsPort, user: IMAP_USER, password: IMAP_PASSWORD, dir,
    async start() {
      await new Promise<void>((resolve, reject) => {
        const p = spawn(findBinary('dovecot')!, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
        let err = '';
        p.stderr.on('data', (b: Buffer) => { err += b.toString(); });
        p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`dovecot exited ${code}: ${err}${readLog(dir)}`))));
      });
      running = true;
      await waitForPort(port, true);
    },
    async stop() {
      if (!running) return;
      running = false;
      // Dovecot's own stop leaves the session processes of open connections running; a restart must end
      // them as a real server restart or crash does. They are this server's children, found by pid.
      const master = masterPid(dir);
      const children = master ? childPids(master) : [];
      try {
        execFileSync(findBinary('doveadm')!, ['-c', conf, 'stop'], { stdio: 'ignore' });
      } catch {
        if (master) try { process.kill(master, 'SIGKILL'); } catch { /* gone */ }
      }
      for (const pid of children) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
      await waitForPort(port, false);
    },
    async restart() {
      await d.stop();
      await d.start();
    },
    async destroy() {
      await d.stop();
      rmSync(dir, { recursive: true, force: true });
    },
    env() {
      return {
        CONKEN_IMAP_HOST: '127.0.0.1', CONKEN_IMAP_PORT: String(port), CONKEN_IMAP_SECURE: 'false', CONKEN_IMAP_STARTTLS: 'false',
        CONKEN_IMAP_USER: IMAP_USER, CONKEN_IMAP_PASSWORD: IMAP_PASSWORD,
      };
    },
  };
  // If the test or benchmark process dies first, this server goes with it (its own pids only).
  process.on('exit', () => {
    if (!running) return;
    const master = masterPid(dir);
    if (!master) return;
    for (const pid of [master, ...childPids(master)]) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
  });
  await d.start();
  return d;
}

function masterPid(dir: string): number | null {
  const file = path.join(dir, 'base', 'master.pid');
  return existsSync(file) ? Number(readFileSync(file, 'utf8').trim()) || null : null;
}

function childPids(parent: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may contain spaces, so split after the last ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === parent) out.push(Number(entry));
    } catch { /* exited meanwhile */ }
  }
  return out;
}

function systemUser(name: string): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith(`${name}:`));
  if (!line) throw new Error(`no system user ${name} (is dovecot-core installed?)`);
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

function readLog(dir: string): string {
  const f = path.join(dir, 'log', 'dovecot.log');
  return existsSync(f) ? `\n${readFileSync(f, 'utf8').split('\n').slice(-20).join('\n')}` : '';
}

/** Runs fn with a logged-in IMAP client (a second client beside the daemon's, as a mail server's MTA or a person would be). */
export async function withImap<T>(d: Dovecot, fn: (client: ImapFlow) => Promise<T>): Promise<T> {
  // STARTTLS when the server offers it (the TLS tests' server refuses a plain-text login).
  const client = new ImapFlow({ host: d.host, port: d.port, secure: false, auth: { user: d.user, pass: d.password }, tls: { rejectUnauthorized: false }, logger: false });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.logout().catch(() => client.close());
  }
}

/** Delivers mails into a mailbox as the MTA would (APPEND), with an INTERNALDATE. */
export function appendMails(d: Dovecot, raws: Buffer[], options: { mailbox?: string; date?: Date } = {}): Promise<number[]> {
  return withImap(d, async (client) => {
    const uids: number[] = [];
    for (const raw of raws) {
      const r = await client.append(options.mailbox ?? 'INBOX', raw, [], options.date ?? new Date());
      if (r && r.uid) uids.push(r.uid);
    }
    return uids;
  });
}

export interface MailboxEntry {
  uid: number;
  messageId: string | null;
  flags: string[];
}

/** What a mailbox holds (a missing mailbox holds nothing). */
export function listMailbox(d: Dovecot, mailbox: string): Promise<MailboxEntry[]> {
  return withImap(d, async (client) => {
    const list = await client.list();
    if (!list.some((m) => m.path === mailbox)) return [];
    const lock = await client.getMailboxLock(mailbox, { readOnly: true });
    try {
      const out: MailboxEntry[] = [];
      if (!client.mailbox || client.mailbox.exists === 0) return out;
      for await (const m of client.fetch('1:*', { uid: true, flags: true, envelope: true })) {
        out.push({ uid: m.uid, messageId: m.envelope?.messageId?.replace(/^<|>$/g, '') ?? null, flags: [...(m.flags ?? [])] });
      }
      return out.sort((a, b) => a.uid - b.uid);
    } finally {
      lock.release();
    }
  });
}
