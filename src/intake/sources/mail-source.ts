// The mail-source seam: the folder source and the IMAP mailbox; the pipeline sees only this interface.
import type { Health } from '../../shared/health.ts';

export interface SourceMail {
  /** Identifies the mail inside its source (file name, UIDVALIDITY:UID). */
  ref: string;
  raw: Buffer;
  /** Time of receipt as the server knows it (IMAP INTERNALDATE); the Date header is the fallback. */
  receivedAt: Date | null;
  /** Used when neither the server time nor a Date header is there (a file's modification time). */
  fallbackTime?: Date;
}

/**
 * processed: a case or a record was made, the mail can be filed away; ignored: unrelated, leave it untouched;
 * quarantined: it failed, hung or crashed the daemon too many times and was recorded as a staff exception:
 * set aside where staff can find it (never deleted), so the mails behind it are read.
 */
export type Disposition = 'processed' | 'ignored' | 'quarantined';

export interface MailSource {
  readonly name: string;
  /** Mails waiting, oldest first. */
  pending(): Promise<SourceMail[]>;
  /** Called only after the mail's outcome is committed; never deletes. */
  done(mail: SourceMail, disposition: Disposition): Promise<void>;
  /** Sources that learn of new mail by themselves (IMAP IDLE) call wake to cut the daemon's sleep short. */
  watch?(wake: () => void): void;
  health?(): Health;
  /** Releases connections; called once when the daemon stops. */
  close?(): Promise<void>;
}
