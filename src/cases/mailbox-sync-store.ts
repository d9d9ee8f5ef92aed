// The IMAP source's sync points (src/intake/sources/mailbox-sync.ts) in the database: per mailbox, its
// UIDVALIDITY and the UID up to which every mail has been handled.
import type { Db } from './db.ts';
import type { MailboxSync, SyncPoint } from '../intake/sources/mailbox-sync.ts';

export class MailboxSyncStore implements MailboxSync {
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
