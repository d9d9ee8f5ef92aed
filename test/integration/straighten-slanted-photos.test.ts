// Phone photos taken at a slant, made here from the sample forms' PDF pages (not from any held-apart
// form): the sheet a trapezoid on a grained desk, the print itself a little crooked on the sheet (fed
// askew into the printer), the light falling off from one corner, one photo taken sideways, one with the
// phone held askew, one with the sheet running off the photo. Straightened,
// each must give the table finder the same tables as the clean render of the page, and stand upright.
// Needs pdftoppm (poppler-utils) and the orientation data (OSD, or the upright probe's Japanese model).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAMPLES } from '../support/harness.ts';
import { renderPages } from '../../scripts/lib/scan-images.ts';
import { rectToQuad, type Quad } from '../../src/extract/ocr/perspective.ts';
import { preparePage } from '../../src/extract/ocr/prepare-image.ts';
import { findTables, type GreyImage } from '../../src/extract/ocr/table-grid.ts';
import { shutdownPageOrientation } from '../../src/extract/ocr/orientation.ts';
import { shutdownOcr } from '../../src/extract/ocr/ocr-engine.ts';

afterAll(async () => {
  await shutdownPageOrientation();
  await shutdownOcr();
});

/** The inverse of a 3×3 homography (row-major, 9 numbers). */
function invert(h: number[]): number[] {
  const [a, b, c, d, e, f, g, k, l] = h as [number, number, number, number, number, number, number, number, number];
  const A = e * l - f * k, B = -(d * l - f * g), C = d * k - e * g;
  const det = a * A + b * B + c * C;
  return [A, -(b * l - c * k), b * f - c * e, B, a * l - c * g, -(a * f - c * d), C, -(a * k - b * g), a * e - b * d].map((v) => v / det);
}

interface Shot {
  /** Where the sheet's corners land in a 3000 × 3900 photo (top-left, top-right, bottom-right, bottom-left). */
  corners: Quad;
  /** Clockwise skew of the print on the sheet. */
  printSkew: number;
  /** Clockwise quarter turn of the whole photo (a photo taken sideways). */
  turn: 0 | 90 | 270;
  /** The corner the light falls off towards: 0 top-left … 3 bottom-left. */
  dark: 0 | 1 | 2 | 3;
  /**
   * The sheet runs off the photo: mapped back with the photo's border for its lost edge, the page keeps a
   * small turn that is levelled with the print's skew, so the skew found is not the print's alone.
   */
  offFrame?: boolean;
}

const WIDTH = 3000;
const HEIGHT = 3900;

/** The page printed (crooked by printSkew) on a sheet, photographed at a slant on a desk, lit unevenly. */
async function slantedPhoto(page: Buffer, shot: Shot): Promise<Buffer> {
  const { data: paper, info } = await sharp(page).greyscale().rotate(shot.printSkew, { background: '#ffffff' })
    .resize({ width: 2480, height: 3508, fit: 'fill' }).raw().toBuffer({ resolveWithObject: true });
  const pw = info.width;
  const ph = info.height;
  // Photo pixel → sheet pixel.
  const H = invert(rectToQuad(pw, ph, shot.corners));
  const out = Buffer.alloc(WIDTH * HEIGHT);
  let seed = 11;
  const noise = () => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return (seed / 2 ** 32 - 0.5) * 10; };
  const far = [[0, 0], [WIDTH, 0], [WIDTH, HEIGHT], [0, HEIGHT]][shot.dark]!;
  for (let y = 0; y < HEIGHT; y++) {
    for (let x = 0; x < WIDTH; x++) {
      const w = H[6]! * x + H[7]! * y + H[8]!;
      const u = (H[0]! * x + H[1]! * y + H[2]!) / w;
      const v = (H[3]! * x + H[4]! * y + H[5]!) / w;
      const desk = 85 + 12 * Math.sin(x / 41 + Math.sin(y / 300));
      const inside = u >= 0 && v >= 0 && u < pw - 1 && v < ph - 1;
      let grey = desk;
      if (inside) {
        // Bilinear, as a lens blends neighbouring detail (nearest-pixel sampling would break thin rules).
        const x0 = Math.floor(u);
        const y0 = Math.floor(v);
        const fx = u - x0;
        const fy = v - y0;
        const i = y0 * pw + x0;
        grey = 0.92 * ((paper[i]! * (1 - fx) + paper[i + 1]! * fx) * (1 - fy) + (paper[i + pw]! * (1 - fx) + paper[i + pw + 1]! * fx) * fy);
      }
      const light = 0.7 + 0.3 * Math.hypot(x - far[0]!, y - far[1]!) / Math.hypot(WIDTH, HEIGHT);
      out[y * WIDTH + x] = Math.max(0, Math.min(255, Math.round(grey * light + noise())));
    }
  }
  return sharp(out, { raw: { width: WIDTH, height: HEIGHT, channels: 1 } }).blur(1).rotate(shot.turn).jpeg({ quality: 80 }).toBuffer();
}

