import { describe, expect, it } from 'vitest';
import { evenLight } from '../../src/extract/ocr/even-light.ts';
import type { GreyImage } from '../../src/extract/ocr/table-grid.ts';

/** Paper lit from the top left, falling off to `corner` at the bottom right, with strokes of ink. */
function photo(corner: number): GreyImage {
  const width = 1200;
  const height = 1600;
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const paper = 250 - (250 - corner) * ((x / width + y / height) / 2);
      const stroke = (y % 100 < 4 && x > 100 && x < 1100) || (x % 150 < 3 && y > 100);
      data[y * width + x] = Math.round(stroke ? paper * 0.25 : paper);
    }
  }
  return { width, height, data };
}

describe('evenLight', () => {
  it('brings paper that falls off to grey back to white, and keeps the ink dark', () => {
    const out = evenLight(photo(140));
    const at = (x: number, y: number) => out.data[y * out.width + x]!;
    expect(at(1150, 1550)).toBeGreaterThan(235); // the darkest corner's paper
    expect(at(50, 50)).toBeGreaterThan(235);
    expect(at(600, 1501)).toBeLessThan(100); // a stroke in the dark corner
    expect(at(600, 101)).toBeLessThan(100);
  });

  it('leaves an evenly lit scan as it is', () => {
    const scan = photo(245);
    expect(evenLight(scan)).toBe(scan);
  });
});
