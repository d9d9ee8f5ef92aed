// What a supporting document (anything attached that is not an application form) is, as far as the
// machine can tell: the exam result report, or another proof (受講証明書, a certificate). Stored with
// the attachment so a later re-evaluation (a payment arriving) needs no re-reading.
import { readExamReport, looksLikeExamReportName, type ExamReportReading } from './exam-report.ts';

export type DocumentFacts =
  | ({ kind: 'exam-report'; read: true } & ExamReportReading)
  /** Named like the report, but its contents could not be read (image or scan; OCR reads them later). */
  | { kind: 'exam-report'; read: false; evidence: string }
  | { kind: 'proof'; read: boolean };

/** text: the document's text when it could be read; null for an image or an image-only PDF. */
export function describeDocument(filename: string, text: string | null): DocumentFacts {
  if (text !== null) {
    const report = readExamReport(text);
    if (report) return { kind: 'exam-report', read: true, ...report };
    return { kind: 'proof', read: true };
  }
  if (looksLikeExamReportName(filename)) return { kind: 'exam-report', read: false, evidence: `ファイル名「${filename}」` };
  return { kind: 'proof', read: false };
}
