// Forms exported to PDF (LibreOffice, as Word's "Save as PDF" does) read through the same mappers as the
// .docx: every sample PDF against its form's expected values; signatures and the oath checkbox found on
// the page; scans (no text layer) and broken PDFs told apart.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { extractFile } from '../../src/extract/extract-file.ts';
import { closePdfSpaces, joinWrappedLines } from '../../src/extract/readers/pdf.ts';
import { recogniseForm } from '../../src/extract/forms/index.ts';
import { markUnfoundMarks } from '../../src/extract/unfound-marks.ts';
import type { CertificationApplication } from '../../src/extract/forms/certification.ts';
import { SAMPLES } from '../support/harness.ts';

const PDFS = path.join(SAMPLES, 'forms-pdf');
const textPdfs = readdirSync(PDFS).filter((f) => f.endsWith('.pdf') && !f.includes('scan'));

/** PDFs lose what only Word's formatting says: a qualification chosen by bold type alone. */
const NOT_IN_A_PDF: Record<string, string[]> = { 'renewal-into-placeholder.pdf': ['qualification'] };

/** Spaces differ between a PDF's text and the typed text (pdf.js adds and drops them at script changes). */
function spaceless(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(/[\s\u3000]/g, '');
  if (Array.isArray(value)) return value.map(spaceless);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, spaceless(v)]));
  return value;
}

async function readForm(file: string) {
  const v = await extractFile(readFileSync(path.join(PDFS, file)), file);
  if (v.role !== 'form') throw new Error(`${file} not read as a form: ${JSON.stringify(v).slice(0, 300)}`);
  return v;
}

