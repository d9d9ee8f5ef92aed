// The geometry of a page image before OCR: a phone photo cut down to the sheet of paper, a skewed scan
// turned straight, a page upside down or sideways stood upright, and all of it within bounded memory and
// time. The table finder after it assumes level ruling lines, and tesseract reads upright lines only.
//
// Everything is measured on a small copy of the page (about 1200 px on its short side) and applied once to
// the page at working size. Pages the size of a 108-megapixel phone photo are decoded shrunk (libjpeg
// scales while it decodes), so memory follows the working size, not the camera's. Which way up is first
// asked of the page's own title lines (one OCR read of a line, as it is or turned back), and of tesseract
// OSD only when they do not read: OSD costs more, and a worker thread of its own.
import sharp, { type Metadata, type Sharp } from 'sharp';
import { detectOrientation, type QuarterTurn } from './orientation.ts';
import { textLinesOutside, type Box, type GreyImage } from './table-grid.ts';
import { recognise } from './ocr-engine.ts';
import { paperQuad, quadSize, refineQuad, slant, turnOf, warpQuad, type Quad } from './perspective.ts';
import { otsuThreshold } from './otsu.ts';

/** Larger images are refused: 120 MP takes in 108 MP phone cameras (12000×9000) with room to spare. */
export const MAX_INPUT_PIXELS = 120_000_000;
/** The working size's long side: an A4 page at 300 dpi (3508 px) plus a photo's margins. */
const WORK_MAX_SIDE = 4200;
const ANALYSIS_SHORT_SIDE = 1200;
const PAPER_SHORT_SIDE = 400;
/** Scans and photos are skewed by a few degrees; more than this is not skew but a page lying crooked. */
const MAX_SKEW_DEGREES = 5;
/** Below this a rotation costs more sharpness (resampling) than it gains in level lines. */
const MIN_SKEW_DEGREES = 0.15;
/** The best angle's projection score over the average angle's: less is no structure to level (noise, a blank page). */
const MIN_SKEW_CONTRAST = 1.08;
/** tesseract's OSD margin below which its answer is a guess; form pages score 5–15. */
const MIN_ORIENTATION_CONFIDENCE = 2;
/** Share of inked pixels a page of text has: below is blank, above is a picture or noise (nothing to orient). */
const MIN_TEXT_INK = 0.002;
const MAX_TEXT_INK = 0.25;
/** Cut this far inside the paper's edge, so no sliver of desk is left to read as a ruling line. */
const PAPER_INSET = 0.006;
/** The least share of the photo's width and height the sheet must span to be cut to. */
const MIN_PAPER_SHARE = 0.3;
/**
 * Opposite edges of the sheet further apart in direction than this (degrees) are a photo taken at a
 * slant, mapped back to a rectangle; below it a rotation levels the page as well (and keeps the path that
 * straight photos and scans have always taken: on the project's photos, 0.75° of slant, the rotation read
 * the experience table that the mapping lost — the edge fit's own error is of that order).
 */
const MIN_SLANT_DEGREES = 1;

export class PageImageError extends Error {}

export class ImageTooLargeError extends PageImageError {
  readonly width: number;
  readonly height: number;
  constructor(width: number, height: number) {
    super(`画像が大きすぎるため読み取れません（${width}×${height}ピクセル、${Math.round((width * height) / 1e6)}メガピクセル。上限は${MAX_INPUT_PIXELS / 1e6}メガピクセルです）`);
    this.width = width;
    this.height = height;
  }
}

export class UnreadableImageError extends PageImageError {
  constructor(cause: unknown) {
    super('画像を読み取れません（ファイルが壊れているか、対応していない形式です）', { cause });
  }
}

/** What was done to a page, for the log and the staff's report. */
export interface PageGeometry {
  /** The image as delivered, after its EXIF orientation. */
  sourceWidth: number;
  sourceHeight: number;
  /** The size it was decoded at, as a share of the source (1: full size). */
  loadScale: number;
  /** Clockwise skew found in the image and undone; 0 when there was none worth undoing. */
  skewDegrees: number;
  /** A photo taken at a slant, mapped back to a rectangle: how far its sheet was from one (degrees). */
  slantDegrees?: number;
  /** Clockwise quarter turn that stood the page upright. */
  rotation: QuarterTurn;
  /** tesseract OSD's confidence in that turn; null when there was no text to judge by. */
  orientationConfidence: number | null;
  /** How the way up was decided: its lines read upright (OSD not needed), or OSD; null: nothing to judge by. */
  orientationBy?: 'reading' | 'osd' | null;
  /** The sheet of paper found in a photo (pixels of the levelled image at load scale); null: a scan, nothing cut. */
  crop: Box | null;
  /** The straightened page. */
  width: number;
  height: number;
}

