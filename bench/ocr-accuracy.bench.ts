// Benchmark: OCR accuracy on scanned forms. The filled sample forms' PDF exports (samples/forms-pdf/) are
// rendered to page images as a scanner would make them — "clean": 300 dpi grey PNG; "noisy": 150 dpi
// grey JPEG at quality 45 — and read by our scan reader; every field is compared with the same form read
// from its .docx (the ground truth). Per source kind: fields exactly right, fields flagged (confidence below
// ocr.minConfidence), and fields wrong with a confidence at or above it (the number that must be 0).
//   npm run bench:ocr-accuracy   (needs Debian poppler-utils for pdftoppm and tesseract-ocr-jpn)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { extractFile } from '../src/extract/extract-file.ts';
import { readScannedForm } from '../src/extract/extract-scan.ts';
import { shutdownOcr } from '../src/extract/ocr/ocr-engine.ts';
import { loadRules } from '../src/app/load-rules.ts';
import { applicationValues } from '../src/extract/forms/form-kind.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const threshold = loadRules(path.join(ROOT, 'rules')).intake.ocr.minConfidence / 100;
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
const FORMS = ['renewal-complete', 'certification-complete', 'certification-wareki-fullwidth'];
const VERBOSE = process.argv.includes('--verbose');
const KINDS = { clean: { dpi: 300, jpeg: 0 }, noisy: { dpi: 150, jpeg: 45 } } as const;

const dir = mkdtempSync(path.join(os.tmpdir(), 'conken-ocr-acc-'));
const results: Record<string, { fields: number; right: number; flagged: number; wrongAboveThreshold: number; missing: number; rightButFlagged: number; examples: string[] }> = {};
try {
  for (const form of FORMS) {
    const truthVerdict = await extractFile(readFileSync(path.join(ROOT, 'samples', 'forms', `${form}.docx`)), `${form}.docx`);
    if (truthVerdict.role !== 'form') throw new Error(`${form}.docx is not a form`);
    const truth = applicationValues(truthVerdict.application);
    for (const [kind, how] of Object.entries(KINDS)) {
      const pdf = path.join(ROOT, 'samples', 'forms-pdf', `${form}.pdf`);
      const pages = [];
      for (const p of formPages(pdf)) {
        const base = path.join(dir, `${form}-${kind}-${p}`);
        execFileSync('pdftoppm', ['-r', String(how.dpi), '-gray', '-png', '-f', String(p), '-l', String(p), '-singlefile', pdf, base]);
        let image = readFileSync(`${base}.png`);
        if (how.jpeg) image = await sharp(image).jpeg({ quality: how.jpeg }).toBuffer();
        pages.push({ number: pages.length + 1, image });
      }
      const scanned = await readScannedForm(pages, form, threshold * 100).catch(() => null);
      const got = scanned ? applicationValues(scanned.application) : new Map();
      const r = (results[kind] ??= { fields: 0, right: 0, flagged: 0, wrongAboveThreshold: 0, missing: 0, rightButFlagged: 0, examples: [] });
      for (const [field, t] of truth) {
        r.fields++;
        const g = got.get(field);
        if (!g) { r.missing++; if (VERBOSE) console.error(`MISSING ${kind} ${form} ${field}: "${t.value}"`); continue; }
        if (g.value === t.value) {
          r.right++;
          if (g.confidence < threshold) r.rightButFlagged++;
          continue;
        }
        if (VERBOSE) console.error(`${g.confidence < threshold ? 'FLAGGED' : 'WRONG'} ${kind} ${form} ${field}: "${g.value}" (${Math.round(g.confidence * 100)}%) ≠ "${t.value}"`);
        if (g.confidence < threshold) r.flagged++;
        else {
          r.wrongAboveThreshold++;
          if (r.examples.length < 8) r.examples.push(`${form} ${field}: "${g.value}" (${Math.round(g.confidence * 100)}%) ≠ "${t.value}"`);
        }
      }
    }
  }
} finally {
  await shutdownOcr();
  rmSync(dir, { recursive: true, force: true });
}
console.log(JSON.stringify({
  benchmark: 'OCR accuracy: scanned forms vs the same forms read from .docx',
  date: new Date().toISOString().slice(0, 10),
  forms: FORMS, thresholdPercent: threshold * 100,
  results: Object.fromEntries(Object.entries(results).map(([k, r]) => [k, { ...r, rightPercent: +(100 * r.right / r.fields).toFixed(1) }])),
}, null, 2));
