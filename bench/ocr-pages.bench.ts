// Benchmark: OCR time of a scanned form, per page: our whole reading of the form (pages straightened,
// table cells found and read, the value cells read a second time, the lines outside the tables that can
// hold values) against the native `tesseract` CLI (Debian tesseract-ocr-jpn, full page, one thread, its
// process start included) on the same images in the same run, as seconds per page and their ratio. The
// rounds alternate between the two so that a busy machine weighs on both alike. Our reading is timed
// twice per round: with the known forms' layouts (printed labels not read, the way it runs) and without
// (every table cell read, as before the layouts), so that their difference is measured under one load.
// Peak memory of our process: the OCR pools are worker threads inside it.
//   npm run bench:ocr        (or: node bench/ocr-pages.bench.ts [rounds])
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import '../src/kinds/index.ts';
import { readScannedForm } from '../src/extract/extract-scan.ts';
import { ocrStats, shutdownOcr } from '../src/extract/ocr/ocr-engine.ts';
import { preparePage } from '../src/extract/ocr/prepare-image.ts';
import { layoutStats, useFormLayouts } from '../src/extract/readers/scan.ts';
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

// Warm-up: the pools' workers load their models once, as in the daemon. The whole form, so that every
// pool (the second reading's models too) is started before the first timed read, which would else pay
// for loading them.
await readScannedForm(pages, 'warm', 85).catch(() => null);

type Reads = Map<string, { reads: number; ms: number }>;
const readsWith: Reads = new Map();
const readsWithout: Reads = new Map();
const addReads = (into: Reads) => {
  for (const [mode, st] of ocrStats) {
    const was = into.get(mode) ?? { reads: 0, ms: 0 };
    into.set(mode, { reads: was.reads + st.reads, ms: was.ms + st.ms });
  }
  ocrStats.clear();
};
const ours: number[] = [];
const oursWithoutLayouts: number[] = [];
const native: number[] = [];
// CPU seconds beside the wall seconds: on a machine shared with other work, the wall time is mostly the
// share of the cores we were given, while the CPU time is the work done. Ours: every thread of this
// process (the OCR workers included); the CLI's: its processes', from /proc (Linux).
const cpu = { ours: [] as number[], oursWithoutLayouts: [] as number[], native: [] as number[] };
const ownCpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
const clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
const childrenCpu = () => {
  const fields = readFileSync('/proc/self/stat', 'utf8').replace(/^.*\) /s, '').split(' ');
  // After the command's name: cutime and cstime are the 14th and 15th fields (stat(5) numbers 16, 17).
  return (Number(fields[13]) + Number(fields[14])) / clockTicks;
};
Object.assign(layoutStats, { tables: 0, tablesConfirmed: 0, labelCellsFilled: 0, labelCellsProbed: 0, labelCellsOverflowing: 0, linesRead: 0, linesSkipped: 0 });
const timedRead = async (layouts: boolean) => {
  ocrStats.clear();
  const labels = { ...layoutStats };
  useFormLayouts(layouts);
  const t = performance.now();
  const c = ownCpu();
  await readScannedForm(pages, 'bench', 85);
  (layouts ? ours : oursWithoutLayouts).push((performance.now() - t) / 1000 / pages.length);
  (layouts ? cpu.ours : cpu.oursWithoutLayouts).push((ownCpu() - c) / pages.length);
  addReads(layouts ? readsWith : readsWithout);
  if (!layouts) Object.assign(layoutStats, labels);
  useFormLayouts(true);
};
for (let r = 0; r < rounds; r++) {
  // Which goes first alternates too: a load that rises or falls within a round weighs on both alike.
  for (const layouts of r % 2 === 0 ? [true, false] : [false, true]) await timedRead(layouts);
  const t = performance.now();
  const c = childrenCpu();
  for (const f of files) {
    execFileSync('tesseract', [path.join(DIR, f), '-', '-l', 'jpn', '--tessdata-dir', tessdata], { env: { ...process.env, OMP_THREAD_LIMIT: '1' }, stdio: ['ignore', 'pipe', 'ignore'] });
  }
  native.push((performance.now() - t) / 1000 / files.length);
  cpu.native.push((childrenCpu() - c) / files.length);
}
clearInterval(sample);
// Where the time goes: the OCR reads of the timed rounds by kind (worker time; two workers per model read
// at once, so it adds up to more than the wall time), and the straightening of each page alone, one
// after another (orientation by OSD, or skipped because the page's lines read upright).
const perPage = (reads: Reads) => Object.fromEntries([...reads].map(([mode, st]) => [mode, { readsPerPage: +(st.reads / rounds / pages.length).toFixed(1), workerSecondsPerPage: +(st.ms / 1000 / rounds / pages.length).toFixed(2) }]));
const perPageCount = (n: number) => +(n / rounds / pages.length).toFixed(1);
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
  oursWithoutLayoutsSecondsPerPage: oursWithoutLayouts.map((x) => +x.toFixed(2)),
  ratioWithoutLayoutsToCli: +(median(oursWithoutLayouts) / median(native)).toFixed(2),
  cpuSecondsPerPage: { ours: cpu.ours.map((x) => +x.toFixed(2)), oursWithoutLayouts: cpu.oursWithoutLayouts.map((x) => +x.toFixed(2)), tesseractCli: cpu.native.map((x) => +x.toFixed(2)) },
  cpuRatioOursToCli: +(median(cpu.ours) / median(cpu.native)).toFixed(2),
  cpuRatioWithoutLayoutsToCli: +(median(cpu.oursWithoutLayouts) / median(cpu.native)).toFixed(2),
  peakRssMiB: Math.round(peakRss / 2 ** 20),
  breakdown: {
    straightenSecondsPerPage: straighten.map((x) => +x.toFixed(2)),
    pagesAskingOsd: osdAsked,
    ocrReads: perPage(readsWith),
    ocrReadsWithoutLayouts: perPage(readsWithout),
    // Per page, first reading: tables found, those confirmed as a known form's, their printed labels
    // filled from the layout (not read) and the labels read to confirm them; the lines outside the tables
    // read, and those left unread as the form's printed text (between tables confirmed as its own).
    layouts: { tablesPerPage: perPageCount(layoutStats.tables), confirmedPerPage: perPageCount(layoutStats.tablesConfirmed), labelCellsFilledPerPage: perPageCount(layoutStats.labelCellsFilled), labelCellsReadToConfirmPerPage: perPageCount(layoutStats.labelCellsProbed), labelCellsReadForMoreInkPerPage: perPageCount(layoutStats.labelCellsOverflowing), linesOutsideTablesReadPerPage: perPageCount(layoutStats.linesRead), linesOutsideTablesLeftAsPrintedPerPage: perPageCount(layoutStats.linesSkipped) },
  },
}, null, 2));
