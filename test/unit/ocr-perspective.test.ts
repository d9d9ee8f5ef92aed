// The perspective fix of phone photos: the sheet's corners found on its mask, a slant told from a mere
// rotation, and a trapezoid mapped back to a rectangle with its ruling lines level again.
import { describe, expect, it } from 'vitest';
import { paperQuad, quadSize, refineQuad, slant, turnOf, warpQuad, type Quad } from '../../src/extract/ocr/perspective.ts';
import type { GreyImage } from '../../src/extract/ocr/table-grid.ts';

/** A width × height image, 255 inside the quad and 0 outside (a sheet on a dark desk). */
function sheet(width: number, height: number, q: Quad): GreyImage {
  const data = new Uint8Array(width * height);
  const inside = (x: number, y: number) => q.every((p, i) => {
    const n = q[(i + 1) % 4]!;
    return (n.x - p.x) * (y - p.y) - (n.y - p.y) * (x - p.x) >= 0;
  });
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) if (inside(x + 0.5, y + 0.5)) data[y * width + x] = 255;
  return { width, height, data };
}

const trapezoid: Quad = [{ x: 60, y: 40 }, { x: 340, y: 50 }, { x: 360, y: 470 }, { x: 40, y: 460 }];

describe('paperQuad', () => {
  it('finds the corners of a sheet photographed at a slant, within a pixel or two', () => {
    const q = paperQuad(sheet(400, 520, trapezoid))!;
    expect(q).not.toBeNull();
    q.forEach((p, i) => {
      expect(Math.abs(p.x - trapezoid[i]!.x)).toBeLessThan(2.5);
      expect(Math.abs(p.y - trapezoid[i]!.y)).toBeLessThan(2.5);
    });
  });

  it('finds the corners of a sheet lying turned by 8°, where the scan lines near its corners meet the next edge', () => {
    const a = (8 * Math.PI) / 180;
    const turn = (x: number, y: number) => ({ x: 260 + x * Math.cos(a) - y * Math.sin(a), y: 300 + x * Math.sin(a) + y * Math.cos(a) });
    const turned: Quad = [turn(-170, -220), turn(170, -220), turn(170, 220), turn(-170, 220)];
    const q = paperQuad(sheet(520, 600, turned))!;
    expect(q).not.toBeNull();
    q.forEach((p, i) => {
      expect(Math.abs(p.x - turned[i]!.x)).toBeLessThan(2.5);
      expect(Math.abs(p.y - turned[i]!.y)).toBeLessThan(2.5);
    });
    expect(slant(q)).toBeLessThan(0.5);
    expect(turnOf(q)).toBeCloseTo(8, 0);
  });

  it('takes the photo\'s border for the one edge of a sheet that runs off the photo', () => {
    // The trapezoid, its bottom cut off by the photo's lower border at y = 400.
    const q = paperQuad(sheet(400, 400, trapezoid))!;
    expect(q).not.toBeNull();
    for (const i of [0, 1]) {
      expect(Math.abs(q[i]!.x - trapezoid[i]!.x)).toBeLessThan(2.5);
      expect(Math.abs(q[i]!.y - trapezoid[i]!.y)).toBeLessThan(2.5);
    }
    expect(q[2].y).toBe(400);
    expect(q[3].y).toBe(400);
    // Where the slanted sides meet the border: x = 340 + 20·(350/420) on the right, 60 − 20·(360/420) on the left.
    expect(Math.abs(q[2].x - (340 + (20 * 350) / 420))).toBeLessThan(2.5);
    expect(Math.abs(q[3].x - (60 - (20 * 360) / 420))).toBeLessThan(2.5);
  });

  it('gives no corners when the sheet runs off the photo (a scan: paper to the border)', () => {
    expect(paperQuad({ width: 100, height: 100, data: new Uint8Array(100 * 100).fill(255) })).toBeNull();
  });
});

describe('slant', () => {
  it('is about 0 for a rectangle however rotated, and clear for a trapezoid', () => {
    const a = (3 * Math.PI) / 180;
    const turn = (x: number, y: number) => ({ x: 200 + x * Math.cos(a) - y * Math.sin(a), y: 260 + x * Math.sin(a) + y * Math.cos(a) });
    expect(slant([turn(-150, -200), turn(150, -200), turn(150, 200), turn(-150, 200)])).toBeLessThan(0.01);
    expect(slant(trapezoid)).toBeGreaterThan(1);
  });
});

