// .zip attachments are opened and their files taken as attachments, within bounds (entry count, total
// size checked before inflating, one level deep) so a zip bomb costs nothing. Windows zips store
// Japanese names in Shift_JIS without the UTF-8 flag; those names are decoded properly.
import { unzipSync } from 'fflate';
import Encoding from 'encoding-japanese';
import type { IntakeRules } from '../config/rules.ts';
import type { MailAttachment } from './parse-mail.ts';
import { detectFileType } from '../shared/file-type.ts';

export interface ExpandedAttachment extends MailAttachment {
  /** The zip it came out of, if any. */
  fromArchive?: string;
  /** Set when the attachment itself cannot be used (too large, broken archive). */
  refused?: string;
}

function decodeEntryName(name: string): string {
  // fflate decodes names without the UTF-8 flag as Latin-1: recover the bytes and detect Shift_JIS.
  if (!/[\u0080-\u00ff]/.test(name)) return name;
  const bytes = Uint8Array.from([...name].map((c) => c.charCodeAt(0) & 0xff));
  const detected = Encoding.detect(bytes);
  if (detected === 'SJIS' || detected === 'EUCJP' || detected === 'UTF8') {
    return Encoding.convert(bytes, { to: 'UNICODE', from: detected, type: 'string' });
  }
  return name;
}

export function expandArchives(attachments: MailAttachment[], rules: IntakeRules['attachments']): ExpandedAttachment[] {
  const out: ExpandedAttachment[] = [];
  for (const a of attachments) {
    if (a.content.length > rules.maxBytes) {
      out.push({ ...a, refused: `ファイルが大きすぎます（${Math.round(a.content.length / 1048576)}MB、上限 ${Math.round(rules.maxBytes / 1048576)}MB）` });
      continue;
    }
    if (detectFileType(a.content) !== 'zip') {
      out.push(a);
      continue;
    }
    let entries = 0;
    let declared = 0;
    let refused: string | undefined;
    let files: Record<string, Uint8Array> = {};
    try {
      files = unzipSync(a.content, {
        filter: (f) => {
          if (f.name.endsWith('/') || /(^|\/)(__MACOSX|\.DS_Store|Thumbs\.db)/.test(f.name)) return false;
          entries++;
          declared += f.originalSize;
          if (entries > rules.zip.maxEntries) refused = `ZIP内のファイルが多すぎます（上限 ${rules.zip.maxEntries}）`;
          if (declared > rules.zip.maxTotalBytes) refused = 'ZIPの展開後のサイズが大きすぎます';
          return refused === undefined;
        },
      });
    } catch (error) {
      refused = `ZIPファイルを展開できません（破損またはパスワード付き）: ${(error as Error).message}`;
    }
    if (refused) {
      out.push({ ...a, refused });
      continue;
    }
    for (const [name, content] of Object.entries(files)) {
      const filename = decodeEntryName(name).split('/').pop() ?? name;
      const buffer = Buffer.from(content);
      if (detectFileType(buffer) === 'zip') {
        out.push({ filename, contentType: 'application/zip', content: buffer, fromArchive: a.filename, refused: 'ZIPの中のZIPは展開しません' });
      } else {
        out.push({ filename, contentType: 'application/octet-stream', content: buffer, fromArchive: a.filename });
      }
    }
  }
  return out;
}
