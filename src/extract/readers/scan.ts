// Scanned and photographed forms (images, and PDFs without a text layer) into the document model, so the
// same form mappers read them. Each page: prepared (grey, ~300 dpi), its ruling lines found and each table
// cell read by itself as one block (full-page OCR loses rows of forms), the text outside the tables read as
// a page. A table confirmed as one of a known form's (forms/layouts.ts) has its printed labels filled from
// the layout instead of read; only its value cells are OCR'd. Every paragraph carries tesseract's
// confidence (0..1; 1 for a label from the layout); the validators turn values read below the
// threshold into `field.unconfirmed` for a person, never into a guess. Ink in a cell without readable text
// (a handwritten signature) is counted like a pasted picture.
import sharp from 'sharp';
import type { Block, Cell, DocumentModel, Paragraph, Table } from '../document.ts';
import { recognise, type OcrResult } from '../ocr/ocr-engine.ts';
import { preparePixels } from '../ocr/prepare-image.ts';
import { findTables, inkCount, inkRatio, textLinesOutside, type Box, type GreyImage, type GridCell, type GridTable } from '../ocr/table-grid.ts';
import { otsuThreshold } from '../ocr/otsu.ts';
import { checkboxGlyph, tidyOcrText } from '../ocr/ocr-text.ts';
import { FORM_LAYOUTS, layoutCell, layoutMatches, type FormLayouts, type FoundRow, type LayoutMatch } from '../forms/layouts.ts';
import { recogniseForm } from '../forms/index.ts';
import { key, nearLabel } from '../forms/form-helpers.ts';
import { distance } from 'fastest-levenshtein';

/**
 * A cell with fewer dark pixels than this is blank (the borders are inset away): a single printed digit
 * at ~300 dpi has several hundred, so one ７ in a wide cell is still read. More ink than HANDWRITING_INK
 * (a share of the cell) without readable text is handwriting.
 */
const BLANK_INK_PIXELS = 120;
const HANDWRITING_INK = 0.01;
/** OCR lines below this confidence in a cell with ink are taken for handwriting, not text. */
const HANDWRITING_CONFIDENCE = 55;
export const CELL_INSET = 6;
/** Share of the inside of a checkbox that is ink: above TICK_INK ticked; sure only outside the middle band. */
const TICK_INK = 0.06;
const EMPTY_BOX_INK_MAX = 0.03;
const TICKED_BOX_INK_MIN = 0.1;
/** The confidence (0..100) of a box whose ink is outside the middle band. */
const SURE_BOX_CONFIDENCE = 95;
/** Lines outside tables: all are read on a page with at most this many, else the first and last few. */
const MAX_LINES_READ = 12;
const EDGE_LINES = 4;
/** A text line's box is tight: a margin around it keeps the glyphs whole. */
const LINE_MARGIN = 6;

export interface ScanPage {
  /** 1-based page number within the form. */
  number: number;
  image: Uint8Array;
}

export function paragraph(text: string, location: string, confidence: number): Paragraph {
  return { kind: 'paragraph', text, runs: [{ text, bold: false, underline: false, strike: false, highlight: null }], listItem: false, location, confidence };
}

/** A dark run this many times a text line's height long is a rule (an underline), not a stroke of a glyph. */
const RULE_TO_LINE_HEIGHT = 2.5;
/** A rule's grey: lighter than ink, since a thin line is anti-aliased by the scanner. */
const RULE_INK = 200;
/** A row this much of whose width is rule-grey is an underline, even broken (the blank and the typed value underlined apart). */
const RULE_ROW_SHARE = 0.4;
/** In such a row, runs this long are the rule; shorter ones are the glyph strokes crossing it. */
const RULE_PIECE = 12;

/**
 * Rules whitened in place: every horizontal run of dark pixels at least `minRun` long, and in a row that
 * is mostly rule, every piece of it. The blank a form prints for a value (申請年月日＿＿＿＿) is underlined;
 * left in the crop, the underline reads as _ ニー ババ around the typed date. A glyph's strokes are never
 * longer than a few characters.
 */
