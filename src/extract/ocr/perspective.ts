// A phone photo of a sheet taken at a slant: the sheet is a trapezoid, not a rotated rectangle, so its
// ruling lines converge and no single rotation levels them (the tables are then not found: a photo of a
// form page read as `form.not-found`). The sheet's four edges are fitted as lines on its mask, their
// corners taken as the sheet's, and the photo mapped back to a rectangle by the homography between them.
import type { GreyImage } from './table-grid.ts';

export interface Point { x: number; y: number }
/** Corners in the order top-left, top-right, bottom-right, bottom-left. */
export type Quad = [Point, Point, Point, Point];

/** A line x = a·y + b (a near-vertical edge) or y = a·x + b (a near-horizontal one), by least squares. */
function fit(points: [number, number][]): { a: number; b: number } | null {
  if (points.length < 8) return null;
  let st = 0, su = 0, stt = 0, stu = 0;
  for (const [t, u] of points) { st += t; su += u; stt += t * t; stu += t * u; }
  const n = points.length;
  const d = n * stt - st * st;
  if (d === 0) return null;
  const a = (n * stu - st * su) / d;
  return { a, b: (su - a * st) / n };
}

/**
 * The sheet's corners on its mask (255 paper, 0 desk): each edge is fitted through the mask's boundary
 * along the middle 70 % of that side (the corners themselves are rounded by the blur that made the mask).
 * null when an edge cannot be found (the sheet runs off the photo, or there is no sheet).
 */
export function paperQuad(mask: GreyImage): Quad | null {
  const { width, height, data } = mask;
  const paper = (x: number, y: number) => data[y * width + x]! > 127;
  const rows: number[] = [];
  const cols: number[] = [];
  for (let y = Math.round(height * 0.15); y < height * 0.85; y++) rows.push(y);
  for (let x = Math.round(width * 0.15); x < width * 0.85; x++) cols.push(x);
  const left: [number, number][] = [];
  const right: [number, number][] = [];
  for (const y of rows) {
    let x0 = 0;
    while (x0 < width && !paper(x0, y)) x0++;
    let x1 = width - 1;
    while (x1 >= 0 && !paper(x1, y)) x1--;
    // An edge at the photo's border is the photo's edge, not the sheet's.
    if (x0 > 0 && x0 < width / 2) left.push([y, x0]);
    if (x1 < width - 1 && x1 > width / 2) right.push([y, x1 + 1]);
  }
  const top: [number, number][] = [];
  const bottom: [number, number][] = [];
  for (const x of cols) {
    let y0 = 0;
    while (y0 < height && !paper(x, y0)) y0++;
    let y1 = height - 1;
    while (y1 >= 0 && !paper(x, y1)) y1--;
    if (y0 > 0 && y0 < height / 2) top.push([x, y0]);
    if (y1 < height - 1 && y1 > height / 2) bottom.push([x, y1 + 1]);
  }
  const enough = (edge: unknown[], along: unknown[]) => edge.length >= along.length * 0.8;
  if (!enough(left, rows) || !enough(right, rows) || !enough(top, cols) || !enough(bottom, cols)) return null;
  const l = fit(left), r = fit(right), t = fit(top), b = fit(bottom);
  if (!l || !r || !t || !b) return null;
  // x = l.a·y + l.b meets y = t.a·x + t.b: x = l.a·(t.a·x + t.b) + l.b.
  const meet = (v: { a: number; b: number }, h: { a: number; b: number }): Point => {
    const x = (v.a * h.b + v.b) / (1 - v.a * h.a);
    return { x, y: h.a * x + h.b };
  };
  return [meet(l, t), meet(r, t), meet(r, b), meet(l, b)];
}

const dist = (p: Point, q: Point) => Math.hypot(p.x - q.x, p.y - q.y);

/** Width and height of the rectangle a quad is a slanted view of (its opposite sides averaged). */
export function quadSize(q: Quad): { width: number; height: number } {
  return { width: (dist(q[0], q[1]) + dist(q[3], q[2])) / 2, height: (dist(q[0], q[3]) + dist(q[1], q[2])) / 2 };
}

/**
 * How far a quad is from a rectangle, as the largest difference in direction between opposite sides
 * (degrees): 0 for a rectangle however rotated, about 1° and more for a photo taken at a slant.
 */
export function slant(q: Quad): number {
  const angle = (p: Point, s: Point) => Math.atan2(s.y - p.y, s.x - p.x) * 180 / Math.PI;
  const horizontal = Math.abs(angle(q[0], q[1]) - angle(q[3], q[2]));
  const vertical = Math.abs(angle(q[0], q[3]) - angle(q[1], q[2]));
  return Math.max(horizontal, vertical);
}

/** The homography taking the rectangle (0,0)–(w,h) to the quad: 8 unknowns from 4 correspondences. */
export function rectToQuad(w: number, h: number, q: Quad): number[] {
  const from: Point[] = [{ x: 0, y: 0 }, { x: w, y: 0 }, { x: w, y: h }, { x: 0, y: h }];
  const m: number[][] = [];
  for (let i = 0; i < 4; i++) {
    const { x, y } = from[i]!;
    const { x: u, y: v } = q[i]!;
    m.push([x, y, 1, 0, 0, 0, -u * x, -u * y, u]);
    m.push([0, 0, 0, x, y, 1, -v * x, -v * y, v]);
  }
  // Gaussian elimination with partial pivoting.
  for (let c = 0; c < 8; c++) {
    let p = c;
    for (let r = c + 1; r < 8; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[p]![c]!)) p = r;
    [m[c], m[p]] = [m[p]!, m[c]!];
    for (let r = 0; r < 8; r++) {
      if (r === c) continue;
      const f = m[r]![c]! / m[c]![c]!;
      for (let k = c; k < 9; k++) m[r]![k]! -= f * m[c]![k]!;
    }
  }
  return [...Array.from({ length: 8 }, (_, i) => m[i]![8]! / m[i]![i]!), 1];
}

/**
 * The quad of `img` mapped onto a width × height rectangle (bilinear sampling; outside the image is
 * white paper). `inset` (a share of each side) is left out at the edges, so no desk is kept.
 */
export function warpQuad(img: GreyImage, q: Quad, width: number, height: number, inset: number): GreyImage {
  const dx = width * inset;
  const dy = height * inset;
  const H = rectToQuad(width + 2 * dx, height + 2 * dy, q);
  const out = new Uint8Array(width * height);
  const { data, width: iw, height: ih } = img;
  for (let y = 0; y < height; y++) {
    const sy = y + 0.5 + dy;
    for (let x = 0; x < width; x++) {
      const sx = x + 0.5 + dx;
      const w = H[6]! * sx + H[7]! * sy + 1;
      const u = (H[0]! * sx + H[1]! * sy + H[2]!) / w - 0.5;
      const v = (H[3]! * sx + H[4]! * sy + H[5]!) / w - 0.5;
      const x0 = Math.floor(u);
      const y0 = Math.floor(v);
      if (x0 < 0 || y0 < 0 || x0 + 1 >= iw || y0 + 1 >= ih) { out[y * width + x] = 255; continue; }
      const fx = u - x0;
      const fy = v - y0;
      const i = y0 * iw + x0;
      const top = data[i]! * (1 - fx) + data[i + 1]! * fx;
      const bottom = data[i + iw]! * (1 - fx) + data[i + iw + 1]! * fx;
      out[y * width + x] = Math.round(top * (1 - fy) + bottom * fy);
    }
  }
  return { width, height, data: out };
}
