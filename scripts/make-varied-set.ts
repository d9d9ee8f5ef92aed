// Makes a set of filled forms nobody tuned on, in the layout of ../shared/heldout-sample (one folder per
// form: form.pdf, form.scan300.pdf, form.scan300.tif, form.scan200-noisy.pdf, form.pN.photo.jpg,
// truth.json), so that the accuracy bench measures it unchanged:
//   node scripts/make-varied-set.ts [<folder>, default /tmp/conken-varied] [--seed N] [--forms N]
//   npm run bench:ocr-accuracy -- --heldout /tmp/conken-varied [--only "clean 300 dpi"]
// Generated on demand, never committed; the same seed gives the same forms and the same pictures.
// Needs Debian libreoffice-writer, poppler-utils, imagemagick and the fonts the variations name
// (fonts-ipaexfont, fonts-noto-cjk, fonts-noto-cjk-extra).
import '../src/kinds/index.ts';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { extractFile } from '../src/extract/extract-file.ts';
import { fillRenewalForm, RENEWAL_TEMPLATE } from './lib/fill-renewal-form.ts';
import { fillCertificationForm, CERTIFICATION_TEMPLATE } from './lib/fill-certification-form.ts';
import { toPdfs } from './lib/exam-report.ts';
import { imagePdf } from './lib/text-pdf.ts';
import { noisyScan, phonePhoto, renderPages } from './lib/scan-images.ts';
import { applyVariation, certificationFill, renewalFill, seeded, variation, type Variation } from './lib/varied-forms.ts';

const args = process.argv.slice(2);
const flag = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const positional = args.filter((a, i) => !a.startsWith('--') && !(i > 0 && args[i - 1]!.startsWith('--')));
const out = path.resolve(positional[0] ?? '/tmp/conken-varied');
const seed = Number(flag('--seed') ?? 20261206);
const count = Number(flag('--forms') ?? 4);

if (!execFileSync('convert', ['-version'], { encoding: 'utf8' }).includes('ImageMagick')) throw new Error('ImageMagick is needed for the TIFF and the photos\' perspective: apt-get install imagemagick');

const random = seeded(seed);
// Alternating kinds; one renewal marks both qualifications, as the held-apart R16 does.
const PLAN = [
  { id: 'VR1', kind: 'renewal', q: 'OMP' }, { id: 'VC1', kind: 'certification', q: 'OMP' }, { id: 'VR2', kind: 'renewal', q: 'CAP' },
  { id: 'VC2', kind: 'certification', q: 'CAP' }, { id: 'VR3', kind: 'renewal', q: 'BOTH' }, { id: 'VC3', kind: 'certification', q: 'OMP' },
] as const;

interface Made { id: string; kind: string; variation: Variation; docx: Uint8Array }
const made: Made[] = [];
for (const plan of PLAN.slice(0, count)) {
  const v = variation(random);
  const docx = plan.kind === 'renewal'
    ? fillRenewalForm(readFileSync(RENEWAL_TEMPLATE), renewalFill(random, v, plan.q))
    : fillCertificationForm(readFileSync(CERTIFICATION_TEMPLATE), certificationFill(random, v, plan.q as 'OMP' | 'CAP'));
  made.push({ id: plan.id, kind: plan.kind, variation: v, docx: applyVariation(docx, v, plan.kind) });
}
const pdfs = toPdfs(Object.fromEntries(made.map((m) => [m.id, m.docx])));

/** The truth: the form read back from its own .docx (as the bench does for the tuned set), without provenance. */
function strip(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(strip);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([k]) => !['sources', 'invalid', 'kind', 'rowInGrid', 'grid'].includes(k)).map(([k, x]) => [k, strip(x)]));
  }
  return value;
}

const pageCount = (pdf: string) => Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [pdf], { encoding: 'utf8' }))![1]);
/** The pages an applicant photographs: all but the cover page and the annexes (別紙), as the bench counts them. */
function formPages(pdf: string): number[] {
  const pages: number[] = [];
  for (let p = 2; p <= pageCount(pdf); p++) {
    const text = execFileSync('pdftotext', ['-f', String(p), '-l', String(p), pdf, '-'], { encoding: 'utf8' }).trim();
    if (text !== '' && !text.startsWith('■別紙')) pages.push(p);
  }
  return pages;
}