export function eraseRules(pixels: Uint8Array, width: number, height: number, minRun: number): void {
  // Relative to the crop's paper: on a grey, noisy page (a 150 dpi JPEG) the paper itself can be darker
  // than RULE_INK, and every row would look like a rule. Lowered only there: at paper - 60 every page's
  // threshold fell below RULE_INK, a rule's grey fringe on white paper stayed as a faint line under the
  // date, and the held-apart 200 dpi scan's 申請年月日 line no longer read.
  const histogram = new Uint32Array(256);
  for (const v of pixels) histogram[v]!++;
  let seen = 0;
  let paper = 255;
  for (let v = 255; v >= 0; v--) { seen += histogram[v]!; if (seen >= pixels.length / 2) { paper = v; break; } }
  const ruleInk = Math.min(RULE_INK, paper - 40);
  // A row mostly dark is a rule where some run of it is a rule's length, and so are the mostly dark rows
  // touching it (a bilevel scan's rule frays into pieces along its edge). A line of text whose glyphs'
  // bottom strokes stand at one height (申請年月日 2026 年 2 月 12 日 in a sans-serif font) darkens 40 % of
  // a row too, in glyph-long runs, and taking them for rule pieces cut every bar there (年 2 月 read 年?月).
  const mostlyDark = new Array<boolean>(height);
  const ruleRows = new Array<boolean>(height);
  for (let y = 0; y < height; y++) {
    let dark = 0;
    let run = 0;
    let longest = 0;
    for (let x = 0; x < width; x++) {
      if (pixels[y * width + x]! < ruleInk) { dark++; run++; longest = Math.max(longest, run); } else run = 0;
    }
    mostlyDark[y] = dark >= width * RULE_ROW_SHARE;
    ruleRows[y] = mostlyDark[y]! && longest >= minRun;
  }
  for (let y = 1; y < height; y++) if (ruleRows[y - 1] && mostlyDark[y]) ruleRows[y] = true;
  for (let y = height - 2; y >= 0; y--) if (ruleRows[y + 1] && mostlyDark[y]) ruleRows[y] = true;
  // An underline is a few rows thick; a thick band of "rule rows" is text on a dark, noisy page.
  const thickest = Math.max(4, Math.round(height * 0.15));
  for (let y = 0; y < height;) {
    let end = y;
    while (end < height && ruleRows[end]) end++;
    if (end - y > thickest) for (let k = y; k < end; k++) ruleRows[k] = false;
    y = Math.max(end, y + 1);
  }
  // The rule's pixels, found first and whitened after: a glyph standing on the rule (the foot of 申, the
  // bottom stroke of its 日 lying on the line) makes one dark run with it in that row, and whitening the
  // whole run cut the glyph (申 read as 中, and the label 申請年月日 was lost).
  const rule = new Uint8Array(pixels.length);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    const ruleRow = ruleRows[y]!;
    let start = -1;
    for (let x = 0; x <= width; x++) {
      const isDark = x < width && pixels[row + x]! < ruleInk;
      if (isDark && start < 0) start = x;
      else if (!isDark && start >= 0) {
        if (x - start >= minRun || (ruleRow && x - start >= RULE_PIECE)) rule.fill(1, row + start, row + x);
        start = -1;
      }
    }
  }
  // Each rule pixel's column: how tall the dark run through it is. Where the rule is alone that is the
  // rule's thickness; where a stroke runs into it or stands on it, taller. Only the rule alone is
  // whitened, so a glyph keeps its strokes (and the bit of rule under them, a slightly thicker foot).
  const tall = new Uint16Array(pixels.length);
  const runs: number[] = [];
  for (let x = 0; x < width; x++) {
    for (let y = 0; y < height;) {
      if (pixels[y * width + x]! >= ruleInk) { y++; continue; }
      let end = y;
      let hasRule = false;
      while (end < height && pixels[end * width + x]! < ruleInk) { if (rule[end * width + x]) hasRule = true; end++; }
      for (let k = y; k < end; k++) tall[k * width + x] = end - y;
      if (hasRule) runs.push(end - y);
      y = end;
    }
  }
  if (runs.length === 0) return;
  runs.sort((a, b) => a - b);
  const thickness = runs[Math.floor(runs.length / 2)]!;
  const limit = thickness + Math.max(1, Math.round(thickness / 2));
  for (let i = 0; i < pixels.length; i++) if (rule[i] && tall[i]! <= limit) pixels[i] = 255;
}

/**
 * Ink black and paper white, split at Otsu's threshold. A noisy 200 dpi scan's digits are thin and grey on
 * mottled paper, and npm's jpn 4.0.0 models read them as junk (2025/7/18 as `2.0.の5 員`, at 0–30 %, so the
 * cell was taken for handwriting); split in two, they read it at 90 %.
 */
function binarise(pixels: Uint8Array): void {
  const histogram = new Uint32Array(256);
  for (const v of pixels) histogram[v]!++;
  const threshold = otsuThreshold(histogram);
  for (let i = 0; i < pixels.length; i++) pixels[i] = pixels[i]! <= threshold ? 0 : 255;
}

/**
 * A region of a prepared page as a PNG for OCR (or for staff to look at). Cut from the page's grey
 * pixels in memory: decoding the page's PNG again for each of its fifty cells cost more than reading them.
 */
