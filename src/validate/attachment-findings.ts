// What the intake tells applicant and staff about attachments it could not use: one finding pair per file.
// The applicant is told one plain sentence per file, by the kind of problem only (unsupported format,
// damaged, password-protected, too large); the technical reason — which may quote a library
// ("Maximum call stack size exceeded", an xmldom error) — goes to staff alone.
import { applicantAndStaff, type Finding } from './findings.ts';
import type { FileVerdict } from '../extract/extract-file.ts';
import type { FileProblem } from '../shared/file-type.ts';

/** A file as the intake saw it: its name (and the archive it came from) and what reading it gave. */
export interface AttachmentVerdict {
  filename: string;
  fromArchive?: string;
  verdict: FileVerdict;
}

/** The one sentence an applicant reads about a file, by problem. */
export const APPLICANT_SENTENCES: Record<FileProblem, (name: string) => string> = {
  'unsupported': (name) => `添付ファイル「${name}」は読み取れない形式のため、Word（.docx）、PDF、または画像（JPEG・PNG・TIFF）で保存し直してお送りください。`,
  'damaged': (name) => `添付ファイル「${name}」は壊れているか途中で切れていて開けませんでしたので、元のファイルをあらためてお送りください。`,
  'protected': (name) => `添付ファイル「${name}」はパスワードが設定されていて開けませんでしたので、パスワードを外して保存し直し、あらためてお送りください。`,
  'too-large': (name) => `添付ファイル「${name}」は大きすぎるか複雑すぎて読み取れませんでしたので、記入した申請書のファイルだけをあらためてお送りください。`,
};

const STAFF_LABELS: Record<FileProblem, string> = {
  'unsupported': '非対応の形式', 'damaged': '破損', 'protected': 'パスワード付き', 'too-large': '大きすぎる',
};

/**
 * The problem of a verdict. Verdicts made by extractFile carry it; one made elsewhere (an archive entry
 * refused by the intake, whose reason is our own text) is classified from that reason.
 */
export function problemOf(verdict: Extract<FileVerdict, { role: 'unsupported' | 'unreadable' }>): FileProblem {
  if (verdict.problem) return verdict.problem;
  if (verdict.role === 'unsupported') return 'unsupported';
  if (/パスワード/.test(verdict.reason) && !/破損または/.test(verdict.reason)) return 'protected';
  if (/大きすぎ|多すぎ|上限/.test(verdict.reason)) return 'too-large';
  if (/展開しません|形式/.test(verdict.reason)) return 'unsupported';
  return 'damaged';
}

export function attachmentFindings(files: readonly AttachmentVerdict[]): Finding[] {
  const out: Finding[] = [];
  for (const f of files) {
    if (f.verdict.role !== 'unsupported' && f.verdict.role !== 'unreadable') continue;
    const name = f.fromArchive ? `${f.fromArchive} 内の ${f.filename}` : f.filename;
    const problem = problemOf(f.verdict);
    const code = f.verdict.role === 'unsupported' ? 'attachment.unsupported' : 'attachment.unreadable';
    out.push(...applicantAndStaff(code, APPLICANT_SENTENCES[problem](name),
      `添付「${name}」: ${STAFF_LABELS[problem]}（${f.verdict.reason}）`, { field: 'attachment' }));
  }
  return out;
}
