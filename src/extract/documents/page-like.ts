// Do a mail's pictures look like the pages of a form? A cheap test (image headers and page counts, no
// pixels decoded, no OCR) that decides whether a mail that gave no other sign of being an application is
// worth reading as a scanned form, which costs about a minute of OCR per page.
import sharp from 'sharp';
import { detectFileType } from '../../shared/file-type.ts';
import { pdfPageCount } from '../readers/pdf.ts';

/** Both forms run to five pages or more; a single picture is a photo, a logo or a certificate, not a form. */
const MIN_PAGES = 2;
/** A page scanned or photographed: its short side has at least this many pixels (A4 at 90 dpi ≈ 740). */
const MIN_SHORT_SIDE = 700;
/** Long side / short side of a page: A4 1.41, Letter 1.29, a phone photo of a page 1.33 (4:3) to 1.5. */
const PAGE_RATIO = { min: 1.2, max: 1.65 };
/** Enough to decide; the files beyond are not looked at. */
const MAX_FILES = 30;

async function pagesIn(bytes: Uint8Array): Promise<number> {
  const type = detectFileType(bytes);
  // A PDF without text (the caller passes only those) is a scanner's output: each page is a page.
  if (type === 'pdf') return pdfPageCount(bytes).catch(() => 0);
  if (type !== 'jpeg' && type !== 'png' && type !== 'tiff') return 0;
  const meta = await sharp(bytes, { limitInputPixels: false }).metadata().catch(() => null);
  if (!meta?.width || !meta.height) return 0;
  const short = Math.min(meta.width, meta.height);
  const ratio = Math.max(meta.width, meta.height) / short;
  if (short < MIN_SHORT_SIDE || ratio < PAGE_RATIO.min || ratio > PAGE_RATIO.max) return 0;
  return meta.pages ?? 1;
}

/** True when the files hold at least two page-shaped pictures (or scanned PDF pages). */
export async function looksLikePages(files: readonly Uint8Array[]): Promise<boolean> {
  let pages = 0;
  for (const bytes of files.slice(0, MAX_FILES)) {
    pages += await pagesIn(bytes);
    if (pages >= MIN_PAGES) return true;
  }
  return false;
}
