// Builds the RFC 5322 bytes of an outgoing mail with nodemailer's composer (UTF-8, attachments from
// the content store). The same OutgoingMail always gives the same headers that matter (Message-ID).
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import type { OutgoingMail } from './outgoing-mail.ts';

export async function buildMessage(mail: OutgoingMail, readAttachment: (storePath: string) => Buffer): Promise<Buffer> {
  const composer = new MailComposer({
    from: mail.from,
    to: mail.to,
    subject: mail.subject,
    text: mail.text,
    messageId: `<${mail.messageId}>`,
    ...(mail.inReplyTo ? { inReplyTo: `<${mail.inReplyTo}>` } : {}),
    ...(mail.references?.length ? { references: mail.references.map((r) => `<${r}>`) } : {}),
    headers: mail.headers,
    textEncoding: 'base64',
    attachments: (mail.attachments ?? []).map((a) => ({ filename: a.filename, content: readAttachment(a.storePath), ...(a.contentType ? { contentType: a.contentType } : {}) })),
  });
  return composer.compile().build();
}
