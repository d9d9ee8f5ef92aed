// Light made even across a page. A phone photo is brighter where the lamp was and falls off to grey at the
// far corners; a photocopy greys shaded cells. Everything after this step reads ink as "darker than 150"
// (table lines, blank and handwritten cells, checkboxes) and tesseract binarises globally, so a grey corner
// would read as ink or lose its text. Each pixel is divided by the paper's own brightness around it.
import type { GreyImage } from './table-grid.ts';

/** Side of the blocks whose brightest pixel is taken for the paper (≈ 2 mm at 300 dpi: wider than a stroke). */
const BLOCK = 24;
/**
 * A photo's paper has grain: pixels down to this share of the paper's brightness are taken for paper and
 * made white, or tesseract (binarising a crop against its pure white margin) reads the grain as ink.
 */
const PAPER_GRAIN = 0.85;
/** Paper this dark somewhere is a photo's (a scan's shaded cells stay lighter, ~215). */
const PHOTO_DARKEST = 200;
/** Paper at least this bright everywhere is left alone: a scanner's page is already even. */
const EVEN_ENOUGH = 235;

/**
 * The paper's brightness per block: the brightest pixel of the block and its neighbours (so that a block
 * inside a large glyph or a solid mark still sees paper), smoothed.
 */
function paperBrightness(img: GreyImage): { cols: number; rows: number; level: Float32Array } {
  const cols = Math.ceil(img.width / BLOCK);
  const rows = Math.ceil(img.height / BLOCK);
  const max = new Uint8Array(cols * rows);
  for (let y = 0; y < img.height; y++) {
    const row = (y / BLOCK) | 0;
    for (let x = 0; x < img.width; x++) {
      const v = img.data[y * img.width + x]!;
      const i = row * cols + ((x / BLOCK) | 0);
      if (v > max[i]!) max[i] = v;
    }
  }
  const spread = new Uint8Array(cols * rows);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      let m = 0;
      for (let dr = -1; dr <= 1; dr++) for (let dc = -1; dc <= 1; dc++) {
        const rr = r + dr;
        const cc = c + dc;
        if (rr >= 0 && rr < rows && cc >= 0 && cc < cols) m = Math.max(m, max[rr * cols + cc]!);
      }
      spread[r * cols + c] = m;
    }
  }
  const level = new Float32Array(cols * rows);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      let sum = 0;
      let n = 0;
      for (let dr = -1; dr <= 1; dr++) for (let dc = -1; dc <= 1; dc++) {
        const rr = r + dr;
        const cc = c + dc;
        if (rr >= 0 && rr < rows && cc >= 0 && cc < cols) { sum += spread[rr * cols + cc]!; n++; }
      }
      level[r * cols + c] = Math.max(32, sum / n);
    }
  }
  return { cols, rows, level };
}

/** The page with its paper brought to white; an evenly lit page is returned as it is. */
export function evenLight(img: GreyImage): GreyImage {
  const { cols, rows, level } = paperBrightness(img);
  let darkest = 255;
  for (const v of level) darkest = Math.min(darkest, v);
  if (darkest >= EVEN_ENOUGH) return img;
  // Only a photo's paper (light falling off well below a scanner's grey shading) has grain to whiten.
  const gain = darkest < PHOTO_DARKEST ? 1 / PAPER_GRAIN : 1;
  const out = new Uint8Array(img.data.length);
  for (let y = 0; y < img.height; y++) {
    // Bilinear between block centres, so no block edges show.
    const fy = Math.min(rows - 1, Math.max(0, (y - BLOCK / 2) / BLOCK));
    const r0 = Math.floor(fy);
    const r1 = Math.min(rows - 1, r0 + 1);
    const wy = fy - r0;
    for (let x = 0; x < img.width; x++) {
      const fx = Math.min(cols - 1, Math.max(0, (x - BLOCK / 2) / BLOCK));
      const c0 = Math.floor(fx);
      const c1 = Math.min(cols - 1, c0 + 1);
      const wx = fx - c0;
      const paper = (level[r0 * cols + c0]! * (1 - wx) + level[r0 * cols + c1]! * wx) * (1 - wy)
        + (level[r1 * cols + c0]! * (1 - wx) + level[r1 * cols + c1]! * wx) * wy;
      const i = y * img.width + x;
      out[i] = Math.min(255, Math.round((img.data[i]! * 255 * gain) / paper));
    }
  }
  return { width: img.width, height: img.height, data: out };
}
