// An image as phones and scanners deliver it, made ready for OCR: straightened (EXIF orientation, cut to
// the paper, levelled, upright: straighten.ts), grey (no contrast stretching: it turns JPEG noise around
// the glyphs into ink; tesseract binarises itself), and brought to about 300 dpi (tesseract reads best
// there, ~2500 px on A4; the table finder's thresholds are tuned to it).
import sharp from 'sharp';
import { straightenPage, type PageGeometry } from './straighten.ts';

const TARGET_WIDTH = 2480;

export interface PreparedPage {
  /** PNG, grey, the page upright and about TARGET_WIDTH wide. */
  png: Buffer;
  geometry: PageGeometry;
}

/** The page ready for OCR, and what was done to its geometry (for the log and the staff's report). */
export async function preparePage(bytes: Uint8Array): Promise<PreparedPage> {
  const { image, geometry } = await straightenPage(bytes);
  const page = sharp(image.data, { raw: { width: image.width, height: image.height, channels: 1 } });
  // Small scans are enlarged; only pages far over 300 dpi are reduced (every resampling softens glyphs).
  const resize = image.width < TARGET_WIDTH * 0.75 || image.width > TARGET_WIDTH * 1.4;
  const png = await (resize ? page.resize({ width: TARGET_WIDTH, kernel: 'lanczos3' }) : page).png().toBuffer();
  return { png, geometry };
}

export async function prepareForOcr(bytes: Uint8Array): Promise<Buffer> {
  return (await preparePage(bytes)).png;
}