export async function crop(page: GreyImage, box: Box, inset: number, options: { eraseRules?: boolean; binarise?: boolean } = {}): Promise<Buffer> {
  // A negative inset takes a margin around the box (a text line's box is tight): kept on the page.
  const left = Math.max(0, Math.min(page.width - 1, box.x0 + inset));
  const top = Math.max(0, Math.min(page.height - 1, box.y0 + inset));
  const width = Math.max(left + 1, Math.min(page.width, box.x1 - inset)) - left;
  const height = Math.max(top + 1, Math.min(page.height, box.y1 - inset)) - top;
  const pixels = Buffer.allocUnsafe(width * height);
  for (let y = 0; y < height; y++) pixels.set(page.data.subarray((top + y) * page.width + left, (top + y) * page.width + left + width), y * width);
  if (options.eraseRules) eraseRules(pixels, width, height, Math.max(40, Math.round((box.y1 - box.y0) * RULE_TO_LINE_HEIGHT)));
  if (options.binarise) binarise(pixels);
  return sharp(pixels, { raw: { width, height, channels: 1 } })
    // A white margin helps tesseract with text touching the crop's edge.
    .extend({ top: 12, bottom: 12, left: 12, right: 12, background: '#ffffff' }).png().toBuffer();
}

/**
 * The agreement checkbox in front of 上記の…: OCR drops the box glyph, so its state is read from the ink:
 * the box's outline is always there, a tick or cross puts ink inside it.
 */
function checkboxTicked(image: GreyImage, cell: Box): { ticked: boolean; sure: boolean } | null {
  const height = cell.y1 - cell.y0;
  const region = { x0: cell.x0 + CELL_INSET, y0: cell.y0 + CELL_INSET, x1: cell.x0 + Math.min(Math.round(height * 1.2), Math.round((cell.x1 - cell.x0) * 0.12)), y1: cell.y1 - CELL_INSET };
  // The box: the leftmost mark in the cell, up to the first column without ink (the gap before 上記).
  const dark = (x: number, y: number) => image.data[y * image.width + x]! < 150;
  const columnHasInk = (x: number) => { for (let y = region.y0; y < region.y1; y++) if (dark(x, y)) return true; return false; };
  let x0 = region.x0;
  while (x0 < region.x1 && !columnHasInk(x0)) x0++;
  let x1 = x0;
  while (x1 + 1 < region.x1 && columnHasInk(x1 + 1)) x1++;
  let y0 = Infinity;
  let y1 = -1;
  for (let y = region.y0; y < region.y1; y++) for (let x = x0; x <= x1; x++) if (dark(x, y)) { y0 = Math.min(y0, y); y1 = Math.max(y1, y); }
  if (x0 >= region.x1) return null;
  if (x1 < 0 || x1 - x0 < 8 || y1 - y0 < 8) return null;
  const w = x1 - x0;
  const h = y1 - y0;
  // Only a square-ish mark is a box (not the first character of the sentence).
  if (w > h * 1.6 || h > w * 1.6) return null;
  const inside = { x0: x0 + Math.round(w * 0.25), y0: y0 + Math.round(h * 0.25), x1: x1 - Math.round(w * 0.25), y1: y1 - Math.round(h * 0.25) };
  const ratio = inkRatio(image, inside, 0);
  // Noise and blur put ink into an empty box and thin out a tick: between the two bands the ink cannot
  // be judged, and the box's state is unconfirmed rather than a confident guess.
  return { ticked: ratio > TICK_INK, sure: ratio <= EMPTY_BOX_INK_MAX || ratio >= TICKED_BOX_INK_MIN };
}

async function readCell(image: GreyImage, box: Box, location: string, colSpan: number, single: boolean, page: number, mode: 'block' | 'text' = 'block'): Promise<Cell> {
  const region = { page, x0: box.x0, y0: box.y0, x1: box.x1, y1: box.y1 };
  const count = inkCount(image, box, CELL_INSET);
  const ink = count.all === 0 ? 0 : count.ink / count.all;
  if (count.ink < BLANK_INK_PIXELS) return { paragraphs: [], text: '', colSpan, images: 0, location, region };
  const ocr: OcrResult = await recognise(await crop(image, box, CELL_INSET), mode);
  const lines = ocr.lines.map((l) => ({ text: checkboxGlyph(tidyOcrText(l.text)), confidence: l.confidence }));
  // A one-cell table starting with 上記: the agreement with its checkbox, whose glyph OCR does not keep.
  const at = lines[0]?.text.indexOf('上記') ?? -1;
  if (single && at >= 0 && at <= 4) {
    // What OCR made of the box itself ('[|', '口', …) is replaced by the state read from the ink.
    const box_ = checkboxTicked(image, box);
    // Without a box found in the ink, or with ink that cannot be judged, the state is not confident:
    // OCR's own glyph for the box (口 for a ticked box on a noisy scan) must not become a confident "no".
    if (box_ !== null) lines[0] = { ...lines[0]!, text: `${box_.ticked ? '☒' : '☐'} ${lines[0]!.text.slice(at)}` };
    if (box_ === null || !box_.sure) lines[0] = { ...lines[0]!, confidence: 0 };
    // Ink outside the middle band is the box's state for sure, whatever OCR made of the sentence after it
    // (read at 2–62 % on a clean scan, which held a ticked box for staff); 上記 found is what places the box.
    else lines[0] = { ...lines[0]!, confidence: Math.max(lines[0]!.confidence, SURE_BOX_CONFIDENCE) };
  }
  const readable = lines.filter((l) => l.confidence >= HANDWRITING_CONFIDENCE);
  if (ink >= HANDWRITING_INK && readable.length === 0) {
    // Ink that is not text we can read: a handwritten signature, a stamp, or handwriting in a value cell.
    // Counted as a picture (a signature), and kept as an unreadable value (confidence 0) so that a field
    // holding it goes to a person instead of reading as empty.
    const unread = paragraph(lines.map((l) => l.text).join(' ') || '（判読不能）', location, 0);
    return { paragraphs: [unread], text: unread.text, colSpan, images: 1, location, region };
  }
  const paragraphs = lines.map((l) => paragraph(l.text, location, l.confidence / 100));
  return { paragraphs, text: paragraphs.map((p) => p.text).join('\n'), colSpan, images: 0, location, region };
}