describe('warpQuad', () => {
  it('maps the trapezoid back to a rectangle: a line drawn along its top edge comes out level', () => {
    const img = sheet(400, 520, trapezoid);
    // A ruling line just inside the top edge, following the slant of the sheet.
    for (let x = 70; x <= 330; x++) {
      const t = (x - 60) / 280;
      const y = Math.round(40 + t * 10 + 30);
      for (let d = 0; d < 3; d++) img.data[(y + d) * 400 + x] = 0;
    }
    const size = quadSize(trapezoid);
    const flat = warpQuad(img, trapezoid, Math.round(size.width), Math.round(size.height), 0);
    // The dark row of the line, at its left and its right end: the same row once the slant is undone.
    const darkRow = (x: number) => { for (let y = 0; y < flat.height; y++) if (flat.data[y * flat.width + x]! < 128) return y; return -1; };
    const left = darkRow(Math.round(flat.width * 0.1));
    const right = darkRow(Math.round(flat.width * 0.9));
    expect(left).toBeGreaterThan(0);
    expect(Math.abs(left - right)).toBeLessThanOrEqual(2);
  });
});

/**
 * A photo of a sheet at a slant: paper falling off from 230 to 170 across the sheet (a lamp at one side),
 * a desk at 70–100, and grain on both; the edge softened over a pixel or two as a camera's is.
 */
function shadedPhoto(width: number, height: number, q: Quad): GreyImage {
  const mask = sheet(width * 2, height * 2, q.map((p) => ({ x: p.x * 2, y: p.y * 2 })) as Quad);
  const data = new Uint8Array(width * height);
  let seed = 7;
  const noise = () => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return (seed / 2 ** 31 - 0.5) * 12; };
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      // Supersampled 2×2: the share of the pixel that is paper.
      let paper = 0;
      for (let d = 0; d < 4; d++) paper += mask.data[(y * 2 + (d >> 1)) * width * 2 + x * 2 + (d & 1)]! / 255 / 4;
      const light = 230 - 60 * (x / width) * 0.6 - 60 * (y / height) * 0.4;
      const desk = 70 + 30 * (y / height);
      data[y * width + x] = Math.max(0, Math.min(255, Math.round(paper * light + (1 - paper) * desk + noise())));
    }
  }
  return { width, height, data };
}

describe('refineQuad', () => {
  const truth: Quad = [{ x: 121.3, y: 80.6 }, { x: 1082.2, y: 111.9 }, { x: 1140.7, y: 1432.4 }, { x: 79.5, y: 1401.1 }];
  const photo = shadedPhoto(1200, 1520, truth);

  it('finds the sheet\'s corners to within a pixel from a first guess several pixels off', () => {
    const guess = truth.map((p, i) => ({ x: p.x + [6, -5, 7, -4][i]!, y: p.y + [-5, 6, 4, -7][i]! })) as Quad;
    const q = refineQuad(photo, guess, 12);
    q.forEach((p, i) => {
      expect(Math.abs(p.x - truth[i]!.x)).toBeLessThan(1);
      expect(Math.abs(p.y - truth[i]!.y)).toBeLessThan(1);
    });
  });

  it('keeps the first guess of an edge it cannot see (the sheet runs off the photo there)', () => {
    const cut = { ...photo, data: photo.data.slice() };
    // The right edge lost: paper brightness up to the photo's border.
    for (let y = 0; y < cut.height; y++) for (let x = 1000; x < cut.width; x++) cut.data[y * cut.width + x] = 200;
    const guess = truth.map((p) => ({ ...p })) as Quad;
    guess[1] = { x: 1199, y: 111.9 };
    guess[2] = { x: 1199, y: 1432.4 };
    const q = refineQuad(cut, guess, 12);
    expect(Math.abs(q[1].x - 1199)).toBeLessThan(1);
    expect(Math.abs(q[0].x - truth[0].x)).toBeLessThan(1);
  });
});

describe('warpQuad with the print\'s own skew', () => {
  it('levels a line printed crooked on the sheet, and fills the corners it turns in with paper', () => {
    // The sheet on a dark desk, 20 px of desk around it.
    const rect: Quad = [{ x: 20, y: 20 }, { x: 420, y: 20 }, { x: 420, y: 540 }, { x: 20, y: 540 }];
    const img = sheet(440, 560, rect);
    // A line 0.8° clockwise (falling to the right), as a sheet fed askew into the printer prints it.
    const t = Math.tan((0.8 * Math.PI) / 180);
    for (let x = 60; x <= 380; x++) {
      const y = Math.round(280 + (x - 220) * t);
      for (let d = 0; d < 3; d++) img.data[(y + d) * 440 + x] = 0;
    }
    const flat = warpQuad(img, rect, 400, 520, 0, 0.8);
    const darkRow = (x: number) => { for (let y = 0; y < flat.height; y++) if (flat.data[y * flat.width + x]! < 128) return y; return -1; };
    expect(Math.abs(darkRow(60) - darkRow(340))).toBeLessThanOrEqual(1);
    expect(flat.data[0]).toBe(255);
    expect(flat.data[flat.data.length - 1]).toBe(255);
  });
});
