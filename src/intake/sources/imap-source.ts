// IMAP source: the real intake mailbox. One long-lived connection (imapflow) that IDLEs between rounds
// and wakes the daemon when mail arrives; reconnects with backoff after any failure.
//
// Never loses or repeats a mail:
// - mails are read in UID order from just above a watermark (mailbox_sync) that only moves past a UID
//   once that mail and every lower UID still in the mailbox are handled: a mail that failed stays below it;
// - a mail is moved to the processed folder (or flagged when moving is not possible) only after its
//   outcome is committed; a crash in between leaves it in the mailbox, and when it is read again the
//   message store recognises it (same Message-ID or bytes) and it is simply moved;
// - unrelated mail is left untouched (the watermark passes it); nothing is ever deleted;
// - a mail the daemon gave up on (it failed, hung or crashed the process too often: src/app/poison-mail.ts)
//   is moved to the quarantine folder, or flagged in place ($ConkenQuarantined) where moving is not possible;
// - a new UIDVALIDITY means UIDs were renumbered: the mailbox is read again from the start and the
//   message store sorts out what was already seen.
import { ImapFlow } from 'imapflow';
import type { Config } from '../../config/config.ts';
import type { Logger } from '../../shared/log.ts';
import type { Health } from '../../shared/health.ts';
import type { Disposition, MailSource, SourceMail } from './mail-source.ts';
import type { MailboxSync } from './mailbox-sync.ts';

export type ImapSettings = Config['imap'];

/** Keyword set on handled mails when they cannot be moved; such mails are skipped when read again. */
export const PROCESSED_KEYWORD = '$ConkenProcessed';
/** Keyword set on quarantined mails that cannot be moved to the quarantine folder (with \Flagged, for a person to see). */
export const QUARANTINE_KEYWORD = '$ConkenQuarantined';

const BACKOFF_BASE_MS = 1000;
const BACKOFF_MAX_MS = 60_000;

export interface ImapSourceOptions {
  /** Mails fetched per round (default 5): bounds memory, and the outbox is delivered between batches, so replies
   *  do not wait for a long backlog; the daemon comes straight back while there is one. */
  batchSize?: number;
}

/** A failed IMAP command (NO/BAD), as opposed to a lost connection. */
function commandRefused(error: unknown): boolean {
  const status = (error as { responseStatus?: string }).responseStatus;
  return status === 'NO' || status === 'BAD';
}

function message(error: unknown): string {
  const e = error as { responseText?: string; message?: string; code?: string };
  return [e.message, e.responseText, e.code].filter(Boolean).join(': ') || String(error);
}

export class ImapSource implements MailSource {
  readonly name = 'imap';
  private readonly settings: ImapSettings;
  private readonly sync: MailboxSync;
  private readonly log: Logger;
  private readonly batchSize: number;

  private client: ImapFlow | null = null;
  private uidValidity: string | null = null;
  /** Moving is possible (the processed folder exists or could be made); otherwise handled mails are flagged. */
  private canMove = false;
  /** Quarantined mails can be moved to the quarantine folder; otherwise they are flagged in place. */
  private canQuarantine = false;
  private failures = 0;
  private retryAt = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private wake: (() => void) | null = null;
  private closed = false;

  /**
   * UIDs above the watermark found by the last SEARCH (ascending), and those of them already handled.
   * A mail that keeps failing holds the watermark back; the handled ones after it are not read again
   * meanwhile (kept in memory: after a restart they are read once more and recognised).
   */
  private known: number[] = [];
  private handled = new Set<number>();
  private handledValidity: string | null = null;

  private state: 'connecting' | 'connected' | 'disconnected' | 'closed' = 'disconnected';
  private backlog = 0;
  private lastError: string | null = null;
  private lastErrorAt: string | null = null;

  constructor(settings: ImapSettings, sync: MailboxSync, log: Logger, options: ImapSourceOptions = {}) {
    this.settings = settings;
    this.sync = sync;
    this.log = log.child({ component: 'imap', mailbox: settings.mailbox });
    this.batchSize = options.batchSize ?? 5;
  }

  watch(wake: () => void): void {
    this.wake = wake;
  }

  health(): Health {
    return {
      state: this.state,
      backlog: this.backlog,
      lastError: this.lastError,
      lastErrorAt: this.lastErrorAt,
      detail: { host: this.settings.host, mailbox: this.settings.mailbox, uidValidity: this.uidValidity, handledThrough: this.uidValidity ? (this.sync.get(this.settings.mailbox)?.lastUid ?? 0) : null, filing: this.canMove ? `move to ${this.settings.processedFolder}` : `flag ${PROCESSED_KEYWORD}` },
    };
  }

  private recordError(error: unknown, what: string): void {
    this.lastError = `${what}: ${message(error)}`;
    this.lastErrorAt = new Date().toISOString();
  }

