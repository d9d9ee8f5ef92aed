// The pages of a picture file: one for a JPEG or PNG, each page of a multi-page TIFF (as office scanners
// save a whole form) as its own image.
import sharp from 'sharp';
import { detectFileType } from '../file-type.ts';

/** More pages than any form has: a TIFF with more is read no further. */
export const MAX_IMAGE_PAGES = 12;

export async function imagePages(bytes: Uint8Array): Promise<Uint8Array[]> {
  if (detectFileType(bytes) !== 'tiff') return [bytes];
  const pages = (await sharp(bytes, { limitInputPixels: false }).metadata().catch(() => ({ pages: 1 }))).pages ?? 1;
  if (pages <= 1) return [bytes];
  // PNG keeps the page's pixels as they are; the page-by-page limits apply when each is prepared.
  return Promise.all(Array.from({ length: Math.min(pages, MAX_IMAGE_PAGES) }, (_, page) => sharp(bytes, { page, limitInputPixels: 100_000_000 }).png().toBuffer()));
}
