// A scanned or photographed form, possibly one file per page, read by OCR into its application with a
// confidence on every value. Used by `conken extract` so staff can read a scan's fields; the daemon does
// not yet take OCR'd forms as read (their accuracy is still measured, see BENCHMARKS.md), it gives them to
// staff as exceptions.
import type { ApplicationBase } from './forms/form-kind.ts';
import type { Provenance } from './document.ts';
import { detectFileType } from './file-type.ts';
import { recogniseForm } from './forms/index.ts';
import { pdfPageCount, renderPdfPages } from './readers/pdf.ts';
import { readScannedPages, type ScanPage } from './readers/scan.ts';

export interface ScannedForm {
  kind: string;
  application: ApplicationBase;
  /** Fields (dictionary keys; rows as `experience[2].from`) read below the confidence threshold. */
  unconfirmed: { field: string; text: string; confidence: number }[];
}

export class NotAScannedFormError extends Error {}

/** The pages of the given files, in order: an image is one page, an image-only PDF all of its pages. */
async function pagesOf(files: { bytes: Uint8Array; name: string }[]): Promise<ScanPage[]> {
  const pages: ScanPage[] = [];
  for (const f of files) {
    const type = detectFileType(f.bytes);
    if (type === 'pdf') {
      const count = await pdfPageCount(f.bytes);
      for (const png of await renderPdfPages(f.bytes, Array.from({ length: count }, (_, i) => i + 1))) pages.push({ number: pages.length + 1, image: png });
    } else if (type === 'jpeg' || type === 'png' || type === 'tiff') {
      pages.push({ number: pages.length + 1, image: f.bytes });
    } else throw new NotAScannedFormError(`${f.name}: 画像でもPDFでもありません`);
  }
  return pages;
}

function lowConfidence(sources: Record<string, Provenance | undefined>, prefix: string, threshold: number, out: ScannedForm['unconfirmed']): void {
  for (const [field, source] of Object.entries(sources)) {
    if (source && source.confidence < threshold && source.text.trim() !== '') out.push({ field: `${prefix}${field}`, text: source.text, confidence: Math.round(source.confidence * 100) });
  }
}

export async function extractScannedForm(files: { bytes: Uint8Array; name: string }[], minConfidence: number): Promise<ScannedForm> {
  const pages = await pagesOf(files);
  const document = await readScannedPages(pages, files.map((f) => f.name).join(', '));
  const recognised = recogniseForm(document);
  if (!recognised) throw new NotAScannedFormError('OCRで読んだ内容から申請書の種類を判別できません');
  const application = recognised.mapper.map(document);
  const unconfirmed: ScannedForm['unconfirmed'] = [];
  const threshold = minConfidence / 100;
  lowConfidence(application.sources, '', threshold, unconfirmed);
  for (const [key, value] of Object.entries(application)) {
    if (!Array.isArray(value)) continue;
    value.forEach((row: { sources?: Record<string, Provenance | undefined> }, i) => row.sources && lowConfidence(row.sources, `${key}[${i + 1}].`, threshold, unconfirmed));
  }
  return { kind: recognised.mapper.kind, application, unconfirmed };
}
