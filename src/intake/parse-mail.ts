// Turns a raw RFC 5322 message into what the pipeline needs. mailparser does the MIME work (charsets
// such as ISO-2022-JP, RFC 2047/2231 file names); we add forwarded-as-attachment mails and drop the
// tiny inline images of HTML signatures.
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import { automaticReason, referencedIds, type HeaderMap } from './mail-headers.ts';

export interface MailAttachment {
  filename: string;
  contentType: string;
  content: Buffer;
}

export interface IncomingMail {
  messageId: string | null;
  from: string | null;
  /** Where answers go: Reply-To when the mail names one, else From. */
  replyAddress: string | null;
  subject: string;
  date: Date | null;
  /** Message-IDs this mail refers to, newest first. */
  references: string[];
  automatic: string | null;
  text: string;
  attachments: MailAttachment[];
  /** Problems met while parsing; the mail is still processed as far as it goes. */
  problems: string[];
}

const SIGNATURE_IMAGE_BYTES = 50 * 1024;

function firstAddress(a: AddressObject | AddressObject[] | undefined): string | null {
  const obj = Array.isArray(a) ? a[0] : a;
  return obj?.value?.[0]?.address?.toLowerCase() ?? null;
}

async function attachmentsOf(parsed: ParsedMail, depth: number, problems: string[]): Promise<MailAttachment[]> {
  const out: MailAttachment[] = [];
  for (const [i, a] of parsed.attachments.entries()) {
    if (a.related && a.contentType.startsWith('image/') && a.size < SIGNATURE_IMAGE_BYTES) continue;
    if (a.contentType === 'message/rfc822' && depth < 2) {
      try {
        const inner = await simpleParser(a.content);
        out.push(...(await attachmentsOf(inner, depth + 1, problems)));
      } catch (error) {
        problems.push(`転送メールを読めません: ${(error as Error).message}`);
      }
      continue;
    }
    out.push({ filename: a.filename ?? `attachment-${i + 1}`, contentType: a.contentType, content: a.content });
  }
  return out;
}

export async function parseMail(raw: Buffer): Promise<IncomingMail> {
  const problems: string[] = [];
  const parsed = await simpleParser(raw, { skipHtmlToText: false });
  const headers = parsed.headers as HeaderMap;
  const from = firstAddress(parsed.from);
  if (!from) problems.push('差出人（From）がありません');
  if (!parsed.headers.has('subject')) problems.push('件名（Subject）がありません');
  const contentType = headers.get('content-type') as { value?: string; params?: Record<string, string> } | undefined;
  if (contentType?.value?.startsWith('multipart/') && !contentType.params?.boundary) problems.push('MIME構造が壊れています（multipartの区切りがありません）');
  if (raw.includes(0)) problems.push('メールに不正なバイト（NUL）が含まれています');
  const returnPath = headers.get('return-path');
  const returnPathText = typeof returnPath === 'object' && returnPath !== null && 'text' in returnPath ? String((returnPath as { text: string }).text) : String(returnPath ?? '');
  return {
    messageId: parsed.messageId ? parsed.messageId.replace(/^<|>$/g, '') : null,
    from,
    replyAddress: firstAddress(parsed.replyTo) ?? from,
    subject: parsed.subject ?? '',
    date: parsed.date && !Number.isNaN(parsed.date.getTime()) ? parsed.date : null,
    references: referencedIds(parsed.inReplyTo, parsed.references),
    automatic: automaticReason(headers, from ?? '', headers.has('return-path'), returnPathText),
    text: parsed.text ?? '',
    attachments: await attachmentsOf(parsed, 0, problems),
    problems,
  };
}
