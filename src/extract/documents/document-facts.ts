// What a supporting document (anything attached that is not an application form) is, as far as the
// machine can tell: the exam result report, or another proof (受講証明書, a certificate). Stored with
// the attachment so a later re-evaluation (a payment arriving) needs no re-reading.
import { readExamReport, looksLikeExamReportName, type ExamReportReading } from './exam-report.ts';
import type { OcrResult } from '../ocr/ocr-engine.ts';

export type DocumentFacts =
  | ({ kind: 'exam-report'; read: true; ocr?: { confidence: number } } & ExamReportReading)
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

/**
 * An image or scan read by OCR. Only the exam report is recognised from OCR text (its lines are printed
 * and plain); a value on a line read below the confidence threshold is dropped, so the reviewer is told
 * instead of a guess being used. Anything else stays a document whose content was not read.
 */
export function describeScannedDocument(filename: string, ocr: OcrResult, minConfidence: number): DocumentFacts {
  const report = readExamReport(ocr.text);
  if (!report) return describeDocument(filename, null);
  const confidenceOf = (value: string | null) => {
    if (!value) return 0;
    const digits = value.replace(/\D/g, '');
    const line = ocr.lines.find((l) => l.text.replace(/\D/g, '').includes(digits.slice(0, 8)));
    return line?.confidence ?? 0;
  };
  const dateOk = report.issuedOn !== null && confidenceOf(report.dateText) >= minConfidence;
  const numberOk = report.passerNumber !== null && confidenceOf(report.numberText) >= minConfidence;
  return {
    kind: 'exam-report', read: true, ocr: { confidence: Math.round(ocr.confidence) },
    issuedOn: dateOk ? report.issuedOn : null,
    passerNumber: numberOk ? report.passerNumber : null,
    qualification: report.qualification,
    dateText: dateOk ? report.dateText : null,
    numberText: numberOk ? report.numberText : null,
    evidence: `OCR（信頼度 ${Math.round(ocr.confidence)}）: ${report.evidence}${dateOk ? '' : '、発行日は信頼度不足のため未採用'}${numberOk || !report.passerNumber ? '' : '、番号は信頼度不足のため未採用'}`,
  };
}
