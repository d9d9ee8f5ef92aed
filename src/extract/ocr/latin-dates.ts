// A date typed in digits (2025/7/18, 自 2018/4 in a period cell, 申請年月日 2026/2/12 on a line) read by the
// two Latin models with digits only, when the two Japanese readings of it differ. The Japanese models read
// a full-width ／ as 7 (２０２１／３ → 2 0 2 173 by the fast model, 20217/3 by the stronger one), at every
// scale; the Latin models, shown only the digits and the separators, read them as typed. Their agreement
// is two different engines reading the date alike (as for e-mail addresses), and the date is taken as read.
import sharp from 'sharp';
import { nfkc } from '../../shared/japanese.ts';
import { recognise } from './ocr-engine.ts';
import type { Box } from './table-grid.ts';

/** A line of a Japanese reading: its text and each glyph's box in the image read. */
export interface GlyphLine {
  text: string;
  symbols: { text: string; bbox: Box }[];
}

export interface LatinDates {
  /** The lines as the Latin models read their dates, each after the printed words in front of it (自, 申請年月日). */
  lines: string[];
  /** The least sure of the two Latin models' confidences (0..1), per model. */
  confidence: { number: number; numberAlt: number };
}

/** A date in digits as the form takes it: year, month and perhaps day, with / . or - between. */
const DIGIT_DATE = /^\d{4}[/.-]\d{1,2}(?:[/.-]\d{1,2})?$/;
/** Glyphs of a date in digits (after NFKC: ／ is /, ２ is 2). */
const DATE_GLYPH = /^[\d/.-]$/;
/**
 * Digit heights (px) the Latin models read a date at, in turn, until both read it alike: they were trained
 * on smaller print than a 300 dpi scan of 10.5 pt text (digits 30–34 px high). eng best_int reads
 * ２０２３／３ as 2023/8 at full size and right at 0.6–0.8 of it, and 2026/3/16 as 2026/33/16 at 20–28 px
 * and right at 14–19 px.
 */
const DIGIT_HEIGHTS = [22, 18, 28];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

function digitsOf(text: string): string {
  return text.replace(/\D/g, '');
}

/** Whether every glyph of `a` appears in `b` in order. */
function subsequence(a: string, b: string): boolean {
  let i = 0;
  for (const c of b) if (i < a.length && c === a[i]) i++;
  return i === a.length;
}

interface DateSpan {
  /** The printed words in front of the date, as the Japanese model read them. */
  prefix: string;
  /** The date's digits as the Japanese model read them. */
  digits: string;
  /** The box of the digits, x0 at the first digit's left edge. */
  box: Box;
  /** The middle of the first printed glyph in front of the date, if there is one. */
  labelStart: number | null;
  digitHeight: number;
}

/** Where a line's date is: the glyphs from its first digit to the line's end, all digits and separators. */
function dateSpan(line: GlyphLine): DateSpan | null {
  const glyphs = line.symbols.map((s) => ({ ...s, text: nfkc(s.text) }));
  const first = glyphs.findIndex((g) => /\d/.test(g.text));
  if (first < 0) return null;
  const body = glyphs.slice(first);
  if (!body.every((g) => [...g.text].every((c) => DATE_GLYPH.test(c)))) return null;
  const digitBoxes = body.filter((g) => /\d/.test(g.text)).map((g) => g.bbox);
  return {
    prefix: glyphs.slice(0, first).map((g) => g.text).join(''),
    digits: digitsOf(body.map((g) => g.text).join('')),
    box: { x0: body[0]!.bbox.x0, y0: Math.min(...digitBoxes.map((b) => b.y0)), x1: body[0]!.bbox.x1, y1: Math.max(...digitBoxes.map((b) => b.y1)) },
    labelStart: first > 0 ? Math.round((glyphs[0]!.bbox.x0 + glyphs[0]!.bbox.x1) / 2) : null,
    digitHeight: median(digitBoxes.map((b) => b.y1 - b.y0)),
  };
}

async function latinLine(image: Buffer, mode: 'number' | 'numberAlt'): Promise<{ text: string; confidence: number } | null> {
  const read = await recognise(image, mode);
  if (read.lines.length !== 1) return null;
  return { text: nfkc(read.lines[0]!.text).replace(/\s+/g, ''), confidence: read.lines[0]!.confidence / 100 };
}

/**
 * Every line of the reading read again as a date by both Latin models, or null where a line holds no date
 * in digits (a date in 年月日, 現在 for an ongoing period) or the two Latin models do not read it alike.
 * The Latin reading must keep to the Japanese model's digits (one a subsequence of the other): a crop
 * that took in a printed glyph would show in a digit neither Japanese reading has. `otherTexts` are the
 * other Japanese reading's lines, for the printed words in front of each date (printedWords).
 */
