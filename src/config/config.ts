// One validated configuration: defaults (the embedded mode: folders and a SQLite file under data/),
// then an optional YAML file, then environment variables. Every key is documented in .env.example.
//
// Checked by the small field table below rather than a schema library: every command reads the
// configuration first, and `conken status` (called every minute by monitoring) must start at once — zod
// alone was ~95 modules and most of its start (BENCHMARKS.md "CLI cold start"). The rules are zod's as
// they were (test/unit/config.test.ts holds the former schema and checks both agree): numbers coerced from
// strings, booleans as true/false, 1/0, yes/no, defaults for what is missing, unknown keys dropped. The
// YAML library is loaded only when there is a file to read.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { loadNow } from './lazy-module.ts';

/** One key: its value from the raw input (undefined when absent), or a ConfigIssue. */
interface Field<T> { read(value: unknown, at: string[]): T }
type Out<F> = F extends Field<infer T> ? T : never;

class ConfigIssue extends Error {
  readonly at: string[];
  constructor(at: string[], message: string) {
    super(message);
    this.at = at;
  }
}

const got = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v === 'string' ? `"${v}"` : typeof v === 'object' ? 'object' : String(v));

function text(fallback: string): Field<string> {
  return { read: (v, at) => { if (v === undefined) return fallback; if (typeof v !== 'string') throw new ConfigIssue(at, `expected a string, got ${got(v)}`); return v; } };
}

/** A whole number, from a number or a string holding one (zod's z.coerce.number().int()). */
function integer(fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): Field<number> {
  return {
    read: (v, at) => {
      if (v === undefined) return fallback;
      // Number() as z.coerce.number(): '' and null become 0, true 1 (then refused by the range below).
      const n = typeof v === 'bigint' ? Number(v) : Number(v as never);
      if (!Number.isSafeInteger(n) || n < min || n > max) throw new ConfigIssue(at, `expected a whole number${max === Number.MAX_SAFE_INTEGER ? ` of at least ${min}` : ` from ${min} to ${max}`}, got ${got(v)}`);
      return n;
    },
  };
}
const positiveInt = (fallback: number) => integer(fallback, 1);

const FLAG_WORDS: Record<string, boolean> = { true: true, false: false, 1: true, 0: false, yes: true, no: false };
/** Booleans from env vars and YAML alike: true/false, 1/0, yes/no. */
function flag(fallback: boolean): Field<boolean> {
  return {
    read: (v, at) => {
      if (v === undefined) return fallback;
      if (typeof v === 'boolean') return v;
      if (typeof v === 'string' && Object.hasOwn(FLAG_WORDS, v)) return FLAG_WORDS[v]!;
      throw new ConfigIssue(at, `expected true/false, 1/0 or yes/no, got ${got(v)}`);
    },
  };
}

function oneOf<const T extends string>(values: readonly T[], fallback: T): Field<T> {
  return { read: (v, at) => { if (v === undefined) return fallback; if (typeof v === 'string' && (values as readonly string[]).includes(v)) return v as T; throw new ConfigIssue(at, `expected one of ${values.join(', ')}, got ${got(v)}`); } };
}

/** A group of keys; missing as a whole, every key takes its default. */
function section<const S extends Record<string, Field<unknown>>>(fields: S): Field<{ [K in keyof S]: Out<S[K]> }> {
  return {
    read: (v, at) => {
      const raw = v === undefined ? {} : v;
      if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigIssue(at, `expected a group of keys, got ${got(v)}`);
      const out: Record<string, unknown> = {};
      for (const [key, field] of Object.entries(fields)) out[key] = field.read(Object.hasOwn(raw, key) ? (raw as Record<string, unknown>)[key] : undefined, [...at, key]);
      return out as { [K in keyof S]: Out<S[K]> };
    },
  };
}

