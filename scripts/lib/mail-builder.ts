// Builds sample mails as applicants' mailers send them: UTF-8 with RFC 2231 attachment names (via
// nodemailer's composer), or ISO-2022-JP with RFC 2047 names as older Japanese mailers do.
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import Encoding from 'encoding-japanese';

export interface MailSpec {
  from: string;
  to?: string;
  subject: string;
  date: Date;
  messageId: string;
  inReplyTo?: string;
  references?: string[];
  text?: string;
  attachments?: { filename: string; content: Uint8Array; contentType?: string }[];
  headers?: Record<string, string>;
  charset?: 'utf-8' | 'iso-2022-jp';
}

const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

export function contentTypeFor(filename: string): string {
  if (/\.docx$/i.test(filename)) return DOCX;
  if (/\.pdf$/i.test(filename)) return 'application/pdf';
  if (/\.jpe?g$/i.test(filename)) return 'image/jpeg';
  if (/\.png$/i.test(filename)) return 'image/png';
  if (/\.zip$/i.test(filename)) return 'application/zip';
  return 'application/octet-stream';
}

export async function buildMail(spec: MailSpec): Promise<Buffer> {
  if (spec.charset === 'iso-2022-jp') return buildIso2022jp(spec);
  const composer = new MailComposer({
    from: spec.from,
    to: spec.to ?? 'intake@conken.example.jp',
    subject: spec.subject,
    date: rfc2822Jst(spec.date),
    messageId: `<${spec.messageId}>`,
    ...(spec.inReplyTo ? { inReplyTo: `<${spec.inReplyTo}>` } : {}),
    ...(spec.references ? { references: spec.references.map((r) => `<${r}>`) } : {}),
    text: spec.text ?? '',
    headers: spec.headers ?? {},
    attachments: (spec.attachments ?? []).map((a) => ({ filename: a.filename, content: Buffer.from(a.content), contentType: a.contentType ?? contentTypeFor(a.filename) })),
  });
  // Deterministic output: fixed MIME boundary seed.
  (composer as unknown as { mail: { baseBoundary?: string } }).mail.baseBoundary = spec.messageId.replace(/[^A-Za-z0-9]/g, '').slice(0, 24);
  return composer.compile().build();
}

/** The Date header as a Japanese mailer writes it (+0900), the same whatever the machine's time zone. */
export function rfc2822Jst(date: Date): string {
  const jst = new Date(date.getTime() + 9 * 3600 * 1000);
  const [day, dd, mon, yyyy, time] = jst.toUTCString().split(/,? /);
  return `${day}, ${dd} ${mon} ${yyyy} ${time} +0900`;
}

function jis(text: string): Buffer {
  return Buffer.from(Encoding.convert(Encoding.stringToCode(text), { to: 'JIS', from: 'UNICODE' }));
}

function encodedWord(text: string): string {
  return `=?ISO-2022-JP?B?${jis(text).toString('base64')}?=`;
}

function wrap64(buf: Buffer | Uint8Array): string {
  return Buffer.from(buf).toString('base64').replace(/.{76}/g, '$&\r\n');
}

function buildIso2022jp(spec: MailSpec): Buffer {
  const boundary = `----=_Part_${spec.messageId.replace(/[^A-Za-z0-9]/g, '').slice(0, 16)}`;
  const lines = [
    `From: ${spec.from}`,
    `To: ${spec.to ?? 'intake@conken.example.jp'}`,
    `Subject: ${encodedWord(spec.subject)}`,
    `Date: ${rfc2822Jst(spec.date)}`,
    `Message-ID: <${spec.messageId}>`,
    ...(spec.inReplyTo ? [`In-Reply-To: <${spec.inReplyTo}>`] : []),
    ...Object.entries(spec.headers ?? {}).map(([k, v]) => `${k}: ${v}`),
    'MIME-Version: 1.0',
    `Content-Type: multipart/mixed; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=ISO-2022-JP',
    'Content-Transfer-Encoding: 7bit',
    '',
    jis(spec.text ?? '').toString('latin1'),
  ];
  for (const a of spec.attachments ?? []) {
    lines.push(`--${boundary}`, `Content-Type: ${a.contentType ?? contentTypeFor(a.filename)}; name="${encodedWord(a.filename)}"`,
      'Content-Transfer-Encoding: base64', `Content-Disposition: attachment; filename="${encodedWord(a.filename)}"`, '', wrap64(a.content));
  }
  lines.push(`--${boundary}--`, '');
  return Buffer.from(lines.join('\r\n'), 'latin1');
}