/** What the first reading did with the tables it found (the OCR benchmark prints it per page). */
export const layoutStats = { tables: 0, tablesConfirmed: 0, labelCellsFilled: 0, labelCellsProbed: 0, labelCellsReadAgain: 0, labelCellsOverflowing: 0, linesRead: 0, linesSkipped: 0 };

let layoutsInUse = true;
/** Off: every cell is read as before the layouts (the OCR benchmark measures both in one run). */
export function useFormLayouts(on: boolean): void {
  layoutsInUse = on;
}

/**
 * Label cells read to confirm a table's layout, one after another: one is enough when it is a label of
 * four characters or more (a slip of OCR cannot make it another's) and leaves one way to fill the other
 * cells; a shorter one (氏名, 宣誓日) needs a second. More are read only while candidates would fill the
 * other cells differently; after MAX_PROBES the table is read whole.
 */
const DISTINCTIVE_LABEL = 4;
const MAX_PROBES = 3;

/** A printed label filled in from the form's layout: exact, so confidence 1 (it is never a value). */
function labelCell(label: string[], location: string, box: GridCell, page: number): Cell {
  // One paragraph per printed line, as OCR gives them (a label may have a note under it: 署名 /（自署）).
  const lines = label.flatMap((p) => p.split('\n')).filter((line) => line.trim() !== '');
  const paragraphs = lines.map((text) => paragraph(text, location, 1));
  return { paragraphs, text: lines.join('\n'), colSpan: box.colSpan, images: 0, location, region: { page, x0: box.x0, y0: box.y0, x1: box.x1, y1: box.y1 } };
}

/** Print's ink (as table-grid's INK); rows and columns with fewer dark pixels than INK_LINE_PIXELS are specks. */
const LABEL_INK = 150;
const INK_LINE_PIXELS = 2;
/** Rows without ink shorter than this (at ~300 dpi) are inside a line of glyphs (三, 二), not between lines. */
const LINE_GAP = 12;
/** A band of ink rows lower than this is a speck or a stroke of the border, not a line of text. */
const MIN_LINE_HEIGHT = 6;
/** Slack on a label's width: fonts differ in width and glyph height is under the em. */
const LABEL_WIDTH_SLACK = 1.35;

/**
 * Whether a label cell holds more ink than its printed label: more lines of text than the label has, or
 * ink reaching further than the label's glyphs can (a value typed after the label, inside its cell). Such
 * a cell is read, not filled from the layout — the value must not be lost. On a noisy page specks may
 * make a label cell read for nothing: that costs time only.
 */
