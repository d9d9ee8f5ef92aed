// Benchmark: the cost of straightening a page before OCR (src/extract/ocr/straighten.ts: decode, find the
// paper, level the skew, stand upright: by the page's lines reading upright, else OSD), per kind of page
// in samples/scans/: upright 300 dpi scans, scans fed turned (90°/180°), 200 dpi skewed noisy scans, and
// phone photos; median and max ms per page, whether the geometry found matches the one the sample was
// made with, and how the way up was decided. Then the two ways of deciding which way up a page is, on
// the same pages upright and upside down: tesseract OSD on a band of the page (the fallback) against OCR
// of a strip of the page both ways up with the Japanese pool.
//   npm run bench:straighten        (or: node bench/straighten.bench.ts [rounds])
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { straightenPage } from '../src/extract/ocr/straighten.ts';
import { detectOrientation, orientationAvailable, shutdownPageOrientation } from '../src/extract/ocr/orientation.ts';
import { recognise, shutdownOcr } from '../src/extract/ocr/ocr-engine.ts';
import { machineDescription } from './lib/machine.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const DIR = path.join(ROOT, 'samples', 'scans');
const rounds = Number(process.argv[2] ?? 2);
if (!orientationAvailable()) throw new Error('apt-get install tesseract-ocr-osd');

interface SamplePage { file: string; rotation: number; skewDegrees: number }
const sets = readdirSync(DIR).filter((f) => f.endsWith('.expected.json')).sort().map((f) => {
  const { scan } = JSON.parse(readFileSync(path.join(DIR, f), 'utf8')) as { scan: { pages: SamplePage[] } };
  return { set: f.replace(/^[a-z]+-complete-/, '').replace(/\.expected\.json$/, ''), pages: scan.pages };
});
const kindOf = (set: string, page: SamplePage) => (set === '300dpi-rotated' ? (page.rotation ? 'turned scan (300 dpi, 90°/180°)' : 'upright scan (300 dpi)') : set === '200dpi-noisy' ? 'skewed noisy scan (200 dpi, 1.5–2.5°)' : 'phone photo (3000×4000, 2–3°, desk)');

let peakRss = 0;
const sampler = setInterval(() => { peakRss = Math.max(peakRss, process.memoryUsage().rss); }, 20);
// Warm-up: the OCR pool (the upright probe) and, where a page needs it, the OSD worker start once (reported separately).
const warmStart = performance.now();
await straightenPage(readFileSync(path.join(DIR, sets[0]!.pages[0]!.file)));
const firstPageMs = performance.now() - warmStart;

const times = new Map<string, number[]>();
const right = new Map<string, [number, number]>();
/** How each page's way up was decided: its lines read upright (as it is or turned back), or OSD. */
const decidedBy = new Map<string, Record<string, number>>();
for (let r = 0; r < rounds; r++) {
  for (const { set, pages } of sets) {
    for (const page of pages) {
      const kind = kindOf(set, page);
      const started = performance.now();
      const { geometry } = await straightenPage(readFileSync(path.join(DIR, page.file)));
      times.set(kind, [...(times.get(kind) ?? []), performance.now() - started]);
      const ok = Math.abs(geometry.skewDegrees - page.skewDegrees) <= 0.2 && (geometry.rotation + page.rotation) % 360 === 0;
      const by = decidedBy.get(kind) ?? {};
      by[String(geometry.orientationBy)] = (by[String(geometry.orientationBy)] ?? 0) + 1;
      decidedBy.set(kind, by);
      const [good, all] = right.get(kind) ?? [0, 0];
      right.set(kind, [good + (ok ? 1 : 0), all + 1]);
    }
  }
}

// Orientation, two ways, on the upright 300 dpi pages and the same pages upside down.
const upright = sets.filter((s) => s.set === '300dpi-rotated').flatMap((s) => s.pages.filter((p) => p.rotation === 0));
const osdMs: number[] = [];
const stripMs: number[] = [];
let osdRight = 0;
let stripRight = 0;
let trials = 0;
for (const page of upright) {
  for (const turn of [0, 180]) {
    const image = await sharp(readFileSync(path.join(DIR, page.file))).rotate(turn).greyscale().png().toBuffer();
    const { width = 0, height = 0 } = await sharp(image).metadata();
    trials++;
    const band = await sharp(image).extract({ left: 0, top: Math.round(height / 3), width, height: Math.round(height / 3) }).resize({ width: 1000 }).withMetadata({ density: 300 }).png().toBuffer();
    let started = performance.now();
    const guess = await detectOrientation(band);
    osdMs.push(performance.now() - started);
    if (guess?.rotation === turn) osdRight++;
    const strip = await sharp(image).extract({ left: 0, top: Math.round(height * 0.45), width, height: Math.round(height / 12) }).png().toBuffer();
    const flipped = await sharp(strip).rotate(180).png().toBuffer();
    started = performance.now();
    const [asIs, turned] = await Promise.all([recognise(strip, 'block'), recognise(flipped, 'block')]);
    stripMs.push(performance.now() - started);
    if ((asIs.confidence >= turned.confidence ? 0 : 180) === turn) stripRight++;
  }
}
clearInterval(sampler);
await shutdownPageOrientation();
await shutdownOcr();

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (x: number) => Math.round(x);
console.log(JSON.stringify({
  benchmark: 'page straightening before OCR (decode, paper, skew, orientation) per kind of page',
  date: new Date().toISOString().slice(0, 10),
  machine: machineDescription(),
  node: process.version,
  rounds,
  firstPageMsWithOsdWorkerStart: ms(firstPageMs),
  perKind: Object.fromEntries([...times].map(([kind, xs]) => [kind, { pages: xs.length, medianMs: ms(median(xs)), maxMs: ms(Math.max(...xs)), geometryRight: `${right.get(kind)![0]}/${right.get(kind)![1]}`, orientationBy: decidedBy.get(kind) }])),
  orientation: {
    osdOnBand: { medianMs: ms(median(osdMs)), maxMs: ms(Math.max(...osdMs)), right: `${osdRight}/${trials}` },
    ocrStripBothWays: { medianMs: ms(median(stripMs)), maxMs: ms(Math.max(...stripMs)), right: `${stripRight}/${trials}` },
  },
  peakRssMiB: Math.round(peakRss / 2 ** 20),
}, null, 2));