const shape = (img: GreyImage) => findTables(img).map((t) => t.rows.map((r) => r.length));

const shots: [string, string, number, Shot][] = [
  ['the top further away, print 0.5° crooked', 'renewal-complete', 2,
    { corners: [{ x: 420, y: 330 }, { x: 2560, y: 300 }, { x: 2740, y: 3650 }, { x: 260, y: 3690 }], printSkew: 0.5, turn: 0, dark: 2 }],
  ['the left side further away, print 0.4° the other way, dark at the top right', 'certification-complete', 2,
    { corners: [{ x: 380, y: 420 }, { x: 2700, y: 260 }, { x: 2720, y: 3700 }, { x: 360, y: 3520 }], printSkew: -0.4, turn: 0, dark: 1 }],
  ['the phone held 8° askew (more than the skew search reaches)', 'certification-complete', 4,
    { corners: [{ x: 620, y: 250 }, { x: 2760, y: 540 }, { x: 2400, y: 3700 }, { x: 240, y: 3400 }], printSkew: 0, turn: 0, dark: 3 }],
  ['the sheet running off the bottom of the photo', 'renewal-complete', 2,
    { corners: [{ x: 450, y: 300 }, { x: 2550, y: 330 }, { x: 2800, y: 4150 }, { x: 200, y: 4120 }], printSkew: 0, turn: 0, dark: 2, offFrame: true }],
  ['taken sideways, the bottom further away', 'certification-complete', 3,
    { corners: [{ x: 300, y: 250 }, { x: 2720, y: 280 }, { x: 2560, y: 3560 }, { x: 470, y: 3580 }], printSkew: 0.3, turn: 90, dark: 3 }],
];

describe('phone photos taken at a slant', () => {
  const clean = new Map<string, Buffer>();
  beforeAll(() => {
    for (const [, form, page] of shots) {
      clean.set(`${form}-${page}`, renderPages(new Uint8Array(readFileSync(path.join(SAMPLES, 'forms-pdf', `${form}.pdf`))), [page], 300)[0]!);
    }
  });

  it.each(shots)('%s: mapped back to the page, upright, with the tables of the clean page', async (_, form, page, shot) => {
    const render = clean.get(`${form}-${page}`)!;
    const expected = shape((await preparePage(render)).grey);
    expect(expected.length).toBeGreaterThan(0);
    const { grey, geometry } = await preparePage(await slantedPhoto(render, shot));
    // Mapped back by its corners (a slant, or a turn past the skew search), not merely rotated.
    expect(geometry.slantDegrees).toBeDefined();
    expect(geometry.rotation).toBe((360 - shot.turn) % 360);
    expect(Math.abs(geometry.skewDegrees - shot.printSkew)).toBeLessThanOrEqual(shot.offFrame ? 1 : 0.2);
    expect(shape(grey)).toEqual(expected);
  }, 120_000);
});