export function labelOverflows(image: GreyImage, box: Box, label: readonly string[]): boolean {
  const lines = label.flatMap((p) => p.split('\n')).filter((line) => line.trim() !== '');
  if (lines.length === 0) return true;
  const x0 = box.x0 + CELL_INSET;
  const x1 = box.x1 - CELL_INSET;
  const y0 = box.y0 + CELL_INSET;
  const y1 = box.y1 - CELL_INSET;
  if (x1 <= x0 || y1 <= y0) return false;
  const rowInk = new Uint32Array(y1 - y0);
  const colInk = new Uint32Array(x1 - x0);
  for (let y = y0; y < y1; y++) {
    const row = y * image.width;
    for (let x = x0; x < x1; x++) if (image.data[row + x]! < LABEL_INK) { rowInk[y - y0]!++; colInk[x - x0]!++; }
  }
  // Lines of text: bands of inked rows, gaps inside a glyph merged.
  const bands: number[] = [];
  let start = -1;
  let last = -1;
  for (let y = 0; y < rowInk.length; y++) {
    if (rowInk[y]! < INK_LINE_PIXELS) continue;
    if (start < 0) start = y;
    else if (y - last > LINE_GAP) { bands.push(last - start + 1); start = y; }
    last = y;
  }
  if (start >= 0) bands.push(last - start + 1);
  const textLines = bands.filter((h) => h >= MIN_LINE_HEIGHT);
  if (textLines.length === 0) return false;
  if (textLines.length > lines.length) return true;
  let left = 0;
  while (left < colInk.length && colInk[left]! < INK_LINE_PIXELS) left++;
  let right = colInk.length - 1;
  while (right > left && colInk[right]! < INK_LINE_PIXELS) right--;
  const lineHeight = Math.max(...textLines);
  // Full-width glyphs are about as wide as a line is high; Latin, digits and half-width kana about 0.6.
  const widest = Math.max(...lines.map((line) => [...line.trim()].reduce((w, ch) => w + (/[\u0000-\u00ff\uff61-\uff9f]/.test(ch) ? 0.6 : 1), 0)));
  return right - left > widest * lineHeight * LABEL_WIDTH_SLACK + lineHeight;
}

/** Whether a cell as read is this printed label: like the mapper's near-label matching, a slip in three. */
function readsAs(read: string, label: string): boolean {
  if (label.length < 3) return read === label;
  return nearLabel(read, label) && Math.abs(read.length - label.length) <= Math.max(1, Math.floor(label.length / 3));
}

function labelKey(label: string[] | null): string | null {
  return label === null ? null : key(label.join(''));
}

/**
 * Which layout table (of a known form kind) a table found on the page is, confirmed by reading a few of
 * its printed labels; null when none is, or when the labels read do not say which one for certain. All
 * the candidates left are returned: they fill the cells alike (the contact table is the same in both
 * forms), and which form's table it is may be told only by the tables around it. The
 * shape alone does not decide (a form has several two-column label | value tables): the labels read must
 * be nearest to one candidate's, and every candidate left must put the same labels into the cells not
 * read, or more labels are read. A table a filler changed beyond the layout is read whole, as before.
 */
async function confirmLayout(image: GreyImage, t: GridTable, read: (r: number, c: GridCell) => Promise<Cell>, readAgain: (r: number, c: GridCell) => Promise<Cell>): Promise<LayoutMatch[] | null> {
  const width = Math.max(1, t.x1 - t.x0);
  const found: FoundRow[] = t.rows.map((row) => row.map((c) => ({ span: c.colSpan, right: (c.x1 - t.x0) / width })));
  const inked = new Map<GridCell, boolean>();
  const hasInk = (c: GridCell) => {
    let v = inked.get(c);
    if (v === undefined) inked.set(c, v = inkCount(image, c, CELL_INSET).ink >= BLANK_INK_PIXELS);
    return v;
  };
  const spots = t.rows.flatMap((row, r) => row.map((c, k) => ({ r, k, c })));
  // A printed label leaves ink: a candidate whose label cells are blank on this page is another table.
  let candidates = layoutMatches(found).filter((m) => spots.every(({ r, k, c }) => layoutCell(m, r, k).label === null || hasInk(c)));
  // A cell that is a value under every candidate is read whatever the labels say: at once, beside the
  // labels read to confirm, so the OCR workers never wait on them. (Its failure is the caller's, later.)
  for (const { r, k, c } of spots) if (candidates.every((m) => layoutCell(m, r, k).label === null)) read(r, c).catch(() => undefined);
  const probed = new Set<GridCell>();
  let distinctive = false;
  const unreadFill = (m: LayoutMatch) => JSON.stringify(spots.filter(({ c }) => !probed.has(c)).map(({ r, k }) => layoutCell(m, r, k).label));
  while (candidates.length > 0) {
    if ((distinctive || probed.size >= 2) && new Set(candidates.map(unreadFill)).size === 1) return candidates;
    if (probed.size >= MAX_PROBES) return null;
    // The cell that best tells the candidates apart, preferring a label every candidate has, long labels
    // (a slip matters less), and a row not read yet (a table matched one row off reads wrong there).
    const probedRows = new Set(spots.filter(({ c }) => probed.has(c)).map(({ r }) => r));
    let best: { spot: (typeof spots)[number]; score: number } | undefined;
    for (const spot of spots) {
      if (probed.has(spot.c)) continue;
      const keys = candidates.map((m) => labelKey(layoutCell(m, spot.r, spot.k).label));
      const texts = keys.filter((x): x is string => x !== null);
      if (texts.length === 0) continue;
      const shortest = Math.min(...texts.map((x) => x.length));
      const score = new Set(keys).size * 1000 + (texts.length === keys.length ? 500 : 0) + (probedRows.has(spot.r) ? 0 : 300) + Math.min(shortest, 12) * 10;
      if (!best || score > best.score) best = { spot, score };
    }
    if (!best) return null;
    const { r, k, c } = best.spot;
    probed.add(c);
    layoutStats.labelCellsProbed++;
    // Only candidates whose label this is; of those, the nearest (B-1 and B-2 differ by a character).
    const nearTo = (text: string) => candidates.flatMap((m) => {
      const label = labelKey(layoutCell(m, r, k).label);
      return label !== null && readsAs(text, label) ? [{ m, d: distance(text, label), long: label.length >= DISTINCTIVE_LABEL }] : [];
    });
    let near = nearTo(key((await read(r, c)).text));
    // A printed label the fast model misread beyond recognition (宣誓日 as 宜准日 on a bilevel scan, taken
    // for handwriting) is read once more by the stronger model before the table is given up as unknown:
    // a table the layouts miss is read whole, and its labels misread leave its values unfound.
    if (near.length === 0) {
      layoutStats.labelCellsReadAgain++;
      near = nearTo(key((await readAgain(r, c)).text));
    }
    const nearest = Math.min(...near.map((x) => x.d));
    const kept = near.filter((x) => x.d === nearest);
    candidates = kept.map((x) => x.m);
    if (kept.length > 0 && kept.every((x) => x.long)) distinctive = true;
  }
  return null;
}