const tmp = mkdtempSync(path.join(os.tmpdir(), 'conken-varied-'));
try {
  rmSync(out, { recursive: true, force: true });
  for (const [n, m] of made.entries()) {
    const dir = path.join(out, m.id);
    mkdirSync(dir, { recursive: true });
    const pdf = pdfs[m.id]!;
    writeFileSync(path.join(dir, 'form.pdf'), pdf);
    writeFileSync(path.join(dir, 'form.docx'), m.docx);
    const verdict = await extractFile(m.docx, 'form.docx');
    if (verdict.role !== 'form') throw new Error(`${m.id}: its own .docx is not read as a form`);
    const app = strip(verdict.application) as Record<string, unknown>;
    if ((app.qualificationMarked as string[] | undefined ?? []).length > 1 && app.qualification == null) app.qualification = 'BOTH';
    delete app.qualificationMarked;
    // As the held-apart truth.json writes it: whether signed, not how (a scan cannot tell a pasted
    // picture from ink), and no derived 'ongoing' beside the period.
    delete app.applicantSignature;
    if (app.certifier && typeof app.certifier === 'object') delete (app.certifier as Record<string, unknown>).signature;
    for (const row of (app.experience as Record<string, unknown>[] | undefined) ?? []) delete row.ongoing;
    writeFileSync(path.join(dir, 'truth.json'), `${JSON.stringify({ app, variation: m.variation, seed }, null, 2)}\n`);

    const all = Array.from({ length: pageCount(path.join(dir, 'form.pdf')) }, (_, i) => i + 1);
    const r = seeded(seed * 31 + n);
    // Office scanner, 300 dpi grey, skew under 1°.
    const at300 = renderPages(pdf, all, 300);
    const scan300 = await Promise.all(at300.map((png) => sharp(png).rotate((r() - 0.5) * 1.6, { background: '#ffffff' }).resize(2480, 3508, { fit: 'fill' }).jpeg({ quality: 85 }).toBuffer()));
    writeFileSync(path.join(dir, 'form.scan300.pdf'), imagePdf(scan300));
    // A multifunction printer: the same pages bilevel, CCITT G4, one multi-page TIFF.
    const pngs = await Promise.all(scan300.map(async (jpg, i) => {
      const file = path.join(tmp, `${m.id}-bw-${i}.png`);
      await sharp(jpg).png().toFile(file);
      return file;
    }));
    execFileSync('convert', [...pngs, '-threshold', '60%', '-units', 'PixelsPerInch', '-density', '300', '-compress', 'Group4', path.join(dir, 'form.scan300.tif')]);
    // A worn 200 dpi scanner: skew 1.5–3° alternating, noise, blur, JPEG; page 4 fed upside down.
    const at200 = renderPages(pdf, all, 200);
    const noisy = await Promise.all(at200.map(async (png, i) => {
      const skew = (1.5 + r() * 1.5) * (i % 2 === 0 ? 1 : -1);
      const page = i === 3 ? await sharp(png).rotate(180).toBuffer() : png;
      return noisyScan(page, skew, seed + 100 * n + i);
    }));
    writeFileSync(path.join(dir, 'form.scan200-noisy.pdf'), imagePdf(noisy));
    // Phone photos of the field pages: desk, shading, 2–3° turn, then a perspective (the phone held
    // at an angle); page 3 taken sideways.
    for (const page of formPages(path.join(dir, 'form.pdf'))) {
      const photo = await phonePhoto(at300[page - 1]!, (2 + r()) * (page % 2 === 0 ? 1 : -1), seed + 1000 * n + page);
      const raw = path.join(tmp, `${m.id}-p${page}.jpg`);
      writeFileSync(raw, photo);
      const k = 60 + Math.round(r() * 120); // how much narrower the far edge looks, px of 3000
      const target = path.join(dir, `form.p${page}.photo.jpg`);
      execFileSync('convert', [raw, '-virtual-pixel', 'edge', '-distort', 'Perspective', `0,0 ${k},${Math.round(k / 2)}  2999,0 ${2999 - k},${Math.round(k / 3)}  0,3999 0,3999  2999,3999 2999,3999`,
        ...(page === 3 ? ['-rotate', '90'] : []), '-quality', '80', target]);
    }
    process.stdout.write(`${m.id}: ${m.kind}, ${JSON.stringify(m.variation)}\n`);
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
process.stdout.write(`${made.length} forms written to ${out} (seed ${seed})\n`);
