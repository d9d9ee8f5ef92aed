// How the workbench hands out a stored file (an applicant's attachment, an audit's evidence, a letter):
// one place decides which types a browser may show inline, the download name, and the headers that keep
// an untrusted file from running anything or being cached outside the session.
import path from 'node:path';
import type { FastifyReply } from 'fastify';

/** Types a browser shows by itself without running the file's content as a page of ours. */
export const INLINE_TYPES: Readonly<Record<string, string>> = { pdf: 'application/pdf', png: 'image/png', jpeg: 'image/jpeg', gif: 'image/gif', webp: 'image/webp' };

/** An untrusted file shown inline: no script, no frame outside the workbench. */
const FILE_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'";

/** filename for Content-Disposition: an ASCII stand-in and the real name per RFC 5987 (never a quote or a path). */
export function contentDisposition(kind: 'inline' | 'attachment', filename: string): string {
  const clean = path.basename(filename.replace(/\\/g, '/')).replace(/[\u0000-\u001f\u007f"]/g, '_') || 'file';
  const ascii = clean.replace(/[^A-Za-z0-9._-]/g, '_');
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(clean).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`;
}

/** Shown inline with its own type: for a file already known to be one of INLINE_TYPES (or a PDF we made). */
export function sendInline(reply: FastifyReply, mimeType: string, filename: string, bytes: Buffer | Uint8Array): FastifyReply {
  return reply.type(mimeType).header('content-disposition', contentDisposition('inline', filename)).header('cache-control', 'private, no-store')
    .header('content-security-policy', FILE_CSP).send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
}

/** Saved by the browser as it is, never shown. */
export function sendDownload(reply: FastifyReply, filename: string, bytes: Buffer | Uint8Array): FastifyReply {
  return reply.type('application/octet-stream').header('content-disposition', contentDisposition('attachment', filename)).header('cache-control', 'private, no-store')
    .header('content-security-policy', FILE_CSP).send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
}

/** Shown inline when the browser can show its detected type, else downloaded as bytes. */
export function sendStoredFile(reply: FastifyReply, detectedType: string, filename: string, bytes: Buffer | Uint8Array): FastifyReply {
  const type = INLINE_TYPES[detectedType];
  return type ? sendInline(reply, type, filename, bytes) : sendDownload(reply, filename, bytes);
}
