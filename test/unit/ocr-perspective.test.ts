// The perspective fix of phone photos: the sheet's corners found on its mask, a slant told from a mere
// rotation, and a trapezoid mapped back to a rectangle with its ruling lines level again.
import { describe, expect, it } from 'vitest';
import { paperQuad, quadSize, slant, warpQuad, type Quad } from '../../src/extract/ocr/perspective.ts';
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
