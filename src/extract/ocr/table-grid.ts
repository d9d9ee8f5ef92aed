// The ruling lines of a scanned form page, and the table cells they enclose. The association's forms are
// plain Word tables with drawn borders, so a scan shows each cell as a box: finding the boxes lets every
// field be read by itself (full-page OCR loses table rows, DESIGN.md). Pure: grey pixels in, boxes out.

export interface GreyImage {
  width: number;
  height: number;
  /** One byte per pixel, 0 = black. */
  data: Uint8Array;
}

export interface Box { x0: number; y0: number; x1: number; y1: number }

export interface GridCell extends Box {
  row: number;
  col: number;
  colSpan: number;
}

export interface GridTable extends Box {
  rows: GridCell[][];
}

interface Segment { pos: number; from: number; to: number; thickness: number }

const INK = 150;
/**
 * A ruling line is found by a lighter threshold than ink: a blurred or faint 200 dpi scan turns a thin
 * line grey (170–190) while text never makes runs as long as a line's. The page's light is even by now
 * (even-light.ts), so paper is near white everywhere.
 */
const LINE_INK = 195;
/** Pixels without ink a ruling line may break for and still be one line. */
const MAX_BREAK = 2;

/** Runs of ink at least `minLength` long along each row (horizontal) or column (vertical), merged into lines. */
function lines(img: GreyImage, horizontal: boolean, minLength: number): Segment[] {
  const { width, height, data } = img;
  const raw: Segment[] = [];
  // A run: ink pixels with breaks of at most MAX_BREAK pixels between them (JPEG, a faint scan), from its
  // first ink pixel to its last. Scanned in memory order both ways (a column at a time was a cache miss
  // per pixel), paper skipped in a tight loop: vertical runs keep one state per column, and only the
  // columns inside a run are visited where a row has no ink.
  if (horizontal) {
    for (let y = 0; y < height; y++) {
      const row = y * width;
      let x = 0;
      while (x < width) {
        while (x < width && data[row + x]! >= LINE_INK) x++;
        if (x >= width) break;
        const first = x;
        let last = x;
        for (x++; x < width && x - last <= MAX_BREAK + 1; x++) if (data[row + x]! < LINE_INK) last = x;
        if (last - first >= minLength) raw.push({ pos: y, from: first, to: last, thickness: 1 });
      }
    }
  } else {
    const first = new Int32Array(width).fill(-1);
    const last = new Int32Array(width);
    let open: number[] = [];
    for (let y = 0; y <= height; y++) {
      if (y < height) {
        const row = y * width;
        for (let x = 0; x < width; x++) {
          if (data[row + x]! >= LINE_INK) continue;
          if (first[x]! < 0) { first[x] = y; open.push(x); }
          last[x] = y;
        }
      }
      const still: number[] = [];
      for (const x of open) {
        if (y < height && y - last[x]! <= MAX_BREAK) { still.push(x); continue; }
        if (last[x]! - first[x]! >= minLength) raw.push({ pos: x, from: first[x]!, to: last[x]!, thickness: 1 });
        first[x] = -1;
      }
      open = still;
    }
  }
  // Merge runs on neighbouring rows/columns that overlap: one drawn line is several pixels thick.
  raw.sort((a, b) => a.pos - b.pos || a.from - b.from);
  const merged: Segment[] = [];
  for (const s of raw) {
    const m = merged.find((x) => s.pos - (x.pos + x.thickness - 1) <= 2 && s.from < x.to && s.to > x.from);
    if (m) {
      m.thickness = s.pos - m.pos + 1;
      m.from = Math.min(m.from, s.from);
      m.to = Math.max(m.to, s.to);
    } else merged.push({ ...s });
  }
  // A line is thin; text, photos and filled areas are not.
  return merged.filter((s) => s.thickness <= 12).map((s) => ({ ...s, pos: s.pos + Math.floor(s.thickness / 2) }));
}

function cluster(values: number[], tolerance: number): number[] {
  const sorted = [...values].sort((a, b) => a - b);
  const out: number[][] = [];
  for (const v of sorted) {
    const last = out[out.length - 1];
    if (last && v - last[last.length - 1]! <= tolerance) last.push(v);
    else out.push([v]);
  }
  return out.map((g) => Math.round(g.reduce((a, b) => a + b, 0) / g.length));
}

