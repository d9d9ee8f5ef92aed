// A scanned or photographed form, possibly one file per page, read by OCR into its application with a
// confidence on every value. Used by `conken extract` so staff can read a scan's fields; the daemon does
// not yet take OCR'd forms as read (their accuracy is still measured, see BENCHMARKS.md), it gives them to
// staff as exceptions.
import { applicationValues, fieldSources, type ApplicationBase } from './forms/form-kind.ts';
import type { Cell, DocumentModel, Paragraph } from './document.ts';
import { detectFileType } from '../shared/file-type.ts';
import { recogniseForm } from './forms/index.ts';
import { CELL_INSET, crop, scanPages, type ScanPage } from './readers/scan.ts';
import { DISAGREEMENT_CONFIDENCE, readablesByLocation, rereadValueCells } from './ocr/reread-values.ts';
import { imagePages } from './ocr/image-pages.ts';
import { markUnfoundMarks } from './unfound-marks.ts';

export interface UnconfirmedField {
  /** Dictionary key; rows as `experience[2].from`. */
  field: string;
  text: string;
  /** 0..100 */
  confidence: number;
  location: string;
  /** The cell as scanned (PNG), for the person who confirms the value. */
  crop?: Buffer;
}

export interface ScannedForm {
  kind: string;
  /** 0..1: how sure the mapper is that this is its form. */
  score: number;
  application: ApplicationBase;
  /** The scan as read (second reading of the value cells included). */
  document: DocumentModel;
  /** Fields read below the confidence threshold: a person confirms them. */
  unconfirmed: UnconfirmedField[];
}

export class NotAScannedFormError extends Error {}

/** The pages of the given files, in order: an image is one page, an image-only PDF all of its pages. */
async function pagesOf(files: { bytes: Uint8Array; name: string }[]): Promise<ScanPage[]> {
  const pages: ScanPage[] = [];
  for (const f of files) {
    const type = detectFileType(f.bytes);
    if (type !== 'pdf' && type !== 'jpeg' && type !== 'png' && type !== 'tiff') throw new NotAScannedFormError(`${f.name}: 画像でもPDFでもありません`);
    for (const image of await imagePages(f.bytes)) pages.push({ number: pages.length + 1, image });
  }
  return pages;
}

/**
 * On paper, a signature OCR read as text is not known to be typed: whether ink reads as text depends on
 * the model (the npm first-reading model reads a pasted signature's strokes as characters at 60–90 %).
 * Typed or signed is for a person to see on the crop, never a confident value.
 */
function unconfirmTypedSignatures(app: ApplicationBase): void {
  const cap = (key: string) => {
    for (const k of [key, key.replace(/ignature$/, 'igned')]) {
      const source = app.sources[k];
      if (source) app.sources[k] = { ...source, confidence: Math.min(source.confidence, DISAGREEMENT_CONFIDENCE) };
    }
  };
  for (const [key, value] of Object.entries(app)) {
    if (/[sS]ignature$/.test(key) && value === 'typed') cap(key);
    else if (value && typeof value === 'object' && !Array.isArray(value) && key !== 'sources' && key !== 'invalid') {
      for (const [inner, v] of Object.entries(value)) if (/[sS]ignature$/.test(inner) && v === 'typed') cap(`${key}.${inner}`);
    }
  }
}

/**
 * On a scan, a value the form cannot take (a date read 2026年?月12日, both models alike) is more likely a
 * glyph OCR lost than the applicant's mistake: it is for a person to look at before anything is asked of
 * the applicant, never a confident "invalid" that would send a notice about a date written right. Every
 * value in `invalid`, the application's and each row's, is unconfirmed.
 */
export function unconfirmUnparsed(app: ApplicationBase): void {
  const cap = (sources: Record<string, { confidence: number }> | undefined, field: string) => {
    for (const k of sourceKey(field)) {
      const source = sources?.[k];
      if (source) sources[k] = { ...source, confidence: Math.min(source.confidence, DISAGREEMENT_CONFIDENCE) };
    }
  };
  for (const field of Object.keys(app.invalid ?? {})) cap(app.sources, field);
  for (const value of Object.values(app)) {
    if (!Array.isArray(value)) continue;
    for (const row of value as { invalid?: Record<string, string>; sources?: Record<string, { confidence: number }> }[]) {
      // A row's period is one cell: its ends' evidence is kept under `period`.
      for (const field of Object.keys(row?.invalid ?? {})) cap(row.sources, /^(?:from|to)$/.test(field) ? 'period' : field);
    }
  }
}

/** Where a value's evidence is kept: a period's ends under `period`, how a signature was made under its `…Signed`. */
function sourceKey(field: string): string[] {
  return [field, field.replace(/\.(?:from|to|ongoing)$/, '.period'), field.replace(/ignature$/, 'igned')];
}

