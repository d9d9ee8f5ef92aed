// The printed layout of each form kind, for the scan reader (src/extract/readers/scan.ts): its tables'
// shapes (rows, cells per row, where each cell ends across the table) and which cells are printed labels,
// with their text. Derived, never written by hand: from the blank forms in samples/blank-forms/ and the
// filled samples in samples/forms/, read by the project's own docx reader. A cell is a label when it is
// non-empty on the blank form, identical on every filled sample of its kind, and holds nothing a filler
// could change (a 年／月 blank, a checkbox or option mark, an underscore blank); anything else is a value.
// test/unit/form-layouts.test.ts regenerates it and compares with the committed file.
//   node scripts/make-form-layouts.ts
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { strFromU8, unzipSync } from 'fflate';
import '../src/kinds/index.ts';
import type { DocumentModel, Paragraph, Table } from '../src/extract/document.ts';
import { tables } from '../src/extract/document.ts';
import { recogniseForm } from '../src/extract/forms/index.ts';
import { readDocx } from '../src/extract/readers/docx.ts';
import type { FormLayouts, LayoutCell, LayoutTable } from '../src/extract/forms/layouts.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const LAYOUTS_FILE = path.join(ROOT, 'src', 'extract', 'forms', 'layouts.json');

/**
 * Marks of a blank a filler writes into or ticks: checkboxes and option marks, underscore blanks, and a
 * unit standing alone after a blank (　　年　　月, 時間) where the number is written (not 年数, a header).
 */
const PLACEHOLDER = /[□☐☒☑■◆◇○●•＿_〒]|(?:^|[\s\u3000])(?:年|月|日|時間)(?=$|[\s\u3000])/u;

/** The column widths of every table (w:tblGrid), in document order: the docx reader keeps no widths. */
function gridWidths(bytes: Uint8Array): number[][] {
  const xml = strFromU8(unzipSync(bytes, { filter: (f) => f.name === 'word/document.xml' })['word/document.xml']!);
  return [...xml.matchAll(/<w:tblGrid>(.*?)<\/w:tblGrid>/gs)].map((m) => [...m[1]!.matchAll(/<w:gridCol\b[^>]*\bw:w="(\d+)"/g)].map((x) => Number(x[1])));
}

function shape(table: Table): string {
  return table.rows.map((r) => r.map((c) => c.colSpan).join(',')).join('/');
}

/**
 * The paragraphs between the tables, as printed: gap g is before table g (the last after the last table).
 * Empty paragraphs are left out (spacing a filler may add or remove).
 */
function gapsOf(doc: DocumentModel): Paragraph[][] {
  const gaps: Paragraph[][] = [[]];
  for (const block of doc.blocks) {
    if (block.kind === 'table') gaps.push([]);
    else if (block.text.trim() !== '') gaps[gaps.length - 1]!.push(block);
  }
  return gaps;
}

/** A blank a filler writes into: underlined spaces (申請年月日＿＿＿), or underscores. */
function hasBlank(p: Paragraph): boolean {
  return /[＿_]{2,}/.test(p.text) || p.runs.some((r) => r.underline && r.text !== '' && r.text.trim() === '');
}

async function readForm(file: string): Promise<{ kind: string; tables: Table[]; grids: number[][]; gaps: Paragraph[][] }> {
  const bytes = new Uint8Array(readFileSync(file));
  const doc = await readDocx(bytes, path.basename(file));
  const kind = recogniseForm(doc)?.mapper.kind;
  if (!kind) throw new Error(`${file}: not recognised as a form kind`);
  const grids = gridWidths(bytes);
  const found = tables(doc);
  // Tables nested in cells would break the pairing of grids and tables: the forms have none.
  if (grids.length !== found.length) throw new Error(`${file}: ${grids.length} table grids for ${found.length} tables`);
  return { kind, tables: found, grids, gaps: gapsOf(doc) };
}

