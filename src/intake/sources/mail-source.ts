// The mail-source seam: the folder source today, IMAP next; the pipeline sees only this interface.

export interface SourceMail {
  /** Identifies the mail inside its source (file name, UIDVALIDITY:UID). */
  ref: string;
  raw: Buffer;
  /** Time of receipt as the server knows it (IMAP INTERNALDATE); the Date header is the fallback. */
  receivedAt: Date | null;
  /** Used when neither the server time nor a Date header is there (a file's modification time). */
  fallbackTime?: Date;
}

export type Disposition = 'processed' | 'ignored';

export interface MailSource {
  readonly name: string;
  /** Mails waiting, oldest first. */
  pending(): Promise<SourceMail[]>;
  /** Called only after the mail's outcome is committed; never deletes. */
  done(mail: SourceMail, disposition: Disposition): Promise<void>;
}
