// Before mammoth parses a Word package, drop from word/document.xml the layout properties that
// neither mammoth's tree nor our form mappers use (font sizes, fonts, spacing, widths, revision ids).
// A form saved by Word is two-thirds such markup, and mammoth's DOM parser (xmldom) spends its time
// in proportion to it: slimming first makes a form read about three times faster (BENCHMARKS.md).
// Kept on purpose: everything that carries text or a mark people make — runs, b/i/u/strike,
// highlight, shading, colour, symbols (w:sym), checkboxes, content controls, tracked changes,
// table structure (gridSpan, vMerge), numbering, styles.
import { unzipSync, zipSync, strFromU8, strToU8, type Unzipped } from 'fflate';
import { UnreadableFileError } from './reader.ts';

/** Uncompressed size above which a Word package is refused (a 9-page form is well under 1 MB). */
export const MAX_DOCX_UNCOMPRESSED_BYTES = 64 * 1024 * 1024;

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

/**
 * The package with a slimmed main part, stored uncompressed (mammoth unzips it again). Bytes that are
 * not a readable zip are returned untouched so mammoth reports them in its own words.
 */
export function slimDocx(bytes: Uint8Array): Uint8Array {
  let declared = 0;
  let files: Unzipped;
  try {
    files = unzipSync(bytes, {
      filter: (file) => {
        declared += file.originalSize;
        if (declared > MAX_DOCX_UNCOMPRESSED_BYTES) throw new UnreadableFileError('Wordファイルの展開後のサイズが大きすぎます');
        return true;
      },
    });
  } catch (error) {
    if (error instanceof UnreadableFileError) throw error;
    return bytes;
  }
  const main = files['word/document.xml'];
  if (!main) return bytes;
  files['word/document.xml'] = strToU8(slimDocumentXml(strFromU8(main)));
  return zipSync(files, { level: 0 });
}
