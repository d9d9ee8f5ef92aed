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
 * `fit`, then again without the points far off the line (twice): where the sheet lies turned by more
 * than a few degrees, the scan lines near its corners meet the next edge instead, and those points would
 * tilt the fit.
 */
function fitTrimmed(points: [number, number][]): { a: number; b: number } | null {
  let line = fit(points);
  let kept = points;
  for (let round = 0; round < 2 && line; round++) {
    const l = line;
    const residuals = kept.map(([t, u]) => Math.abs(u - (l.a * t + l.b)));
    const median = [...residuals].sort((x, y) => x - y)[Math.floor(residuals.length / 2)]!;
    const limit = Math.max(1.5, 3 * median);
    const inliers = kept.filter((_, i) => residuals[i]! <= limit);
    if (inliers.length === kept.length || inliers.length < Math.max(8, points.length * 0.5)) break;
    kept = inliers;
    line = fit(kept);
  }
  return line;
}

/** Where a near-vertical edge x = v.a·y + v.b meets a near-horizontal one y = h.a·x + h.b. */
function meet(v: { a: number; b: number }, h: { a: number; b: number }): Point {
  const x = (v.a * h.b + v.b) / (1 - v.a * h.a);
  return { x, y: h.a * x + h.b };
}

/**
 * The sheet's corners on its mask (255 paper, 0 desk): each edge is fitted through the mask's boundary
 * along the middle 70 % of that side (the corners themselves are rounded by the blur that made the mask).
 * null when two edges or more cannot be found (the sheet runs off the photo there, or there is no sheet);
 * one missing edge is taken to be the photo's border.
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
  const found = [enough(left, rows), enough(right, rows), enough(top, cols), enough(bottom, cols)];
  // A sheet that runs off the photo on one side (the phone held too close) is cut there by the photo's
  // border, which stands in for that edge; on two sides or more there is too little left to map by.
  if (found.filter((f) => !f).length > 1) return null;
  const border = (edge: [number, number][], ok: boolean, at: number) => (ok ? fitTrimmed(edge) : { a: 0, b: at });
  const l = border(left, found[0]!, 0), r = border(right, found[1]!, width), t = border(top, found[2]!, 0), b = border(bottom, found[3]!, height);
  if (!l || !r || !t || !b) return null;
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

/**
 * How far a quad is turned from level, clockwise in degrees: the mean direction of its top and bottom
 * sides and of its left and right sides less a quarter turn.
 */
