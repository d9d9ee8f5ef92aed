// A form printed, filled in and sent back as pictures: one scanned PDF, or (from a phone) one photo per
// page. The attachments that were not recognised as anything else are read together as the pages of one
// form, ordered by file name (IMG_0012 before IMG_0013, page2 before page10). The mappers find every
// field by its printed label, not by page position, so pages in the wrong order still read right. Pages
// on which no form table is found (a photo of a certificate, say) stay documents of their own.
import { detectFileType, type FileType } from '../shared/file-type.ts';
import type { FileVerdict, ScanReading } from './extract-file.ts';
import { NotAScannedFormError, readScannedForm } from './extract-scan.ts';
import { OcrTimeoutError, OcrUnavailableError } from './ocr/ocr-engine.ts';
import { PageImageError } from './ocr/straighten.ts';
import type { ScanPage } from './readers/scan.ts';
import { imagePages, MAX_IMAGE_PAGES } from './ocr/image-pages.ts';
import { tables } from './document.ts';

/** More pages than both forms have, with room for a page sent twice; beyond it a mail is not a form. */
const MAX_SCANNED_PAGES = MAX_IMAGE_PAGES;

const IMAGE_TYPES: readonly FileType[] = ['jpeg', 'png', 'tiff'];

export interface ScannedFile {
  filename: string;
  content: Uint8Array;
  verdict: FileVerdict;
}

export interface ScannedFormFiles {
  /** Index (in the files given) of the file the form is filed under: its first page. */
  formFile: number;
  /** Indices of the other files holding pages of the form. */
  pageFiles: number[];
  verdict: Extract<FileVerdict, { role: 'form' }>;
}

/** An attachment that may be a page of a scanned form: a picture or a PDF without text, not the exam report. */
function isCandidate(f: ScannedFile): boolean {
  if (f.verdict.role !== 'document' || f.verdict.facts.kind === 'exam-report') return false;
  const type = detectFileType(f.content);
  if (IMAGE_TYPES.includes(type)) return true;
  return type === 'pdf' && f.verdict.document !== undefined && f.verdict.document.blocks.length === 0;
}

const byName = new Intl.Collator('ja', { numeric: true, sensitivity: 'base' });

/**
 * Reads the mail's pictures and scanned PDFs as one form. Returns null when there are none, when OCR is
 * unavailable, or when what they show is not a form (they then stay documents, as before).
 */
export async function readScannedFormFiles(files: readonly ScannedFile[], minConfidence: number): Promise<ScannedFormFiles | null> {
  const candidates = files.map((f, i) => ({ f, i })).filter((x) => isCandidate(x.f)).sort((a, b) => byName.compare(a.f.filename, b.f.filename));
  if (candidates.length === 0) return null;
  const pages: ScanPage[] = [];
  const fileOfPage = new Map<number, number>();
  for (const { f, i } of candidates) {
    const add = (image: Uint8Array) => {
      if (pages.length >= MAX_SCANNED_PAGES) return;
      pages.push({ number: pages.length + 1, image });
      fileOfPage.set(pages.length, i);
    };
    // A file that cannot be split into pages adds none; it stays a document.
    for (const image of await imagePages(f.content, MAX_SCANNED_PAGES - pages.length).catch(() => [])) add(image);
  }
  if (pages.length === 0) return null;
  let read;
  try {
    read = await readScannedForm(pages, candidates.map((c) => c.f.filename).join(', '), minConfidence);
  } catch (error) {
    // Not a form, no OCR here, or a page that cannot be opened or is too large: the files stay
    // documents (an unopenable image is already an unreadable attachment with its reason).
    if (error instanceof NotAScannedFormError || error instanceof OcrUnavailableError || error instanceof OcrTimeoutError || error instanceof PageImageError) return null;
    throw error;
  }
  // The files with at least one page on which a form table was found.
  const withTables = new Set<number>();
  for (const t of tables(read.document)) {
    const page = Number(/^ページ (\d+)/.exec(t.location)?.[1]);
    const file = fileOfPage.get(page);
    if (file !== undefined) withTables.add(file);
  }
  const formFiles = candidates.map((c) => c.i).filter((i) => withTables.has(i));
  if (formFiles.length === 0) return null;
  const [formFile, ...pageFiles] = formFiles as [number, ...number[]];
  const scan: ScanReading = { unconfirmed: read.unconfirmed, pageFiles: formFiles.map((i) => files[i]!.filename) };
  return {
    formFile, pageFiles,
    verdict: { role: 'form', type: detectFileType(files[formFile]!.content), kind: read.kind, application: read.application, document: read.document, score: read.score, scan },
  };
}