/**
 * A found table's cells. When the table is confirmed as a known form's table, its printed labels come
 * from the layout (not read) and only the value cells and the labels read to confirm it are OCR'd; a
 * value is never taken from a layout. Otherwise every cell is read. The match is returned too: it tells
 * which of the form's printed text lies around the table (the lines outside tables left unread).
 */
async function readTable(image: GreyImage, t: GridTable, table: number, page: number): Promise<{ rows: Cell[][]; matches: LayoutMatch[] }> {
  const single = t.rows.length === 1 && t.rows[0]!.length === 1;
  const location = (r: number, c: GridCell) => `ページ ${page}, 表 ${table}, 行 ${r + 1}, 列 ${c.col + 1}`;
  const reads = new Map<GridCell, Promise<Cell>>();
  const read = (r: number, c: GridCell) => {
    let cell = reads.get(c);
    if (!cell) reads.set(c, cell = readCell(image, c, location(r, c), c.colSpan, single, page));
    return cell;
  };
  // The stronger model's reading of a cell replaces the first one (see confirmLayout).
  const readAgain = (r: number, c: GridCell) => {
    const cell = readCell(image, c, location(r, c), c.colSpan, single, page, 'text');
    reads.set(c, cell);
    return cell;
  };
  const matches = (layoutsInUse ? await confirmLayout(image, t, read, readAgain) : null) ?? [];
  const match = matches[0];
  layoutStats.tables++;
  if (match) layoutStats.tablesConfirmed++;
  const rows = await Promise.all(t.rows.map((row, r) => Promise.all(row.map(async (c, k) => {
    const label = match ? layoutCell(match, r, k).label : null;
    if (label === null) return read(r, c);
    // A label read to confirm the table is the printed label it was confirmed as, not its misreading
    // (宣玖日 for 宣誓日 would leave the form's 宣誓日 unfound); a cell read as more than its label is kept.
    if (reads.has(c)) {
      const cell = await read(r, c);
      const printed = labelKey(label);
      return printed !== null && readsAs(key(cell.text), printed) ? labelCell(label, location(r, c), c, page) : cell;
    }
    if (labelOverflows(image, c, label)) { layoutStats.labelCellsOverflowing++; return read(r, c); }
    layoutStats.labelCellsFilled++;
    return labelCell(label, location(r, c), c, page);
  }))));
  return { rows, matches };
}

/** A page's layout, found without OCR: its grey pixels and tables. */
interface PageLayout {
  image: GreyImage;
  found: ReturnType<typeof findTables>;
}

function layoutOf(image: GreyImage): PageLayout {
  return { image, found: findTables(image) };
}

/** A table read on a page, with the layout tables it was confirmed as (none: read whole, not a known form's). */
interface TableRead {
  y: number;
  block: Table;
  matches: LayoutMatch[];
}

/** A page's tables read, and the lines outside them worth reading (boxes; not read yet). */
interface PageTables {
  page: ScanPage;
  image: GreyImage;
  tables: TableRead[];
  /** Every line outside the tables, top to bottom (a line's number on the page is its place here). */
  lines: Box[];
  /** The lines that would be read without the layouts. */
  wanted: Box[];
  /** Lines read or being read, by box. */
  reads: Map<Box, Promise<{ y: number; block: Block } | null>>;
}

