// An image as phones and scanners deliver it, made ready for OCR: EXIF orientation applied, transparency
// on white, grey (no contrast stretching: it turns JPEG noise around the glyphs into ink; tesseract
// binarises itself), small images enlarged (tesseract reads best at about 300 dpi, ~2500 px on A4).
import sharp from 'sharp';

const TARGET_WIDTH = 2480;

export async function prepareForOcr(bytes: Uint8Array): Promise<Buffer> {
  // flatten: a transparent background (a rendered PDF page, a PNG with alpha) must read as white paper.
  const image = sharp(bytes, { failOn: 'error', limitInputPixels: 100_000_000 }).rotate().flatten({ background: '#ffffff' }).greyscale();
  const { width } = await image.metadata();
  const scaled = width && width < TARGET_WIDTH * 0.75 ? image.resize({ width: TARGET_WIDTH, kernel: 'lanczos3' }) : image;
  return scaled.png().toBuffer();
}
