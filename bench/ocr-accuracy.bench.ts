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
//   npm run bench:ocr-accuracy [-- --verbose] [-- --only <kind>] [-- --heldout <folder>]
// With --heldout, the forms are instead those of a folder of unseen forms kept apart from tuning
// (../shared/heldout-sample: one folder per form with truth.json, form.pdf, form.scan300.pdf,
// form.scan300.tif, form.scan200-noisy.pdf, form.pN.photo.jpg), compared with truth.json's values.
// The models are those of the machine; CONKEN_TESSDATA_DIR=<empty folder> measures the npm-only ones.
// (needs Debian poppler-utils for pdftoppm; the samples' sources need nothing else)
import '../src/kinds/index.ts';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { extractFile } from '../src/extract/extract-file.ts';
import { extractScannedForm, readScannedForm } from '../src/extract/extract-scan.ts';
import { describeOcrModels } from '../src/extract/ocr/tessdata.ts';
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
const heldout = process.argv.includes('--heldout') ? path.resolve(process.argv[process.argv.indexOf('--heldout') + 1]!) : undefined;

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

interface Source { kind: string; form: string; read: () => Promise<ApplicationBase | null>; truth?: () => ApplicationBase }

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

/** The held-out forms: each folder's files by kind of source, its truth.json as the truth. */
function heldoutSources(root: string): Source[] {
  const out: Source[] = [];
  for (const form of readdirSync(root).filter((f) => existsSync(path.join(root, f, 'truth.json'))).sort()) {
    const at = (f: string) => path.join(root, form, f);
    const truth = () => ({ ...(JSON.parse(readFileSync(at('truth.json'), 'utf8')) as { app: ApplicationBase }).app, sources: {} });
    const files = (names: string[]) => async () => (await extractScannedForm(names.map((n) => ({ bytes: new Uint8Array(readFileSync(at(n))), name: n })), threshold * 100).catch((e: unknown) => {
      if (VERBOSE) console.error(`UNREAD ${form} ${names.join(',')}: ${String(e)}`);
      return null;
    }))?.application ?? null;
    const photos = readdirSync(path.join(root, form)).filter((f) => /^form\.p\d+\.photo\.jpg$/.test(f)).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
    out.push(
      { kind: 'text PDF', form, truth, read: async () => { const v = await extractFile(readFileSync(at('form.pdf')), 'form.pdf'); return v.role === 'form' ? v.application : null; } },
      { kind: 'clean 300 dpi', form, truth, read: files(['form.scan300.pdf']) },
      { kind: 'bilevel TIFF 300 dpi', form, truth, read: files(['form.scan300.tif']) },
      { kind: 'noisy skewed 200 dpi', form, truth, read: files(['form.scan200-noisy.pdf']) },
      { kind: 'photo', form, truth, read: files(photos) },
    );
  }
  return out.filter((s) => !only || s.kind === only);
}
/**
 * The values to compare: applicationValues, with both qualifications marked as truth.json writes it
 * (`BOTH`), and an empty truth ("" = the cell is empty) as no value.
 */
function values(app: ApplicationBase): ReturnType<typeof applicationValues> {
  const out = applicationValues(app);
  const marked = (app as { qualificationMarked?: string[] }).qualificationMarked;
  if (!out.has('qualification') && marked && marked.length > 1) out.set('qualification', { value: 'BOTH', confidence: app.sources.qualification?.confidence ?? 1 });
  for (const [k, v] of out) if (v.value === '') out.delete(k);
  return out;
}
const measured = heldout ? heldoutSources(heldout) : sources;

interface Tally { fields: number; right: number; rightButFlagged: number; wrongFlagged: number; wrongAboveThreshold: number; missing: number; seconds: number; examples: string[] }
const results: Record<string, Tally> = {};
try {
  for (const source of measured) {
    let truth: ReturnType<typeof applicationValues>;
    if (source.truth) truth = values(source.truth());
    else {
      if (!existsSync(path.join(ROOT, 'samples', 'forms', `${source.form}.docx`))) continue;
      const truthVerdict = await extractFile(readFileSync(path.join(ROOT, 'samples', 'forms', `${source.form}.docx`)), `${source.form}.docx`);
      if (truthVerdict.role !== 'form') throw new Error(`${source.form}.docx is not a form`);
      truth = applicationValues(truthVerdict.application);
    }
    const t0 = performance.now();
    const app = await source.read();
    const got = app ? values(app) : new Map<string, { value: string; confidence: number }>();
    const r = (results[source.kind] ??= { fields: 0, right: 0, rightButFlagged: 0, wrongFlagged: 0, wrongAboveThreshold: 0, missing: 0, seconds: 0, examples: [] });
    r.seconds += (performance.now() - t0) / 1000;
    for (const [field, t] of truth) {
      r.fields++;
      const g = got.get(field);
      const say = (what: string) => { if (VERBOSE) console.error(`${what} ${source.kind} ${source.form} ${field}: "${g?.value ?? ''}" (${Math.round((g?.confidence ?? 0) * 100)}%) ≠ "${t.value}"`); };
      if (!g) { r.missing++; say('MISSING'); continue; }
      if (g.value === t.value) {
        r.right++;
        // Right but flagged costs staff a confirmation (and keeps a scan from going straight through).
        if (g.confidence < threshold) { r.rightButFlagged++; if (VERBOSE) console.error(`RIGHT-FLAGGED ${source.kind} ${source.form} ${field}: "${g.value}" (${Math.round(g.confidence * 100)}%)`); }
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
  benchmark: heldout ? `form fields read per source kind vs truth.json, held-out forms in ${path.basename(heldout)}` : 'form fields read per source kind vs the same forms read from .docx',
  models: describeOcrModels(),
  date: new Date().toISOString().slice(0, 10),
  machine: machineDescription(),
  thresholdPercent: threshold * 100,
  results: Object.fromEntries(Object.entries(results).map(([k, r]) => [k, { ...r, seconds: +r.seconds.toFixed(1), rightPercent: +(100 * r.right / r.fields).toFixed(1) }])),
}, null, 2));