/** Reads one page's tables; they are numbered from `firstTable` (numbers run on across the form's pages). */
async function readPageTables(page: ScanPage, { image, found }: PageLayout, firstTable: number): Promise<PageTables> {
  // The text outside the tables, line by line. A page of printed policy text (many lines) is not read
  // beyond its first and last lines: the forms' values are in tables and in the few lines around them
  // (the title, 申請年月日), so reading only those is what keeps OCR within the time of one full-page pass.
  const lines = textLinesOutside(image, found);
  const wanted = lines.length <= MAX_LINES_READ ? lines : [...lines.slice(0, EDGE_LINES), ...lines.slice(-EDGE_LINES)];
  const reads = new Map<Box, Promise<{ y: number; block: Block } | null>>();
  const result: PageTables = { page, image, tables: [], lines, wanted, reads };
  // A line with no table before it in the form (above the first table of the first pages with tables)
  // is read whatever the tables say (printedLines leaves it to be read): at once, beside the cells.
  const top = Math.min(...found.map((t) => t.y0));
  if (firstTable === 1) for (const box of wanted) if (box.y0 < top) readLine(result, box).catch(() => undefined);
  // Every cell of every table at once: the OCR pool's workers are kept busy.
  result.tables = await Promise.all(found.map(async (t, k) => {
    const table = firstTable + k;
    const { rows, matches } = await readTable(image, t, table, page.number);
    return { y: t.y0, matches, block: { kind: 'table', rows, location: `ページ ${page.number}, 表 ${table}` } satisfies Table };
  }));
  return result;
}

/** A line outside the tables, read (once): a paragraph at its place on the page. */
function readLine(p: PageTables, box: Box): Promise<{ y: number; block: Block } | null> {
  let read = p.reads.get(box);
  if (!read) p.reads.set(box, read = readLineNow(p, box));
  return read;
}

async function readLineNow({ page, image, lines }: PageTables, box: Box): Promise<{ y: number; block: Block } | null> {
  layoutStats.linesRead++;
  const ocr = await recognise(await crop(image, box, -LINE_MARGIN, { eraseRules: true }), 'block');
  const text = ocr.lines.map((l) => l.text).join(' ');
  const confidence = ocr.lines.length ? Math.min(...ocr.lines.map((l) => l.confidence)) : 0;
  const tidied = checkboxGlyph(tidyOcrText(text));
  if (tidied === '') return null;
  const n = lines.indexOf(box) + 1;
  return { y: box.y0, block: { ...paragraph(tidied, `ページ ${page.number}, ${n}行目`, confidence / 100), region: { page: page.number, ...box } } };
}

/**
 * Which lines outside the tables are printed text of a known form, by where they lie between the tables
 * confirmed as that form's (in reading order, across pages): between its tables a and b, the text is the
 * form's gaps after a up to b, and a gap that no filled sample changes and that prints no blank holds no
 * value (forms/layouts.ts, gapsWithValues). Such a line is not read. A line is read (as before the layouts)
 * when anything is uncertain: no confirmed table before it or after it, two forms or tables out of order
 * around it, or a table of the form with printed labels expected between them but not confirmed there
 * (missed by the table finder, its text then among the lines, values included).
 */
export function printedLines(pages: readonly { tables: readonly { y: number; matches: readonly LayoutMatch[] }[]; wanted: readonly Box[] }[], layouts: FormLayouts = FORM_LAYOUTS): Set<Box> {
  type Event = { kind: 'table'; matches: readonly LayoutMatch[] } | { kind: 'line'; box: Box };
  const events: Event[] = [];
  for (const p of pages) {
    const here: { y: number; event: Event }[] = [
      ...p.tables.map((t) => ({ y: t.y, event: { kind: 'table', matches: t.matches } as Event })),
      ...p.wanted.map((box) => ({ y: box.y0, event: { kind: 'line', box } as Event })),
    ];
    events.push(...here.sort((a, b) => a.y - b.y).map((e) => e.event));
  }
  const confirmed = (e: Event | undefined): readonly LayoutMatch[] => (e?.kind === 'table' ? e.matches : []);
  // Whether the text between tables a and b of one form is printed only, `found` tables found between.
  const printedBetween = (a: LayoutMatch, b: LayoutMatch, found: number): boolean => {
    const layout = layouts[a.kind]!;
    if (layout.gapsWithValues.some((g) => g > a.table && g <= b.table)) return false;
    // The form's tables between the two: each must be one without printed labels (a value-only table such
    // as the agreement's box, never confirmed), found as a table in between.
    const between = layout.tables.slice(a.table + 1, b.table);
    return !between.some((t) => t.rows.some((row) => row.some((c) => c.label !== null))) && found >= between.length;
  };
  const skipped = new Set<Box>();
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    if (e.kind !== 'line') continue;
    let before = i - 1;
    while (before >= 0 && confirmed(events[before]).length === 0) before--;
    let after = i + 1;
    while (after < events.length && confirmed(events[after]).length === 0) after++;
    const found = events.slice(before + 1, after).filter((x) => x.kind === 'table').length;
    // Every reading of the two tables as one form's, in order (a table both forms have is either's).
    const pairs = confirmed(events[before]).flatMap((a) => confirmed(events[after]).filter((b) => b.kind === a.kind && a.table <= b.table).map((b) => [a, b] as const));
    if (pairs.length > 0 && pairs.every(([a, b]) => printedBetween(a, b, found))) skipped.add(e.box);
  }
  return skipped;
}

