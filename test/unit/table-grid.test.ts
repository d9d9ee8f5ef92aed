// Finding the table cells of a scanned form page from its ruling lines, on synthetic pages.
import { describe, expect, it } from 'vitest';
import { findTables, inkRatio, type GreyImage } from '../../src/extract/ocr/table-grid.ts';

function page(width = 1000, height = 1400): GreyImage {
  return { width, height, data: new Uint8Array(width * height).fill(255) };
}
function hline(img: GreyImage, y: number, x0: number, x1: number, thick = 3) {
  for (let t = 0; t < thick; t++) for (let x = x0; x <= x1; x++) img.data[(y + t) * img.width + x] = 20;
}
function vline(img: GreyImage, x: number, y0: number, y1: number, thick = 3) {
  for (let t = 0; t < thick; t++) for (let y = y0; y <= y1; y++) img.data[y * img.width + x + t] = 20;
}

describe('table grid of a scanned page', () => {
  it('finds a label | value table and its cells', () => {
    const img = page();
    for (const y of [100, 160, 220, 280]) hline(img, y, 100, 900);
    for (const x of [100, 350, 900]) vline(img, x, 100, 282);
    const [t] = findTables(img);
    expect(t!.rows).toHaveLength(3);
    expect(t!.rows.map((r) => r.length)).toEqual([2, 2, 2]);
    expect(t!.rows[0]![0]).toMatchObject({ colSpan: 1 });
    expect(Math.abs(t!.rows[0]![1]!.x0 - 351)).toBeLessThanOrEqual(3);
  });

  it('sees a title row merged over all columns, and tolerates a break in a faint line', () => {
    const img = page();
    for (const y of [500, 560, 620, 680]) hline(img, y, 100, 900);
    vline(img, 100, 500, 682);
    vline(img, 900, 500, 682);
    for (const x of [300, 600]) vline(img, x, 560, 682); // no inner lines in the title row
    img.data.fill(255, 620 * img.width + 450, 620 * img.width + 452); // a two-pixel gap in one line
    const [t] = findTables(img);
    expect(t!.rows.map((r) => r.map((c) => c.colSpan))).toEqual([[3], [1, 1, 1], [1, 1, 1]]);
  });

  it('keeps separate tables apart and ignores text-sized strokes', () => {
    const img = page();
    for (const y of [100, 200]) hline(img, y, 100, 900);
    for (const x of [100, 900]) vline(img, x, 100, 202);
    for (const y of [400, 500]) hline(img, y, 100, 900);
    for (const x of [100, 500, 900]) vline(img, x, 400, 502);
    hline(img, 300, 200, 215, 2); // a dash in text, not a rule
    const tables = findTables(img);
    expect(tables.map((t) => t.rows[0]!.length)).toEqual([1, 2]);
  });

  it('measures ink inside a cell without its borders', () => {
    const img = page();
    for (const y of [100, 300]) hline(img, y, 100, 500);
    for (const x of [100, 500]) vline(img, x, 100, 302);
    const [t] = findTables(img);
    const cell = t!.rows[0]![0]!;
    expect(inkRatio(img, cell)).toBe(0);
    for (let y = 180; y < 220; y++) for (let x = 200; x < 400; x++) img.data[y * img.width + x] = 0;
    expect(inkRatio(img, cell)).toBeGreaterThan(0.05);
  });
});
