// Word (.docx) reader. mammoth parses the package (tracked deletions dropped, content-control
// checkboxes kept); we walk its document tree rather than its HTML so run formatting (bold,
// highlight, strike) survives: people mark their choice of qualification that way.
import mammoth from 'mammoth';
import type { Block, Cell, DocumentModel, Paragraph, Run } from '../document.ts';
import { UnreadableFileError, type DocumentReader } from './reader.ts';
import { openDocx, slimDocx } from './slim-docx.ts';

// mammoth's document tree is untyped in its .d.ts; these are the parts we read.
interface MammothNode {
  type: string;
  children?: MammothNode[];
  value?: string;
  checked?: boolean;
  isBold?: boolean;
  isUnderline?: boolean;
  isStrikethrough?: boolean;
  highlight?: string | null;
  numbering?: unknown;
  colSpan?: number;
}

interface RunStyle { bold: boolean; underline: boolean; strike: boolean; highlight: string | null }
const PLAIN: RunStyle = { bold: false, underline: false, strike: false, highlight: null };

function collectRuns(node: MammothNode, style: RunStyle, out: Run[], counters: { images: number }): void {
  switch (node.type) {
    case 'text':
      out.push({ text: node.value ?? '', ...style });
      return;
    case 'tab':
      out.push({ text: '\t', ...style });
      return;
    case 'break':
      out.push({ text: '\n', ...style });
      return;
    case 'checkbox':
      out.push({ text: node.checked ? '☒' : '☐', ...style, checkbox: !!node.checked });
      return;
    case 'image':
      counters.images++;
      return;
    case 'run': {
      const runStyle: RunStyle = {
        bold: !!node.isBold, underline: !!node.isUnderline, strike: !!node.isStrikethrough, highlight: node.highlight ?? null,
      };
      for (const child of node.children ?? []) collectRuns(child, runStyle, out, counters);
      return;
    }
    default:
      for (const child of node.children ?? []) collectRuns(child, style, out, counters);
  }
}

function toParagraph(node: MammothNode, location: string, counters: { images: number }): Paragraph {
  const runs: Run[] = [];
  collectRuns(node, PLAIN, runs, counters);
  return { kind: 'paragraph', text: runs.map((r) => r.text).join(''), runs, listItem: !!node.numbering, location, confidence: 1 };
}

/** Paragraphs inside a cell, flattening nested tables (rare, but people paste them). */
function cellParagraphs(nodes: MammothNode[], location: string, counters: { images: number }): Paragraph[] {
  const out: Paragraph[] = [];
  for (const node of nodes) {
    if (node.type === 'paragraph') out.push(toParagraph(node, location, counters));
    else if (node.type === 'table') {
      for (const row of node.children ?? []) for (const cell of row.children ?? []) out.push(...cellParagraphs(cell.children ?? [], location, counters));
    } else out.push(...cellParagraphs(node.children ?? [], location, counters));
  }
  return out;
}

function convert(root: MammothNode, file: string): DocumentModel {
  const blocks: Block[] = [];
  let tableNo = 0;
  let paragraphNo = 0;
  const visit = (nodes: MammothNode[]) => {
    for (const node of nodes) {
      if (node.type === 'paragraph') {
        paragraphNo++;
        blocks.push(toParagraph(node, `段落 ${paragraphNo}`, { images: 0 }));
      } else if (node.type === 'table') {
        tableNo++;
        const rows: Cell[][] = [];
        (node.children ?? []).forEach((rowNode, r) => {
          const row: Cell[] = [];
          (rowNode.children ?? []).forEach((cellNode, c) => {
            const location = `表 ${tableNo}, 行 ${r + 1}, 列 ${c + 1}`;
            const counters = { images: 0 };
            const paras = cellParagraphs(cellNode.children ?? [], location, counters);
            row.push({ paragraphs: paras, text: paras.map((p) => p.text).join('\n'), colSpan: cellNode.colSpan ?? 1, images: counters.images, location });
          });
          rows.push(row);
        });
        blocks.push({ kind: 'table', rows, location: `表 ${tableNo}` });
      } else {
        visit(node.children ?? []);
      }
    }
  };
  visit(root.children ?? []);
  return { file, format: 'docx', blocks };
}

const TREE_CAPTURED = new Error('document tree captured');

/** Reads a Word package into the document model; `slim: false` parses it as saved (tests compare both). */
export async function readDocx(bytes: Uint8Array, filename: string, options: { slim?: boolean } = {}): Promise<DocumentModel> {
  let tree: MammothNode | undefined;
  try {
    // Bounded either way: unslimmed (tests compare both) it is only checked, not rewritten.
    const input = options.slim === false ? (openDocx(bytes), bytes) : slimDocx(bytes);
    // We need mammoth's document tree, not its HTML: stop it once the tree is handed to us
    // (saves the HTML rendering, about a tenth of the time per form).
    await mammoth.convertToHtml({ buffer: Buffer.from(input) }, {
      transformDocument: (doc: MammothNode) => { tree = doc; throw TREE_CAPTURED; },
    } as Parameters<typeof mammoth.convertToHtml>[1]);
  } catch (error) {
    if (error === TREE_CAPTURED) { /* the tree is ours */ } else if (error instanceof UnreadableFileError) throw error;
    // The library's words (an xmldom error, a stack overflow on deep XML) are for staff only.
    else throw new UnreadableFileError(`Wordファイルを開けません: ${(error as Error).message}`, 'damaged');
  }
  if (!tree) throw new UnreadableFileError('Wordファイルの本文が見つかりません');
  return convert(tree, filename);
}

export const docxReader: DocumentReader = {
  types: ['docx'],
  read: (bytes, filename) => readDocx(bytes, filename),
};
