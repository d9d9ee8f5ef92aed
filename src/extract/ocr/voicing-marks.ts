// The voicing marks of kana decided from the ink. The two marks differ by one thing a model can get
// wrong at any scale and both Japanese models get wrong in their own fonts: ゛ (dakuten) is two short
// ticks, ゜ (handakuten) one small ring. npm's best_int model reads the two ticks of び as the ring of ぴ
// on some fonts at every scale and with or without a whitelist; Debian's fast model reads ぽ as ぼ. When
// two readings of a value differ only in these marks, the ink at the glyph's top right says which it
// is: a ring encloses paper, two ticks do not.
import type { Box, GreyImage } from './table-grid.ts';
import { otsuThreshold } from './otsu.ts';

export type VoicingMark = 'dakuten' | 'handakuten';

const DAKUTEN = '\u3099';
const HANDAKUTEN = '\u309a';

/** A kana's voicing mark, or null (a glyph without one, or not a kana). */
export function voicingMarkOf(glyph: string): VoicingMark | null {
  const d = glyph.normalize('NFD');
  return d.includes(DAKUTEN) ? 'dakuten' : d.includes(HANDAKUTEN) ? 'handakuten' : null;
}

/** The glyph with the given voicing mark instead of its own (び → ぴ), or null when there is no such kana. */
export function withVoicingMark(glyph: string, mark: VoicingMark): string | null {
  const base = glyph.normalize('NFD').replace(/[\u3099\u309a]/g, '');
  const out = (base + (mark === 'dakuten' ? DAKUTEN : HANDAKUTEN)).normalize('NFC');
  return [...out].length === 1 ? out : null;
}

/**
 * The places where two texts differ only by ゛ against ゜ on the same kana (glyph indexes into `b`), or
 * null when they differ otherwise too, or not at all.
 */
export function voicingDisputes(a: string, b: string): number[] | null {
  const x = [...a];
  const y = [...b];
  if (x.length !== y.length) return null;
  const at: number[] = [];
  for (let i = 0; i < x.length; i++) {
    if (x[i] === y[i]) continue;
    const mx = voicingMarkOf(x[i]!);
    const my = voicingMarkOf(y[i]!);
    if (mx === null || my === null || mx === my || withVoicingMark(x[i]!, my) !== y[i]) return null;
    at.push(i);
  }
  return at.length > 0 ? at : null;
}

interface Component {
  pixels: number[];
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** Otsu's threshold of the grey values in a box: ink is darker. */
function otsu(image: GreyImage, box: Box): number {
  const hist = new Array<number>(256).fill(0);
  for (let y = box.y0; y < box.y1; y++) for (let x = box.x0; x < box.x1; x++) hist[image.data[y * image.width + x]!]!++;
  return otsuThreshold(hist);
}

/** Connected regions (8-neighbour) of the cells of a w×h mask that are set. */
function components(mask: Uint8Array, w: number, h: number): Component[] {
  const seen = new Uint8Array(w * h);
  const out: Component[] = [];
  for (let start = 0; start < w * h; start++) {
    if (!mask[start] || seen[start]) continue;
    const c: Component = { pixels: [], x0: w, y0: h, x1: -1, y1: -1 };
    const stack = [start];
    seen[start] = 1;
    while (stack.length > 0) {
      const p = stack.pop()!;
      const px = p % w;
      const py = (p - px) / w;
      c.pixels.push(p);
      c.x0 = Math.min(c.x0, px); c.x1 = Math.max(c.x1, px); c.y0 = Math.min(c.y0, py); c.y1 = Math.max(c.y1, py);
      for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
        const nx = px + dx;
        const ny = py + dy;
        if (nx < 0 || ny < 0 || nx >= w || ny >= h) continue;
        const q = ny * w + nx;
        if (mask[q] && !seen[q]) { seen[q] = 1; stack.push(q); }
      }
    }
    out.push(c);
  }
  return out;
}

