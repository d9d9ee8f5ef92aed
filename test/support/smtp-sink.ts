// A real SMTP server (npm smtp-server) on a free loopback port that records every message it accepts,
// and can be told to refuse the next deliveries (451) to exercise the sender's retries.
import { SMTPServer, type SMTPServerAuthentication, type SMTPServerAuthenticationResponse, type SMTPServerSession } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';

export interface ReceivedMail {
  at: number;
  envelopeFrom: string;
  envelopeTo: string[];
  /** Whether the session was encrypted (STARTTLS) and who logged in. */
  secure: boolean;
  user: string | null;
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
  /** Recipients refused at RCPT TO with a 550 that quotes the address, as real servers do. */
  unknownRecipients: Set<string>;
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

export interface SinkOptions {
  /** Offer STARTTLS with this certificate (and require it before AUTH). */
  tls?: { cert: string; key: string };
  /** Require this login. */
  auth?: { user: string; pass: string };
}

export async function startSmtpSink(options: SinkOptions = {}): Promise<SmtpSink> {
  let refuse = 0;
  let refuseP = 0;
  const sink: SmtpSink = {
    port: 0, received: [], refused: 0, unknownRecipients: new Set(),
    refuseNext(n) { refuse = n; },
    refuseRandomly(p) { refuseP = p; },
    env() {
      return { CONKEN_SMTP_HOST: '127.0.0.1', CONKEN_SMTP_PORT: String(sink.port), CONKEN_SMTP_SECURE: 'false', CONKEN_SMTP_STARTTLS: 'false' };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const server = new SMTPServer({
    authOptional: !options.auth,
    disabledCommands: [...(options.tls ? [] : ['STARTTLS']), ...(options.auth ? [] : ['AUTH'])],
    ...(options.tls ? { key: readFileSync(options.tls.key), cert: readFileSync(options.tls.cert) } : {}),
    ...(options.auth ? {
      authMethods: ['PLAIN', 'LOGIN'],
      onAuth(auth: SMTPServerAuthentication, _session: SMTPServerSession, callback: (err: Error | null | undefined, response?: SMTPServerAuthenticationResponse) => void) {
        if (auth.username === options.auth!.user && auth.password === options.auth!.pass) callback(null, { user: auth.username });
        else callback(new Error('Invalid username or password'));
      },
    } : {}),
    logger: false,
    size: 50 * 1024 * 1024,
    onRcptTo(address, _session, callback) {
      if (!sink.unknownRecipients.has(address.address)) return callback();
      const err = new Error(`<${address.address}>: Recipient address rejected: User unknown`) as Error & { responseCode: number };
      err.responseCode = 550;
      callback(err);
    },
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
          secure: session.secure,
          user: typeof session.user === 'string' ? session.user : null,
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
