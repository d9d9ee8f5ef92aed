// Finding things in a form laid out as Word tables: tables by their first cell, values by their label.
// The shared forms' README says: find tables by their first cell's text, not by position.
import type { Cell, DocumentModel, Paragraph, Provenance, Table } from '../document.ts';
import { tables, paragraphs } from '../document.ts';
import { cleanValue, nfkc, stripSpaces } from '../../shared/japanese.ts';
import { distance } from 'fastest-levenshtein';

/** Text reduced for comparing labels: NFKC, no spaces, no line breaks. */
export function key(text: string): string {
  return stripSpaces(nfkc(text));
}

export function firstCellText(table: Table): string {
  return key(table.rows[0]?.[0]?.text ?? '');
}

/**
 * Whether a label read from a scan is the printed label: OCR misreads a character now and then
 * (宣誓日 → 宣落日, 署名（自署） → 著名（自緒）), so labels of three or more characters may differ in one
 * character per three.
 */
export function nearLabel(read: string, label: string): boolean {
  return label.length >= 3 && read.length >= label.length - 1 && distance(read.slice(0, label.length), label) <= Math.floor(label.length / 3);
}

/** The first table whose first cell starts with the label (after normalising); one OCR slip tolerated. */
export function findTable(doc: DocumentModel, label: string): Table | undefined {
  const k = key(label);
  return tables(doc).find((t) => firstCellText(t).startsWith(k)) ?? tables(doc).find((t) => nearLabel(firstCellText(t), k));
}

/** The first table that has any cell starting with the label. */
export function findTableWithLabel(doc: DocumentModel, label: string): Table | undefined {
  const k = key(label);
  return tables(doc).find((t) => t.rows.some((row) => row.some((cell) => labelOf(cell).startsWith(k))))
    // A label read by OCR may be off by a character (合格者番号 → 含格者番号): only labels OCR read.
    ?? tables(doc).find((t) => t.rows.some((row) => row.some((cell) => cell.paragraphs.some((p) => p.confidence < 1) && nearLabel(labelOf(cell), k))));
}

/** A label cell's own label: its first line (some labels have a small note under them). */
export function labelOf(cell: Cell): string {
  const first = cell.paragraphs.find((p) => key(p.text) !== '');
  return key(first?.text ?? '');
}

/**
 * Value cells of a label | value table keyed by the label. Labels are matched exactly first, so that
 * 氏名 does not also take 氏名（かな）.
 */
/** Label maps whose labels were read by OCR: only they may hold a misread label. */
const OCR_LABELS = new WeakSet<Map<string, Cell>>();

export function labelValueCells(table: Table): Map<string, Cell> {
  const map = new Map<string, Cell>();
  for (const row of table.rows) {
    if (row.length < 2) continue;
    const label = labelOf(row[0]!);
    if (label && !map.has(label)) map.set(label, row[row.length - 1]!);
  }
  if (table.rows.some((row) => row[0]?.paragraphs.some((p) => p.confidence < 1))) OCR_LABELS.add(map);
  return map;
}

export function valueFor(cells: Map<string, Cell>, label: string): Cell | undefined {
  const k = key(label);
  if (cells.has(k)) return cells.get(k);
  // On a scan, a label misread by OCR comes before a longer label that merely starts the same:
  // 所属先会社名 read as 所属先会仕名 is that row, not 所属先会社名（かな）. The closest such label wins
  // (振込名義 misread must not become 振込日). Text from a file is exact: a near label is another label.
  if (OCR_LABELS.has(cells)) {
    let best: { cell: Cell; d: number } | undefined;
    for (const [l, cell] of cells) {
      if (!nearLabel(l, k) || Math.abs(l.length - k.length) > 1) continue;
      const d = distance(l, k);
      if (!best || d < best.d) best = { cell, d };
    }
    if (best) return best.cell;
  }
  for (const [l, cell] of cells) if (l.startsWith(k) || k.startsWith(l)) return cell;
  return undefined;
}

/**
 * The value cell of the row whose label cell has a line like this one anywhere in it: the signature
 * row is labelled 署名 over （自署）, and a scan may misread the two-character 署名 beyond recognition.
 */
export function valueByLabelLine(table: Table | undefined, line: string): Cell | undefined {
  const k = key(line);
  const row = table?.rows.find((r) => r.length >= 2 && r[0]!.paragraphs.some((p) => key(p.text) === k || nearLabel(key(p.text), k)));
  return row?.[row.length - 1];
}

export function provenance(file: string, cell: Cell | Paragraph, text: string = cell.text): Provenance {
  const confidence = 'confidence' in cell ? cell.confidence : Math.min(1, ...cell.paragraphs.map((p) => p.confidence));
  return { file, location: cell.location, text, confidence };
}

/** A text field: the cell's text with stray spaces and line breaks collapsed; null when empty. */
export function textValue(cell: Cell | undefined): string | null {
  if (!cell) return null;
  const v = cleanValue(cell.text);
  return v === '' ? null : v;
}

/** The first paragraph (outside tables) whose text starts with the label. */
export function paragraphStarting(doc: DocumentModel, label: string): { paragraph: Paragraph; next: Paragraph | undefined } | undefined {
  const k = key(label);
  const all = paragraphs(doc);
  let i = all.findIndex((p) => key(p.text).startsWith(k));
  // A line read by OCR may have its label off by a character (申請年月日 → 中請年月日): only OCR'd lines.
  if (i < 0) i = all.findIndex((p) => p.confidence < 1 && nearLabel(key(p.text), k));
  return i < 0 ? undefined : { paragraph: all[i]!, next: all[i + 1] };
}

/** Text after a label inside a paragraph, e.g. '申請年月日　2026年1月20日' → '2026年1月20日'. */
export function textAfterLabel(text: string, label: string): string {
  const chars = [...text];
  const want = key(label);
  let seen = '';
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    if (key(ch) !== '') seen += key(ch);
    if (seen === want) return chars.slice(i + 1).join('');
    if (!want.startsWith(seen)) break;
  }
  // A label OCR misread (see nearLabel): the text after as many characters as the label has.
  seen = '';
  for (let i = 0; i < chars.length; i++) {
    seen += key(chars[i]!);
    if (seen.length >= want.length) return nearLabel(seen, want) ? chars.slice(i + 1).join('') : '';
  }
  return '';
}

/** Fraction of the given markers found in the text (compared without spaces, NFKC). */
export function markerScore(text: string, markers: string[]): number {
  const t = key(text);
  return markers.filter((m) => t.includes(key(m))).length / markers.length;
}
