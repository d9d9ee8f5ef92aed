// .zip attachments are opened and their files taken as attachments, within bounds (entry count, total
// size checked before inflating, one level deep) so a zip bomb costs nothing. Windows zips store
// Japanese names in Shift_JIS without the UTF-8 flag; those names are decoded properly.
// Only plain archives are opened: an Office or OpenDocument file is a zip too, but it is one document
// (an .odt is an unsupported format, not seven loose files), and a zip whose directory does not hold
// together (a mangled .docx) is a damaged file, never an archive of whatever its bytes seem to list.
import { unzipSync } from 'fflate';
import Encoding from 'encoding-japanese';
import type { IntakeRules } from '../config/rules.ts';
import type { MailAttachment } from './parse-mail.ts';
import { detectFileType, entriesIntact, zipEntries, type FileProblem } from '../shared/file-type.ts';

export interface ExpandedAttachment extends MailAttachment {
  /** The zip it came out of, if any. */
  fromArchive?: string;
  /** Set when the attachment itself cannot be used (too large, broken archive): the reason, for staff. */
  refused?: string;
  /** With `refused`: what the applicant is told (one plain sentence by kind). */
  refusedProblem?: FileProblem;
}

function decodeEntryName(name: string): string {
  // Names without the UTF-8 flag come as Latin-1: recover the bytes and detect Shift_JIS.
  if (!/[\u0080-\u00ff]/.test(name)) return name;
  const bytes = Uint8Array.from([...name].map((c) => c.charCodeAt(0) & 0xff));
  const detected = Encoding.detect(bytes);
  if (detected === 'SJIS' || detected === 'EUCJP' || detected === 'UTF8') {
    return Encoding.convert(bytes, { to: 'UNICODE', from: detected, type: 'string' });
  }
  return name;
}

const skipped = (name: string) => name.endsWith('/') || /(^|\/)(__MACOSX|\.DS_Store|Thumbs\.db)/.test(name);

export function expandArchives(attachments: MailAttachment[], rules: IntakeRules['attachments']): ExpandedAttachment[] {
  const out: ExpandedAttachment[] = [];
  for (const a of attachments) {
    if (a.content.length > rules.maxBytes) {
      out.push({ ...a, refused: `ファイルが大きすぎます（${Math.round(a.content.length / 1048576)}MB、上限 ${Math.round(rules.maxBytes / 1048576)}MB）`, refusedProblem: 'too-large' });
      continue;
    }
    // A damaged zip is left to extractFile, which names it damaged (type zip-corrupt).
    if (detectFileType(a.content) !== 'zip') {
      out.push(a);
      continue;
    }
    // The directory was checked by detectFileType; everything is decided from it before inflating.
    const listed = (zipEntries(a.content) ?? []).filter((e) => !skipped(e.name));
    let refused: string | undefined;
    let refusedProblem: FileProblem | undefined;
    if (listed.some((e) => e.encrypted)) [refused, refusedProblem] = ['ZIPファイルにパスワードが設定されています', 'protected'];
    else if (listed.length > rules.zip.maxEntries) [refused, refusedProblem] = [`ZIP内のファイルが多すぎます（${listed.length}件、上限 ${rules.zip.maxEntries}）`, 'too-large'];
    else if (listed.reduce((n, e) => n + e.size, 0) > rules.zip.maxTotalBytes) [refused, refusedProblem] = ['ZIPの展開後のサイズが大きすぎます', 'too-large'];
    let files: Record<string, Uint8Array> = {};
    if (!refused) {
      try {
        // fflate never inflates an entry beyond its declared size, so the bound above holds for liars too.
        files = unzipSync(a.content, { filter: (f) => !skipped(f.name) });
        if (!entriesIntact(listed, files)) [refused, refusedProblem] = ['ZIPファイルが壊れています（ファイルの大きさまたはCRCが記録と一致しません）', 'damaged'];
      } catch (error) {
        [refused, refusedProblem] = [`ZIPファイルが壊れていて展開できません: ${(error as Error).message}`, 'damaged'];
      }
    }
    if (refused) {
      out.push({ ...a, refused, ...(refusedProblem ? { refusedProblem } : {}) });
      continue;
    }
    for (const [name, content] of Object.entries(files)) {
      const filename = decodeEntryName(name).split('/').pop() ?? name;
      const buffer = Buffer.from(content);
      if (detectFileType(buffer) === 'zip') {
        out.push({ filename, contentType: 'application/zip', content: buffer, fromArchive: a.filename, refused: 'ZIPの中のZIPは展開しません', refusedProblem: 'unsupported' });
      } else {
        out.push({ filename, contentType: 'application/octet-stream', content: buffer, fromArchive: a.filename });
      }
    }
  }
  return out;
}