export function turnOf(q: Quad): number {
  const angle = (p: Point, s: Point) => Math.atan2(s.y - p.y, s.x - p.x) * 180 / Math.PI;
  return (angle(q[0], q[1]) + angle(q[3], q[2]) + angle(q[0], q[3]) - 90 + angle(q[1], q[2]) - 90) / 4;
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
 * white paper). `inset` (a share of each side) is left out at the edges, so no desk is kept. `degrees`:
 * a clockwise skew of the print on the sheet, undone in the same mapping (the corners it turns in from
 * outside the sheet are white paper, as a levelled scan's).
 */
export function warpQuad(img: GreyImage, q: Quad, width: number, height: number, inset: number, degrees = 0): GreyImage {
  const dx = width * inset;
  const dy = height * inset;
  const H = rectToQuad(width + 2 * dx, height + 2 * dy, q);
  const out = new Uint8Array(width * height);
  const { data, width: iw, height: ih } = img;
  // The level page's pixel centre, turned by the skew about the middle, on the sheet's rectangle:
  // sx = cos·x − sin·y + ex, sy = sin·x + cos·y + ey. Everything down to the homography's numerators
  // is linear along a row, so a row costs one division per pixel and no other product of position.
  const cos = Math.cos((degrees * Math.PI) / 180);
  const sin = Math.sin((degrees * Math.PI) / 180);
  const cx = width / 2;
  const cy = height / 2;
  const ex = cos * (0.5 - cx) - sin * (0.5 - cy) + cx + dx;
  const ey = sin * (0.5 - cx) + cos * (0.5 - cy) + cy + dy;
  const [h0, h1, h2, h3, h4, h5, h6, h7] = H as [number, number, number, number, number, number, number, number];
  const du = h0 * cos + h1 * sin;
  const dv = h3 * cos + h4 * sin;
  const dw = h6 * cos + h7 * sin;
  const turned = degrees !== 0;
  for (let y = 0; y < height; y++) {
    const sx0 = -sin * y + ex;
    const sy0 = cos * y + ey;
    const u0 = h0 * sx0 + h1 * sy0 + h2;
    const v0 = h3 * sx0 + h4 * sy0 + h5;
    const w0 = h6 * sx0 + h7 * sy0 + 1;
    const row = y * width;
    for (let x = 0; x < width; x++) {
      if (turned) {
        // The corners turned in from outside the sheet are white paper, as a levelled scan's.
        const sx = sx0 + cos * x;
        const sy = sy0 + sin * x;
        if (sx < dx || sy < dy || sx > width + dx || sy > height + dy) { out[row + x] = 255; continue; }
      }
      const w = 1 / (w0 + dw * x);
      const u = (u0 + du * x) * w - 0.5;
      const v = (v0 + dv * x) * w - 0.5;
      if (u < 0 || v < 0) { out[row + x] = 255; continue; }
      const x0 = u | 0;
      const y0 = v | 0;
      if (x0 + 1 >= iw || y0 + 1 >= ih) { out[row + x] = 255; continue; }
      const fx = u - x0;
      const fy = v - y0;
      const i = y0 * iw + x0;
      const top = data[i]! + (data[i + 1]! - data[i]!) * fx;
      const bottom = data[i + iw]! + (data[i + iw + 1]! - data[i + iw]!) * fx;
      out[row + x] = top + (bottom - top) * fy + 0.5;
    }
  }
  return { width, height, data: out };
}

/**
 * The quad's edges found again, finer, on a grey image of the photo (`img`, the scale the quad is given
 * in): the paper mask they came from is small and blurred, and shading on the sheet or the desk moves its
 * boundary by a few pixels, which tilts the mapped page by up to a degree (enough to break a ruling line
 * into unmerged pieces). Along each edge, at points across its middle 70 %, the strongest step from desk
 * to paper within `reach` pixels across the edge is taken; a line is fitted through those steps (points
 * far off it, a shadow or something on the desk, left out) and the corners are where the lines meet.
 * An edge with too few clear steps keeps its first fit.
 */
export function refineQuad(img: GreyImage, q: Quad, reach: number): Quad {
  const { width, height, data } = img;
  const grey = (x: number, y: number) => {
    const xi = Math.min(width - 1, Math.max(0, Math.round(x)));
    const yi = Math.min(height - 1, Math.max(0, Math.round(y)));
    return data[yi * width + xi]!;
  };
  // Each side as [from corner, to corner]; inward is the side of the sheet's middle.
  const middle = { x: (q[0].x + q[1].x + q[2].x + q[3].x) / 4, y: (q[0].y + q[1].y + q[2].y + q[3].y) / 4 };
  const sides: [Point, Point, boolean][] = [[q[0], q[1], false], [q[1], q[2], true], [q[3], q[2], false], [q[0], q[3], true]];
  const fitted = sides.map(([p, s, vertical]) => {
    const length = dist(p, s);
    const ux = (s.x - p.x) / length;
    const uy = (s.y - p.y) / length;
    // The normal, turned towards the sheet's middle.
    let nx = -uy;
    let ny = ux;
    if ((middle.x - p.x) * nx + (middle.y - p.y) * ny < 0) { nx = -nx; ny = -ny; }
    const points: [number, number][] = [];
    const samples = Math.max(8, Math.round(length * 0.7 / 2));
    const band = 3;
    for (let k = 0; k <= samples; k++) {
      const t = length * (0.15 + (0.7 * k) / samples);
      const bx = p.x + ux * t;
      const by = p.y + uy * t;
      // The grey across the edge, averaged over a few pixels along it (grain, JPEG).
      const profile: number[] = [];
      for (let d = -reach - band; d <= reach + band; d++) {
        let sum = 0;
        for (let a = -1; a <= 1; a++) sum += grey(bx + nx * d + ux * a, by + ny * d + uy * a);
        profile.push(sum / 3);
      }
      let best = 0;
      let bestAt = 0;
      for (let d = -reach; d <= reach; d++) {
        const i = d + reach + band;
        let inner = 0;
        let outer = 0;
        for (let b = 0; b < band; b++) { inner += profile[i + b]!; outer += profile[i - 1 - b]!; }
        const step = (inner - outer) / band;
        if (step > best) { best = step; bestAt = d; }
      }
      // A clear step only: paper is much brighter than desk.
      if (best < 25) continue;
      const x = bx + nx * (bestAt - 0.5);
      const y = by + ny * (bestAt - 0.5);
      points.push(vertical ? [y, x] : [x, y]);
    }
    let line = fit(points);
    if (line && points.length >= samples * 0.5) {
      // Once more without the points far off the first line (a shadow, a pen on the desk).
      const kept = points.filter(([t, u]) => Math.abs(u - (line!.a * t + line!.b)) <= 1.5);
      const again = kept.length >= points.length * 0.6 ? fit(kept) : null;
      if (again) line = again;
      return line;
    }
    return null;
  });
  const [t, r, b, l] = fitted;
  // The first fit's edge: the line through the side's two corners.
  const first = (i: number, vertical: boolean) => {
    const [p, s] = sides[i]!;
    const a = vertical ? (s.x - p.x) / (s.y - p.y) : (s.y - p.y) / (s.x - p.x);
    return vertical ? { a, b: p.x - a * p.y } : { a, b: p.y - a * p.x };
  };
  const top = t ?? first(0, false);
  const right = r ?? first(1, true);
  const bottom = b ?? first(2, false);
  const left = l ?? first(3, true);
  return [meet(left, top), meet(right, top), meet(right, bottom), meet(left, bottom)];
}
