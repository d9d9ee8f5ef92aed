// Before mammoth parses a Word package: bound it, then drop from word/document.xml the layout properties
// that neither mammoth's tree nor our form mappers use (font sizes, fonts, spacing, widths, revision ids).
//
// Bounds: mammoth's DOM parser (xmldom) holds the whole tree, and its memory grows with the number of
// elements (measured: ~185,000 elements per MB of dense XML, ~335 MB peak RSS for 185,000 elements and
// ~750 MB for 740,000; a form saved by Word has 6,000–12,000 elements in ~120–220 KB). The package is refused before any XML
// is parsed when its XML is larger or deeper than any form, so that the worst case stays well inside
// the reading worker's heap (isolated-read.ts). A package that cannot be unzipped is refused too: it is
// never handed to mammoth as it is (a broken entry in front of a huge one would slip past every bound).
//
// Slimming: a form saved by Word is two-thirds layout markup, and xmldom spends its time in proportion
// to it: slimming first makes a form read about three times faster (BENCHMARKS.md). Kept on purpose:
// everything that carries text or a mark people make — runs, b/i/u/strike, highlight, shading, colour,
// symbols (w:sym), checkboxes, content controls, tracked changes, table structure (gridSpan, vMerge),
// numbering, styles.
import { unzipSync, zipSync, strFromU8, strToU8, type Unzipped } from 'fflate';
import { UnreadableFileError } from './reader.ts';
import { entriesIntact, zipEntries } from '../../shared/file-type.ts';

/** Uncompressed size of the whole package (pictures included) above which it is refused. */
export const MAX_DOCX_UNCOMPRESSED_BYTES = 32 * 1024 * 1024;
/** All XML parts together (what mammoth parses): ~20× the largest form. */
export const MAX_DOCX_XML_BYTES = 4 * 1024 * 1024;
/**
 * Elements in all XML parts together: ~12× a form. The worst case within the bounds (dense XML, every
 * element a paragraph, run or text) peaks near 400 MB RSS and reads in ~1 s (hostile-files.test.ts).
 */
export const MAX_DOCX_XML_ELEMENTS = 150_000;
/** Element nesting: a form is ~15 deep (tables in tables ~30); xmldom and mammoth recurse per level. */
export const MAX_DOCX_XML_DEPTH = 256;