  /** Forgets a broken connection and schedules the next attempt (exponential backoff, capped). */
  private dropConnection(error: unknown, what: string): void {
    this.recordError(error, what);
    const client = this.client;
    this.client = null;
    this.uidValidity = null;
    if (client) {
      client.removeAllListeners('close');
      try { client.close(); } catch { /* already closed */ }
    }
    if (this.closed) return;
    this.state = 'disconnected';
    const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** this.failures);
    this.failures++;
    this.retryAt = Date.now() + delay;
    this.log.warn({ err: this.lastError, retryInMs: delay }, 'IMAP connection lost or refused; will reconnect');
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => { this.retryTimer = null; this.wake?.(); }, delay);
    this.retryTimer.unref();
  }

  private async connection(): Promise<ImapFlow | null> {
    if (this.client?.usable) return this.client;
    if (this.client) this.dropConnection(new Error('connection no longer usable'), 'connection');
    if (this.closed || Date.now() < this.retryAt) return null;
    const s = this.settings;
    const client = new ImapFlow({
      host: s.host,
      port: s.port,
      secure: s.secure,
      // With implicit TLS there is nothing to upgrade; otherwise STARTTLS is required, or refused for plain text.
      ...(s.secure ? {} : { doSTARTTLS: s.starttls }),
      ...(s.user ? { auth: { user: s.user, pass: s.password } } : {}),
      tls: { rejectUnauthorized: s.tlsRejectUnauthorized },
      logger: false,
      connectionTimeout: 15_000,
      greetingTimeout: 15_000,
      socketTimeout: 5 * 60_000,
      // IDLE soon after each round (imapflow waits 15 s by default): new mail then wakes the daemon at once.
      autoIdleDelay: 1000,
      // Restart IDLE now and then: some servers and NAT boxes silently drop long-idle sessions.
      maxIdleTime: 5 * 60_000,
    });
    // An 'error' event without a listener would crash the process; the failure surfaces in the next command.
    client.on('error', (error: Error) => this.recordError(error, 'connection'));
    client.on('exists', () => this.wake?.());
    this.state = 'connecting';
    try {
      await client.connect();
      this.canMove = false;
      if (s.processedFolder) {
        try {
          await client.mailboxCreate(s.processedFolder);
          this.canMove = true;
        } catch (error) {
          // ALREADYEXISTS is the usual answer; anything else means we cannot file mail there.
          if ((error as { serverResponseCode?: string }).serverResponseCode === 'ALREADYEXISTS' || /exists/i.test(message(error))) this.canMove = true;
          else this.log.warn({ err: message(error) }, 'cannot create the processed folder; handled mails will be flagged instead');
        }
      }
      this.canQuarantine = s.quarantineFolder ? await this.ensureFolder(client, s.quarantineFolder, 'quarantine') : false;
      const mailbox = await client.mailboxOpen(s.mailbox);
      this.uidValidity = String(mailbox.uidValidity);
    } catch (error) {
      this.client = client;
      this.dropConnection(error, 'connect');
      return null;
    }
    client.on('close', () => {
      if (this.client === client) this.dropConnection(new Error('connection closed by the server'), 'connection');
    });
    this.client = client;
    this.failures = 0;
    this.state = 'connected';
    this.log.info({ uidValidity: this.uidValidity, filing: this.canMove ? 'move' : 'flag' }, 'IMAP connected');
    return client;
  }

  /** Creates a folder if missing; false when it can neither be made nor found (then mails are flagged instead). */
  private async ensureFolder(client: ImapFlow, folder: string, what: string): Promise<boolean> {
    try {
      await client.mailboxCreate(folder);
      return true;
    } catch (error) {
      if ((error as { serverResponseCode?: string }).serverResponseCode === 'ALREADYEXISTS' || /exists/i.test(message(error))) return true;
      this.log.warn({ err: message(error), folder: what }, 'cannot create the folder; its mails will be flagged in place instead');
      return false;
    }
  }

  async pending(): Promise<SourceMail[]> {
    const client = await this.connection();
    if (!client || !this.uidValidity) return [];
    const mailbox = this.settings.mailbox;
    try {
      const uidValidity = this.uidValidity;
      let point = this.sync.get(mailbox);
      if (!point || point.uidvalidity !== uidValidity) {
        if (point) this.log.warn({ was: point.uidvalidity, now: uidValidity }, 'UIDVALIDITY changed: reading the whole mailbox again; mails already seen are recognised');
        point = { uidvalidity: uidValidity, lastUid: 0 };
        this.sync.set(mailbox, point);
      }
      const lastUid = point.lastUid;
      if (this.handledValidity !== uidValidity) {
        this.handled = new Set();
        this.handledValidity = uidValidity;
      }
      const found = await client.search({ uid: `${lastUid + 1}:*`, unKeyword: PROCESSED_KEYWORD }, { uid: true });
      // "n:*" always includes the highest UID, even below n.
      this.known = (found || []).filter((uid) => uid > lastUid).sort((a, b) => a - b);
      for (const uid of this.handled) if (uid <= lastUid) this.handled.delete(uid);
      const waiting = this.known.filter((uid) => !this.handled.has(uid));
      this.backlog = waiting.length;
      const batch = waiting.slice(0, this.batchSize);
      if (batch.length === 0) return [];
      const mails: SourceMail[] = [];
      for await (const msg of client.fetch(batch.join(','), { uid: true, source: true, internalDate: true, flags: true }, { uid: true })) {
        if (!msg.source) continue;
        // Quarantined in place earlier (moving was not possible): already recorded, only passed over.
        if (msg.flags?.has(QUARANTINE_KEYWORD)) {
          this.handled.add(msg.uid);
          continue;
        }
        const internal = msg.internalDate ? new Date(msg.internalDate) : null;
        mails.push({ ref: `${uidValidity}:${msg.uid}`, raw: msg.source, receivedAt: internal && !Number.isNaN(internal.getTime()) ? internal : null });
      }
      this.advanceWatermark(uidValidity);
      // A UID that vanished between SEARCH and FETCH (moved by someone else) holds the watermark back for
      // this round only: the next SEARCH no longer finds it. Never assume a mail handled that was not read.
      return mails.sort((a, b) => Number(a.ref.split(':')[1]) - Number(b.ref.split(':')[1]));
    } catch (error) {
      if (commandRefused(error)) {
        this.recordError(error, 'read');
        this.log.warn({ err: this.lastError }, 'IMAP read refused; retrying next round');
      } else {
        this.dropConnection(error, 'read');
      }
      return [];
    }
  }

  async done(mail: SourceMail, disposition: Disposition): Promise<void> {
    const [validity, uidText] = mail.ref.split(':');
    const uid = Number(uidText);
    // Read under another UIDVALIDITY: the mailbox is being read again; this copy is found there.
    if (validity !== this.uidValidity) return;
    if (disposition === 'processed') await this.file(uid);
    if (disposition === 'quarantined') await this.quarantine(uid);
    this.handled.add(uid);
    this.advanceWatermark(validity);
    this.backlog = Math.max(0, this.backlog - 1);
  }

  /**
   * Moves a handled mail to the processed folder, or flags it where moving is not possible. Its outcome is
   * committed; the watermark passes it, so it is not read again, only left in place.
   */
  private file(uid: number): Promise<void> {
    return this.setAside(uid, { what: 'file', folder: this.canMove ? this.settings.processedFolder : null, flags: ['\\Seen', PROCESSED_KEYWORD] });
  }

  /**
   * Sets a quarantined mail aside: moved to the quarantine folder, or flagged in place (\Flagged, so a person
   * sees it, and QUARANTINE_KEYWORD, so it is passed over when read again). Its staff exception is committed.
   */
  private quarantine(uid: number): Promise<void> {
    return this.setAside(uid, { what: 'quarantine', folder: this.canQuarantine ? this.settings.quarantineFolder : null, flags: ['\\Flagged', QUARANTINE_KEYWORD] });
  }

  /**
   * Moves a mail to `folder` or, where that is refused (or there is no folder), flags it in place. imapflow
   * answers false for a refused command and for a lost connection alike; usable tells them apart.
   */
  private async setAside(uid: number, how: { what: 'file' | 'quarantine'; folder: string | null; flags: string[] }): Promise<void> {
    const client = this.client;
    const ref = `${this.uidValidity}:${uid}`;
    const done = how.what === 'file' ? 'handled' : 'quarantined';
    const lost = () => {
      const error = new Error(`IMAP connection lost before the mail could be ${how.what === 'file' ? 'filed' : 'quarantined'}; it is ${how.what === 'file' ? 'filed' : 'quarantined'} when read again`);
      this.dropConnection(error, how.what);
      return error;
    };
    if (!client?.usable) throw lost();
    const range = String(uid);
    if (how.folder !== null) {
      if (await client.messageMove(range, how.folder, { uid: true })) return;
      if (!client.usable) throw lost();
      this.log.warn({ ref }, `move to ${how.what === 'file' ? 'the processed folder' : 'the quarantine folder'} refused; flagging the mail instead`);
    }
    if (await client.messageFlagsAdd(range, how.flags, { uid: true })) return;
    if (!client.usable) throw lost();
    this.recordError(new Error('neither move nor flag was allowed'), how.what);
    this.log.error({ ref }, `mail ${done} but could not be moved or flagged; it stays in the mailbox`);
  }

  /** The watermark passes a UID only when it and every lower UID still in the mailbox are handled. */
  private advanceWatermark(uidValidity: string): void {
    const point = this.sync.get(this.settings.mailbox);
    let last = point && point.uidvalidity === uidValidity ? point.lastUid : 0;
    const start = last;
    for (const uid of this.known) {
      if (uid <= last) continue;
      if (!this.handled.has(uid)) break;
      last = uid;
    }
    if (last > start) this.sync.set(this.settings.mailbox, { uidvalidity: uidValidity, lastUid: last });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.state = 'closed';
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = null;
    if (!client) return;
    client.removeAllListeners('close');
    try {
      await Promise.race([client.logout(), new Promise((resolve) => setTimeout(resolve, 3000).unref())]);
    } catch { /* the server went first */ }
    try { client.close(); } catch { /* already closed */ }
  }
}