export interface StraightPage {
  image: GreyImage;
  geometry: PageGeometry;
}

async function toGrey(pipeline: Sharp): Promise<GreyImage> {
  const { data, info } = await pipeline.greyscale().raw().toBuffer({ resolveWithObject: true });
  // One channel (the usual case) is used as it is, without a copy.
  if (info.channels === 1) return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, info.width * info.height) };
  const grey = new Uint8Array(info.width * info.height);
  // Rotation may hand back more than one channel; they all hold the same grey.
  for (let i = 0; i < grey.length; i++) grey[i] = data[i * info.channels]!;
  return { width: info.width, height: info.height, data: grey };
}

function fromGrey(img: GreyImage): Sharp {
  return sharp(img.data, { raw: { width: img.width, height: img.height, channels: 1 } });
}

async function sourceSize(bytes: Uint8Array): Promise<{ width: number; height: number }> {
  let meta: Metadata;
  try {
    // The header only: the pixel bound is checked below, with a message of our own.
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (error) {
    throw new UnreadableImageError(error);
  }
  const width = meta.autoOrient?.width ?? meta.width;
  const height = meta.autoOrient?.height ?? meta.height;
  if (!width || !height) throw new UnreadableImageError(new Error('no image size'));
  return { width, height };
}

/** Otsu's threshold of all the pixels. */
function otsu(data: Uint8Array): number {
  const hist = new Float64Array(256);
  for (const v of data) hist[v]!++;
  return otsuThreshold(hist);
}

/** The bounding box of a mask's rows and columns that are at least `share` of the fullest one. */
function maskBox(mask: GreyImage, share: number): Box | null {
  const rows = new Float64Array(mask.height);
  const cols = new Float64Array(mask.width);
  for (let y = 0; y < mask.height; y++) {
    for (let x = 0; x < mask.width; x++) {
      if (mask.data[y * mask.width + x]! >= 128) {
        rows[y]!++;
        cols[x]!++;
      }
    }
  }
  const span = (counts: Float64Array): [number, number] | null => {
    const limit = Math.max(...counts) * share;
    if (limit === 0) return null;
    let first = 0;
    while (counts[first]! < limit) first++;
    let last = counts.length - 1;
    while (counts[last]! < limit) last--;
    return [first, last];
  };
  const ys = span(rows);
  const xs = span(cols);
  return ys && xs ? { x0: xs[0], y0: ys[0], x1: xs[1], y1: ys[1] } : null;
}

/**
 * The paper in a photo, as a mask (255 paper, 0 desk) on the analysis image: paper is the bright part of
 * the heavily blurred page (the blur melts the print into the paper). Only a photo has it: the image's
 * border must be mostly desk and its middle paper, clearly darker and brighter; a scan's border is paper.
 */
function paperMask(blurred: GreyImage): GreyImage | null {
  const threshold = otsu(blurred.data);
  let darkSum = 0;
  let darkCount = 0;
  let brightSum = 0;
  for (const v of blurred.data) {
    if (v <= threshold) {
      darkSum += v;
      darkCount++;
    } else brightSum += v;
  }
  const brightCount = blurred.data.length - darkCount;
  if (darkCount === 0 || brightCount === 0 || brightSum / brightCount - darkSum / darkCount < 50) return null;
  const { width, height } = blurred;
  const frame = Math.max(2, Math.round(Math.min(width, height) * 0.02));
  let frameDark = 0;
  let frameAll = 0;
  let middleBright = 0;
  let middleAll = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = blurred.data[y * width + x]!;
      if (x < frame || y < frame || x >= width - frame || y >= height - frame) {
        frameAll++;
        if (v <= threshold) frameDark++;
      } else if (x > width * 0.35 && x < width * 0.65 && y > height * 0.35 && y < height * 0.65) {
        middleAll++;
        if (v > threshold) middleBright++;
      }
    }
  }
  if (frameDark / frameAll < 0.6 || middleBright / middleAll < 0.9) return null;
  const data = new Uint8Array(blurred.data.length);
  for (let i = 0; i < data.length; i++) data[i] = blurred.data[i]! > threshold ? 255 : 0;
  return { width, height, data };
}