export const configFields = section({
  inbox: section({
    /** Folder source: drop .eml files here. */
    dir: text('data/inbox'),
    /** Where handled .eml files are moved once their case is committed. */
    processedDir: text('data/inbox/processed'),
    pollSeconds: positiveInt(5),
  }),
  /** The real mailbox: when host is set, mail is read over IMAP instead of from the inbox folder. */
  imap: section({
    host: text(''),
    port: positiveInt(993),
    /** Implicit TLS (port 993). With secure false, STARTTLS is used when starttls is true. */
    secure: flag(true),
    starttls: flag(true),
    user: text(''),
    password: text(''),
    mailbox: text('INBOX'),
    /** Handled mails are moved here once their case is committed; empty = flag them in place instead. */
    processedFolder: text('Processed'),
    /** Mails set aside after too many failed attempts are moved here (created if missing); where moving is
     *  not possible they are flagged in place ($ConkenQuarantined) instead. */
    quarantineFolder: text('Quarantine'),
    /** Polling interval when IDLE is unavailable or misses something (IDLE wakes the daemon at once). */
    pollSeconds: positiveInt(60),
    /** Refuse servers whose TLS certificate does not verify (turn off only for a self-signed test server). */
    tlsRejectUnauthorized: flag(true),
  }),
  /** Outbound mail: when host is set, notices go out over SMTP instead of into the outbox folder. */
  smtp: section({
    host: text(''),
    port: positiveInt(587),
    /** Implicit TLS (port 465); otherwise STARTTLS, required when starttls is true. */
    secure: flag(false),
    starttls: flag(true),
    user: text(''),
    password: text(''),
    tlsRejectUnauthorized: flag(true),
  }),
  database: section({ path: text('data/conken.db') }),
  store: section({ dir: text('data/store') }),
  outbox: section({
    /** Folder transport: each outbound mail is written here as an .eml file. */
    dir: text('data/outbox'),
  }),
  rulesDir: text('rules'),
  templatesDir: text('mail-templates'),
  mail: section({
    from: text('コン検 資格認定担当 <intake@conken.example.jp>'),
    reviewer: text('reviewer@conken.example.jp'),
    /** Domain part of the Message-IDs we generate; stable so a retried mail is recognisable. */
    messageIdDomain: text('conken-intake.local'),
  }),
  sender: section({
    intervalSeconds: positiveInt(5),
    /** Retry backoff after a failed delivery: base * 2^attempts, capped. Mail is retried until sent. */
    backoffBaseSeconds: positiveInt(30),
    backoffMaxSeconds: positiveInt(3600),
  }),
  payments: section({
    /** Remind an applicant whose case has waited for the fee this many days (SPEC §6). */
    reminderAfterDays: positiveInt(14),
    /** At most one payment reminder per case in this many days. */
    reminderIntervalDays: positiveInt(7),
    /** When the reminder job runs (node-cron expression, Asia/Tokyo). */
    reminderCron: text('0 9 * * *'),
  }),
  log: section({ level: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info') }),
  /** The office's calendar (src/app/jobs/): when each scheduled job runs (node-cron expressions, Asia/Tokyo). */
  jobs: section({
    /** Re-matching of payments and applications no event saw change. */
    rematchCron: text('17 * * * *'),
    /** The staff's morning mail of what needs them. */
    digestCron: text('0 8 * * 1-5'),
    /** Where the digest goes. */
    staffAddress: text('staff@conken.example.jp'),
    /** An exception older than this many days is listed in the digest as waiting too long. */
    digestStaleDays: positiveInt(3),
    /** When holders are reminded to renew (on the days of the renewal window: rules/renewal.yaml window, reminders). */
    renewalReminderCron: text('0 10 * * *'),
    /** When closed cases past the retention period are purged (rules/intake.yaml retention). */
    retentionCron: text('30 3 * * *'),
  }),
  /** Poison mail (src/app/poison-mail.ts): how the daemon bounds one mail. */
  daemon: section({
    /** A mail that failed, hung or crashed the process this many times is quarantined with a staff exception. */
    maxAttempts: positiveInt(3),
    /** Time bound per mail; past it the mail counts as hung (its attempt fails, or the watchdog ends a blocked process). */
    mailTimeoutSeconds: positiveInt(600),
    /** The daemon process's resident memory bound (MiB): above it the watchdog ends the process (SPEC: 1.5 GiB). */
    memoryLimitMb: positiveInt(1536),
  }),
  /** The workbench (web pages for staff, finance, the reviewer and admins): src/web. */
  web: section({
    /** Loopback by default; any other address needs publicUrl (https). */
    host: text('127.0.0.1'),
    /** 0 picks a free port (tests). */
    port: integer(8080, 0, 65535),
    /** The https URL users reach the workbench at (behind a TLS proxy): Secure __Host- cookies, origin checks. */
    publicUrl: text(''),
    /** Proxies whose X-Forwarded-* headers are believed (Fastify trustProxy: addresses, CIDRs, 'loopback'); with an https publicUrl, 'loopback' unless set. */
    trustProxy: text(''),
    /** A session ends after this long without a request, and in any case this long after login. */
    idleMinutes: positiveInt(30),
    absoluteHours: positiveInt(12),
    /** Failed logins in the window after which a login (or an address) must wait. */
    loginMaxFailuresPerLogin: positiveInt(5),
    loginMaxFailuresPerAddress: positiveInt(20),
    loginWindowMinutes: positiveInt(15),
  }),
});

export type Config = Out<typeof configFields>;

/** Environment variables and the config keys they override. */
export const ENV_KEYS: Record<string, string[]> = {
  CONKEN_INBOX_DIR: ['inbox', 'dir'],
  CONKEN_INBOX_PROCESSED_DIR: ['inbox', 'processedDir'],
  CONKEN_INBOX_POLL_SECONDS: ['inbox', 'pollSeconds'],
  CONKEN_IMAP_HOST: ['imap', 'host'],
  CONKEN_IMAP_PORT: ['imap', 'port'],
  CONKEN_IMAP_SECURE: ['imap', 'secure'],
  CONKEN_IMAP_STARTTLS: ['imap', 'starttls'],
  CONKEN_IMAP_USER: ['imap', 'user'],
  CONKEN_IMAP_PASSWORD: ['imap', 'password'],
  CONKEN_IMAP_MAILBOX: ['imap', 'mailbox'],
  CONKEN_IMAP_PROCESSED_FOLDER: ['imap', 'processedFolder'],
  CONKEN_IMAP_QUARANTINE_FOLDER: ['imap', 'quarantineFolder'],
  CONKEN_IMAP_POLL_SECONDS: ['imap', 'pollSeconds'],
  CONKEN_IMAP_TLS_REJECT_UNAUTHORIZED: ['imap', 'tlsRejectUnauthorized'],
  CONKEN_SMTP_HOST: ['smtp', 'host'],
  CONKEN_SMTP_PORT: ['smtp', 'port'],
  CONKEN_SMTP_SECURE: ['smtp', 'secure'],
  CONKEN_SMTP_STARTTLS: ['smtp', 'starttls'],
  CONKEN_SMTP_USER: ['smtp', 'user'],
  CONKEN_SMTP_PASSWORD: ['smtp', 'password'],
  CONKEN_SMTP_TLS_REJECT_UNAUTHORIZED: ['smtp', 'tlsRejectUnauthorized'],
  CONKEN_DB_PATH: ['database', 'path'],
  CONKEN_STORE_DIR: ['store', 'dir'],
  CONKEN_OUTBOX_DIR: ['outbox', 'dir'],
  CONKEN_RULES_DIR: ['rulesDir'],
  CONKEN_TEMPLATES_DIR: ['templatesDir'],
  CONKEN_MAIL_FROM: ['mail', 'from'],
  CONKEN_REVIEWER_ADDRESS: ['mail', 'reviewer'],
  CONKEN_MESSAGE_ID_DOMAIN: ['mail', 'messageIdDomain'],
  CONKEN_SENDER_INTERVAL_SECONDS: ['sender', 'intervalSeconds'],
  CONKEN_SENDER_BACKOFF_BASE_SECONDS: ['sender', 'backoffBaseSeconds'],
  CONKEN_SENDER_BACKOFF_MAX_SECONDS: ['sender', 'backoffMaxSeconds'],
  CONKEN_PAYMENT_REMINDER_AFTER_DAYS: ['payments', 'reminderAfterDays'],
  CONKEN_PAYMENT_REMINDER_INTERVAL_DAYS: ['payments', 'reminderIntervalDays'],
  CONKEN_PAYMENT_REMINDER_CRON: ['payments', 'reminderCron'],
  CONKEN_LOG_LEVEL: ['log', 'level'],
  CONKEN_REMATCH_CRON: ['jobs', 'rematchCron'],
  CONKEN_DIGEST_CRON: ['jobs', 'digestCron'],
  CONKEN_STAFF_ADDRESS: ['jobs', 'staffAddress'],
  CONKEN_DIGEST_STALE_DAYS: ['jobs', 'digestStaleDays'],
  CONKEN_RETENTION_CRON: ['jobs', 'retentionCron'],
  CONKEN_RENEWAL_REMINDER_CRON: ['jobs', 'renewalReminderCron'],
  CONKEN_DAEMON_MAX_ATTEMPTS: ['daemon', 'maxAttempts'],
  CONKEN_DAEMON_MAIL_TIMEOUT_SECONDS: ['daemon', 'mailTimeoutSeconds'],
  CONKEN_DAEMON_MEMORY_LIMIT_MB: ['daemon', 'memoryLimitMb'],
  CONKEN_WEB_HOST: ['web', 'host'],
  CONKEN_WEB_PORT: ['web', 'port'],
  CONKEN_WEB_PUBLIC_URL: ['web', 'publicUrl'],
  CONKEN_WEB_TRUST_PROXY: ['web', 'trustProxy'],
  CONKEN_WEB_IDLE_MINUTES: ['web', 'idleMinutes'],
  CONKEN_WEB_ABSOLUTE_HOURS: ['web', 'absoluteHours'],
  CONKEN_WEB_LOGIN_MAX_FAILURES_PER_LOGIN: ['web', 'loginMaxFailuresPerLogin'],
  CONKEN_WEB_LOGIN_MAX_FAILURES_PER_ADDRESS: ['web', 'loginMaxFailuresPerAddress'],
  CONKEN_WEB_LOGIN_WINDOW_MINUTES: ['web', 'loginWindowMinutes'],
};

export class ConfigError extends Error {}

function setPath(target: Record<string, unknown>, keys: string[], value: unknown): void {
  let node = target;
  for (const key of keys.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]!] = value;
}

export interface LoadConfigOptions {
  /** Base folder for relative paths and the default config file; the current directory by default. */
  cwd?: string;
  /** Explicit config file; otherwise CONKEN_CONFIG, otherwise conken.config.yaml if present. */
  file?: string;
  env?: NodeJS.ProcessEnv;
  /** Programmatic overrides applied last (tests, CLI flags). */
  overrides?: Record<string, unknown>;
}

export function loadConfig(options: LoadConfigOptions = {}): Config {
  const cwd = options.cwd ?? process.cwd();
  // A .env file in the working folder fills the process environment (real variables win).
  if (!options.env && existsSync(path.join(cwd, '.env'))) process.loadEnvFile(path.join(cwd, '.env'));
  const env = options.env ?? process.env;
  const file = options.file ?? env.CONKEN_CONFIG ?? (existsSync(path.join(cwd, 'conken.config.yaml')) ? 'conken.config.yaml' : undefined);
  let raw: Record<string, unknown> = {};
  if (file) {
    const full = path.resolve(cwd, file);
    try {
      const { parse: parseYaml } = loadNow<typeof import('yaml')>('yaml');
      raw = (parseYaml(readFileSync(full, 'utf8')) ?? {}) as Record<string, unknown>;
    } catch (error) {
      throw new ConfigError(`config file ${full}: ${(error as Error).message}`);
    }
  }
  for (const [name, keys] of Object.entries(ENV_KEYS)) {
    const value = env[name];
    if (value !== undefined && value !== '') setPath(raw, keys, value);
  }
  for (const [dotted, value] of Object.entries(options.overrides ?? {})) setPath(raw, dotted.split('.'), value);
  let config: Config;
  try {
    config = configFields.read(raw, []);
  } catch (error) {
    if (!(error instanceof ConfigIssue)) throw error;
    throw new ConfigError(`config${file ? ` (${file})` : ''}: ${error.at.join('.')}: ${error.message}`);
  }
  return resolvePaths(config, cwd);
}

function resolvePaths(config: Config, cwd: string): Config {
  const abs = (p: string) => path.resolve(cwd, p);
  return {
    ...config,
    inbox: { ...config.inbox, dir: abs(config.inbox.dir), processedDir: abs(config.inbox.processedDir) },
    database: { path: config.database.path === ':memory:' ? ':memory:' : abs(config.database.path) },
    store: { dir: abs(config.store.dir) },
    outbox: { dir: abs(config.outbox.dir) },
    rulesDir: abs(config.rulesDir),
    templatesDir: abs(config.templatesDir),
  };
}
