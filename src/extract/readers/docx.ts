// Word (.docx) reader. mammoth parses the package (tracked deletions dropped, content-control
// checkboxes kept); we walk its document tree rather than its HTML so run formatting (bold,
// highlight, strike) survives: people mark their choice of qualification that way.
//
// Only mammoth's document reader is used (mammoth/lib/docx/docx-reader.js, what convertToHtml calls to
// build the tree), handed the package that slim-docx.ts already unzipped within its bounds: not its zip
// library (JSZip, which would unzip the package a second time), its HTML writer or its style-map parser.
// That is 34 modules instead of 154, most of the reading worker's start (`conken extract`, BENCHMARKS.md
// "CLI cold start"). test/unit/slim-docx.test.ts checks the tree is the one convertToHtml builds.
import { createRequire } from 'node:module';
import type { Unzipped } from 'fflate';
import type { Block, Cell, DocumentModel, Paragraph, Run } from '../document.ts';
import { UnreadableFileError, type DocumentReader } from './reader.ts';
import { openDocx, slimDocxFiles } from './slim-docx.ts';

const require = createRequire(import.meta.url);

/** What mammoth's reader asks of a package (mammoth/lib/zipfile.js's openArrayBuffer gives the same). */
interface MammothPackage {
  exists(name: string): boolean;
  read(name: string, encoding?: string): Promise<Uint8Array | string>;
}
interface MammothDocxReader {
  read(docxFile: MammothPackage, input: object, options: { externalFileAccess: boolean }): Promise<{ value: MammothNode }>;
}

function packageOf(files: Unzipped): MammothPackage {
  return {
    exists: (name) => Object.hasOwn(files, name),
    read: async (name, encoding) => {
      const bytes = files[name];
      if (!bytes) throw new Error(`no part ${name} in the package`);
      if (encoding === 'base64') return Buffer.from(bytes).toString('base64');
      return encoding ? new TextDecoder(encoding).decode(bytes) : bytes;
    },
  };
}

// mammoth/lib/zipfile.js's path helpers, as they are there (that module loads JSZip at its top).
function splitPath(p: string): { dirname: string; basename: string } {
  const at = p.lastIndexOf('/');
  return at === -1 ? { dirname: '', basename: p } : { dirname: p.substring(0, at), basename: p.substring(at + 1) };
}
function joinPath(...paths: string[]): string {
  let relevant: string[] = [];
  for (const p of paths.filter((x) => x)) {
    if (/^\//.test(p)) relevant = [p];
    else relevant.push(p);
  }
  return relevant.join('/');
}

let mammothReader: MammothDocxReader | undefined;

/**
 * mammoth's document reader, loaded with its zip module and its XML writer standing in for the real ones
 * while it loads (neither is used to read: the package comes from fflate, nothing is written). They are
 * taken out of the module cache at once, so a later `import 'mammoth'` (the workbench's text preview)
 * loads the real ones; what this reader holds delegates to them if ever called.
 */
function mammothDocxReader(): MammothDocxReader {
  if (mammothReader) return mammothReader;
  const zipfile = require.resolve('mammoth/lib/zipfile.js');
  const writer = require.resolve('mammoth/lib/xml/writer.js');
  const standIns: Record<string, object> = {
    [zipfile]: { splitPath, joinPath, openArrayBuffer: (...a: unknown[]) => require(zipfile).openArrayBuffer(...a) },
    [writer]: { writeString: (...a: unknown[]) => require(writer).writeString(...a) },
  };
  const placed = Object.keys(standIns).filter((id) => !require.cache[id]);
  for (const id of placed) require.cache[id] = { id, filename: id, loaded: true, exports: standIns[id] } as NodeJS.Module;
  try {
    mammothReader = require('mammoth/lib/docx/docx-reader.js') as MammothDocxReader;
  } finally {
    for (const id of placed) delete require.cache[id];
  }
  return mammothReader;
}

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

/** mammoth's document tree as our document model (exported for the test that compares with convertToHtml's tree). */
export function convert(root: MammothNode, file: string): DocumentModel {
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

/**
 * Loads mammoth's reader now: the reading worker calls this as it starts (isolated-worker.ts), so that a
 * worker started ahead of its first file (`conken extract`) has it loaded when the file arrives.
 */
export function loadDocxReader(): void {
  mammothDocxReader();
}

/** Reads a Word package into the document model; `slim: false` parses it as saved (tests compare both). */
export async function readDocx(bytes: Uint8Array, filename: string, options: { slim?: boolean } = {}): Promise<DocumentModel> {
  let tree: MammothNode | undefined;
  try {
    // Bounded either way: unslimmed (tests compare both) it is only checked, not rewritten.
    const files = options.slim === false ? openDocx(bytes) : slimDocxFiles(bytes);
    // convertToHtml's own options: no external files (a linked image is never read from this machine).
    tree = (await mammothDocxReader().read(packageOf(files), {}, { externalFileAccess: false })).value;
  } catch (error) {
    if (error instanceof UnreadableFileError) throw error;
    // The library's words (an xmldom error, a stack overflow on deep XML) are for staff only.
    throw new UnreadableFileError(`Wordファイルを開けません: ${(error as Error).message}`, 'damaged');
  }
  if (!tree) throw new UnreadableFileError('Wordファイルの本文が見つかりません');
  return convert(tree, filename);
}

export const docxReader: DocumentReader = {
  types: ['docx'],
  read: (bytes, filename) => readDocx(bytes, filename),
};
