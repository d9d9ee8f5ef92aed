// One file in, one verdict out: the form it holds (mapped to its application), a proof document, or a
// reason we cannot use it. Never throws for bad input: a bad file is a finding, not a crash.
import { fullText, tables, type DocumentModel } from './document.ts';
import { describeFileType, detectFileType, problemOfType, type FileProblem, type FileType } from '../shared/file-type.ts';
import { UnreadableFileError } from './readers/reader.ts';
import { readIsolated, type IsolationLimits } from './isolated-read.ts';
import { recogniseForm, type ApplicationBase } from './forms/index.ts';
import { markUnfoundMarks } from './unfound-marks.ts';
import { describeDocument, describeScannedDocument, type DocumentFacts } from './documents/document-facts.ts';
// The OCR, image and PDF-rendering modules (tesseract.js, sharp, pdfjs) are imported by the branches that
// read a scan or a photo: a .docx or a text PDF is read without loading them (the CLI's `extract`).
import type { GreyImage } from './ocr/table-grid.ts';
import type { UnconfirmedField } from './extract-scan.ts';

/** What OCR could not read with confidence on a scanned form: a person confirms it. */
export interface ScanReading {
  unconfirmed: UnconfirmedField[];
  /** The files whose pages make up the form, in page order. */
  pageFiles: string[];
}

/** Both forms have at least five tables; fewer found in a recognised PDF means its layout was not understood. */
const MIN_TABLES = 5;

export type FileVerdict =
  | { role: 'form'; type: FileType; kind: string; application: ApplicationBase; document: DocumentModel; score: number; scan?: ScanReading }
  /** A further page of a form scanned or photographed one page per file (the form is on another file). */
  | { role: 'form-page'; type: FileType; note: string }
  | { role: 'document'; type: FileType; document?: DocumentModel; facts: DocumentFacts; note: string }
  /**
   * `reason` is for staff (it may quote a library); `problem` is all the applicant is told (one plain
   * sentence per kind, validate/attachment-findings.ts). Verdicts made elsewhere (a refused archive
   * entry) may lack it; the findings then infer it.
   */
  | { role: 'unsupported'; type: FileType; reason: string; problem?: FileProblem }
  | { role: 'unreadable'; type: FileType; reason: string; problem?: FileProblem };

export interface ExtractOptions {
  /** OCR confidence (0–100) below which a value is not used as read (rules/intake.yaml ocr.minConfidence). */
  ocrMinConfidence?: number;
  /** Limits of the reading worker, for tests; the defaults are the daemon's (isolated-read.ts). */
  limits?: IsolationLimits;
  /**
   * Awaited before the model is recognised: the CLI's `extract` loads the form kinds (which recognising
   * asks) while the worker reads, instead of before it starts.
   */
  ready?: Promise<unknown>;
}

const IMAGE_TYPES: readonly FileType[] = ['jpeg', 'png', 'tiff'];

/**
 * Types whose files are parsed (in the reading worker, by the readers of readers/index.ts, which is not
 * imported here so that mammoth and pdf.js load only in the worker); pictures go to OCR, anything else is
 * unsupported.
 */
const PARSED_TYPES = { docx: 'docx', pdf: 'pdf' } as const;

