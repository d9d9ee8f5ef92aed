// SMTP transport: sends the prebuilt raw message (the outbox's bytes, stable Message-ID) with an explicit
// envelope, over one pooled connection. A refused or failed send throws; the sender loop retries with
// backoff, and a retry carries the same Message-ID, so a server or recipient can recognise it.
import nodemailer, { type Transporter } from 'nodemailer';
import addressparser from 'nodemailer/lib/addressparser/index.js';
import type { Config } from '../../config/config.ts';
import type { Health } from '../../shared/health.ts';
import type { OutgoingMail } from '../outgoing-mail.ts';
import type { Transport } from './transport.ts';

export type SmtpSettings = Config['smtp'];

/** The bare address of a header value such as `コン検 <intake@example.jp>`. */
export function envelopeAddress(header: string): string {
  const first = addressparser(header, { flatten: true })[0];
  if (!first?.address) throw new Error('no address in the header');
  return first.address;
}

export class SmtpTransport implements Transport {
  readonly name = 'smtp';
  private readonly transporter: Transporter;
  private readonly host: string;
  private state: 'ok' | 'failing' | 'unused' = 'unused';
  private sent = 0;
  private lastError: string | null = null;
  private lastErrorAt: string | null = null;

  constructor(settings: SmtpSettings) {
    this.host = settings.host;
    this.transporter = nodemailer.createTransport({
      host: settings.host,
      port: settings.port,
      secure: settings.secure,
      // STARTTLS: required when asked for (never fall back to plain text), or not attempted at all.
      ...(settings.secure ? {} : settings.starttls ? { requireTLS: true } : { ignoreTLS: true }),
      ...(settings.user ? { auth: { user: settings.user, pass: settings.password } } : {}),
      tls: { rejectUnauthorized: settings.tlsRejectUnauthorized },
      pool: true,
      maxConnections: 1,
      connectionTimeout: 15_000,
      greetingTimeout: 15_000,
      socketTimeout: 60_000,
    });
  }

  async send(mail: OutgoingMail, raw: Buffer): Promise<void> {
    try {
      await this.transporter.sendMail({ envelope: { from: envelopeAddress(mail.from), to: [envelopeAddress(mail.to)] }, raw });
      this.state = 'ok';
      this.sent++;
    } catch (error) {
      const e = error as { message?: string; responseCode?: number };
      // The server's reply often quotes the recipient ("550 <name@example.jp>: unknown user"); the error
      // goes into logs and the status, so addresses are cut out of it here, once, for every caller.
      const text = (e.message ?? String(error)).replace(/<?[^\s<>]+@[^\s<>]+>?/g, '<address>').slice(0, 300);
      this.lastError = text;
      this.lastErrorAt = new Date().toISOString();
      this.state = 'failing';
      throw Object.assign(new Error(text), { responseCode: e.responseCode });
    }
  }

  health(): Health {
    return { state: this.state, lastError: this.lastError, lastErrorAt: this.lastErrorAt, detail: { host: this.host, sentSinceStart: this.sent } };
  }

  async close(): Promise<void> {
    this.transporter.close();
  }
}
