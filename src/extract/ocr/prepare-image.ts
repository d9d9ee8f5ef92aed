// An image as phones and scanners deliver it, made ready for OCR: straightened (EXIF orientation, cut to
// the paper, levelled, upright: straighten.ts), its light made even (even-light.ts), grey (no contrast stretching: it turns JPEG noise around
// the glyphs into ink; tesseract binarises itself), and brought to about 300 dpi (tesseract reads best
// there, ~2500 px on A4; the table finder's thresholds are tuned to it).
import sharp from 'sharp';
import { straightenPage, type PageGeometry } from './straighten.ts';
import { evenLight } from './even-light.ts';
import type { GreyImage } from './table-grid.ts';

const TARGET_WIDTH = 2480;
/** An image far narrower than a page (a strip, an icon) is not blown up to one: bounded in factor and size. */
const MAX_ENLARGEMENT = 4;
const MAX_OUTPUT_PIXELS = 20_000_000;

export interface PreparedPage {
  /** Grey pixels, the page upright and about TARGET_WIDTH wide. */
  grey: GreyImage;
  /** The same as a PNG, made when asked for. */
  readonly png: Promise<Buffer>;
  geometry: PageGeometry;
}

/** The page ready for OCR, and what was done to its geometry (for the log and the staff's report). */
export async function preparePage(bytes: Uint8Array): Promise<PreparedPage> {
  const straight = await straightenPage(bytes);
  const geometry = straight.geometry;
  const image = evenLight(straight.image);
  const page = sharp(image.data, { raw: { width: image.width, height: image.height, channels: 1 } });
  // Small scans are enlarged; only pages far over 300 dpi are reduced (every resampling softens glyphs).
  const wanted = TARGET_WIDTH / image.width;
  const factor = Math.min(wanted, MAX_ENLARGEMENT, Math.sqrt(MAX_OUTPUT_PIXELS / (image.width * image.height)));
  const resize = wanted > 1 / 0.75 || wanted < 1 / 1.4;
  const sized = resize ? page.resize({ width: Math.max(1, Math.round(image.width * factor)), height: Math.max(1, Math.round(image.height * factor)), fit: 'fill', kernel: 'lanczos3' }) : page;
  // Resampling hands back three channels; the reader wants one.
  const { data, info } = await sized.extractChannel(0).raw().toBuffer({ resolveWithObject: true });
  const grey: GreyImage = { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
  return { grey, get png() { return sharp(data, { raw: { width: info.width, height: info.height, channels: 1 } }).png().toBuffer(); }, geometry };
}

export async function prepareForOcr(bytes: Uint8Array): Promise<Buffer> {
  return (await preparePage(bytes)).png;
}

/** The page ready for OCR as grey pixels (what the scan reader works on; no PNG in between). */
export async function preparePixels(bytes: Uint8Array): Promise<GreyImage> {
  return (await preparePage(bytes)).grey;
}