/**
 * The mean grey of each pixel's (2r+1)² neighbourhood (clipped at the image's edges): running sums down
 * the columns, then along each row (a wide blur in linear time; integer sums, so exact).
 */
function localMean(img: GreyImage, r: number): GreyImage {
  const { width, height } = img;
  const src = img.data;
  // Column sums of the window rows y-r..y+r, kept up to date as y moves down.
  const cols = new Int32Array(width);
  for (let y = 0; y < Math.min(height, r); y++) for (let x = 0; x < width; x++) cols[x]! += src[y * width + x]!;
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const add = y + r;
    if (add < height) for (let x = 0, o = add * width; x < width; x++) cols[x]! += src[o + x]!;
    const drop = y - r - 1;
    if (drop >= 0) for (let x = 0, o = drop * width; x < width; x++) cols[x]! -= src[o + x]!;
    const rowsIn = Math.min(height, y + r + 1) - Math.max(0, y - r);
    let sum = 0;
    for (let x = 0; x < Math.min(width, r); x++) sum += cols[x]!;
    const out = y * width;
    for (let x = 0; x < width; x++) {
      if (x + r < width) sum += cols[x + r]!;
      if (x - r - 1 >= 0) sum -= cols[x - r - 1]!;
      data[out + x] = sum / (rowsIn * (Math.min(width, x + r + 1) - Math.max(0, x - r)));
    }
  }
  return { width, height, data };
}

/**
 * Ink: pixels clearly darker than their neighbourhood (its mean given as `local`), so a shadow or the
 * falling light across a photo does not read as ink.
 */
function inkMask(img: GreyImage, local: GreyImage): Uint8Array {
  const ink = new Uint8Array(img.data.length);
  for (let i = 0; i < ink.length; i++) {
    const v = img.data[i]!;
    const mean = local.data[i]!;
    if (mean - v > Math.max(25, mean * 0.25)) ink[i] = 1;
  }
  return ink;
}

/**
 * The skew by projection profiles: sheared by the right angle, the ink of ruling lines and text lines
 * piles up in few rows (and the vertical lines in few columns), which makes the sum of squared row and
 * column counts peak. Coarse search over ±5°, then a fine one around the best. null: no clear peak.
 *
 * The ink is taken as runs, not pixels: the pixels of a vertical run land in consecutive rows of the
 * sheared row profile (and those of a horizontal run in consecutive columns), so each run adds one range
 * to a difference array, and each angle costs the number of runs rather than of ink pixels.
 */
function estimateSkew(ink: Uint8Array, width: number, region: Box): number | null {
  const cx = (region.x0 + region.x1) / 2;
  const cy = (region.y0 + region.y1) / 2;
  // Vertical runs (x, top y, length) for the rows; horizontal runs (y, left x, length) for the columns.
  const vertical: number[] = [];
  const horizontal: number[] = [];
  // Row by row (the pixels in memory order): a horizontal run ends at the first blank pixel of its row,
  // a vertical one at the first blank pixel below it in its column.
  const columnStart = new Int32Array(region.x1 - region.x0).fill(-1);
  let pixels = 0;
  for (let y = region.y0; y <= region.y1; y++) {
    let start = -1;
    const row = y * width;
    for (let x = region.x0; x <= region.x1; x++) {
      const on = y < region.y1 && x < region.x1 && ink[row + x] === 1;
      if (on) {
        pixels++;
        if (start < 0) start = x;
        if (columnStart[x - region.x0]! < 0) columnStart[x - region.x0] = y;
      } else {
        if (start >= 0) {
          horizontal.push(y - cy, start - cx, x - start);
          start = -1;
        }
        const top = x < region.x1 ? columnStart[x - region.x0]! : -1;
        if (top >= 0) {
          vertical.push(x - cx, top - cy, y - top);
          columnStart[x - region.x0] = -1;
        }
      }
    }
  }
  if (pixels < 500) return null;
  const vRuns = Float64Array.from(vertical);
  const hRuns = Float64Array.from(horizontal);
  const reach = Math.ceil(Math.hypot(region.x1 - region.x0, region.y1 - region.y0)) + 4;
  const rows = new Int32Array(reach * 2 + 1);
  const cols = new Int32Array(reach * 2 + 1);
  const squares = (diff: Int32Array): number => {
    let sum = 0;
    let count = 0;
    for (let i = 0; i < diff.length; i++) {
      count += diff[i]!;
      sum += count * count;
    }
    return sum;
  };
  const score = (degrees: number): number => {
    const t = Math.tan((degrees * Math.PI) / 180);
    rows.fill(0);
    cols.fill(0);
    for (let i = 0; i < vRuns.length; i += 3) {
      const first = Math.round(vRuns[i + 1]! - vRuns[i]! * t) + reach;
      rows[first]!++;
      rows[first + vRuns[i + 2]!]!--;
    }
    for (let i = 0; i < hRuns.length; i += 3) {
      const first = Math.round(hRuns[i + 1]! + hRuns[i]! * t) + reach;
      cols[first]!++;
      cols[first + hRuns[i + 2]!]!--;
    }
    return squares(rows) + squares(cols);
  };
  let best = 0;
  let bestScore = -1;
  let total = 0;
  let count = 0;
  for (let a = -MAX_SKEW_DEGREES; a <= MAX_SKEW_DEGREES + 1e-9; a += 0.25) {
    const s = score(a);
    total += s;
    count++;
    if (s > bestScore) {
      bestScore = s;
      best = a;
    }
  }
  if (bestScore / (total / count) < MIN_SKEW_CONTRAST) return null;
  const coarse = best;
  for (let a = coarse - 0.3; a <= coarse + 0.3 + 1e-9; a += 0.02) {
    const s = score(a);
    if (s > bestScore) {
      bestScore = s;
      best = a;
    }
  }
  return Math.round(best * 100) / 100;
}

