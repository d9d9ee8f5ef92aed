// Benchmark: how exactly forms are read from each kind of source, against the same form read from its
// .docx (the ground truth). Sources:
//   text PDF            samples/forms-pdf/<form>.pdf (LibreOffice export), read from its text layer
//   clean 300 dpi       the PDF's form pages rendered as a scanner would: 300 dpi grey PNG
//   rotated 300 dpi     samples/scans/<form>-300dpi-rotated-p*.png (one page upside down, one on its side)
//   noisy 150 dpi       the form pages at 150 dpi, grey JPEG at quality 45
//   noisy skewed 200 dpi samples/scans/<form>-200dpi-noisy-p*.jpg (1.5–2.5° skew, noise, blur, JPEG 60)
//   photo               samples/scans/<form>-photo-p*.jpg (phone photo: paper on a desk, 2–3°, uneven light)
// Per source kind: fields exactly right; right but flagged (below ocr.minConfidence: a person confirms
// them); wrong and flagged; wrong at or above the threshold (the number that must be 0); missing.
//   npm run bench:ocr-accuracy [-- --verbose] [-- --only <kind>]
// (needs Debian poppler-utils for pdftoppm, tesseract-ocr-jpn, tesseract-ocr-osd)
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { extractFile } from '../src/extract/extract-file.ts';
import { readScannedForm } from '../src/extract/extract-scan.ts';
import { shutdownOcr } from '../src/extract/ocr/ocr-engine.ts';
import { loadRules } from '../src/app/load-rules.ts';
import { applicationValues, type ApplicationBase } from '../src/extract/forms/form-kind.ts';
import type { ScanPage } from '../src/extract/readers/scan.ts';
import { machineDescription } from './lib/machine.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const SCANS = path.join(ROOT, 'samples', 'scans');
const threshold = loadRules(path.join(ROOT, 'rules')).intake.ocr.minConfidence / 100;
const VERBOSE = process.argv.includes('--verbose');
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
const RENDERED = ['renewal-complete', 'certification-complete', 'certification-wareki-fullwidth'];
const SCANNED_SETS = ['renewal-complete', 'certification-complete'];

/** The pages an applicant sends back: all but the cover page (instructions) and the annexes (別紙). */
function formPages(pdf: string): number[] {
  const count = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [pdf], { encoding: 'utf8' }))![1]);
  const pages: number[] = [];
  for (let p = 2; p <= count; p++) {
    const text = execFileSync('pdftotext', ['-f', String(p), '-l', String(p), pdf, '-'], { encoding: 'utf8' }).trim();
    if (text !== '' && !text.startsWith('■別紙')) pages.push(p);
  }
  return pages;
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'conken-ocr-acc-'));

async function rendered(form: string, dpi: number, jpeg: number): Promise<ScanPage[]> {
  const pdf = path.join(ROOT, 'samples', 'forms-pdf', `${form}.pdf`);
  const pages: ScanPage[] = [];
  for (const p of formPages(pdf)) {
    const base = path.join(dir, `${form}-${dpi}-${p}`);
    execFileSync('pdftoppm', ['-r', String(dpi), '-gray', '-png', '-f', String(p), '-l', String(p), '-singlefile', pdf, base]);
    let image = readFileSync(`${base}.png`);
    if (jpeg) image = await sharp(image).jpeg({ quality: jpeg }).toBuffer();
    pages.push({ number: pages.length + 1, image });
  }
  return pages;
}

function sampleSet(form: string, set: string): ScanPage[] {
  const files = readdirSync(SCANS).filter((f) => f.startsWith(`${form}-${set}-p`)).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  if (files.length === 0) throw new Error(`no samples/scans/${form}-${set}-p*: run npm run samples:scans`);
  return files.map((f, i) => ({ number: i + 1, image: readFileSync(path.join(SCANS, f)) }));
}

interface Source { kind: string; form: string; read: () => Promise<ApplicationBase | null> }