export async function extractFile(bytes: Uint8Array, filename: string, options: ExtractOptions = {}): Promise<FileVerdict> {
  const type = detectFileType(bytes);
  const refused = problemOfType(type);
  if (refused) return { role: 'unreadable', type, reason: describeFileType(type, filename), problem: refused };
  const format = type === 'docx' || type === 'pdf' ? PARSED_TYPES[type] : undefined;
  if (!format) {
    if (IMAGE_TYPES.includes(type)) return imageDocument(type, bytes, filename, options.ocrMinConfidence ?? 85);
    return { role: 'unsupported', type, reason: describeFileType(type, filename), problem: 'unsupported' };
  }
  let document: DocumentModel;
  try {
    // Parsed in a worker with a heap and time limit: a hostile file costs that worker, never the process.
    document = await readIsolated({ op: 'read', format, bytes, filename }, options.limits);
  } catch (error) {
    if (error instanceof UnreadableFileError) return { role: 'unreadable', type, reason: error.message, problem: error.problem };
    return { role: 'unreadable', type, reason: `読み取り中にエラー: ${(error as Error).message}`, problem: 'damaged' };
  }
  // Taking the model from the worker and recognising it are two pieces of main-thread work (each ~50 ms
  // for the largest document the bounds let through): other events are served between them.
  await new Promise((resolve) => setImmediate(resolve));
  await options.ready;
  // A PDF without a text layer (a scan) has no blocks: its first pages are OCR'd for the exam report;
  // anything else stays a document whose content was not read.
  if (document.blocks.length === 0) return { ...(await scannedPdfDocument(bytes, filename, options.ocrMinConfidence ?? 85)), document };
  const recognised = recogniseForm(document);
  if (!recognised) return { ...documentVerdict(type, filename, fullText(document), '申請書ではない文書'), document };
  try {
    const application = recognised.mapper.map(document);
    // A form whose tables could not be found (a PDF printed without ruling lines, say) would read as
    // empty and send the applicant a list of everything: better told apart as unreadable.
    if (document.format !== 'docx' && tables(document).length < MIN_TABLES) {
      return { role: 'unreadable', type, reason: '申請書の表を読み取れません（PDFの表に罫線がない可能性があります）', problem: 'damaged' };
    }
    if (document.format === 'pdf') markUnfoundMarks(application, filename);
    return { role: 'form', type, kind: recognised.mapper.kind, application, document, score: recognised.score };
  } catch (error) {
    return { role: 'unreadable', type, reason: `申請書の読み取りに失敗: ${(error as Error).message}`, problem: 'damaged' };
  }
}

function documentVerdict(type: FileType, filename: string, text: string | null, note: string): Extract<FileVerdict, { role: 'document' }> {
  const facts = describeDocument(filename, text);
  return { role: 'document', type, facts, note: facts.kind === 'exam-report' ? `試験結果レポート（${facts.read ? '内容を読み取り' : 'ファイル名から判断'}）` : note };
}

/** A photo or scan: OCR'd so that the exam report is recognised; otherwise kept as an unread document. */
async function imageDocument(type: FileType, bytes: Uint8Array, filename: string, minConfidence: number): Promise<FileVerdict> {
  const { preparePixels } = await import('./ocr/prepare-image.ts');
  const { ImageTooLargeError } = await import('./ocr/straighten.ts');
  let prepared: GreyImage;
  try {
    prepared = await preparePixels(bytes);
  } catch (error) {
    return { role: 'unreadable', type, reason: `画像を開けません: ${(error as Error).message}`, problem: error instanceof ImageTooLargeError ? 'too-large' : 'damaged' };
  }
  return ocrDocument(type, [prepared], filename, minConfidence, '画像');
}

/** Pages OCR'd to look for the exam report (one page; a scanned form's first pages are enough to tell). */
const SCANNED_PDF_PAGES = [1, 2];

async function scannedPdfDocument(bytes: Uint8Array, filename: string, minConfidence: number): Promise<Extract<FileVerdict, { role: 'document' }>> {
  const { renderPdfPages } = await import('./readers/pdf.ts');
  const { preparePixels } = await import('./ocr/prepare-image.ts');
  let pages: GreyImage[];
  try {
    pages = await Promise.all((await renderPdfPages(bytes, SCANNED_PDF_PAGES)).map((png) => preparePixels(png)));
  } catch {
    return documentVerdict('pdf', filename, null, '証明書類として保管（スキャンPDF: 画像にできません）');
  }
  return ocrDocument('pdf', pages, filename, minConfidence, 'スキャンPDF');
}

async function ocrDocument(type: FileType, pages: GreyImage[], filename: string, minConfidence: number, what: string): Promise<Extract<FileVerdict, { role: 'document' }>> {
  const { readPageText } = await import('./readers/scan.ts');
  const { OcrTimeoutError, OcrUnavailableError } = await import('./ocr/ocr-engine.ts');
  try {
    for (const page of pages) {
      const facts = describeScannedDocument(filename, await readPageText(page), minConfidence);
      if (facts.kind === 'exam-report') return { role: 'document', type, facts, note: '試験結果レポート（OCRで読み取り）' };
    }
    return documentVerdict(type, filename, null, `証明書類として保管（${what}: 自動読取なし）`);
  } catch (error) {
    if (!(error instanceof OcrUnavailableError) && !(error instanceof OcrTimeoutError)) throw error;
    return documentVerdict(type, filename, null, `証明書類として保管（${error.message}）`);
  }
}
