// One validated configuration: defaults (the embedded mode: folders and a SQLite file under data/),
// then an optional YAML file, then environment variables. Every key is documented in .env.example.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

const positiveInt = z.coerce.number().int().positive();
/** Booleans from env vars and YAML alike: true/false, 1/0, yes/no. */
const flag = z.union([z.boolean(), z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes')]);

export const configSchema = z.object({
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

export type Config = z.infer<typeof configSchema>;

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
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`config${file ? ` (${file})` : ''}: ${issue.path.join('.')}: ${issue.message}`);
  }
  return resolvePaths(parsed.data, cwd);
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
