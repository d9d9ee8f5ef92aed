// The scan reader's use of the known forms' layouts, on synthetic pages (a table drawn and typed like the
// form's, at 300 dpi): a table confirmed by reading a label gets its other printed labels from the layout
// and only its value cells read; a table of the same shape whose labels are not the form's is read whole,
// as before the layouts. Real OCR (the machine's first-reading model).
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import type { Table } from '../../src/extract/document.ts';
import { shutdownOcr } from '../../src/extract/ocr/ocr-engine.ts';
import { labelOverflows, layoutStats, readScannedPages, useFormLayouts } from '../../src/extract/readers/scan.ts';

afterAll(async () => {
  useFormLayouts(true);
  await shutdownOcr();
});

const WIDTH = 2480;
const HEIGHT = 3507;

/** An A4 page at 300 dpi with one label | value table laid out like the form's (label column 32 %). */
async function tablePage(rows: [string, string][]): Promise<Uint8Array> {
  const x0 = 170;
  const x1 = 2310;
  const split = Math.round(x0 + (x1 - x0) * 0.322);
  const top = 600;
  const height = 140;
  const lines: string[] = [];
  rows.forEach(([label, value], r) => {
    const y = top + r * height;
    lines.push(`<text x="${x0 + 30}" y="${y + 88}" font-size="46">${label}</text>`, `<text x="${split + 30}" y="${y + 88}" font-size="46">${value}</text>`);
  });
  for (let r = 0; r <= rows.length; r++) lines.push(`<line x1="${x0}" y1="${top + r * height}" x2="${x1}" y2="${top + r * height}" stroke="black" stroke-width="4"/>`);
  for (const x of [x0, split, x1]) lines.push(`<line x1="${x}" y1="${top}" x2="${x}" y2="${top + rows.length * height}" stroke="black" stroke-width="4"/>`);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}"><rect width="100%" height="100%" fill="white"/><g font-family="Noto Sans CJK JP" fill="black">${lines.join('')}</g></svg>`;
  return new Uint8Array(await sharp(Buffer.from(svg)).greyscale().png().toBuffer());
}

async function readTable(rows: [string, string][]): Promise<Table> {
  const doc = await readScannedPages([{ number: 1, image: await tablePage(rows) }], 'synthetic.png');
  const table = doc.blocks.find((b): b is Table => b.kind === 'table');
  expect(table).toBeDefined();
  return table!;
}

function resetStats(): void {
  Object.assign(layoutStats, { tables: 0, tablesConfirmed: 0, labelCellsFilled: 0, labelCellsProbed: 0, labelCellsReadAgain: 0, labelCellsOverflowing: 0 });
}