export async function datesByLatin(image: Buffer, lines: GlyphLine[], otherTexts: string[] = []): Promise<LatinDates | null> {
  if (lines.length === 0) return null;
  const spans = lines.map(dateSpan);
  if (spans.some((s) => s === null)) return null;
  const { data, info } = await sharp(image).greyscale().raw().toBuffer({ resolveWithObject: true });
  const { width, height } = info;
  const out: string[] = [];
  const confidence = { number: 1, numberAlt: 1 };
  for (let i = 0; i < spans.length; i++) {
    const span = spans[i]!;
    // A margin of half a digit above and below, never past the middle of the gap to the next line.
    const pad = Math.round(span.digitHeight / 2);
    const top = Math.max(0, span.box.y0 - pad, i > 0 ? Math.ceil((spans[i - 1]!.box.y1 + span.box.y0) / 2) : 0);
    const bottom = Math.min(height, span.box.y1 + pad, i + 1 < spans.length ? Math.floor((span.box.y1 + spans[i + 1]!.box.y0) / 2) : height);
    if (bottom - top < 4 || span.digitHeight < 4) return null;
    const inked = columnsWithInk({ data, width, height }, top, bottom);
    const left = leftEdge(inked, span);
    let right = width;
    while (right > left && !inked[right - 1]) right--;
    if (right - left < span.digitHeight) return null;
    right = Math.min(width, right + pad);
    // Cut from the pixels already decoded for the ink, not from the PNG decoded once more per line.
    const crop = await sharp(data, { raw: { width, height, channels: 1 } }).extract({ left, top, width: right - left, height: bottom - top })
      .extend({ top: 12, bottom: 12, left: 12, right: 12, background: '#ffffff' }).png().toBuffer();
    let agreed: { text: string; a: number; b: number } | null = null;
    for (const target of DIGIT_HEIGHTS) {
      const scale = Math.min(1.5, Math.max(0.3, target / span.digitHeight));
      const scaled = await sharp(crop).resize({ width: Math.max(1, Math.round((right - left + 24) * scale)) }).png().toBuffer();
      const [a, b] = [await latinLine(scaled, 'number'), await latinLine(scaled, 'numberAlt')];
      if (a && b && a.text === b.text && DIGIT_DATE.test(a.text)) { agreed = { text: a.text, a: a.confidence, b: b.confidence }; break; }
    }
    if (!agreed) return null;
    const digits = digitsOf(agreed.text);
    if (!subsequence(digits, span.digits) && !subsequence(span.digits, digits)) return null;
    const prefix = printedWords(span.prefix, otherTexts[i]);
    out.push(prefix ? `${prefix} ${agreed.text}` : agreed.text);
    confidence.number = Math.min(confidence.number, agreed.a);
    confidence.numberAlt = Math.min(confidence.numberAlt, agreed.b);
  }
  return { lines: out, confidence };
}

/**
 * The printed words in front of a date: the other reading's where they are this reading's with glyphs
 * added in front. A model reads the cell's border or a speck before a printed word as a glyph (至 read
 * 人至), and a period whose 至 line no longer starts with 至 lost its end.
 */
function printedWords(prefix: string, other: string | undefined): string {
  const first = other === undefined ? -1 : nfkc(other).search(/\d/);
  if (first <= 0) return prefix;
  const theirs = nfkc(other!).slice(0, first).replace(/\s+/g, '');
  return theirs !== '' && theirs.length < prefix.length && prefix.endsWith(theirs) ? theirs : prefix;
}

/** Ink darker than this is a glyph's (a scan's paper and its speckle are lighter). */
const INK = 140;

function columnsWithInk(grey: { data: Buffer; width: number; height: number }, top: number, bottom: number): boolean[] {
  const out = new Array<boolean>(grey.width).fill(false);
  for (let y = top; y < bottom; y++) for (let x = 0; x < grey.width; x++) if (grey.data[y * grey.width + x]! < INK) out[x] = true;
  return out;
}

/**
 * Where the date's crop starts: in the widest stretch of paper between the middle of the first printed
 * glyph and a digit's width past the first digit's box. The glyph boxes of an LSTM model drift along a
 * line (申請年月日 ２０２６／３／１７ read with its ２ boxed 30 px right of its ink), and a crop cut at a box took off the
 * year's first digit; the gap between a label and its value is wider than any between its glyphs or a
 * date's. A crop that still takes in a printed glyph reads as a digit too many, and is refused (DIGIT_DATE).
 */
function leftEdge(inked: boolean[], span: DateSpan): number {
  if (span.labelStart === null) return 0;
  const from = Math.max(0, span.labelStart);
  const to = Math.min(inked.length, span.box.x1 + span.digitHeight);
  let best = { start: -1, length: 0 };
  for (let x = from; x < to;) {
    if (inked[x]) { x++; continue; }
    let end = x;
    while (end < to && !inked[end]) end++;
    if (end - x > best.length) best = { start: x, length: end - x };
    x = end;
  }
  return best.start < 0 ? Math.max(0, span.box.x0) : best.start + Math.floor(best.length / 2);
}
