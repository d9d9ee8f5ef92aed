// Text PDFs (a form exported from Word or LibreOffice, or printed to PDF) into the same document model the
// .docx reader makes, so one form mapper serves both. The tables come from pdf-parse's table finder (the
// ruling lines of the page, then the text inside each cell), the paragraphs from the text lines, and two
// things a text dump loses are recovered from positions on the page: a checkbox glyph (☒/☐) in front of
// the agreement sentence becomes its one-cell table, and a picture placed in a 署名 row is counted as that
// row's signature. A PDF without a text layer (a scan) has no blocks: OCR is its reader.
import path from 'node:path';
import { createRequire } from 'node:module';
import type { Block, Cell, DocumentModel, Paragraph, Table } from '../document.ts';
import { UnreadableFileError, type DocumentReader } from './reader.ts';
import { key } from '../forms/form-helpers.ts';
import { inflateSync, constants as zlibConstants } from 'node:zlib';
import { readIsolated } from '../isolated-read.ts';

const require = createRequire(import.meta.url);
// Predefined CJK CMaps (UniJIS-UCS2-H …) used by Japanese PDFs whose fonts are not embedded: without
// them pdf.js extracts no text. They ship inside pdfjs-dist; nothing is fetched from the network.
const PDFJS_DIR = path.dirname(require.resolve('pdfjs-dist/package.json'));
export const PDFJS_OPTIONS = {
  cMapUrl: `${path.join(PDFJS_DIR, 'cmaps')}/`,
  cMapPacked: true,
  standardFontDataUrl: `${path.join(PDFJS_DIR, 'standard_fonts')}/`,
  verbosity: 0,
  isEvalSupported: false,
} as const;

/** Fewer letters than this per page: the page is an image (a scan) and has nothing for us to read. */
const MIN_LETTERS_PER_PAGE = 20;
const CHECK_GLYPHS = /^[☒☐☑■□✓✔☓✕×]/;

interface TextItem { text: string; x: number; y: number }
interface Box { x0: number; y0: number; x1: number; y1: number }
interface PageGeometry { items: TextItem[]; images: Box[] }

/**
 * pdf.js puts a space where the font changes, so Japanese text with Latin digits reads
 * "2025 年 7 月 15 日"; the applicant typed no such spaces. Removed between CJK and ASCII letters or digits.
 */
export function closePdfSpaces(text: string): string {
  const cjk = '\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}ー・（）「」、。：\\u3000-\\u303f\\uff00-\\uffef';
  return text
    .replace(new RegExp(`(?<=[${cjk}]) (?=[0-9A-Za-z(])`, 'gu'), '')
    .replace(new RegExp(`(?<=[0-9A-Za-z).,]) (?=[${cjk}])`, 'gu'), '');
}

const WRAPS_AFTER = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}ー]$/u;
const STARTS_OWN_LINE = /^[\s　]*(?:[自至※＊*・·•○〇◯●◎■□☑☒✓✔]|[0-9０-９]+[.．、)）]|[（(]|[A-Za-z0-9０-９]{2,}[-－ー@])/;

/**
 * A cell's text wraps at its right edge, and the PDF shows each visual line on its own. A line ending
 * in Japanese followed by one that does not start a new item (自/至, ※, a bullet or a mark, a number) is
 * the same line wrapped, and is joined back without a space.
 */
export function joinWrappedLines(lines: string[]): string[] {
  const out: string[] = [];
  for (const line of lines) {
    const previous = out[out.length - 1];
    if (previous !== undefined && WRAPS_AFTER.test(previous.trimEnd()) && line.trim() !== '' && /^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}ー]/u.test(line.trim()) && !STARTS_OWN_LINE.test(line)) {
      out[out.length - 1] = previous.trimEnd() + line.trim();
    } else out.push(line);
  }
  return out;
}

function cellOf(text: string, location: string, colSpan: number): Cell {
  const lines = joinWrappedLines(text.split('\n'));
  const paragraphs: Paragraph[] = lines.map((line) => paragraph(line, location));
  return { paragraphs, text: paragraphs.map((p) => p.text).join('\n'), colSpan, images: 0, location };
}

function paragraph(raw: string, location: string): Paragraph {
  const text = closePdfSpaces(raw);
  return { kind: 'paragraph', text, runs: [{ text, bold: false, underline: false, strike: false, highlight: null }], listItem: false, location, confidence: 1 };
}