/** Tables on a page: groups of crossing ruling lines, split into rows and (per row) cells. */
export function findTables(img: GreyImage): GridTable[] {
  const minH = Math.round(img.width * 0.04);
  const minV = Math.round(img.height * 0.012);
  const hs = lines(img, true, minH);
  const vs = lines(img, false, minV);
  const tol = Math.max(4, Math.round(img.width / 400));
  // Group: a horizontal and a vertical line belong together when they cross (or touch).
  const crosses = (h: Segment, v: Segment) => v.pos >= h.from - tol && v.pos <= h.to + tol && h.pos >= v.from - tol && h.pos <= v.to + tol;
  const groups: { hs: Segment[]; vs: Segment[] }[] = [];
  for (const h of hs) {
    const touching = groups.filter((g) => g.vs.some((v) => crosses(h, v)) || g.hs.some((o) => o === h));
    const vMine = vs.filter((v) => crosses(h, v));
    if (vMine.length < 2) continue;
    const joined = touching.length ? touching : [];
    const target = { hs: [h, ...joined.flatMap((g) => g.hs)], vs: [...new Set([...vMine, ...joined.flatMap((g) => g.vs)])] };
    for (const g of joined) groups.splice(groups.indexOf(g), 1);
    groups.push(target);
  }
  const tables: GridTable[] = [];
  for (const g of groups) {
    const ys = cluster(g.hs.map((h) => h.pos), tol);
    if (ys.length < 2) continue;
    const xsAll = cluster(g.vs.map((v) => v.pos), tol);
    const rows: GridCell[][] = [];
    for (let r = 0; r + 1 < ys.length; r++) {
      const [top, bottom] = [ys[r]!, ys[r + 1]!];
      if (bottom - top < tol * 2) continue;
      // The vertical lines that run through this row make its cell borders (merged cells lack some).
      const xs = cluster(g.vs.filter((v) => v.from <= top + tol * 2 && v.to >= bottom - tol * 2).map((v) => v.pos), tol);
      if (xs.length < 2) continue;
      const row: GridCell[] = [];
      for (let c = 0; c + 1 < xs.length; c++) {
        const [left, right] = [xs[c]!, xs[c + 1]!];
        const span = xsAll.filter((x) => x > left + tol && x < right - tol).length + 1;
        row.push({ x0: left, y0: top, x1: right, y1: bottom, row: rows.length, col: c, colSpan: span });
      }
      rows.push(row);
    }
    if (rows.length === 0) continue;
    const all = rows.flat();
    tables.push({ x0: Math.min(...all.map((c) => c.x0)), y0: Math.min(...all.map((c) => c.y0)), x1: Math.max(...all.map((c) => c.x1)), y1: Math.max(...all.map((c) => c.y1)), rows });
  }
  return tables.sort((a, b) => a.y0 - b.y0);
}

/** Share of inked pixels inside a box (inset to leave the borders out): tells a blank cell and a signature. */
export function inkRatio(img: GreyImage, box: Box, inset = 6): number {
  const { ink, all } = inkCount(img, box, inset);
  return all === 0 ? 0 : ink / all;
}

/** Dark pixels inside the box (borders inset away), and all pixels looked at. */
export function inkCount(img: GreyImage, box: Box, inset = 6): { ink: number; all: number } {
  let ink = 0;
  let all = 0;
  for (let y = box.y0 + inset; y < box.y1 - inset; y++) {
    for (let x = box.x0 + inset; x < box.x1 - inset; x++) {
      all++;
      if (img.data[y * img.width + x]! < INK) ink++;
    }
  }
  return { ink, all };
}

/**
 * The lines of printed text outside the given tables, top to bottom: bands of rows with ink, each
 * trimmed to the ink's left and right ends. Found from the pixels, without OCR, so that a page of
 * printed policy text costs nothing until something on it is needed.
 */
export function textLinesOutside(img: GreyImage, tables: readonly Box[]): Box[] {
  const margin = Math.round(img.width * 0.03);
  const minInk = 3;
  const rowInk: { count: number; x0: number; x1: number }[] = [];
  const { width, data } = img;
  for (let y = 0; y < img.height; y++) {
    // The stretches of the row not covered by a table (a table's box and 2 px around it), left to right.
    const covered = tables.filter((t) => y >= t.y0 - 2 && y <= t.y1 + 2).map((t) => [t.x0 - 2, t.x1 + 2] as const).sort((a, b) => a[0] - b[0]);
    let count = 0;
    let x0 = width;
    let x1 = -1;
    const row = y * width;
    let x = margin;
    const end = width - margin;
    for (let k = 0; k <= covered.length && x < end; k++) {
      const stop = k < covered.length ? Math.min(end, covered[k]![0]) : end;
      for (; x < stop; x++) {
        if (data[row + x]! >= INK) continue;
        count++;
        if (x < x0) x0 = x;
        x1 = x;
      }
      if (k < covered.length) x = Math.max(x, covered[k]![1] + 1);
    }
    rowInk.push({ count, x0, x1 });
  }
  const gap = Math.max(4, Math.round(img.width / 400));
  const bands: Box[] = [];
  let start = -1;
  let last = -1;
  let bx0 = img.width;
  let bx1 = -1;
  const close = () => {
    const height = last - start + 1;
    // A text line at ~300 dpi is 20–80 px high; thinner bands are specks or rules, taller ones pictures.
    if (height >= Math.round(img.width / 200) && height <= Math.round(img.width / 20)) bands.push({ x0: bx0, y0: start, x1: bx1, y1: last });
  };
  for (let y = 0; y < img.height; y++) {
    const r = rowInk[y]!;
    if (r.count >= minInk) {
      if (start < 0 || y - last > gap) {
        if (start >= 0) close();
        start = y;
        bx0 = img.width;
        bx1 = -1;
      }
      last = y;
      bx0 = Math.min(bx0, r.x0);
      bx1 = Math.max(bx1, r.x1);
    }
  }
  if (start >= 0) close();
  return bands;
}