/**
 * The skew of the print within `region` of an analysis-size image: its ink (darker than the
 * neighbourhood, so shading does not count) must be as much as text makes, and its profiles peak.
 */
function measureSkew(img: GreyImage, region: Box): number | null {
  const ink = inkMask(img, localMean(img, Math.round(Math.min(img.width, img.height) / 80)));
  const share = inkShare(ink, img.width, region);
  return share >= MIN_TEXT_INK && share <= MAX_TEXT_INK ? estimateSkew(ink, img.width, region) : null;
}

/** Rotated clockwise by any angle, the corners filled with white paper. */
async function rotated(img: GreyImage, degrees: number, background: string): Promise<GreyImage> {
  return toGrey(fromGrey(img).rotate(degrees, { background }));
}

function insetBox(box: Box, share: number): Box {
  const dx = Math.round((box.x1 - box.x0) * share);
  const dy = Math.round((box.y1 - box.y0) * share);
  return { x0: box.x0 + dx, y0: box.y0 + dy, x1: box.x1 - dx, y1: box.y1 - dy };
}

function inkShare(ink: Uint8Array, width: number, region: Box): number {
  let n = 0;
  for (let y = region.y0; y < region.y1; y++) for (let x = region.x0; x < region.x1; x++) n += ink[y * width + x]!;
  return n / Math.max(1, (region.x1 - region.x0) * (region.y1 - region.y0));
}

/** The orientation confidence reported for a page whose lines read upright (OSD not asked). */
const UPRIGHT_BY_READING = 99;
/**
 * Lines probed, and how sure each reading must be, to take a page as upright without OSD. Measured on the
 * sample pages' probe lines: upright 75–93 (a title with a rare glyph, a line cut by a box edge: 75–81),
 * the same lines upside down 0–15; 60 keeps a wide margin on both sides.
 */
const PROBE_LINES = 2;
const PROBE_CONFIDENCE = 60;
const PROBE_MIN_CHARS = 4;
/**
 * One line decides alone when it reads surer and longer (a page whose tables start high has only one
 * line above them; the sample pages' longest lines: 75–93 % over 15 characters and more).
 */
const SINGLE_PROBE_CONFIDENCE = 75;
const SINGLE_PROBE_MIN_CHARS = 8;
/**
 * A probe line is read only this many times its height across (about as many full-width glyphs), cut in a
 * gap between glyphs: two dozen glyphs tell upright from upside down as well as a whole line of sixty,
 * at a third of the read.
 */
const PROBE_LINE_HEIGHTS = 24;
/** Print's ink, as the table finder's: a column without it is a gap between glyphs. */
const PROBE_INK = 150;

/**
 * Where to cut a long probe line: in the widest gap without ink among the next few glyphs from
 * PROBE_LINE_HEIGHTS heights on (the gap between two glyphs, not one inside 川), or at its end.
 */