const scanRead = (pages: () => Promise<ScanPage[]> | ScanPage[], form: string) => async () =>
  (await readScannedForm(await pages(), form, threshold * 100).catch(() => null))?.application ?? null;

const sources: Source[] = [
  ...RENDERED.map((form) => ({
    kind: 'text PDF', form,
    read: async () => {
      const v = await extractFile(readFileSync(path.join(ROOT, 'samples', 'forms-pdf', `${form}.pdf`)), `${form}.pdf`);
      return v.role === 'form' ? v.application : null;
    },
  })),
  ...RENDERED.map((form) => ({ kind: 'clean 300 dpi', form, read: scanRead(() => rendered(form, 300, 0), form) })),
  ...SCANNED_SETS.map((form) => ({ kind: 'rotated 300 dpi', form, read: scanRead(() => sampleSet(form, '300dpi-rotated'), form) })),
  ...RENDERED.map((form) => ({ kind: 'noisy 150 dpi', form, read: scanRead(() => rendered(form, 150, 45), form) })),
  ...SCANNED_SETS.map((form) => ({ kind: 'noisy skewed 200 dpi', form, read: scanRead(() => sampleSet(form, '200dpi-noisy'), form) })),
  ...SCANNED_SETS.map((form) => ({ kind: 'photo', form, read: scanRead(() => sampleSet(form, 'photo'), form) })),
].filter((s) => !only || s.kind === only);

interface Tally { fields: number; right: number; rightButFlagged: number; wrongFlagged: number; wrongAboveThreshold: number; missing: number; seconds: number; examples: string[] }
const results: Record<string, Tally> = {};
try {
  for (const source of sources) {
    if (!existsSync(path.join(ROOT, 'samples', 'forms', `${source.form}.docx`))) continue;
    const truthVerdict = await extractFile(readFileSync(path.join(ROOT, 'samples', 'forms', `${source.form}.docx`)), `${source.form}.docx`);
    if (truthVerdict.role !== 'form') throw new Error(`${source.form}.docx is not a form`);
    const truth = applicationValues(truthVerdict.application);
    const t0 = performance.now();
    const app = await source.read();
    const got = app ? applicationValues(app) : new Map<string, { value: string; confidence: number }>();
    const r = (results[source.kind] ??= { fields: 0, right: 0, rightButFlagged: 0, wrongFlagged: 0, wrongAboveThreshold: 0, missing: 0, seconds: 0, examples: [] });
    r.seconds += (performance.now() - t0) / 1000;
    for (const [field, t] of truth) {
      r.fields++;
      const g = got.get(field);
      const say = (what: string) => { if (VERBOSE) console.error(`${what} ${source.kind} ${source.form} ${field}: "${g?.value ?? ''}" (${Math.round((g?.confidence ?? 0) * 100)}%) ≠ "${t.value}"`); };
      if (!g) { r.missing++; say('MISSING'); continue; }
      if (g.value === t.value) {
        r.right++;
        if (g.confidence < threshold) r.rightButFlagged++;
        continue;
      }
      if (g.confidence < threshold) { r.wrongFlagged++; say('FLAGGED'); continue; }
      r.wrongAboveThreshold++;
      say('WRONG');
      if (r.examples.length < 8) r.examples.push(`${source.form} ${field}: "${g.value}" (${Math.round(g.confidence * 100)}%) ≠ "${t.value}"`);
    }
  }
} finally {
  await shutdownOcr();
  rmSync(dir, { recursive: true, force: true });
}
console.log(JSON.stringify({
  benchmark: 'form fields read per source kind vs the same forms read from .docx',
  date: new Date().toISOString().slice(0, 10),
  machine: machineDescription(),
  thresholdPercent: threshold * 100,
  results: Object.fromEntries(Object.entries(results).map(([k, r]) => [k, { ...r, seconds: +r.seconds.toFixed(1), rightPercent: +(100 * r.right / r.fields).toFixed(1) }])),
}, null, 2));
