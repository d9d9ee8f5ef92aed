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

/** More parts than any person's mail has; the rest are not looked at for the structure. */
const MAX_PARTS_SCANNED = 200;

export interface TopLevelPart {
  type: string;
  /** The decoded text of a text/plain part (its first bytes; field names are ASCII whatever the charset). */
  text?: string;
}

const PART_TEXT_BYTES = 16 * 1024;

function decodePartText(head: string, body: string): string {
  const encoding = head.match(/^content-transfer-encoding:\s*([^;\s]+)/im)?.[1]?.toLowerCase();
  const part = body.slice(0, PART_TEXT_BYTES * 2);
  if (encoding === 'base64') return Buffer.from(part.replace(/[^A-Za-z0-9+/=]/g, ''), 'base64').toString('latin1').slice(0, PART_TEXT_BYTES);
  if (encoding === 'quoted-printable') return part.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16))).slice(0, PART_TEXT_BYTES);
  return part.slice(0, PART_TEXT_BYTES);
}

/**
 * The top-level parts of a multipart mail, read from the raw message: mailparser folds text-like parts
 * (message/delivery-status) into the body and does not say which part was which. Only the top level: a
 * report inside a forwarded message (a person forwarding a bounce) does not make the person's mail automatic.
 */
export function topLevelParts(raw: Buffer, boundary: string | undefined): TopLevelPart[] {
  if (!boundary) return [];
  const text = raw.toString('latin1');
  const delimiter = `--${boundary}`;
  const parts: TopLevelPart[] = [];
  let at = text.indexOf(delimiter);
  while (at !== -1 && parts.length < MAX_PARTS_SCANNED) {
    const start = at + delimiter.length;
    if (text.startsWith('--', start)) break;
    const next = text.indexOf(`\n${delimiter}`, start);
    const end = next === -1 ? text.length : next;
    const headerEnd = text.slice(start, Math.min(end, start + 8192)).search(/\r?\n\r?\n/);
    const head = text.slice(start, headerEnd === -1 ? end : start + headerEnd).replace(/\r?\n[ \t]+/g, ' ');
    const type = (head.match(/^content-type:\s*([^;\s]+)/im)?.[1] ?? 'text/plain').toLowerCase();
    const part: TopLevelPart = { type };
    if (type === 'text/plain' && headerEnd !== -1) part.text = decodePartText(head, text.slice(start + headerEnd, end).replace(/^\r?\n\r?\n/, ''));
    parts.push(part);
    at = next === -1 ? -1 : next + 1;
  }
  return parts;
}

/** The content types of a multipart mail's top-level parts. */
export function topLevelPartTypes(raw: Buffer, boundary: string | undefined): string[] {
  return topLevelParts(raw, boundary).map((p) => p.type);
}

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
  const fromObject = Array.isArray(parsed.from) ? parsed.from[0] : parsed.from;
  const text = parsed.text ?? '';
  const parts = contentType?.value?.startsWith('multipart/') ? topLevelParts(raw, contentType.params?.boundary) : [];
  const automatic = automaticReason({
    headers, from: from ?? '', fromName: fromObject?.value?.[0]?.name ?? '', hasReturnPath: headers.has('return-path'), returnPath: returnPathText,
    subject: parsed.subject ?? '', partTypes: parts.map((p) => p.type),
    // The mail's own text: for a multipart mail its top-level text parts, not a forwarded message's.
    text: parts.length > 0 ? parts.map((p) => p.text ?? '').join('\n') : text,
  });
  return {
    messageId: parsed.messageId ? parsed.messageId.replace(/^<|>$/g, '') : null,
    from,
    replyAddress: firstAddress(parsed.replyTo) ?? from,
    subject: parsed.subject ?? '',
    date: parsed.date && !Number.isNaN(parsed.date.getTime()) ? parsed.date : null,
    references: referencedIds(parsed.inReplyTo, parsed.references),
    automatic,
    text,
    attachments: await attachmentsOf(parsed, 0, problems),
    problems,
  };
}
