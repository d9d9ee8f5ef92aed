// How far the IMAP source has got in a mailbox: its UIDVALIDITY and the UID up to which every mail
// has been handled. Kept in the database so a restarted daemon catches up from where it stopped.
import type { Db } from '../../cases/db.ts';

export interface SyncPoint {
  uidvalidity: string;
  lastUid: number;
}

export class MailboxSync {
  private readonly db: Db;
  constructor(db: Db) {
    this.db = db;
  }

  get(mailbox: string): SyncPoint | undefined {
    const row = this.db.prepare('SELECT uidvalidity, last_uid FROM mailbox_sync WHERE mailbox = ?').get(mailbox) as { uidvalidity: string; last_uid: number } | undefined;
    return row ? { uidvalidity: row.uidvalidity, lastUid: row.last_uid } : undefined;
  }

  set(mailbox: string, point: SyncPoint): void {
    this.db.prepare(`INSERT INTO mailbox_sync (mailbox, uidvalidity, last_uid, updated_at) VALUES (?, ?, ?, ?)
      ON CONFLICT(mailbox) DO UPDATE SET uidvalidity = excluded.uidvalidity, last_uid = excluded.last_uid, updated_at = excluded.updated_at`)
      .run(mailbox, point.uidvalidity, point.lastUid, new Date().toISOString());
  }
}