/** Whether a component encloses paper: a region of non-ink inside its box that does not reach the box's edge (4-neighbour). */
function enclosesPaper(c: Component, w: number): boolean {
  const bw = c.x1 - c.x0 + 1;
  const bh = c.y1 - c.y0 + 1;
  if (bw < 3 || bh < 3) return false;
  const ink = new Uint8Array(bw * bh);
  for (const p of c.pixels) ink[(Math.floor(p / w) - c.y0) * bw + (p % w) - c.x0] = 1;
  const outside = new Uint8Array(bw * bh);
  const stack: number[] = [];
  for (let x = 0; x < bw; x++) for (const y of [0, bh - 1]) { const q = y * bw + x; if (!ink[q] && !outside[q]) { outside[q] = 1; stack.push(q); } }
  for (let y = 0; y < bh; y++) for (const x of [0, bw - 1]) { const q = y * bw + x; if (!ink[q] && !outside[q]) { outside[q] = 1; stack.push(q); } }
  while (stack.length > 0) {
    const p = stack.pop()!;
    const px = p % bw;
    const py = (p - px) / bw;
    for (const [nx, ny] of [[px + 1, py], [px - 1, py], [px, py + 1], [px, py - 1]] as const) {
      if (nx < 0 || ny < 0 || nx >= bw || ny >= bh) continue;
      const q = ny * bw + nx;
      if (!ink[q] && !outside[q]) { outside[q] = 1; stack.push(q); }
    }
  }
  // The paper enclosed: a ring's is round; two ticks joined by blur at their ends enclose a thin slit.
  let x0 = bw;
  let y0 = bh;
  let x1 = -1;
  let y1 = -1;
  let area = 0;
  for (let q = 0; q < bw * bh; q++) {
    if (ink[q] || outside[q]) continue;
    area++;
    const qx = q % bw;
    const qy = (q - qx) / bw;
    x0 = Math.min(x0, qx); x1 = Math.max(x1, qx); y0 = Math.min(y0, qy); y1 = Math.max(y1, qy);
  }
  const hw = x1 - x0 + 1;
  const hh = y1 - y0 + 1;
  return area >= MIN_HOLE_PIXELS && hw >= 2 && hh >= 2 && Math.max(hw, hh) <= 2 * Math.min(hw, hh) && area >= 0.4 * hw * hh;
}

/** The glyph's top right, where both marks sit: a share of its width and height. */
const MARK_LEFT = 0.5;
const MARK_BOTTOM = 0.5;
/** A ring's enclosed paper: at least this many pixels (a closed slit of blur is less). */
const MIN_HOLE_PIXELS = 3;
/** Glyphs smaller than this (pixels high; 10 pt at 300 dpi is ≈ 38) are too small to tell the marks apart by their ink. */
const MIN_GLYPH_HEIGHT = 30;
/** Specks smaller than this (pixels) are no part of a mark. */
const MIN_MARK_PIXELS = 3;
/** A mark is small beside its glyph: neither side longer than this share of the glyph's height. */
const MAX_MARK_SIZE = 0.45;

/**
 * Which voicing mark the ink of a glyph shows at its top right, or null when it cannot be told (a mark
 * touching the glyph's strokes, blur that closed the ring or joined the ticks, anything else there):
 * one small ring enclosing paper is ゜; two small marks enclosing none are ゛. `glyph` is the glyph's
 * box in the image (as tesseract gives it, the marks included).
 */
export function voicingMarkInk(image: GreyImage, glyph: Box): VoicingMark | null {
  const gw = glyph.x1 - glyph.x0;
  const gh = glyph.y1 - glyph.y0;
  if (gw < 8 || gh < MIN_GLYPH_HEIGHT) return null;
  // A little beyond the box: tesseract's box may clip a mark's outer edge.
  const pad = Math.max(2, Math.round(gh * 0.06));
  const region = {
    x0: Math.max(0, glyph.x0 + Math.round(gw * MARK_LEFT)), y0: Math.max(0, glyph.y0 - pad),
    x1: Math.min(image.width, glyph.x1 + pad), y1: Math.min(image.height, glyph.y0 + Math.round(gh * MARK_BOTTOM)),
  };
  const w = region.x1 - region.x0;
  const h = region.y1 - region.y0;
  if (w < 4 || h < 4) return null;
  const threshold = otsu(image, { x0: Math.max(0, glyph.x0 - pad), y0: Math.max(0, glyph.y0 - pad), x1: Math.min(image.width, glyph.x1 + pad), y1: Math.min(image.height, glyph.y1 + pad) });
  const mask = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) mask[y * w + x] = image.data[(region.y0 + y) * image.width + region.x0 + x]! <= threshold ? 1 : 0;
  // Ink reaching the region's left or bottom edge is the glyph's own strokes; specks are nothing.
  const marks = components(mask, w, h).filter((c) => c.pixels.length >= MIN_MARK_PIXELS && c.x0 > 0 && c.y1 < h - 1);
  const maxSide = gh * MAX_MARK_SIZE;
  if (marks.some((c) => c.x1 - c.x0 + 1 > maxSide || c.y1 - c.y0 + 1 > maxSide)) return null;
  const rings = marks.filter((c) => enclosesPaper(c, w));
  if (marks.length === 1 && rings.length === 1) return 'handakuten';
  if (marks.length === 2 && rings.length === 0) return 'dakuten';
  return null;
}

/**
 * The ink of one glyph where a reading put two side by side (`left` and `right`, their boxes as the
 * engine gave them), or null when the ink shows two. tesseract's stronger model sometimes reads one
 * kana as two of its family (び as ぴび), and gives the second a box of its own beside the first; the
 * ink tells: printed kana stand apart, with paper between them, so ink unbroken from one box's middle
 * to the other's, no wider than a glyph, is one glyph. `glyphHeight` is the line's usual glyph height
 * (a full-width kana is about as wide as it is high); `band` the line's rows in the image.
 */