/** The cell a value came from (a period's ends: the period's cell). */
function locationOf(sources: Map<string, { location: string }>, field: string): string | undefined {
  return sourceKey(field).map((k) => sources.get(k)?.location).find((l) => l !== undefined);
}

/** A field's name without row numbers: cpd[3].title → cpd[].title. */
function unnumbered(field: string): string {
  return field.replace(/\[\d+\]/g, '[]');
}

/**
 * Values the first reading found and the second lost: the cells they came from get their first reading
 * back, unconfirmed. The second model misreads a glyph the form's structure needs too (至 of a period as
 * 友 on a bilevel scan, a bracket dropped), and the value then vanished from the form as if the applicant
 * had left it blank; the first reading is the only one that saw it, so a person confirms it. Returns
 * whether any cell was given back.
 */
export function restoreLostValues(doc: DocumentModel, before: Map<string, { paragraphs: Paragraph[]; text: string; confidence?: number }>, first: ApplicationBase, second: ApplicationBase): boolean {
  const now = applicationValues(second);
  const sources = fieldSources(first);
  const current = readablesByLocation(doc);
  // The values the second reading still takes from each cell, by the field's name without its row
  // number: a row the first reading took from a misread blank (年月日 read 和正月) is gone in the second,
  // and the rows after it are numbered one less — their values are not lost, only renumbered.
  const secondSources = fieldSources(second);
  const stillRead = new Set([...now].filter(([, v]) => v.value !== '').map(([f]) => `${locationOf(secondSources, f)}|${unnumbered(f)}`));
  let restored = false;
  for (const [field, value] of applicationValues(first)) {
    if (value.value === '' || now.has(field)) continue;
    if (stillRead.has(`${locationOf(sources, field)}|${unnumbered(field)}`)) continue;
    // Both qualifications marked has no single value, but it is what the second reading read, not a loss.
    if (field === 'qualification' && ((second as { qualificationMarked?: string[] }).qualificationMarked?.length ?? 0) > 1) continue;
    const location = locationOf(sources, field);
    const then = location === undefined ? undefined : before.get(location);
    const cell = location === undefined ? undefined : current.get(location);
    if (!then || !cell) continue;
    const capped = (p: Paragraph) => ({ ...p, confidence: Math.min(p.confidence, DISAGREEMENT_CONFIDENCE) });
    if ('kind' in cell) {
      cell.text = then.text;
      cell.runs = [{ ...cell.runs[0]!, text: then.text }];
      cell.confidence = Math.min(then.confidence ?? 0, DISAGREEMENT_CONFIDENCE);
    } else {
      cell.paragraphs = then.paragraphs.map(capped);
      cell.text = then.text;
    }
    restored = true;
  }
  return restored;
}

/**
 * Reads a scanned form: every cell once to find the form, the value cells again (reread-values.ts), then
 * the form mapped from the second reading. Values below the threshold are listed with their crops.
 */
export async function readScannedForm(pages: ScanPage[], file: string, minConfidence: number): Promise<ScannedForm> {
  const scan = await scanPages(pages, file);
  const recognised = recogniseForm(scan.document);
  if (!recognised) throw new NotAScannedFormError('OCRで読んだ内容から申請書の種類を判別できません');
  const first = recognised.mapper.map(scan.document);
  const before = new Map([...readablesByLocation(scan.document)].map(([location, r]) => [location, 'kind' in r
    ? { paragraphs: [], text: r.text, confidence: r.confidence }
    : { paragraphs: r.paragraphs, text: r.text }] as const));
  await rereadValueCells(scan.document, first, scan.pages, (doc) => recognised.mapper.map(doc));
  let application = recognised.mapper.map(scan.document);
  if (restoreLostValues(scan.document, before, first, application)) application = recognised.mapper.map(scan.document);
  markUnfoundMarks(application, file);
  unconfirmTypedSignatures(application);
  unconfirmUnparsed(application);
  const regions = new Map(scan.document.blocks.flatMap((b) => b.kind === 'table' ? b.rows.flat().map((c) => [c.location, c.region] as const) : []));
  const unconfirmed: UnconfirmedField[] = [];
  for (const [field, source] of fieldSources(application)) {
    if (source.confidence * 100 >= minConfidence || source.text.trim() === '') continue;
    const region = regions.get(source.location);
    const page = region && scan.pages.get(region.page);
    unconfirmed.push({
      field, text: source.text, confidence: Math.round(source.confidence * 100), location: source.location,
      crop: region && page ? await crop(page, region, CELL_INSET) : undefined,
    });
  }
  return { kind: recognised.mapper.kind, score: recognised.score, application, document: scan.document, unconfirmed };
}

export async function extractScannedForm(files: { bytes: Uint8Array; name: string }[], minConfidence: number): Promise<ScannedForm> {
  return readScannedForm(await pagesOf(files), files.map((f) => f.name).join(', '), minConfidence);
}
