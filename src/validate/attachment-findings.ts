// What the intake tells applicant and staff about attachments it could not use: one finding pair per file.
import { applicantAndStaff, type Finding } from './findings.ts';
import type { FileVerdict } from '../extract/extract-file.ts';

/** A file as the intake saw it: its name (and the archive it came from) and what reading it gave. */
export interface AttachmentVerdict {
  filename: string;
  fromArchive?: string;
  verdict: FileVerdict;
}
export function attachmentFindings(files: readonly AttachmentVerdict[]): Finding[] {
  const out: Finding[] = [];
  for (const f of files) {
    const name = f.fromArchive ? `${f.fromArchive} 内の ${f.filename}` : f.filename;
    if (f.verdict.role === 'unsupported') {
      out.push(...applicantAndStaff('attachment.unsupported',
        `添付ファイル「${name}」（${f.verdict.reason}）は読み取れない形式です。Word（.docx）、PDF、または画像（JPEG・PNG・TIFF）で保存し直してお送りください。`,
        `添付「${name}」: 非対応の形式（${f.verdict.reason}）`, { field: 'attachment' }));
    } else if (f.verdict.role === 'unreadable') {
      out.push(...applicantAndStaff('attachment.unreadable',
        `添付ファイル「${name}」を開けませんでした（${f.verdict.reason}）。ファイルが壊れているか、パスワードが設定されている可能性があります。パスワードを外して保存し直し、あらためてお送りください。`,
        `添付「${name}」: 読み取り不可（${f.verdict.reason}）`, { field: 'attachment' }));
    }
  }
  return out;
}