/** Multiply two PDF matrices [a b c d e f]. */
function multiply(m: number[], n: number[]): number[] {
  return [
    m[0]! * n[0]! + m[1]! * n[2]!, m[0]! * n[1]! + m[1]! * n[3]!,
    m[2]! * n[0]! + m[3]! * n[2]!, m[2]! * n[1]! + m[3]! * n[3]!,
    m[4]! * n[0]! + m[5]! * n[2]! + n[4]!, m[4]! * n[1]! + m[5]! * n[3]! + n[5]!,
  ];
}

type PdfPage = Awaited<ReturnType<Awaited<ReturnType<typeof import('pdfjs-dist/legacy/build/pdf.mjs').getDocument>['promise']>['getPage']>>;

async function pageGeometry(page: PdfPage, OPS: Record<string, number>): Promise<PageGeometry> {
  const content = await page.getTextContent();
  const items: TextItem[] = [];
  for (const item of content.items) {
    if (!('str' in item) || item.str.trim() === '') continue;
    items.push({ text: item.str, x: item.transform[4] as number, y: item.transform[5] as number });
  }
  // Pictures: every image painted, with the transformation matrix in force (the unit square it fills).
  const list = await page.getOperatorList();
  const images: Box[] = [];
  const stack: number[][] = [];
  let ctm = [1, 0, 0, 1, 0, 0];
  const IMAGE_OPS = new Set([OPS.paintImageXObject, OPS.paintInlineImageXObject, OPS.paintImageMaskXObject, OPS.paintImageXObjectRepeat]);
  list.fnArray.forEach((fn: number, i: number) => {
    const args = list.argsArray[i] as unknown[];
    if (fn === OPS.save) stack.push(ctm);
    else if (fn === OPS.restore) ctm = stack.pop() ?? ctm;
    else if (fn === OPS.transform) ctm = multiply(args as number[], ctm);
    else if (fn === OPS.paintFormXObjectBegin) {
      stack.push(ctm);
      if (Array.isArray(args[0])) ctm = multiply(args[0] as number[], ctm);
    } else if (fn === OPS.paintFormXObjectEnd) ctm = stack.pop() ?? ctm;
    else if (IMAGE_OPS.has(fn)) {
      const xs = [ctm[4]!, ctm[4]! + ctm[0]!, ctm[4]! + ctm[2]!, ctm[4]! + ctm[0]! + ctm[2]!];
      const ys = [ctm[5]!, ctm[5]! + ctm[1]!, ctm[5]! + ctm[3]!, ctm[5]! + ctm[1]! + ctm[3]!];
      const box = { x0: Math.min(...xs), y0: Math.min(...ys), x1: Math.max(...xs), y1: Math.max(...ys) };
      // Tiny images are bullets and rules, not signatures.
      if (box.x1 - box.x0 > 20 && box.y1 - box.y0 > 8) images.push(box);
    }
  });
  return { items, images };
}

/**
 * In a label | value table, a picture to the right of a label and above the next row's label belongs
 * to that row's value cell (how a pasted signature shows up in 署名（自署）).
 */
function attachImages(table: Table, geometry: PageGeometry): void {
  if (geometry.images.length === 0) return;
  // A label may come as several text items (署 / 名 when Word spaces its glyphs out): the items of one
  // baseline are joined, left to right, and matched from the line's first item.
  const lines = new Map<number, TextItem[]>();
  for (const it of geometry.items) {
    const y = Math.round(it.y * 2) / 2;
    lines.set(y, [...(lines.get(y) ?? []), it]);
  }
  const joined = [...lines.values()].flatMap((items) => {
    const sorted = items.sort((a, b) => a.x - b.x);
    // Each item starts a candidate (a label need not be the first thing on its baseline).
    return sorted.map((it, i) => ({ text: sorted.slice(i).map((s) => s.text).join(''), x: it.x, y: it.y }));
  });
  const labelY = table.rows.map((row) => {
    const label = key(row[0]?.paragraphs[0]?.text ?? '');
    if (!label) return undefined;
    return geometry.items.find((it) => key(it.text).startsWith(label) || (label.startsWith(key(it.text)) && key(it.text).length >= 2))
      ?? joined.find((it) => key(it.text).startsWith(label));
  });
  table.rows.forEach((row, r) => {
    const here = labelY[r];
    if (!here || row.length < 2) return;
    const below = labelY.slice(r + 1).find((l) => l !== undefined);
    const top = here.y + 20; // the label's baseline sits a little below the row's top edge
    const bottom = below ? below.y + 12 : here.y - 200;
    for (const img of geometry.images) {
      const mid = (img.y0 + img.y1) / 2;
      if (img.x0 > here.x + 20 && mid < top && mid > bottom) row[row.length - 1]!.images++;
    }
  });
}