/** One label cell (600 × 140 at 300 dpi, bordered) with the given lines typed in it, as grey pixels. */
async function labelCellPixels(lines: string[]): Promise<{ data: Uint8Array; width: number; height: number }> {
  const width = 900;
  const height = 60 + lines.length * 70;
  const text = lines.map((t, i) => `<text x="30" y="${80 + i * 70}" font-size="46">${t}</text>`).join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="white"/><rect x="1" y="1" width="${width - 2}" height="${height - 2}" fill="none" stroke="black" stroke-width="3"/><g font-family="Noto Sans CJK JP" fill="black">${text}</g></svg>`;
  const { data, info } = await sharp(Buffer.from(svg)).greyscale().raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data), width: info.width, height: info.height };
}

describe('a label cell holding more than its label is read, not filled (no pixels of a value lost)', () => {
  const box = (img: { width: number; height: number }) => ({ x0: 0, y0: 0, x1: img.width, y1: img.height });
  it('the printed label alone (one line, two lines, Latin in it) is only the label', async () => {
    for (const label of [['電話番号'], ['Eメールアドレス'], ['署名', '（自署）']]) {
      const img = await labelCellPixels(label);
      expect(labelOverflows(img, box(img), label), label.join('/')).toBe(false);
    }
  });
  it('a value typed after the label, or on a line under it, is more than the label', async () => {
    const after = await labelCellPixels(['電話番号 03-2345-6789']);
    expect(labelOverflows(after, box(after), ['電話番号'])).toBe(true);
    const under = await labelCellPixels(['氏名', '山田 一郎']);
    expect(labelOverflows(under, box(under), ['氏名'])).toBe(true);
  });
});

describe('scan reader with the known form layouts', () => {
  it('reads a label cell the applicant typed the value into (the value cell left empty): the value is kept', async () => {
    resetStats();
    const table = await readTable([['ご自宅住所', '東京都新宿区西新宿1-2-3'], ['電話番号 03-2345-6789', ''], ['携帯電話番号', '080-2345-6789'], ['Eメールアドレス', 'hanako@example.jp']]);
    expect(layoutStats.tablesConfirmed).toBe(1);
    expect(layoutStats.labelCellsOverflowing).toBeGreaterThanOrEqual(1);
    expect(table.rows[1]![0]!.text.replace(/\s/g, '')).toContain('2345-6789');
    expect(table.rows[1]![0]!.paragraphs.every((p) => p.confidence < 1)).toBe(true);
  }, 120_000);

  it('confirms the contact table by one label read and fills its other labels; values are still read', async () => {
    resetStats();
    const table = await readTable([['ご自宅住所', '東京都新宿区西新宿1-2-3'], ['電話番号', '03-2345-6789'], ['携帯電話番号', '080-2345-6789'], ['Eメールアドレス', 'hanako@example.jp']]);
    expect(layoutStats).toMatchObject({ tables: 1, tablesConfirmed: 1, labelCellsProbed: 1, labelCellsFilled: 3 });
    const filled = table.rows.flat().filter((c) => c.paragraphs.length > 0 && c.paragraphs.every((p) => p.confidence === 1));
    // The layout's text in label cells only (the one read to confirm the table too: it read as that label);
    // never in a value cell.
    expect(filled.map((c) => c.location.replace(/.*列 /, ''))).toEqual(['1', '1', '1', '1']);
    expect(table.rows.map((r) => r[0]!.text)).toContain('携帯電話番号');
    for (const row of table.rows) {
      expect(row[1]!.paragraphs.length).toBeGreaterThan(0);
      expect(row[1]!.paragraphs.every((p) => p.confidence < 1)).toBe(true);
    }
    expect(table.rows[1]![1]!.text.replace(/\s/g, '')).toBe('03-2345-6789');
  }, 120_000);

  it('reads a label again while the labels read leave two ways to fill the others (fee table: certification or renewal)', async () => {
    resetStats();
    await readTable([['認定審査手数料振込日', '2026年2月9日'], ['認定審査手数料振込名義', '0123ケンテイハナコ']]);
    expect(layoutStats).toMatchObject({ tables: 1, labelCellsProbed: 2, labelCellsFilled: 0 });
  }, 120_000);

  it('reads every cell of a table shaped like a form table whose labels are not the form\'s', async () => {
    resetStats();
    const table = await readTable([['ご趣味の記入欄', '読書と散歩'], ['ご特技の記入欄', '水泳']]);
    expect(layoutStats).toMatchObject({ tables: 1, tablesConfirmed: 0, labelCellsFilled: 0 });
    // Each label that matched none was read again by the stronger model before the table was read whole.
    expect(layoutStats.labelCellsReadAgain).toBeGreaterThanOrEqual(1);
    for (const cell of table.rows.flat()) expect(cell.paragraphs.every((p) => p.confidence < 1)).toBe(true);
    expect(table.rows[1]![0]!.text.replace(/\s/g, '')).toContain('特技');
  }, 120_000);

  it('a label read to confirm the table is the printed label (a slip in it would leave the form\'s 宣誓日 unfound)', async () => {
    resetStats();
    const table = await readTable([['宣誓日', '2026年3月17日'], ['署名（自署）', '']]);
    expect(layoutStats).toMatchObject({ tablesConfirmed: 1, labelCellsFilled: 0 });
    expect(table.rows[0]![0]!.text).toBe('宣誓日');
    expect(table.rows[1]![0]!.text).toBe('署名\n（自署）');
    expect(table.rows[0]![0]!.paragraphs.every((p) => p.confidence === 1)).toBe(true);
    // The value beside it is still read, never filled.
    expect(table.rows[0]![1]!.text.replace(/\s/g, '')).toBe('2026年3月17日');
    expect(table.rows[0]![1]!.paragraphs.every((p) => p.confidence < 1)).toBe(true);
  }, 120_000);

  it('reads the same values with the layouts as without them', async () => {
    const rows: [string, string][] = [['証明日', '2026年2月5日'], ['会社・組織名', '株式会社サンプル'], ['所属・役職', '本部長'], ['証明者氏名', '山田 一郎'], ['署名', ''], ['連絡先電話番号', '03-2345-0000']];
    resetStats();
    const withLayouts = await readTable(rows);
    expect(layoutStats.tablesConfirmed).toBe(1);
    expect(layoutStats.labelCellsFilled).toBeGreaterThanOrEqual(4);
    useFormLayouts(false);
    const without = await readTable(rows);
    useFormLayouts(true);
    expect(withLayouts.rows.map((r) => r[1]!.text)).toEqual(without.rows.map((r) => r[1]!.text));
  }, 180_000);
});
