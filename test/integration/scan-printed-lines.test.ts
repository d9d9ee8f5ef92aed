// The lines outside the tables of a scanned form: on the sample form's five page photos (the bench's),
// the printed text between tables confirmed as the certification form's is left unread, the lines that
// can hold a value (申請年月日 above the first table) are read, and the form maps to the same values as
// when every line is read (layouts off). Real OCR (the machine's first-reading model).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import '../../src/kinds/index.ts';
import type { DocumentModel } from '../../src/extract/document.ts';
import { recogniseForm } from '../../src/extract/forms/index.ts';
import { shutdownOcr } from '../../src/extract/ocr/ocr-engine.ts';
import { layoutStats, scanPages, useFormLayouts } from '../../src/extract/readers/scan.ts';

const SCANS = path.resolve(import.meta.dirname, '../../samples/scans');
const pages = [2, 3, 4, 5, 6].map((p, i) => ({ number: i + 1, image: new Uint8Array(readFileSync(path.join(SCANS, `certification-complete-p${p}.jpg`))) }));

afterAll(async () => {
  useFormLayouts(true);
  await shutdownOcr();
});

function lines(doc: DocumentModel): string[] {
  return doc.blocks.flatMap((b) => (b.kind === 'paragraph' ? [b.text] : []));
}

function mapped(doc: DocumentModel): { kind: string; values: unknown } {
  const form = recogniseForm(doc);
  expect(form).toBeDefined();
  const { sources: _sources, ...values } = form!.mapper.map(doc) as unknown as Record<string, unknown>;
  return { kind: form!.mapper.kind, values };
}

describe('lines outside the tables of a known form', () => {
  it('leaves its printed text unread and reads the lines that can hold a value, with the same values as reading every line', async () => {
    Object.assign(layoutStats, { linesRead: 0, linesSkipped: 0 });
    const withLayouts = (await scanPages(pages, 'certification-complete.jpg')).document;
    const stats = { ...layoutStats };
    useFormLayouts(false);
    const without = (await scanPages(pages, 'certification-complete.jpg')).document;
    useFormLayouts(true);
    // The policy pages and the instructions between the tables: 32 lines; the three above the first table read.
    expect(stats.linesSkipped).toBeGreaterThanOrEqual(20);
    expect(stats.linesRead).toBeLessThanOrEqual(5);
    expect(lines(without).length).toBeGreaterThan(lines(withLayouts).length + 20);
    expect(lines(withLayouts).some((l) => l.replace(/\s/g, '').includes('申請年月日2026年2月10日'))).toBe(true);
    const a = mapped(withLayouts);
    const b = mapped(without);
    expect(a.kind).toBe('certification');
    expect(a).toEqual(b);
  }, 300_000);
});
