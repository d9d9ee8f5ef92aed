// How far the IMAP source has got in a mailbox: its UIDVALIDITY and the UID up to which every mail
// has been handled. Kept durably (src/cases/mailbox-sync-store.ts, the database) so a restarted daemon
// catches up from where it stopped; the source only needs somewhere to read and write it.

export interface SyncPoint {
  uidvalidity: string;
  lastUid: number;
}

export interface MailboxSync {
  get(mailbox: string): SyncPoint | undefined;
  set(mailbox: string, point: SyncPoint): void;
}
