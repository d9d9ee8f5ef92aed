// The sender loop: delivers pending outbox rows through the transport, at most once each, retrying
// failures with exponential backoff until they are sent. The decision that caused a mail committed
// long before; this loop only delivers.
import type { OutboxRow, OutboxStore } from '../cases/outbox-store.ts';
import type { Logger } from '../shared/log.ts';
import type { OutgoingMail } from './outgoing-mail.ts';
import type { Transport } from './transports/transport.ts';
import { buildMessage } from './build-message.ts';

export interface SenderOptions {
  backoffBaseSeconds: number;
  backoffMaxSeconds: number;
}

/** An outbox row's mail; a row queued unrendered (mail_json '') needs the app's composer (mailOfOutboxRow). */
export type MailOf = (row: OutboxRow) => OutgoingMail;

const storedMail: MailOf = (row) => {
  if (row.mail_json === '') throw new Error('notice not composed yet');
  return JSON.parse(row.mail_json) as OutgoingMail;
};

export async function deliverDue(store: OutboxStore, transport: Transport, readAttachment: (p: string) => Buffer, options: SenderOptions, log: Logger, now = new Date(), shouldStop: () => boolean = () => false, mailOf: MailOf = storedMail): Promise<{ sent: number; failed: number }> {
  let sent = 0;
  let failed = 0;
  for (const row of store.duePending(now.toISOString())) {
    // On shutdown, stop between mails: a mail in flight is finished and recorded, none is started.
    if (shouldStop()) break;
    // Only a pending mail is delivered: a letter (status 'letter') is printed and posted by staff, never mailed.
    if (row.status !== 'pending') continue;
    try {
      const mail = mailOf(row);
      const raw = await buildMessage(mail, readAttachment);
      await transport.send(mail, raw);
      store.markSent(row.id);
      sent++;
      log.info({ outbox: row.id, kind: row.kind, messageId: row.rfc_message_id }, 'mail sent');
    } catch (error) {
      const delay = Math.min(options.backoffMaxSeconds, options.backoffBaseSeconds * 2 ** row.attempts);
      store.markFailed(row.id, (error as Error).message, new Date(now.getTime() + delay * 1000).toISOString());
      failed++;
      log.warn({ outbox: row.id, kind: row.kind, attempts: row.attempts + 1, retryInSeconds: delay, err: (error as Error).message }, 'mail delivery failed; will retry');
    }
  }
  return { sent, failed };
}