/** The agreement sentence with its checkbox glyph: the one-cell table the .docx form has. */
function agreementTables(lines: string[], page: number): Table[] {
  const out: Table[] = [];
  lines.forEach((line, i) => {
    const text = line.trim();
    if (!CHECK_GLYPHS.test(text) || !/^.\s*上記/.test(text)) return;
    const sentence = [text];
    for (let j = i + 1; j < lines.length && j <= i + 2 && !/。$/.test(sentence.join('')); j++) sentence.push(lines[j]!.trim());
    const location = `ページ ${page}, 同意欄`;
    out.push({ kind: 'table', rows: [[cellOf(sentence.join('\n'), location, 1)]], location });
  });
  return out;
}

/**
 * More pages than any form or proof sent with one (a form has 5–9): a PDF with more is refused before
 * any page is parsed (a 20,000-page PDF took two minutes, one of 100,000 pages sharing one page object never ended).
 */
export const MAX_PDF_PAGES = 100;
/**
 * Inflated size of one stream (a 300 dpi A4 colour page is ~26 MB): bounds the memory pdf.js may use for
 * it. All streams together: bounds the time of the check (streams are inflated one at a time, ~1 s per GB).
 */
export const MAX_PDF_STREAM_BYTES = 96 * 1024 * 1024;
export const MAX_PDF_INFLATED_BYTES = 1024 * 1024 * 1024;

const STREAM = Buffer.from('stream');

/**
 * Inflates every Flate-compressed stream once, within bounds, before pdf.js sees the file: pdf.js would
 * inflate a bomb (a stream of a few MB that inflates to 1 GB) into memory outside the worker's heap limit.
 * Streams that are not zlib data (pictures, encrypted streams) are passed over.
 */
export function checkPdfStreams(bytes: Uint8Array): void {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let total = 0;
  for (let at = b.indexOf(STREAM); at >= 0; at = b.indexOf(STREAM, at + STREAM.length)) {
    if (at >= 3 && b.toString('latin1', at - 3, at) === 'end') continue;
    let start = at + STREAM.length;
    if (b[start] === 0x0d) start++;
    if (b[start] !== 0x0a) continue;
    start++;
    if (b[start] !== undefined && (b[start]! & 0x0f) !== 8) continue; // not a zlib header (CM = deflate)
    const end = b.indexOf('endstream', start);
    const data = b.subarray(start, end < 0 ? b.length : end);
    let inflated: number;
    try {
      // A sync flush at the end: a stream cut short still counts what it inflates to.
      inflated = inflateSync(data, { maxOutputLength: MAX_PDF_STREAM_BYTES, finishFlush: zlibConstants.Z_SYNC_FLUSH }).length;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
        throw new UnreadableFileError(`PDFのストリームが展開後に上限（${MAX_PDF_STREAM_BYTES / 1048576}MB）を超えます`, 'too-large');
      }
      continue; // not Flate data after all
    }
    total += inflated;
    if (total > MAX_PDF_INFLATED_BYTES) throw new UnreadableFileError(`PDFのストリームの展開後の合計が上限（${MAX_PDF_INFLATED_BYTES / 1048576}MB）を超えます`, 'too-large');
    if (end > 0) at = end;
  }
}

function pdfError(error: unknown): UnreadableFileError {
  if (error instanceof UnreadableFileError) return error;
  if ((error as Error).name === 'PasswordException') return new UnreadableFileError('パスワードで保護されたPDFです', 'protected');
  return new UnreadableFileError(`PDFを開けません: ${(error as Error).message}`, 'damaged');
}

/** Loads a PDF with pdf.js after the stream check, refusing it before any page is parsed when it has too many. */
async function openPdf(bytes: Uint8Array) {
  checkPdfStreams(bytes);
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const loading = pdfjs.getDocument({ data: new Uint8Array(bytes), ...PDFJS_OPTIONS });
  try {
    const doc = await loading.promise;
    if (doc.numPages > MAX_PDF_PAGES) throw new UnreadableFileError(`PDFのページ数が多すぎます（${doc.numPages}ページ、上限 ${MAX_PDF_PAGES}）`, 'too-large');
    return { pdfjs, loading, doc };
  } catch (error) {
    await loading.destroy().catch(() => undefined);
    throw pdfError(error);
  }
}