export async function makeFormLayouts(root = ROOT): Promise<FormLayouts> {
  const blankDir = path.join(root, 'samples', 'blank-forms');
  const filledDir = path.join(root, 'samples', 'forms');
  const filled = await Promise.all(readdirSync(filledDir).filter((f) => f.endsWith('.docx')).sort().map(async (f) => {
    try {
      return await readForm(path.join(filledDir, f));
    } catch {
      // A sample that is not a form (not-our-form.docx, corrupt.docx) says nothing about a form's labels.
      return undefined;
    }
  }));
  const layouts: FormLayouts = {};
  for (const blankFile of readdirSync(blankDir).filter((f) => f.endsWith('.docx')).sort()) {
    const blank = await readForm(path.join(blankDir, blankFile));
    const samples = filled.filter((s) => s?.kind === blank.kind);
    if (samples.length === 0) throw new Error(`${blankFile}: no filled samples of kind ${blank.kind}`);
    const out: LayoutTable[] = blank.tables.map((table, t) => {
      const grid = blank.grids[t]!;
      const total = grid.reduce((a, b) => a + b, 0);
      for (const s of samples) {
        if (shape(s!.tables[t] ?? { kind: 'table', rows: [], location: '' }) !== shape(table)) throw new Error(`table ${t + 1} of ${blank.kind}: a filled sample's shape differs from the blank form's`);
      }
      return {
        rows: table.rows.map((row, r) => {
          let column = 0;
          return row.map((cell, c): LayoutCell => {
            column += cell.colSpan;
            const right = Math.round((grid.slice(0, column).reduce((a, b) => a + b, 0) / total) * 1000) / 1000;
            const text = cell.text;
            const label = text.trim() !== '' && !PLACEHOLDER.test(text) && samples.every((s) => s!.tables[t]!.rows[r]![c]!.text === text);
            return { span: cell.colSpan, right, label: label ? cell.paragraphs.map((p) => p.text).filter((p) => p.trim() !== '') : null };
          });
        }),
      };
    });
    // A gap whose text differs on a filled sample, or that prints a blank, can hold a value (申請年月日);
    // the others are printed text only, which the scan reader need not read once the tables around a
    // gap are confirmed as this form's.
    const printed = (gap: Paragraph[]) => gap.map((p) => p.text.trim()).join('\n');
    const gapsWithValues = blank.gaps.flatMap((gap, g) => gap.some(hasBlank) || samples.some((s) => printed(s!.gaps[g] ?? []) !== printed(gap)) ? [g] : []);
    layouts[blank.kind] = { source: `samples/blank-forms/${blankFile}`, samples: samples.length, tables: out, gapsWithValues };
  }
  return layouts;
}

/** One line per table row: small, and a change to the forms shows in a diff as the rows it touched. */
export function layoutsJson(layouts: FormLayouts): string {
  const kinds = Object.entries(layouts).map(([kind, l]) => {
    const tables = l.tables.map((t) => `   {"rows": [\n${t.rows.map((row) => `    ${JSON.stringify(row)}`).join(',\n')}\n   ]}`);
    return ` ${JSON.stringify(kind)}: {"source": ${JSON.stringify(l.source)}, "samples": ${l.samples}, "gapsWithValues": ${JSON.stringify(l.gapsWithValues)}, "tables": [\n${tables.join(',\n')}\n  ]}`;
  });
  return `{\n${kinds.join(',\n')}\n}\n`;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const layouts = await makeFormLayouts();
  writeFileSync(LAYOUTS_FILE, layoutsJson(layouts));
  const labels = Object.entries(layouts).map(([kind, l]) => `${kind}: ${l.tables.length} tables, ${l.tables.flatMap((t) => t.rows.flat()).filter((c) => c.label).length} label cells`);
  process.stdout.write(`${path.relative(ROOT, LAYOUTS_FILE)} written (${labels.join('; ')})\n`);
}