// Self-closing property elements only; none of them has children or text.
const LAYOUT_ELEMENTS = [
  'sz', 'szCs', 'rFonts', 'jc', 'vAlign', 'tcW', 'spacing', 'keepNext', 'keepLines', 'ind', 'lang', 'kern',
  'cantSplit', 'trHeight', 'noProof', 'snapToGrid', 'widowControl', 'autoSpaceDE', 'autoSpaceDN',
  'adjustRightInd', 'proofErr', 'gridCol', 'bCs', 'iCs', 'tblW', 'tblInd', 'tblLayout', 'tblLook',
  'textAlignment', 'w', 'lastRenderedPageBreak',
];
const LAYOUT = new RegExp(`<w:(?:${LAYOUT_ELEMENTS.join('|')})(?=[\\s/])[^>]*/>`, 'g');
const REVISION_IDS = / w:rsid\w*="[^"]*"| w14:(?:paraId|textId)="[^"]*"/g;
const EMPTY_PROPERTIES = /<w:(rPr|pPr|tcPr|trPr)><\/w:\1>/g;

export function slimDocumentXml(xml: string): string {
  return xml.replace(LAYOUT, '').replace(REVISION_IDS, '').replace(EMPTY_PROPERTIES, '');
}

export interface XmlShape {
  elements: number;
  depth: number;
  /** A document type declaration (entities): Word never writes one. */
  doctype: boolean;
}

const LT = 0x3c;
const GT = 0x3e;
const SLASH = 0x2f;
const DOCTYPE = Buffer.from('<!DOCTYPE');
const ENTITY = Buffer.from('<!ENTITY');

/**
 * Counts the elements and the nesting of an XML part from its bytes, without parsing it (a few
 * milliseconds per MB). Approximate where it does not matter (a '<' in a comment counts as an element).
 */
export function xmlShape(bytes: Uint8Array): XmlShape {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let elements = 0;
  let depth = 0;
  let maxDepth = 0;
  let i = b.indexOf(LT);
  while (i >= 0) {
    const next = b[i + 1];
    const close = b.indexOf(GT, i + 1);
    if (close < 0) break;
    if (next === SLASH) depth--;
    else if (next !== 0x3f /* ? */ && next !== 0x21 /* ! */) {
      elements++;
      if (b[close - 1] !== SLASH && ++depth > maxDepth) maxDepth = depth;
    }
    i = b.indexOf(LT, close + 1);
  }
  return { elements, depth: maxDepth, doctype: b.includes(DOCTYPE) || b.includes(ENTITY) };
}

const isXmlPart = (name: string) => /\.(xml|rels)$/i.test(name);

/** Unzips a Word package within the bounds; throws UnreadableFileError (too large, damaged). */
export function openDocx(bytes: Uint8Array): Unzipped {
  let declared = 0;
  let declaredXml = 0;
  let files: Unzipped;
  try {
    files = unzipSync(bytes, {
      filter: (file) => {
        // Declared sizes first (nothing inflated yet); fflate never inflates beyond an entry's declared size.
        declared += file.originalSize;
        if (isXmlPart(file.name)) declaredXml += file.originalSize;
        if (declared > MAX_DOCX_UNCOMPRESSED_BYTES) throw new UnreadableFileError(`Wordファイルの展開後のサイズが上限（${MAX_DOCX_UNCOMPRESSED_BYTES / 1048576}MB）を超えます`, 'too-large');
        if (declaredXml > MAX_DOCX_XML_BYTES) throw new UnreadableFileError(`WordファイルのXMLが上限（${MAX_DOCX_XML_BYTES / 1048576}MB）を超えます`, 'too-large');
        return true;
      },
    });
  } catch (error) {
    if (error instanceof UnreadableFileError) throw error;
    throw new UnreadableFileError(`Wordファイル（ZIP）を展開できません: ${(error as Error).message}`, 'damaged');
  }
  const entries = zipEntries(bytes);
  if (!entries || !entriesIntact(entries, files)) throw new UnreadableFileError('Wordファイル内のファイルの大きさまたはCRCが記録と一致しません（破損）', 'damaged');
  if (!files['word/document.xml']) throw new UnreadableFileError('Wordファイルに本文（word/document.xml）がありません', 'damaged');
  let elements = 0;
  for (const [name, content] of Object.entries(files)) {
    if (!isXmlPart(name)) continue;
    const shape = xmlShape(content);
    elements += shape.elements;
    if (shape.doctype) throw new UnreadableFileError(`WordファイルのXML（${name}）に文書型宣言（DOCTYPE/ENTITY）があります`, 'damaged');
    if (shape.depth > MAX_DOCX_XML_DEPTH) throw new UnreadableFileError(`WordファイルのXML（${name}）の入れ子が深すぎます（${shape.depth}段、上限 ${MAX_DOCX_XML_DEPTH}）`, 'damaged');
    if (elements > MAX_DOCX_XML_ELEMENTS) throw new UnreadableFileError(`WordファイルのXMLの要素数が上限（${MAX_DOCX_XML_ELEMENTS}）を超えます`, 'too-large');
  }
  return files;
}

/** The package's parts, bounded and with a slimmed main part (what docx.ts hands mammoth's reader). */
export function slimDocxFiles(bytes: Uint8Array): Unzipped {
  const files = openDocx(bytes);
  files['word/document.xml'] = strToU8(slimDocumentXml(strFromU8(files['word/document.xml']!)));
  return files;
}

/** The same as a package again, stored uncompressed (for a reader that wants a file). */
export function slimDocx(bytes: Uint8Array): Uint8Array {
  return zipSync(slimDocxFiles(bytes), { level: 0 });
}
