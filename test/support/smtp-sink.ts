// A real SMTP server (npm smtp-server) on a free loopback port that records every message it accepts,
// and can be told to refuse the next deliveries (451) to exercise the sender's retries.
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';

export interface ReceivedMail {
  at: number;
  envelopeFrom: string;
  envelopeTo: string[];
  raw: Buffer;
  messageId: string | null;
  inReplyTo: string | null;
  references: string | null;
  subject: string | null;
  caseNumber: string | null;
}

export interface SmtpSink {
  port: number;
  received: ReceivedMail[];
  refused: number;
  /** Refuse the next n messages with a temporary error. */
  refuseNext(n: number): void;
  /** Refuse each message with this probability (chaos). */
  refuseRandomly(p: number): void;
  env(): Record<string, string>;
  close(): Promise<void>;
}

function header(raw: string, name: string): string | null {
  const m = raw.match(new RegExp(`^${name}:[ \\t]*((?:.*)(?:\\r?\\n[ \\t].*)*)`, 'mi'));
  return m ? m[1]!.replace(/\r?\n[ \t]+/g, ' ').trim() : null;
}

function decodeSubject(value: string | null): string | null {
  if (!value) return value;
  return value.replace(/=\?utf-8\?([BQ])\?([^?]*)\?=\s*/gi, (_, enc: string, text: string) =>
    enc.toUpperCase() === 'B' ? Buffer.from(text, 'base64').toString('utf8') : Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8'));
}

export async function startSmtpSink(): Promise<SmtpSink> {
  let refuse = 0;
  let refuseP = 0;
  const sink: SmtpSink = {
    port: 0, received: [], refused: 0,
    refuseNext(n) { refuse = n; },
    refuseRandomly(p) { refuseP = p; },
    env() {
      return { CONKEN_SMTP_HOST: '127.0.0.1', CONKEN_SMTP_PORT: String(sink.port), CONKEN_SMTP_SECURE: 'false', CONKEN_SMTP_STARTTLS: 'false' };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    size: 50 * 1024 * 1024,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (refuse > 0 || (refuseP > 0 && Math.random() < refuseP)) {
          if (refuse > 0) refuse--;
          sink.refused++;
          const err = new Error('try again later') as Error & { responseCode: number };
          err.responseCode = 451;
          return callback(err);
        }
        const raw = Buffer.concat(chunks);
        const text = raw.toString('utf8');
        const head = text.split(/\r?\n\r?\n/, 1)[0]!;
        sink.received.push({
          at: Date.now(),
          envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          envelopeTo: session.envelope.rcptTo.map((r) => r.address),
          raw,
          messageId: header(head, 'Message-ID')?.replace(/^<|>$/g, '') ?? null,
          inReplyTo: header(head, 'In-Reply-To')?.replace(/^<|>$/g, '') ?? null,
          references: header(head, 'References'),
          subject: decodeSubject(header(head, 'Subject')),
          caseNumber: header(head, 'X-Conken-Case'),
        });
        callback();
      });
    },
  });
  // A client killed mid-session (the chaos test) resets its connection: expected, not a test failure.
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  sink.port = ((server as unknown as { server: { address(): AddressInfo } }).server.address()).port;
  return sink;
}
