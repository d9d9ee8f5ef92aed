// Benchmark: reading a filled form exported to PDF into the document model and the application
// (pdf-parse text + tables, page geometry for signatures, the form mapper), against the obvious peer for
// a text layer, poppler's `pdftotext -layout` (Debian poppler-utils), on the same files in the same run.
// The peer only dumps text; we also find tables, checkboxes and signatures and map every field.
//   npm run bench:pdf        (or: node bench/pdf-form-read.bench.ts [rounds])
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { extractFile } from '../src/extract/extract-file.ts';
import '../src/kinds/index.ts'; // registers the form kinds the reader recognises
import { pdfReader } from '../src/extract/readers/pdf.ts';
import { machineDescription } from './lib/machine.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const DIR = path.join(ROOT, 'samples', 'forms-pdf');
const rounds = Number(process.argv[2] ?? 5);
const files = readdirSync(DIR).filter((f) => f.endsWith('.pdf') && !f.includes('scan')).map((f) => ({ name: f, bytes: readFileSync(path.join(DIR, f)) }));

let pages = 0;
for (const f of files) pages += (await pdfReader.read(new Uint8Array(f.bytes), f.name)).blocks.length > 0 ? Number(execFileSync('pdfinfo', [path.join(DIR, f.name)]).toString().match(/Pages:\s+(\d+)/)![1]) : 0;

// Warm-up: pdf.js loaded, JIT.
for (const f of files) await extractFile(f.bytes, f.name);

const ours: number[] = [];
for (let r = 0; r < rounds; r++) {
  for (const f of files) {
    const t = performance.now();
    const v = await extractFile(f.bytes, f.name);
    ours.push(performance.now() - t);
    if (v.role !== 'form') throw new Error(`${f.name} was not read as a form`);
  }
}
const peer: number[] = [];
for (let r = 0; r < rounds; r++) {
  for (const f of files) {
    const t = performance.now();
    execFileSync('pdftotext', ['-layout', path.join(DIR, f.name), '-']);
    peer.push(performance.now() - t);
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const pagesPerFile = pages / files.length;
console.log(JSON.stringify({
  benchmark: 'text PDF form → application (ours) vs pdftotext -layout (text dump only)',
  date: new Date().toISOString().slice(0, 10),
  machine: machineDescription(),
  node: process.version,
  files: files.length,
  pagesPerFile: +pagesPerFile.toFixed(1),
  rounds,
  oursMedianMsPerFile: +median(ours).toFixed(1),
  oursMsPerPage: +(median(ours) / pagesPerFile).toFixed(1),
  pdftotextMedianMsPerFile: +median(peer).toFixed(1),
  ratioOursToPdftotext: +(median(ours) / median(peer)).toFixed(2),
  rssMiB: Math.round(process.memoryUsage().rss / 2 ** 20),
}, null, 2));