function probeRight(page: GreyImage, l: Box): number {
  const height = Math.max(1, l.y1 - l.y0);
  const from = l.x0 + PROBE_LINE_HEIGHTS * height;
  const to = Math.min(l.x1 - height, from + 4 * height);
  let best = { width: 0, x: l.x1 };
  let run = 0;
  for (let x = from; x < to; x++) {
    let ink = false;
    for (let y = l.y0; y <= l.y1 && !ink; y++) ink = page.data[y * page.width + x]! < PROBE_INK;
    run = ink ? 0 : run + 1;
    if (run > best.width) best = { width: run, x: x - Math.floor(run / 2) };
  }
  return best.x;
}

/**
 * Whether a portrait page reads upright as it is: its longest lines in the top third (a form's title and
 * first labels, or the one line above a table that starts high) read by the first OCR model at high
 * confidence, the longest alone when it reads sure and long, else the two longest. Upside down, Japanese
 * print reads as a jumble of glyphs at low confidence. One or two line reads (~0.1 s) instead of OSD
 * (0.2–0.4 s, and a worker of its own); any doubt (landscape, few lines, a weak reading, no OCR model)
 * leaves the decision to OSD.
 */
async function readsUpright(page: GreyImage): Promise<boolean> {
  if (page.height < page.width * 1.2) return false;
  const rows = Math.round(page.height / 3);
  const top: GreyImage = { width: page.width, height: rows, data: page.data.subarray(0, page.width * rows) };
  const lines = textLinesOutside(top, []).filter((l) => l.x1 - l.x0 >= page.width * 0.25)
    .sort((a, b) => (b.x1 - b.x0) - (a.x1 - a.x0)).slice(0, PROBE_LINES);
  if (lines.length === 0) return false;
  const read = async (l: Box) => {
    const margin = 6;
    const left = Math.max(0, l.x0 - margin);
    const topY = Math.max(0, l.y0 - margin);
    const right = probeRight(page, l);
    const png = await fromGrey(page).extract({ left, top: topY, width: Math.min(page.width, right + margin) - left, height: Math.min(page.height, l.y1 + margin) - topY })
      .extend({ top: 12, bottom: 12, left: 12, right: 12, background: '#ffffff' }).png().toBuffer();
    return recognise(png, 'block');
  };
  const passes = (r: Awaited<ReturnType<typeof recognise>>, minConfidence: number, minChars: number) => r.lines.length > 0
    && r.lines.every((line) => line.confidence >= minConfidence)
    && r.lines.map((line) => line.text).join('').replace(/[^\p{L}\p{N}]/gu, '').length >= minChars;
  try {
    // The longest line first: read sure and long enough, it decides alone (one read, not two).
    const first = await read(lines[0]!);
    if (passes(first, SINGLE_PROBE_CONFIDENCE, SINGLE_PROBE_MIN_CHARS)) return true;
    if (lines.length < PROBE_LINES) return false;
    return passes(first, PROBE_CONFIDENCE, PROBE_MIN_CHARS) && passes(await read(lines[1]!), PROBE_CONFIDENCE, PROBE_MIN_CHARS);
  } catch {
    return false;
  }
}

/**
 * Which way up. First the upright probe, on the page as it is and then turned back the ways a page comes
 * turned (a portrait page upside down; a landscape one, a page on its side, both quarter turns): a form's
 * title and first lines read surely only when upright, so a probe that passes on the turned page names
 * the turn (and the turned page is kept). Otherwise OSD on the middle third of the page across its text
 * lines (enough text to judge, a third of the time), and on the whole page when the band says too little.
 */
async function uprightTurn(page: GreyImage): Promise<{ rotation: QuarterTurn; confidence: number; by: 'reading' | 'osd'; turned?: GreyImage } | null> {
  if (await readsUpright(page)) return { rotation: 0, confidence: UPRIGHT_BY_READING, by: 'reading' };
  const turns: QuarterTurn[] = page.height >= page.width * 1.2 ? [180] : page.width >= page.height * 1.2 ? [270, 90] : [];
  for (const rotation of turns) {
    const turned = await toGrey(fromGrey(page).rotate(rotation));
    if (await readsUpright(turned)) return { rotation, confidence: UPRIGHT_BY_READING, by: 'reading', turned };
  }
  const scale = Math.min(1, 1000 / Math.min(page.width, page.height));
  const portrait = page.height >= page.width;
  const band = portrait
    ? { left: 0, top: Math.round(page.height / 3), width: page.width, height: Math.round(page.height / 3) }
    : { left: Math.round(page.width / 3), top: 0, width: Math.round(page.width / 3), height: page.height };
  const asPng = (pipeline: Sharp, width: number) => pipeline.resize({ width: Math.max(1, Math.round(width * scale)) }).withMetadata({ density: 300 }).png().toBuffer();
  const candidates = [() => asPng(fromGrey(page).extract(band), band.width), () => asPng(fromGrey(page), page.width)];
  for (const candidate of candidates) {
    const guess = await detectOrientation(await candidate());
    if (guess && guess.confidence >= MIN_ORIENTATION_CONFIDENCE) return { ...guess, by: 'osd' };
  }
  return null;
}