/**
 * Reads a PDF in this thread. Untrusted files are read through extractFile, which runs this in a worker
 * with a heap and time limit (isolated-read.ts); the bounds here keep that worker's work small.
 */
export const pdfReader: DocumentReader = {
  types: ['pdf'],
  async read(bytes, filename) {
    const { pdfjs, loading, doc } = await openPdf(bytes);
    const { PDFParse } = await import('pdf-parse');
    const parser = new PDFParse({ data: new Uint8Array(bytes), ...PDFJS_OPTIONS });
    try {
      const text = await parser.getText();
      const tables = await parser.getTable();
      const blocks: Block[] = [];
      let tableNo = 0;
      for (const page of text.pages) {
        const lines = page.text.split('\n').filter((l) => l.trim() !== '');
        const pageTables = tables.pages.find((p) => p.num === page.num)?.tables ?? [];
        // A page with a few letters and no table is a scanned page (or a stray footer). A table is text
        // however short: the end of a form's table pushed onto its own page (宣誓日 and 署名) is a page too.
        if (lines.join('').replace(/\s/g, '').length < MIN_LETTERS_PER_PAGE && pageTables.length === 0) continue;
        const geometry = await pageGeometry(await doc.getPage(page.num), pdfjs.OPS as unknown as Record<string, number>);
        lines.forEach((line, i) => blocks.push(paragraph(line, `ページ ${page.num}, ${i + 1}行目`)));
        for (const raw of pageTables) {
          tableNo++;
          const width = Math.max(...raw.map((r) => r.length));
          const rows = raw.map((r, ri) => r.map((cellText, ci) => cellOf(cellText, `ページ ${page.num}, 表 ${tableNo}, 行 ${ri + 1}, 列 ${ci + 1}`, r.length === 1 ? width : 1)));
          const table: Table = { kind: 'table', rows, location: `ページ ${page.num}, 表 ${tableNo}` };
          attachImages(table, geometry);
          blocks.push(table);
        }
        blocks.push(...agreementTables(lines, page.num));
      }
      return { file: filename, format: 'pdf', blocks } satisfies DocumentModel;
    } catch (error) {
      throw pdfError(error);
    } finally {
      await parser.destroy().catch(() => undefined);
      await loading.destroy().catch(() => undefined);
    }
  },
};

/** Pages of a PDF as PNG images (pdf.js on @napi-rs/canvas), in this thread: see renderPdfPages. */
export async function renderPdfPagesInProcess(bytes: Uint8Array, pages: number[], scale = 2.8): Promise<Buffer[]> {
  const { loading, doc } = await openPdf(bytes);
  const wanted = pages.filter((p) => p >= 1 && p <= doc.numPages);
  await loading.destroy().catch(() => undefined);
  if (wanted.length === 0) return [];
  const { PDFParse } = await import('pdf-parse');
  const parser = new PDFParse({ data: new Uint8Array(bytes), ...PDFJS_OPTIONS });
  try {
    const shots = await parser.getScreenshot({ partial: wanted, scale, imageBuffer: true, imageDataUrl: false });
    return shots.pages.map((p) => Buffer.from(p.data));
  } catch (error) {
    throw pdfError(error);
  } finally {
    await parser.destroy().catch(() => undefined);
  }
}

/** How many pages a PDF has, in this thread: see pdfPageCount. */
export async function pdfPageCountInProcess(bytes: Uint8Array): Promise<number> {
  const { loading, doc } = await openPdf(bytes);
  try {
    return doc.numPages;
  } finally {
    await loading.destroy().catch(() => undefined);
  }
}

/** Pages of a PDF as PNG images, for OCR of scans; 2.8 ≈ 200 dpi on A4. Rendered in the reading worker. */
export async function renderPdfPages(bytes: Uint8Array, pages: number[], scale = 2.8): Promise<Buffer[]> {
  return (await readIsolated({ op: 'render-pdf', bytes, pages, scale })).map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength));
}

/** How many pages a PDF has (a scan given to `conken extract` is OCR'd page by page); read in the worker. */
export async function pdfPageCount(bytes: Uint8Array): Promise<number> {
  return readIsolated({ op: 'pdf-page-count', bytes });
}