export function oneGlyphOfInk(image: GreyImage, left: Box, right: Box, glyphHeight: number, band: { y0: number; y1: number }): Box | null {
  const y0 = Math.max(0, band.y0);
  const y1 = Math.min(image.height, band.y1);
  const from = Math.max(0, Math.min(left.x0, right.x0) - Math.round(glyphHeight));
  const to = Math.min(image.width, Math.max(left.x1, right.x1) + Math.round(glyphHeight));
  if (y1 - y0 < 4 || to - from < 4) return null;
  const threshold = otsu(image, { x0: from, y0, x1: to, y1 });
  const inkAt = (x: number) => {
    for (let y = y0; y < y1; y++) if (image.data[y * image.width + x]! <= threshold) return true;
    return false;
  };
  const a = Math.round((left.x0 + left.x1) / 2);
  const b = Math.round((right.x0 + right.x1) / 2);
  if (b <= a) return null;
  for (let x = a; x <= b; x++) if (!inkAt(x)) return null;
  let x0 = a;
  while (x0 > from && inkAt(x0 - 1)) x0--;
  let x1 = b + 1;
  while (x1 < to && inkAt(x1)) x1++;
  if (x0 === from || x1 === to || x1 - x0 > MAX_GLYPH_WIDTH * glyphHeight) return null;
  return inkBox(image, threshold, x0, x1, y0, y1);
}

/** The box of the ink (darker than `threshold`) in columns x0..x1 of rows y0..y1: the columns, the ink's top and bottom. */
function inkBox(image: GreyImage, threshold: number, x0: number, x1: number, y0: number, y1: number): Box {
  let top = y1;
  let bottom = y0;
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) {
    if (image.data[y * image.width + x]! <= threshold) { top = Math.min(top, y); bottom = Math.max(bottom, y + 1); }
  }
  return { x0, y0: top, x1, y1: bottom };
}

/** A glyph's ink is at most this many times the line's glyph height wide (kana are about square). */
const MAX_GLYPH_WIDTH = 1.25;

/**
 * The voicing mark of a glyph whose box the engine gave, looked for in the ink around it as well: the
 * LSTM engine's glyph boxes drift along a line (on a clean scan of サンプルビル the box of プ covered its
 * ring and half of the ル after it), so the glyph is also taken as each stretch of ink, between columns of
 * paper, that overlaps the box or the half glyph before it and is a glyph wide. Every candidate that shows
 * a mark must show the same one; none, or two that differ, tell nothing (null). `glyphHeight` is the
 * line's usual glyph height.
 */
export function voicingMarkNear(image: GreyImage, box: Box, glyphHeight: number): VoicingMark | null {
  const marks = new Set<VoicingMark>();
  const given = voicingMarkInk(image, box);
  if (given) marks.add(given);
  for (const glyph of inkGlyphsAround(image, box, glyphHeight)) {
    const mark = voicingMarkInk(image, glyph);
    if (mark) marks.add(mark);
  }
  return marks.size === 1 ? [...marks][0]! : null;
}

/** The stretches of ink a glyph wide (between columns of paper, in the box's rows) overlapping the box or the half glyph before it. */
function inkGlyphsAround(image: GreyImage, box: Box, glyphHeight: number): Box[] {
  const pad = Math.round(glyphHeight * 0.15);
  const y0 = Math.max(0, box.y0 - pad);
  const y1 = Math.min(image.height, box.y1 + pad);
  const from = Math.max(0, box.x0 - 2 * glyphHeight);
  const to = Math.min(image.width, box.x1 + 2 * glyphHeight);
  if (y1 - y0 < 4 || to - from < 4) return [];
  const threshold = otsu(image, { x0: from, y0, x1: to, y1 });
  const ink = (x: number, y: number) => image.data[y * image.width + x]! <= threshold;
  const runs: { x0: number; x1: number }[] = [];
  let start = -1;
  for (let x = from; x <= to; x++) {
    let any = false;
    if (x < to) for (let y = y0; y < y1 && !any; y++) any = ink(x, y);
    if (any && start < 0) start = x;
    if (!any && start >= 0) { runs.push({ x0: start, x1: x }); start = -1; }
  }
  const near = { x0: box.x0 - Math.round(glyphHeight / 2), x1: box.x1 };
  return runs
    .filter((r) => r.x0 > from && r.x1 < to && r.x1 > near.x0 && r.x0 < near.x1)
    .filter((r) => r.x1 - r.x0 >= 0.5 * glyphHeight && r.x1 - r.x0 <= MAX_GLYPH_WIDTH * glyphHeight)
    .map((r) => inkBox(image, threshold, r.x0, r.x1, y0, y1));
}