describe('text PDFs of the filled forms', () => {
  it('has PDF samples of both kinds', () => {
    expect(textPdfs.filter((f) => f.startsWith('renewal')).length).toBeGreaterThanOrEqual(3);
    expect(textPdfs.filter((f) => f.startsWith('certification')).length).toBeGreaterThanOrEqual(3);
  });

  it.each(textPdfs)('%s reads as its .docx sample says', async (file) => {
    const { expected } = JSON.parse(readFileSync(path.join(SAMPLES, 'forms', file.replace(/\.pdf$/, '.expected.json')), 'utf8')) as { expected: Record<string, unknown> };
    const v = await readForm(file);
    expect(v.kind).toBe(file.startsWith('renewal') ? 'renewal' : 'certification');
    const skip = NOT_IN_A_PDF[file] ?? [];
    const wanted = Object.fromEntries(Object.entries(expected).filter(([k]) => !skip.includes(k)));
    const { cpd, ...scalars } = wanted as { cpd?: Record<string, unknown>[] };
    const app = v.application as unknown as Record<string, unknown> & { cpd?: Record<string, unknown>[] };
    expect(spaceless(app)).toMatchObject(spaceless(scalars) as Record<string, unknown>);
    if (cpd) expect(spaceless(app.cpd!.map(({ category, year, title, completedOn, hours, points }) => ({ category, year, title, completedOn, hours, points })))).toEqual(spaceless(cpd));
    expect(Object.values(app.sources as Record<string, { location: string }>).every((s) => /^ページ \d+/.test(s.location))).toBe(true);
  });

  it('finds pasted signature pictures in their 署名 rows, and a typed signature as typed', async () => {
    const signed = (await readForm('certification-complete.pdf')).application as CertificationApplication;
    const typed = (await readForm('certification-typed-signature.pdf')).application as CertificationApplication;
    expect([signed.certifier.signature, signed.applicantSignature, typed.certifier.signature, typed.applicantSignature]).toEqual(['image', 'image', 'typed', 'image']);
  });

  // From the varied set of our own (scripts/make-varied-set.ts, seed 20261206, VC1: Noto Serif at 10 pt, page
  // breaks inside tables). Its 署名 label is two text items (署 / 名), and the oath table's last two rows
  // (宣誓日, 署名) fall alone on the next page: fewer letters than a page of text, but a table.
  it('a signature picture beside a label split into glyphs is the 署名 row\'s; a table\'s rows alone on a page are read', async () => {
    const file = path.join(import.meta.dirname, '..', 'fixtures', 'pdf', 'certification-split-tables.pdf');
    const v = await extractFile(readFileSync(file), 'certification-split-tables.pdf');
    if (v.role !== 'form') throw new Error(`not read as a form: ${v.role}`);
    const app = v.application as CertificationApplication;
    expect(app.certifier.signature).toBe('image');
    expect(app.sources['certifier.signed']).toMatchObject({ confidence: 1, text: '署名の画像 1点' });
    // The picture is not counted in the certifier's name row either.
    expect(app.certifier.name).toBe('西村 陽子');
    // The page holding only 宣誓日 and 署名 is read: the date and the pasted signature are found there.
    expect(app.oathDate).toBe('2026-03-17');
    expect(app.sources.oathDate).toMatchObject({ confidence: 1, location: expect.stringMatching(/^ページ 9, 表/) });
    expect(app.applicantSignature).toBe('image');
    expect(app.applicantSigned).toBe(true);

    // Were that page's table lost (a table the reader cannot find), not found is not "not signed": a person
    // looks (field.unconfirmed), the applicant is not asked to sign.
    const withoutLastPage = { ...v.document, blocks: v.document.blocks.filter((b) => !b.location.startsWith('ページ 9,')) };
    const recognised = recogniseForm(withoutLastPage);
    if (!recognised) throw new Error('not recognised without its last page');
    const partial = recognised.mapper.map(withoutLastPage) as CertificationApplication;
    markUnfoundMarks(partial, 'certification-split-tables.pdf');
    expect(partial.oathDate).toBeNull();
    expect(partial.applicantSigned).toBe(false);
    expect(partial.sources.applicantSigned).toMatchObject({ confidence: 0, location: '（見つかりません）' });
  });

  it('reads the oath checkbox glyph: ☒ ticked, ☐ not', async () => {
    const ticked = (await readForm('certification-complete.pdf')).application as CertificationApplication;
    const unticked = (await readForm('certification-oath-unchecked.pdf')).application as CertificationApplication;
    expect([ticked.oathAgreed, unticked.oathAgreed, unticked.applicantSigned]).toEqual([true, false, false]);
  });
});

describe('PDFs that are not text forms', () => {
  it('a scanned form (images only) is kept as a document whose content was not read', async () => {
    const v = await extractFile(readFileSync(path.join(PDFS, 'certification-complete-scan.pdf')), 'scan.pdf');
    expect(v).toMatchObject({ role: 'document', facts: { kind: 'proof', read: false } });
  });

  it('a truncated PDF is unreadable, with a reason', async () => {
    const bytes = readFileSync(path.join(PDFS, 'renewal-complete.pdf'));
    const v = await extractFile(bytes.subarray(0, 2000), 'broken.pdf');
    expect(v).toMatchObject({ role: 'unreadable', type: 'pdf' });
  });
});

describe('text as PDFs carry it', () => {
  it('closes the spaces pdf.js puts where Japanese meets Latin letters or digits', () => {
    expect(closePdfSpaces('2025 年 7 月 15 日')).toBe('2025年7月15日');
    expect(closePdfSpaces('E メールアドレス')).toBe('Eメールアドレス');
    expect(closePdfSpaces('検定 花子')).toBe('検定 花子');
  });

  it('joins lines a cell wrapped, but not lines that start something new', () => {
    expect(joinWrappedLines(['株式会社サンプルサ', 'ポート'])).toEqual(['株式会社サンプルサポート']);
    expect(joinWrappedLines(['自 2014年4月', '至 2018年3月'])).toEqual(['自 2014年4月', '至 2018年3月']);
    expect(joinWrappedLines(['オペレーション', '※資格認定申請書は'])).toEqual(['オペレーション', '※資格認定申請書は']);
  });
});
