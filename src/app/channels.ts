// Which mailbox the daemon reads and how its mail goes out: the IMAP mailbox and SMTP when their hosts
// are configured, otherwise the embedded folders. Chosen once, here, so every command agrees.
import type { App } from './context.ts';
import type { MailSource } from '../intake/sources/mail-source.ts';
import { FolderSource } from '../intake/sources/folder-source.ts';
import { ImapSource } from '../intake/sources/imap-source.ts';
import { MailboxSyncStore } from '../cases/mailbox-sync-store.ts';
import type { Transport } from '../outbound/transports/transport.ts';
import { FolderTransport } from '../outbound/transports/folder-transport.ts';
import { SmtpTransport } from '../outbound/transports/smtp-transport.ts';

export function createSource(app: App): MailSource {
  const { imap, inbox } = app.config;
  if (imap.host) return new ImapSource(imap, new MailboxSyncStore(app.db), app.log);
  return new FolderSource(inbox.dir, inbox.processedDir);
}

export function createTransport(app: App): Transport {
  const { smtp, outbox } = app.config;
  if (smtp.host) return new SmtpTransport(smtp);
  return new FolderTransport(outbox.dir);
}

/** How often the daemon reads its source when nothing wakes it. */
export function pollSecondsFor(app: App): number {
  return app.config.imap.host ? app.config.imap.pollSeconds : app.config.inbox.pollSeconds;
}
