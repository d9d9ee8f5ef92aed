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
import { readScannedPages } from '../src/extract/readers/scan.ts';
import { recogniseForm } from '../src/extract/forms/index.ts';
import { shutdownOcr } from '../src/extract/ocr/ocr-engine.ts';
import { loadRules } from '../src/app/load-rules.ts';
import type { Provenance } from '../src/extract/document.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const threshold = loadRules(path.join(ROOT, 'rules')).intake.ocr.minConfidence / 100;
// The pages holding fields (the rest is printed policy text and annexes).
const FIELD_PAGES: Record<string, number[]> = { renewal: [2, 3, 4, 5, 7], certification: [2, 3, 4, 6] };
const FORMS = ['renewal-complete', 'certification-complete', 'certification-wareki-fullwidth'];
const KINDS = { clean: { dpi: 300, jpeg: 0 }, noisy: { dpi: 150, jpeg: 45 } } as const;

type Flat = Map<string, { value: string; confidence: number }>;

/** Every scalar value of an application, rows included, with the confidence of the text it came from. */
function flatten(app: Record<string, unknown>): Flat {
  const out: Flat = new Map();
  const sources = app.sources as Record<string, Provenance>;
  const norm = (v: unknown) => String(v).replace(/[\s\u3000]/g, '');
  for (const [k, v] of Object.entries(app)) {
    if (['sources', 'invalid', 'kind', 'qualificationMarked'].includes(k)) continue;
    if (Array.isArray(v)) {
      v.forEach((row: Record<string, unknown>, i) => {
        const rs = (row.sources ?? {}) as Record<string, Provenance>;
        for (const [rk, rv] of Object.entries(row)) {
          if (['sources', 'invalid', 'rowInGrid', 'category', 'year', 'grid'].includes(rk) || rv === null) continue;
          const src = rs[rk] ?? (rk === 'from' || rk === 'to' || rk === 'ongoing' ? rs.period : undefined);
          out.set(`${k}[${i}].${rk}`, { value: norm(rv), confidence: src?.confidence ?? 1 });
        }
      });
    } else if (v && typeof v === 'object') {
      for (const [ck, cv] of Object.entries(v)) if (cv !== null && typeof cv !== 'object') out.set(`${k}.${ck}`, { value: norm(cv), confidence: sources[`${k}.${ck}`]?.confidence ?? 1 });
    } else if (v !== null) out.set(k, { value: norm(v), confidence: sources[k]?.confidence ?? 1 });
  }
  return out;
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'conken-ocr-acc-'));
const results: Record<string, { fields: number; right: number; flagged: number; wrongAboveThreshold: number; missing: number; examples: string[] }> = {};
try {
  for (const form of FORMS) {
    const truthVerdict = await extractFile(readFileSync(path.join(ROOT, 'samples', 'forms', `${form}.docx`)), `${form}.docx`);
    if (truthVerdict.role !== 'form') throw new Error(`${form}.docx is not a form`);
    const truth = flatten(truthVerdict.application as unknown as Record<string, unknown>);
    for (const [kind, how] of Object.entries(KINDS)) {
      const pdf = path.join(ROOT, 'samples', 'forms-pdf', `${form}.pdf`);
      const pages = [];
      for (const p of FIELD_PAGES[truthVerdict.kind]!) {
        const base = path.join(dir, `${form}-${kind}-${p}`);
        execFileSync('pdftoppm', ['-r', String(how.dpi), '-gray', '-png', '-f', String(p), '-l', String(p), '-singlefile', pdf, base]);
        let image = readFileSync(`${base}.png`);
        if (how.jpeg) image = await sharp(image).jpeg({ quality: how.jpeg }).toBuffer();
        pages.push({ number: pages.length + 1, image });
      }
      const doc = await readScannedPages(pages, form);
      const recognised = recogniseForm(doc);
      const got = recognised ? flatten(recognised.mapper.map(doc) as unknown as Record<string, unknown>) : new Map();
      const r = (results[kind] ??= { fields: 0, right: 0, flagged: 0, wrongAboveThreshold: 0, missing: 0, examples: [] });
      for (const [field, t] of truth) {
        r.fields++;
        const g = got.get(field);
        if (!g) { r.missing++; continue; }
        if (g.value === t.value) { r.right++; continue; }
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
