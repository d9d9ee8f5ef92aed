// The transport seam (as in nodemailer): one send(); the folder outbox or SMTP.
import type { OutgoingMail } from '../outgoing-mail.ts';
import type { Health } from '../../shared/health.ts';

export interface Transport {
  readonly name: string;
  /** Delivers the mail or throws. Sending the same mail twice must be harmless (same Message-ID). */
  send(mail: OutgoingMail, raw: Buffer): Promise<void>;
  health?(): Health;
  close?(): Promise<void>;
}
