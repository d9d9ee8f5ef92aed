// Sample scans and phone photos of the filled forms, made from their PDF exports: pages rendered by
// pdftoppm (Debian poppler-utils), then scanned or photographed in software with sharp: turned, skewed,
// noised, blurred, lit unevenly, laid on a desk. Every random choice comes from a seeded generator, so a
// run gives the same pictures from the same PDF.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp, { type Sharp } from 'sharp';

/** How one page was made: what a straightener has to undo. */
export interface ScanPageSpec {
  page: number;
  /** Clockwise quarter turn given to the page (undone by turning it back). */
  rotation: 0 | 90 | 180 | 270;
  /** Clockwise skew in degrees. */
  skewDegrees: number;
}

/** Pages of a PDF as grey PNGs at `dpi` (pdftoppm); throws with the package to install when it is missing. */
export function renderPages(pdf: Uint8Array, pages: number[], dpi: number): Buffer[] {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'conken-render-'));
  try {
    writeFileSync(path.join(dir, 'in.pdf'), pdf);
    return pages.map((page) => {
      try {
        execFileSync('pdftoppm', ['-r', String(dpi), '-gray', '-png', '-f', String(page), '-l', String(page), '-singlefile', path.join(dir, 'in.pdf'), path.join(dir, `p${page}`)], { stdio: 'ignore' });
      } catch (error) {
        throw new Error(`pdftoppm is needed to render the sample scans: apt-get install poppler-utils (${(error as Error).message})`);
      }
      return readFileSync(path.join(dir, `p${page}.png`));
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** mulberry32: a small seeded generator, so the noise is the same on every run. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Roughly normal noise (sum of three uniforms): cheap and close enough for sensor grain. */
function gaussianish(random: () => number): number {
  return (random() + random() + random() - 1.5) * 2;
}

async function greyRaw(image: Sharp): Promise<{ data: Buffer; width: number; height: number }> {
  const { data, info } = await image.greyscale().extractChannel(0).raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

function fromRaw(raw: { data: Uint8Array; width: number; height: number }): Sharp {
  return sharp(raw.data, { raw: { width: raw.width, height: raw.height, channels: 1 } });
}

/** A clean flatbed scan, fed in turned by a quarter turn (or not). */
export async function cleanScan(page: Buffer, rotation: ScanPageSpec['rotation']): Promise<Buffer> {
  return sharp(page).greyscale().rotate(rotation).png({ compressionLevel: 9, palette: false }).toBuffer();
}

/** Sensor noise of an office scanner (standard deviation in grey levels) and its soft focus (blur sigma, px at 200 dpi). */
const SCANNER_NOISE = 6;
// Measured 2026-11-23: at 200 dpi a blur of sigma 0.6 or more (even without noise) greys the forms' thin
// ruling lines past table-grid.ts's fixed ink threshold and rows are lost; 0.5 is still "slight".
const SCANNER_BLUR = 0.5;

/** A worn office scanner: the sheet fed in askew, sensor noise, a soft focus, strong JPEG compression. */
export async function noisyScan(page: Buffer, skewDegrees: number, seed: number): Promise<Buffer> {
  const skewed = await greyRaw(sharp(page).rotate(skewDegrees, { background: '#ffffff' }));
  const random = seeded(seed);
  for (let i = 0; i < skewed.data.length; i++) skewed.data[i] = Math.max(0, Math.min(255, skewed.data[i]! + gaussianish(random) * SCANNER_NOISE));
  return fromRaw(skewed).blur(SCANNER_BLUR).jpeg({ quality: 60, mozjpeg: false }).toBuffer();
}

const PHOTO_WIDTH = 3000;
const PHOTO_HEIGHT = 4000;
const PAPER_WIDTH = 2400;

/**
 * A phone photo of the printed page on a desk: the sheet turned a little and smaller than the frame
 * (desk on all sides), the desk darker and grained, the light falling off across the picture, a soft
 * focus, JPEG at a phone's quality.
 */
export async function phonePhoto(page: Buffer, skewDegrees: number, seed: number): Promise<Buffer> {
  const random = seeded(seed);
  const desk = new Uint8Array(PHOTO_WIDTH * PHOTO_HEIGHT);
  const phase = random() * Math.PI * 2;
  for (let y = 0; y < PHOTO_HEIGHT; y++) {
    for (let x = 0; x < PHOTO_WIDTH; x++) {
      // Wood-like grain: slow waves along the desk plus fine streaks.
      const grain = 14 * Math.sin(x / 37 + 3 * Math.sin(y / 410 + phase)) + 10 * Math.sin(y / 290 + phase);
      desk[y * PHOTO_WIDTH + x] = Math.max(0, Math.min(255, 95 + grain + gaussianish(random) * 8));
    }
  }
  const paper = await sharp(page).greyscale().resize({ width: PAPER_WIDTH }).toColourspace('b-w')
    .ensureAlpha().rotate(skewDegrees, { background: { r: 0, g: 0, b: 0, alpha: 0 } }).png().toBuffer();
  const { width = 0, height = 0 } = await sharp(paper).metadata();
  const left = Math.round((PHOTO_WIDTH - width) / 2 + (random() - 0.5) * 80);
  const top = Math.round((PHOTO_HEIGHT - height) / 2 + (random() - 0.5) * 80);
  const scene = await greyRaw(fromRaw({ data: desk, width: PHOTO_WIDTH, height: PHOTO_HEIGHT }).blur(1.2).composite([{ input: paper, left, top }]));
  // The light: brightest near the top left, about a third darker at the bottom right.
  for (let y = 0; y < PHOTO_HEIGHT; y++) {
    for (let x = 0; x < PHOTO_WIDTH; x++) {
      const i = y * PHOTO_WIDTH + x;
      const light = 1 - 0.32 * (0.6 * (y / PHOTO_HEIGHT) + 0.4 * (x / PHOTO_WIDTH));
      scene.data[i] = Math.max(0, Math.min(255, scene.data[i]! * light + gaussianish(random) * 5));
    }
  }
  return fromRaw(scene).blur(0.9).jpeg({ quality: 75 }).toBuffer();
}

/** The filled forms scanned, and the pages of each that hold its fields. */
export const SCANNED_FORMS = [
  { form: 'renewal-complete', pages: [2, 3, 4, 5, 7] },
  { form: 'certification-complete', pages: [2, 3, 4, 6] },
] as const;

interface ScanSet {
  name: string;
  description: string;
  extension: 'png' | 'jpg';
  dpi: number;
  /** What happens to the i-th page of the form's field pages. */
  spec: (page: number, index: number, count: number) => Omit<ScanPageSpec, 'page'>;
  make: (rendered: Buffer, spec: ScanPageSpec, seed: number) => Promise<Buffer>;
}

// Skews alternate in sign across a form's pages, as sheets fed by hand do.
const NOISY_SKEWS = [1.8, -2.2, 2.5, -1.5, 2.0];
const PHOTO_SKEWS = [2.4, -2.8, 2.0, -2.5, 3.0];

export const SCAN_SETS: ScanSet[] = [
  {
    name: '300dpi-rotated', extension: 'png', dpi: 300,
    description: 'Clean 300 dpi scans; the second field page fed upside down (180°), the last one sideways (90° clockwise).',
    spec: (_page, i, count) => ({ rotation: i === 1 ? 180 : i === count - 1 ? 90 : 0, skewDegrees: 0 }),
    make: (rendered, spec) => cleanScan(rendered, spec.rotation),
  },
  {
    name: '200dpi-noisy', extension: 'jpg', dpi: 200,
    description: '200 dpi office scans: 1.5–2.5° skew, sensor noise (σ ≈ 6 grey levels), slight blur (σ 0.5 px), JPEG quality 60.',
    spec: (_page, i) => ({ rotation: 0, skewDegrees: NOISY_SKEWS[i % NOISY_SKEWS.length]! }),
    make: (rendered, spec, seed) => noisyScan(rendered, spec.skewDegrees, seed),
  },
  {
    name: 'photo', extension: 'jpg', dpi: 300,
    description: 'Phone photos (3000×4000): the sheet turned 2–3° on a darker grained desk, desk on all sides, light falling off across the picture, slight blur, JPEG quality 75.',
    spec: (_page, i) => ({ rotation: 0, skewDegrees: PHOTO_SKEWS[i % PHOTO_SKEWS.length]! }),
    make: (rendered, spec, seed) => phonePhoto(rendered, spec.skewDegrees, seed),
  },
];

export function scanFileName(form: string, set: string, page: number, extension: string): string {
  return `${form}-${set}-p${page}.${extension}`;
}

/**
 * samples/scans/<form>-<set>-p<N>.<ext> from the committed PDF exports in samples/forms-pdf, and beside
 * each set <form>-<set>.expected.json: the form's expected values (samples/forms/<form>.expected.json)
 * and how each page was turned and skewed. Returns the files written.
 */
export async function writeScanSamples(samplesDir: string): Promise<string[]> {
  const written: string[] = [];
  for (const { form, pages } of SCANNED_FORMS) {
    const pdf = new Uint8Array(readFileSync(path.join(samplesDir, 'forms-pdf', `${form}.pdf`)));
    const formExpected = JSON.parse(readFileSync(path.join(samplesDir, 'forms', `${form}.expected.json`), 'utf8')) as Record<string, unknown>;
    const rendered = new Map<number, Buffer[]>();
    for (const set of SCAN_SETS) {
      if (!rendered.has(set.dpi)) rendered.set(set.dpi, renderPages(pdf, [...pages], set.dpi));
      const specs: ScanPageSpec[] = pages.map((page, i) => ({ page, ...set.spec(page, i, pages.length) }));
      for (const [i, spec] of specs.entries()) {
        const file = scanFileName(form, set.name, spec.page, set.extension);
        writeFileSync(path.join(samplesDir, 'scans', file), await set.make(rendered.get(set.dpi)![i]!, spec, 1000 * spec.page + i + 1));
        written.push(file);
      }
      const expectedFile = `${form}-${set.name}.expected.json`;
      const scan = { description: set.description, source: `forms-pdf/${form}.pdf`, dpi: set.dpi, pages: specs.map((s) => ({ file: scanFileName(form, set.name, s.page, set.extension), ...s })) };
      writeFileSync(path.join(samplesDir, 'scans', expectedFile), `${JSON.stringify({ ...formExpected, scan }, null, 2)}\n`);
      written.push(expectedFile);
    }
  }
  return written;
}