/**
 * A page image (JPEG, PNG, TIFF, WebP; EXIF orientation honoured) made level, upright and cut to the paper.
 * Throws ImageTooLargeError over MAX_INPUT_PIXELS and UnreadableImageError on a broken file; anything else
 * (a blank page, a photo of something else) passes through as it is.
 */
export async function straightenPage(bytes: Uint8Array): Promise<StraightPage> {
  const { width: sourceWidth, height: sourceHeight } = await sourceSize(bytes);
  if (sourceWidth * sourceHeight > MAX_INPUT_PIXELS) throw new ImageTooLargeError(sourceWidth, sourceHeight);
  const loadScale = Math.min(1, WORK_MAX_SIDE / Math.max(sourceWidth, sourceHeight));
  let work: GreyImage;
  try {
    // flatten: a transparent background (a rendered PDF page, a PNG with alpha) must read as white paper.
    let decode = sharp(bytes, { failOn: 'error', limitInputPixels: MAX_INPUT_PIXELS, autoOrient: true }).flatten({ background: '#ffffff' });
    if (loadScale < 1) decode = decode.resize({ width: Math.round(sourceWidth * loadScale), height: Math.round(sourceHeight * loadScale), fit: 'fill' });
    work = await toGrey(decode);
  } catch (error) {
    throw new UnreadableImageError(error);
  }

  const analysisScale = Math.min(1, ANALYSIS_SHORT_SIDE / Math.min(work.width, work.height));
  const analysis = await toGrey(fromGrey(work).resize({ width: Math.max(1, Math.round(work.width * analysisScale)), height: Math.max(1, Math.round(work.height * analysisScale)), fit: 'fill', kernel: 'linear' }));
  // The paper is found on a smaller copy still: its edges need no finer measure than the inset cut after.
  const paperScale = Math.min(1, PAPER_SHORT_SIDE / Math.min(analysis.width, analysis.height));
  const small = fromGrey(analysis).resize({ width: Math.max(1, Math.round(analysis.width * paperScale)), height: Math.max(1, Math.round(analysis.height * paperScale)), fit: 'fill', kernel: 'linear' });
  const paper = paperMask(await toGrey(small.blur(PAPER_SHORT_SIDE / 60)));

  // A sheet photographed at a slant is a trapezoid: mapped back to its rectangle (perspective.ts); a
  // rotation alone would leave its ruling lines converging and its tables unfound. Decided first: such a
  // photo needs the skew of its print on the mapped sheet, not of the photo.
  const rough = paper ? paperQuad(paper) : null;
  // Its edges found again on the analysis image, where a pixel is a third of the mask's.
  const quad = rough ? refineQuad(analysis, rough.map((p) => ({ x: p.x * analysis.width / paper!.width, y: p.y * analysis.height / paper!.height })) as Quad, Math.round(4 * analysis.width / paper!.width)) : null;
  // A sheet turned further than the skew search reaches (a photo taken with the phone held askew) is
  // mapped back the same way, by its corners.
  if (quad && (slant(quad) >= MIN_SLANT_DEGREES || Math.abs(turnOf(quad)) > MAX_SKEW_DEGREES - 1)) {
    const sx = work.width / analysis.width;
    const sy = work.height / analysis.height;
    const q = quad.map((p) => ({ x: p.x * sx, y: p.y * sy })) as Quad;
    const size = quadSize(q);
    if (size.width >= work.width * MIN_PAPER_SHARE && size.height >= work.height * MIN_PAPER_SHARE) {
      // The print can sit crooked on the sheet (fed askew into the printer): its skew is measured on the
      // sheet mapped at analysis size, and undone in the same mapping at working size.
      const k = analysis.width / work.width;
      const preview = warpQuad(analysis, quad, Math.round(size.width * k), Math.round(size.height * k), PAPER_INSET);
      const printSkew = measureSkew(preview, insetBox({ x0: 0, y0: 0, x1: preview.width, y1: preview.height }, 0.02));
      const residual = printSkew !== null && Math.abs(printSkew) >= MIN_SKEW_DEGREES ? printSkew : 0;
      const flat = warpQuad(work, q, Math.round(size.width), Math.round(size.height), PAPER_INSET, residual);
      // Lines of text or ruling (a clear projection peak) are what make a page worth orienting.
      const turn = printSkew !== null ? await uprightTurn(flat) : null;
      const rotation = turn?.rotation ?? 0;
      const page = turn?.turned ?? (rotation ? await toGrey(fromGrey(flat).rotate(rotation)) : flat);
      const xs = q.map((p) => p.x);
      const ys = q.map((p) => p.y);
      const crop = { x0: Math.max(0, Math.round(Math.min(...xs))), y0: Math.max(0, Math.round(Math.min(...ys))), x1: Math.min(work.width, Math.round(Math.max(...xs))), y1: Math.min(work.height, Math.round(Math.max(...ys))) };
      return {
        image: page,
        geometry: { sourceWidth, sourceHeight, loadScale, skewDegrees: residual, slantDegrees: slant(quad), rotation, orientationConfidence: turn?.confidence ?? null, orientationBy: turn?.by ?? null, crop, width: page.width, height: page.height },
      };
    }
  }

  const paperBox = paper ? maskBox(paper, 0.25) : null;
  const toAnalysis = (v: number) => Math.round(v / paperScale);
  const roughPaper = paperBox ? { x0: toAnalysis(paperBox.x0), y0: toAnalysis(paperBox.y0), x1: Math.min(analysis.width, toAnalysis(paperBox.x1 + 1)), y1: Math.min(analysis.height, toAnalysis(paperBox.y1 + 1)) } : null;
  // Within a photo's paper, far enough inside its edge that a tilted edge and the desk stay out.
  const measured = roughPaper ? insetBox(roughPaper, 0.06) : insetBox({ x0: 0, y0: 0, x1: analysis.width, y1: analysis.height }, 0.02);
  const skew = measureSkew(analysis, measured);
  // Lines of text or ruling (a clear projection peak) are what make a page worth orienting: asked about
  // noise or a photo of a desk, OSD still names a direction.
  const hasLines = skew !== null;
  const skewDegrees = skew !== null && Math.abs(skew) >= MIN_SKEW_DEGREES ? skew : 0;

  let level = skewDegrees ? await rotated(work, -skewDegrees, '#ffffff') : work;
  let crop: Box | null = null;
  if (paper) {
    const levelPaper = skewDegrees ? await rotated(paper, -skewDegrees, '#000000') : paper;
    const box = maskBox(levelPaper, 0.5);
    // A sheet fills much of a photo of it; a small bright patch is something else on the desk.
    if (box && box.x1 - box.x0 >= levelPaper.width * MIN_PAPER_SHARE && box.y1 - box.y0 >= levelPaper.height * MIN_PAPER_SHARE) {
      const sx = level.width / levelPaper.width;
      const sy = level.height / levelPaper.height;
      const scaled = insetBox({ x0: Math.round(box.x0 * sx), y0: Math.round(box.y0 * sy), x1: Math.round((box.x1 + 1) * sx), y1: Math.round((box.y1 + 1) * sy) }, PAPER_INSET);
      crop = { x0: Math.max(0, scaled.x0), y0: Math.max(0, scaled.y0), x1: Math.min(level.width, scaled.x1), y1: Math.min(level.height, scaled.y1) };
      level = await toGrey(fromGrey(level).extract({ left: crop.x0, top: crop.y0, width: crop.x1 - crop.x0, height: crop.y1 - crop.y0 }));
    }
  }

  const turn = hasLines ? await uprightTurn(level) : null;
  const rotation = turn?.rotation ?? 0;
  const page = turn?.turned ?? (rotation ? await toGrey(fromGrey(level).rotate(rotation)) : level);
  return {
    image: page,
    geometry: { sourceWidth, sourceHeight, loadScale, skewDegrees, rotation, orientationConfidence: turn?.confidence ?? null, orientationBy: turn?.by ?? null, crop, width: page.width, height: page.height },
  };
}