/** Whether a known form kind recognises the document (none registered: no). */
function recognised(document: DocumentModel): boolean {
  try {
    return recogniseForm(document) !== undefined;
  } catch {
    return false;
  }
}

/** More lines than a printed page holds: beyond it a picture is not a page of text, and is not read on. */
const MAX_PAGE_LINES = 60;

/**
 * The printed text of a prepared page, line by line, tables included (their lines are found like any
 * other): how the exam report is recognised in a photo. Only bands that look like lines of text are read,
 * so a photo of anything else costs little; an image with more lines than a page is not read beyond them.
 */
export async function readPageText(image: GreyImage): Promise<OcrResult> {
  const lines = textLinesOutside(image, []).slice(0, MAX_PAGE_LINES);
  const read = await Promise.all(lines.map(async (box) => {
    const ocr = await recognise(await crop(image, box, -LINE_MARGIN), 'block');
    return ocr.lines.map((l) => ({ text: tidyOcrText(l.text), confidence: l.confidence, bbox: box }));
  }));
  const all = read.flat().filter((l) => l.text !== '');
  const confidence = all.length ? all.reduce((a, l) => a + l.confidence, 0) / all.length : 0;
  return { text: all.map((l) => l.text).join('\n'), confidence, lines: all };
}

/** A scan read into the document model, with its pages as prepared for OCR (cells refer to them). */
export interface ScannedDocument {
  document: DocumentModel;
  /** Prepared pages (grey pixels) by page number. */
  pages: Map<number, GreyImage>;
}

/** Reads the pages of one scanned form, in the order given. */
export async function scanPages(pages: ScanPage[], file: string): Promise<ScannedDocument> {
  // Every page is prepared at once and read as soon as it is ready: while one page is straightened the
  // OCR workers read another's cells (one page after another left a core idle). Table numbers run on
  // across pages in page order, so a page waits only for the layouts (not the reading) of those before it.
  const images = pages.map((page) => preparePixels(page.image));
  const layouts = images.map((image) => image.then(layoutOf));
  const starts: Promise<number>[] = [];
  layouts.forEach((layout, i) => { starts.push(i === 0 ? Promise.resolve(1) : Promise.all([starts[i - 1]!, layouts[i - 1]!]).then(([n, l]) => n + l.found.length)); });
  // A page that cannot be opened fails the whole read (the caller reports it); the promises of the other
  // pages must not then be left rejected with nobody listening, which would end the process.
  for (const p of [...images, ...layouts, ...starts]) p.catch(() => undefined);
  const read = await Promise.all(pages.map(async (page, i) => readPageTables(page, await layouts[i]!, await starts[i]!)));
  // The lines outside the tables once every table is read: which of them are a known form's printed text
  // is told by the tables confirmed around them, on this page or the next.
  const printed = printedLines(read);
  const lineReads = (wanted: (box: Box) => boolean) => Promise.all(read.map(async (p) => (await Promise.all(p.wanted.filter(wanted).map((box) => readLine(p, box)))).filter((x) => x !== null)));
  const lines = await lineReads((box) => !printed.has(box));
  const documentOf = () => ({ file, format: 'image' as const, blocks: read.flatMap((p, i) => [...p.tables, ...lines[i]!].sort((a, b) => a.y - b.y).map((b) => b.block)) });
  let document: DocumentModel = documentOf();
  // Left unread only while the form is still recognised without them: a form's title and markers may be
  // among the printed lines, and a document no form recognises is read whole, as before the layouts.
  if (printed.size > 0 && !recognised(document)) {
    const rest = await lineReads((box) => printed.has(box));
    rest.forEach((r, i) => lines[i]!.push(...r));
    document = documentOf();
  } else {
    layoutStats.linesSkipped += printed.size;
  }
  const prepared = new Map(read.map((p) => [p.page.number, p.image] as const));
  return { document, pages: prepared };
}

/** The document model of a scan, without its page images. */
export async function readScannedPages(pages: ScanPage[], file: string): Promise<DocumentModel> {
  return (await scanPages(pages, file)).document;
}
