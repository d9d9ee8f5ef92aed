// The pages of a scanned file as images: a JPEG or PNG is one page, each page of a multi-page TIFF (as
// office scanners save a whole form) and of an image-only PDF is its own image.
import sharp from 'sharp';
import { detectFileType } from '../../shared/file-type.ts';
import { pdfPageCount, renderPdfPages } from '../readers/pdf.ts';

/** More pages than any form has: a file with more is read no further. */
export const MAX_IMAGE_PAGES = 12;

export async function imagePages(bytes: Uint8Array, limit = MAX_IMAGE_PAGES): Promise<Uint8Array[]> {
  if (limit <= 0) return [];
  const type = detectFileType(bytes);
  if (type === 'pdf') {
    const count = Math.min(await pdfPageCount(bytes), limit);
    return count > 0 ? renderPdfPages(bytes, Array.from({ length: count }, (_, i) => i + 1)) : [];
  }
  if (type !== 'tiff') return [bytes];
  const pages = (await sharp(bytes, { limitInputPixels: false }).metadata().catch(() => ({ pages: 1 }))).pages ?? 1;
  if (pages <= 1) return [bytes];
  // PNG keeps the page's pixels as they are; the page-by-page limits apply when each is prepared.
  return Promise.all(Array.from({ length: Math.min(pages, limit) }, (_, page) => sharp(bytes, { page, limitInputPixels: 100_000_000 }).png().toBuffer()));
}
