// Benchmark: OCR time of a scanned form, per page: our whole reading of the form (pages straightened,
// table cells found and read, the value cells read a second time, the lines outside the tables that can
// hold values) against the native `tesseract` CLI (Debian tesseract-ocr-jpn, full page, one thread, its
// process start included) on the same images in the same run, as seconds per page and their ratio. The
// rounds alternate between the two so that a busy machine weighs on both alike. Peak memory of our
// process: the OCR pools are worker threads inside it.
//   npm run bench:ocr        (or: node bench/ocr-pages.bench.ts [rounds])
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import '../src/kinds/index.ts';
import { readScannedForm } from '../src/extract/extract-scan.ts';
import { ocrStats, shutdownOcr } from '../src/extract/ocr/ocr-engine.ts';
import { preparePage } from '../src/extract/ocr/prepare-image.ts';
import { findTessdata } from '../src/extract/ocr/tessdata.ts';
import { machineDescription } from './lib/machine.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const DIR = path.join(ROOT, 'samples', 'scans');
const rounds = Number(process.argv[2] ?? 2);
// The five pages of the certification form as 200 dpi page photos (fields, the oath, the policy text).
const files = readdirSync(DIR).filter((f) => /^certification-complete-p\d+\.jpg$/.test(f)).sort();
const tessdata = findTessdata();
if (!tessdata) throw new Error('apt-get install tesseract-ocr-jpn');
const pages = files.map((f, i) => ({ number: i + 1, image: readFileSync(path.join(DIR, f)) }));

let peakRss = 0;
const sample = setInterval(() => { peakRss = Math.max(peakRss, process.memoryUsage().rss); }, 50);

// Warm-up: the pools' workers load their models once, as in the daemon.
await readScannedForm(pages.slice(0, 1), 'warm', 85).catch(() => null);

ocrStats.clear();
const ours: number[] = [];
const native: number[] = [];
for (let r = 0; r < rounds; r++) {
  let t = performance.now();
  await readScannedForm(pages, 'bench', 85);
  ours.push((performance.now() - t) / 1000 / pages.length);
  t = performance.now();
  for (const f of files) {
    execFileSync('tesseract', [path.join(DIR, f), '-', '-l', 'jpn', '--tessdata-dir', tessdata], { env: { ...process.env, OMP_THREAD_LIMIT: '1' }, stdio: ['ignore', 'pipe', 'ignore'] });
  }
  native.push((performance.now() - t) / 1000 / files.length);
}
clearInterval(sample);
// Where the time goes: the OCR reads of the timed rounds by kind (worker time; two workers per model read
// at once, so it adds up to more than the wall time), and the straightening of each page alone, one
// after another (orientation by OSD, or skipped because the page's lines read upright).
const reads = Object.fromEntries([...ocrStats].map(([mode, st]) => [mode, { readsPerPage: +(st.reads / rounds / pages.length).toFixed(1), workerSecondsPerPage: +(st.ms / 1000 / rounds / pages.length).toFixed(2) }]));
const straighten: number[] = [];
let osdAsked = 0;
for (const page of pages) {
  const t = performance.now();
  const prepared = await preparePage(page.image);
  straighten.push((performance.now() - t) / 1000);
  if (prepared.geometry.orientationBy === 'osd') osdAsked++;
}
await shutdownOcr();
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(JSON.stringify({
  benchmark: 'scanned form, seconds per page: our reading (both passes) vs tesseract CLI full page',
  date: new Date().toISOString().slice(0, 10),
  machine: machineDescription(),
  loadAverage: os.loadavg().map((l) => +l.toFixed(1)),
  node: process.version,
  pages: files.length,
  rounds,
  oursSecondsPerPage: ours.map((x) => +x.toFixed(2)),
  tesseractCliSecondsPerPage: native.map((x) => +x.toFixed(2)),
  ratioOursToCli: +(median(ours) / median(native)).toFixed(2),
  peakRssMiB: Math.round(peakRss / 2 ** 20),
  breakdown: {
    straightenSecondsPerPage: straighten.map((x) => +x.toFixed(2)),
    pagesAskingOsd: osdAsked,
    ocrReads: reads,
  },
}, null, 2));
