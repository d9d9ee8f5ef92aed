// The printed layout of each known form kind (layouts.json, made by scripts/make-form-layouts.ts from the
// blank forms and the filled samples): its tables' shapes and which cells are printed labels. The scan
// reader matches the tables it finds on a page against these shapes, so that a confirmed table's printed
// labels need not be read by OCR (they are most of a form's cells); only its value cells are read.
// Pure: shapes in, candidate matches out. Confirming a candidate by reading labels is the reader's part.
import layoutsFile from './layouts.json' with { type: 'json' };

export interface LayoutCell {
  /** Grid columns the cell spans. */
  span: number;
  /** Where the cell ends across its table (0..1), from the form's column widths. */
  right: number;
  /** The printed label's paragraphs; null for a value cell (anything a filler writes, ticks or leaves blank). */
  label: string[] | null;
}

export interface LayoutTable {
  rows: LayoutCell[][];
}

export interface FormLayout {
  /** The blank form it was made from. */
  source: string;
  /** How many filled samples confirmed which cells never change. */
  samples: number;
  /**
   * The gaps between its tables that can hold a value (gap g is the text before table g; gap
   * tables.length the text after the last): their paragraphs differ on a filled sample or print a blank
   * (申請年月日＿＿). The other gaps are printed text only.
   */
  gapsWithValues: number[];
  tables: LayoutTable[];
}

export type FormLayouts = Record<string, FormLayout>;

export const FORM_LAYOUTS: FormLayouts = layoutsFile as FormLayouts;

/** A row of a table found on a page: each cell's span and where it ends across the table (0..1). */
export type FoundRow = { span: number; right: number }[];

/** One way a found table may be (part of) a layout table: the layout row each found row stands for. */
export interface LayoutMatch {
  kind: string;
  /** 0-based table of the layout. */
  table: number;
  /** For each found row, the layout row it stands for. */
  rows: number[];
}

/**
 * How far a cell's end may lie from the layout's (share of the table's width): a scan is straightened to
 * within a degree or two, and a filler may nudge a column; a different table is usually much further off.
 */
const RIGHT_TOLERANCE = 0.04;
/** Alignments tried per found table: beyond this the shape says too little to be worth confirming. */
const MAX_MATCHES = 64;

function rowFits(found: FoundRow, layout: LayoutCell[]): boolean {
  return found.length === layout.length && found.every((c, i) => c.span === layout[i]!.span && Math.abs(c.right - layout[i]!.right) <= RIGHT_TOLERANCE);
}

function isValueRow(row: LayoutCell[]): boolean {
  return row.every((c) => c.label === null);
}

/**
 * Every way the found rows may stand for a run of the layout table's rows, in order: a found table may be
 * only part of one (split by a page break, a page missing), and rows without labels (experience rows,
 * CPD rows) may be repeated or left out (a filler added or deleted rows). Rows with labels stand for one
 * found row each. Alignments giving the same labels to the same found rows are one.
 */
function alignments(found: FoundRow[], layout: LayoutTable): number[][] {
  const out = new Map<string, number[]>();
  const rows = layout.rows;
  let steps = 0;
  const walk = (i: number, j: number, path: number[]): void => {
    if (out.size >= MAX_MATCHES || ++steps > 20_000) return;
    if (i === found.length) {
      const id = path.map((r) => (isValueRow(rows[r]!) ? 'v' : r)).join(',');
      if (!out.has(id)) out.set(id, [...path]);
      return;
    }
    if (j >= rows.length) return;
    const row = rows[j]!;
    if (isValueRow(row)) {
      if (rowFits(found[i]!, row)) {
        path.push(j);
        walk(i + 1, j, path); // the next found row repeats this value row
        walk(i + 1, j + 1, path);
        path.pop();
      }
      walk(i, j + 1, path); // this value row left out
    } else if (rowFits(found[i]!, row)) {
      path.push(j);
      walk(i + 1, j + 1, path);
      path.pop();
    }
  };
  for (let start = 0; start < rows.length; start++) walk(0, start, []);
  return [...out.values()];
}

/** The layout tables (of every kind) whose shape the found table has, or part of it; no label-less ones. */
export function layoutMatches(found: FoundRow[], layouts: FormLayouts = FORM_LAYOUTS): LayoutMatch[] {
  const matches: LayoutMatch[] = [];
  if (found.length === 0) return matches;
  for (const [kind, layout] of Object.entries(layouts)) {
    layout.tables.forEach((table, t) => {
      for (const rows of alignments(found, table)) {
        if (rows.some((r) => !isValueRow(table.rows[r]!))) matches.push({ kind, table: t, rows });
      }
    });
  }
  return matches;
}

/** The layout cell a found cell stands for under a match. */
export function layoutCell(match: LayoutMatch, row: number, col: number, layouts: FormLayouts = FORM_LAYOUTS): LayoutCell {
  return layouts[match.kind]!.tables[match.table]!.rows[match.rows[row]!]![col]!;
}
