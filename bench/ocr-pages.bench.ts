// Benchmark: OCR of scanned form pages (samples/scans/, 200 dpi JPEG): our reader (table cells found and
// each read as a block by the tesseract.js pool, plus the text outside the tables) against the native
// `tesseract` CLI (Debian tesseract-ocr-jpn, full page, one thread) on the same images in the same run,
// as seconds per page and their ratio; peak memory of our process (the OCR pool lives in it).
//   npm run bench:ocr        (or: node bench/ocr-pages.bench.ts [rounds])
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { readScannedPages } from '../src/extract/readers/scan.ts';
import { shutdownOcr } from '../src/extract/ocr/ocr-engine.ts';
import { findTessdata } from '../src/extract/ocr/tessdata.ts';
import { machineDescription } from './lib/machine.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const DIR = path.join(ROOT, 'samples', 'scans');
const rounds = Number(process.argv[2] ?? 2);
// The plain 200 dpi page photos only: the skewed and photographed sets beside them are bench:straighten's.
const files = readdirSync(DIR).filter((f) => /^certification-complete-p\d+\.jpg$/.test(f)).sort();
const tessdata = findTessdata();
if (!tessdata) throw new Error('apt-get install tesseract-ocr-jpn');

let peakRss = 0;
const sample = setInterval(() => { peakRss = Math.max(peakRss, process.memoryUsage().rss); }, 50);

// Warm-up: the pool's workers load the model once.
await readScannedPages([{ number: 1, image: readFileSync(path.join(DIR, files[0]!)) }], 'warm');

const ours: number[] = [];
for (let r = 0; r < rounds; r++) {
  for (const f of files) {
    const t = performance.now();
    await readScannedPages([{ number: 1, image: readFileSync(path.join(DIR, f)) }], f);
    ours.push((performance.now() - t) / 1000);
  }
}
const native: number[] = [];
for (let r = 0; r < rounds; r++) {
  for (const f of files) {
    const t = performance.now();
    execFileSync('tesseract', [path.join(DIR, f), '-', '-l', 'jpn', '--tessdata-dir', tessdata], { env: { ...process.env, OMP_THREAD_LIMIT: '1' }, stdio: ['ignore', 'pipe', 'ignore'] });
    native.push((performance.now() - t) / 1000);
  }
}
clearInterval(sample);
await shutdownOcr();
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(JSON.stringify({
  benchmark: 'scanned form page → cells read by OCR (ours) vs tesseract CLI full page',
  date: new Date().toISOString().slice(0, 10),
  machine: machineDescription(),
  node: process.version,
  pages: files.length,
  rounds,
  oursSecondsPerPage: +median(ours).toFixed(2),
  tesseractCliSecondsPerPage: +median(native).toFixed(2),
  ratioOursToCli: +(median(ours) / median(native)).toFixed(2),
  peakRssMiB: Math.round(peakRss / 2 ** 20),
}, null, 2));
