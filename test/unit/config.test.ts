// The configuration's field table (src/config/config.ts) against the zod schema it replaced (kept here as
// it was, the reference): the same values for the same input, and a refusal where zod refused, at the same
// key. The table exists so that every command starts without zod (issue 20 point 3).
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, configFields, ENV_KEYS, loadConfig } from '../../src/config/config.ts';

const positiveInt = z.coerce.number().int().positive();
/** Booleans from env vars and YAML alike: true/false, 1/0, yes/no. */
const flag = z.union([z.boolean(), z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes')]);

const zodSchema = z.object({
  inbox: z.object({
    /** Folder source: drop .eml files here. */
    dir: z.string().default('data/inbox'),
    /** Where handled .eml files are moved once their case is committed. */
    processedDir: z.string().default('data/inbox/processed'),
    pollSeconds: positiveInt.default(5),
  }).prefault({}),
  /** The real mailbox: when host is set, mail is read over IMAP instead of from the inbox folder. */
  imap: z.object({
    host: z.string().default(''),
    port: positiveInt.default(993),
    /** Implicit TLS (port 993). With secure false, STARTTLS is used when starttls is true. */
    secure: flag.default(true),
    starttls: flag.default(true),
    user: z.string().default(''),
    password: z.string().default(''),
    mailbox: z.string().default('INBOX'),
    /** Handled mails are moved here once their case is committed; empty = flag them in place instead. */
    processedFolder: z.string().default('Processed'),
    /** Mails set aside after too many failed attempts are moved here (created if missing); where moving is
     *  not possible they are flagged in place ($ConkenQuarantined) instead. */
    quarantineFolder: z.string().default('Quarantine'),
    /** Polling interval when IDLE is unavailable or misses something (IDLE wakes the daemon at once). */
    pollSeconds: positiveInt.default(60),
    /** Refuse servers whose TLS certificate does not verify (turn off only for a self-signed test server). */
    tlsRejectUnauthorized: flag.default(true),
  }).prefault({}),
  /** Outbound mail: when host is set, notices go out over SMTP instead of into the outbox folder. */
  smtp: z.object({
    host: z.string().default(''),
    port: positiveInt.default(587),
    /** Implicit TLS (port 465); otherwise STARTTLS, required when starttls is true. */
    secure: flag.default(false),
    starttls: flag.default(true),
    user: z.string().default(''),
    password: z.string().default(''),
    tlsRejectUnauthorized: flag.default(true),
  }).prefault({}),
  database: z.object({ path: z.string().default('data/conken.db') }).prefault({}),
  store: z.object({ dir: z.string().default('data/store') }).prefault({}),
  outbox: z.object({
    /** Folder transport: each outbound mail is written here as an .eml file. */
    dir: z.string().default('data/outbox'),
  }).prefault({}),
  rulesDir: z.string().default('rules'),
  templatesDir: z.string().default('mail-templates'),
  mail: z.object({
    from: z.string().default('コン検 資格認定担当 <intake@conken.example.jp>'),
    reviewer: z.string().default('reviewer@conken.example.jp'),
    /** Domain part of the Message-IDs we generate; stable so a retried mail is recognisable. */
    messageIdDomain: z.string().default('conken-intake.local'),
  }).prefault({}),
  sender: z.object({
    intervalSeconds: positiveInt.default(5),
    /** Retry backoff after a failed delivery: base * 2^attempts, capped. Mail is retried until sent. */
    backoffBaseSeconds: positiveInt.default(30),
    backoffMaxSeconds: positiveInt.default(3600),
  }).prefault({}),
  payments: z.object({
    /** Remind an applicant whose case has waited for the fee this many days (SPEC §6). */
    reminderAfterDays: positiveInt.default(14),
    /** At most one payment reminder per case in this many days. */
    reminderIntervalDays: positiveInt.default(7),
    /** When the reminder job runs (node-cron expression, Asia/Tokyo). */
    reminderCron: z.string().default('0 9 * * *'),
  }).prefault({}),
  log: z.object({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info') }).prefault({}),
  /** The office's calendar (src/app/jobs/): when each scheduled job runs (node-cron expressions, Asia/Tokyo). */
  jobs: z.object({
    /** Re-matching of payments and applications no event saw change. */
    rematchCron: z.string().default('17 * * * *'),
    /** The staff's morning mail of what needs them. */
    digestCron: z.string().default('0 8 * * 1-5'),
    /** Where the digest goes. */
    staffAddress: z.string().default('staff@conken.example.jp'),
    /** An exception older than this many days is listed in the digest as waiting too long. */
    digestStaleDays: positiveInt.default(3),
    /** When holders are reminded to renew (on the days of the renewal window: rules/renewal.yaml window, reminders). */
    renewalReminderCron: z.string().default('0 10 * * *'),
    /** When closed cases past the retention period are purged (rules/intake.yaml retention). */
    retentionCron: z.string().default('30 3 * * *'),
  }).prefault({}),
  /** Poison mail (src/app/poison-mail.ts): how the daemon bounds one mail. */
  daemon: z.object({
    /** A mail that failed, hung or crashed the process this many times is quarantined with a staff exception. */
    maxAttempts: positiveInt.default(3),
    /** Time bound per mail; past it the mail counts as hung (its attempt fails, or the watchdog ends a blocked process). */
    mailTimeoutSeconds: positiveInt.default(600),
    /** The daemon process's resident memory bound (MiB): above it the watchdog ends the process (SPEC: 1.5 GiB). */
    memoryLimitMb: positiveInt.default(1536),
  }).prefault({}),
  /** The workbench (web pages for staff, finance, the reviewer and admins): src/web. */
  web: z.object({
    /** Loopback by default; any other address needs publicUrl (https). */
    host: z.string().default('127.0.0.1'),
    /** 0 picks a free port (tests). */
    port: z.coerce.number().int().min(0).max(65535).default(8080),
    /** The https URL users reach the workbench at (behind a TLS proxy): Secure __Host- cookies, origin checks. */
    publicUrl: z.string().default(''),
    /** Proxies whose X-Forwarded-* headers are believed (Fastify trustProxy: addresses, CIDRs, 'loopback'); with an https publicUrl, 'loopback' unless set. */
    trustProxy: z.string().default(''),
    /** A session ends after this long without a request, and in any case this long after login. */
    idleMinutes: positiveInt.default(30),
    absoluteHours: positiveInt.default(12),
    /** Failed logins in the window after which a login (or an address) must wait. */
    loginMaxFailuresPerLogin: positiveInt.default(5),
    loginMaxFailuresPerAddress: positiveInt.default(20),
    loginWindowMinutes: positiveInt.default(15),
  }).prefault({}),
});


/** zod's outcome and the table's for one raw input: the value, or the key the first problem is at. */
function both(raw: unknown): { zod: unknown; table: unknown } {
  const parsed = zodSchema.safeParse(raw);
  const zod = parsed.success ? { value: parsed.data } : { at: parsed.error.issues[0]!.path.join('.') };
  let table: unknown;
  try {
    table = { value: configFields.read(raw, []) };
  } catch (error) {
    table = { at: (error as { at: string[] }).at.join('.') };
  }
  return { zod, table };
}

describe('the configuration table reads what the zod schema read', () => {
  it.each([
    ['nothing (every default)', {}],
    ['numbers and flags as env strings', { inbox: { pollSeconds: '9' }, imap: { host: 'imap.example.jp', port: '143', secure: 'false', starttls: 'yes', tlsRejectUnauthorized: '0' }, smtp: { secure: '1', starttls: 'no' } }],
    ['numbers and booleans from YAML', { imap: { port: 993, secure: true }, web: { port: 0, idleMinutes: 5 }, daemon: { memoryLimitMb: 2048 } }],
    ['strings kept as written', { mail: { from: 'x <a@b.jp>' }, rulesDir: '/etc/conken/rules', jobs: { digestCron: '0 7 * * *' } }],
    ['unknown keys dropped', { extra: 1, inbox: { dir: 'in', unknown: true } }],
    ['coerced edge numbers', { web: { port: ' 8081 ' }, sender: { intervalSeconds: '0x10' }, payments: { reminderAfterDays: [3] } }],
    ['a log level', { log: { level: 'debug' } }],
    ['a boolean as a number (coerced as zod did)', { jobs: { digestStaleDays: true } }],
  ])('%s', (_name, raw) => {
    const r = both(raw);
    expect(r.table).toEqual(r.zod);
    expect(r.table).toHaveProperty('value');
  });

  it.each([
    ['a negative interval', { inbox: { pollSeconds: '-1' } }],
    ['zero where positive', { sender: { intervalSeconds: 0 } }],
    ['an empty number', { imap: { port: '' } }],
    ['not a number', { smtp: { port: 'abc' } }],
    ['a fraction', { daemon: { maxAttempts: 2.5 } }],
    ['a port out of range', { web: { port: 70000 } }],
    ['a negative port', { web: { port: -1 } }],
    ['a flag word not known', { imap: { secure: 'maybe' } }],
    ['a flag in capitals', { smtp: { starttls: 'TRUE' } }],
    ['a flag as a number', { smtp: { starttls: 1 } }],
    ['a number where a string belongs', { imap: { host: 123 } }],
    ['null where a string belongs', { mail: { from: null } }],
    ['a section that is null', { inbox: null }],
    ['a section that is a string', { smtp: 'smtp.example.jp' }],
    ['a section that is a list', { web: [1] }],
    ['a log level not known', { log: { level: 'verbose' } }],
  ])('refuses %s at the same key', (_name, raw) => {
    const r = both(raw);
    expect(r.zod).toHaveProperty('at');
    expect(r.table).toEqual(r.zod);
  });
});

describe('loadConfig', () => {
  it('layers defaults, the YAML file, the environment and overrides, and resolves paths', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'conken-config-'));
    writeFileSync(path.join(dir, 'conken.config.yaml'), 'inbox:\n  pollSeconds: 7\n  dir: mail/in\nsmtp:\n  host: smtp.example.jp\n  port: 465\n  secure: yes\n');
    const c = loadConfig({ cwd: dir, env: { CONKEN_SMTP_PORT: '2525', CONKEN_DB_PATH: 'db/x.db' }, overrides: { 'web.port': 0 } });
    expect(c.inbox).toEqual({ dir: path.join(dir, 'mail/in'), processedDir: path.join(dir, 'data/inbox/processed'), pollSeconds: 7 });
    expect(c.smtp).toMatchObject({ host: 'smtp.example.jp', port: 2525, secure: true, starttls: true });
    expect(c.database.path).toBe(path.join(dir, 'db/x.db'));
    expect(c.web.port).toBe(0);
  });

  it('names the file and the key of a bad value, and a file that is not YAML', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'conken-config-'));
    writeFileSync(path.join(dir, 'bad.yaml'), 'imap:\n  port: many\n');
    expect(() => loadConfig({ cwd: dir, file: 'bad.yaml', env: {} })).toThrow(ConfigError);
    expect(() => loadConfig({ cwd: dir, file: 'bad.yaml', env: {} })).toThrow(/^config \(bad\.yaml\): imap\.port: /);
    writeFileSync(path.join(dir, 'broken.yaml'), 'imap: [\n');
    expect(() => loadConfig({ cwd: dir, file: 'broken.yaml', env: {} })).toThrow(/^config file .*broken\.yaml: /);
  });

  it('every environment variable sets the key it names', () => {
    const defaults = configFields.read({}, []) as unknown as Record<string, Record<string, unknown>>;
    for (const [name, keys] of Object.entries(ENV_KEYS)) {
      const before = keys.length === 1 ? defaults[keys[0]!] : defaults[keys[0]!]![keys[1]!];
      const [value, expected] = typeof before === 'number' ? ['3', 3] : typeof before === 'boolean' ? [before ? 'no' : 'yes', !before] : keys[0] === 'log' ? ['warn', 'warn'] : ['x', 'x'];
      const c = loadConfig({ cwd: '/tmp', env: { [name]: value } }) as unknown as Record<string, Record<string, unknown>>;
      const read = keys.length === 1 ? c[keys[0]!] : c[keys[0]!]![keys[1]!];
      // Folders and the database come back resolved against the working folder.
      expect(read, name).toEqual(read === path.join('/tmp', 'x') ? path.join('/tmp', String(expected)) : expected);
    }
  });
});
