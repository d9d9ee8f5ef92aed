// The one document model every reader produces (docx today; text PDFs and OCR'd scans plug in as
// further readers). Form mappers only ever see this model, never a file format.

export interface Run {
  text: string;
  bold: boolean;
  underline: boolean;
  strike: boolean;
  highlight: string | null;
  /** Set when the run is a form checkbox (Word content control); text is then ☒ or ☐. */
  checkbox?: boolean;
}

export interface Paragraph {
  kind: 'paragraph';
  text: string;
  runs: Run[];
  /** A bulleted or numbered list item. */
  listItem: boolean;
  /** Human-readable position, e.g. "段落 12" or "表 3, 行 2, 列 1"; feeds provenance. */
  location: string;
  /** 0..1; 1 for text read from a Word or text-PDF file. */
  confidence: number;
  /** Scans only: the line's box on its page. */
  region?: Region;
}

export interface Cell {
  paragraphs: Paragraph[];
  text: string;
  colSpan: number;
  images: number;
  location: string;
  /** Scans only: where the cell is on its page, for reading it again and for the crop staff confirm. */
  region?: Region;
}

/** A box on a scanned page, in the pixels of the page as prepared for OCR. */
export interface Region {
  page: number;
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export interface Table {
  kind: 'table';
  rows: Cell[][];
  location: string;
}

export type Block = Paragraph | Table;

export interface DocumentModel {
  file: string;
  format: 'docx' | 'pdf' | 'image';
  blocks: Block[];
}

export function tables(doc: DocumentModel): Table[] {
  return doc.blocks.filter((b): b is Table => b.kind === 'table');
}

export function paragraphs(doc: DocumentModel): Paragraph[] {
  return doc.blocks.filter((b): b is Paragraph => b.kind === 'paragraph');
}

/** All text of the document, tables included, for recognising what kind of document it is. */
export function fullText(doc: DocumentModel): string {
  const parts: string[] = [];
  for (const block of doc.blocks) {
    if (block.kind === 'paragraph') parts.push(block.text);
    else for (const row of block.rows) for (const cell of row) parts.push(cell.text);
  }
  return parts.join('\n');
}

/** Where a value came from: the evidence staff and reviewers see beside it. */
export interface Provenance {
  file: string;
  location: string;
  /** The applicant's text exactly as read (for display). */
  text: string;
  confidence: number;
  /** Scans: where the cell's picture is kept (content store), for the person who confirms the value. */
  crop?: string;
  /** Set when a person confirmed or corrected the value read by OCR. */
  confirmedBy?: string;
}
