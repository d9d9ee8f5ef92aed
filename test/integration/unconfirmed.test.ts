// field.unconfirmed: a value read below ocr.minConfidence holds the case for staff and withholds what the
// applicant would be told, on real forms read from .docx with the confidence of one value lowered as OCR
// would leave it.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SAMPLES, ROOT } from '../support/harness.ts';
import { extractFile } from '../../src/extract/extract-file.ts';
import { evaluate } from '../../src/cases/evaluate.ts';
import { loadRules } from '../../src/app/load-rules.ts';
import { unconfirmedFindings } from '../../src/validate/unconfirmed.ts';
import type { ApplicationBase } from '../../src/extract/forms/form-kind.ts';

const rules = loadRules(path.join(ROOT, 'rules'));

async function application(docx: string): Promise<ApplicationBase> {
  const v = await extractFile(readFileSync(path.join(SAMPLES, 'forms', docx)), docx);
  if (v.role !== 'form') throw new Error(docx);
  return v.application;
}

const input = (application: ApplicationBase) => ({ kind: application.kind, application, received: '2026-01-20', proofCount: 1, documents: [], intakeFindings: [], paid: false });

describe('field.unconfirmed', () => {
  it('a form read from Word has none', async () => {
    expect(unconfirmedFindings(await application('renewal-complete.docx'), rules.intake.ocr.minConfidence)).toEqual([]);
  });

  it('one value below the threshold: a staff finding naming the field, its row and what was read; the case is an exception', async () => {
    const app = await application('renewal-complete.docx') as ApplicationBase & { cpd: { sources: Record<string, { confidence: number }> }[] };
    app.sources.name!.confidence = 0.84;
    app.cpd[1]!.sources.title!.confidence = 0.5;
    const findings = unconfirmedFindings(app, rules.intake.ocr.minConfidence);
    expect(findings.map((f) => [f.code, f.audience, f.field, f.row])).toEqual([
      ['field.unconfirmed', 'staff', 'name', undefined],
      ['field.unconfirmed', 'staff', 'cpd[2].title', 2],
    ]);
    expect(findings[0]!.message).toMatch(/信頼度 84%/);
    expect(evaluate(rules, input(app)).status).toBe('exception');
    app.sources.name!.confidence = 0.85;
    app.cpd[1]!.sources.title!.confidence = 1;
    expect(evaluate(rules, input(app)).status).toBe('awaiting-payment');
  });

  it('while a value is unconfirmed the applicant is told nothing; once confirmed they hear of what is missing', async () => {
    const app = await application('renewal-missing-fields.docx');
    const told = evaluate(rules, input(app)).findings.filter((f) => f.audience === 'applicant');
    expect(told.length).toBeGreaterThan(0);
    const anyField = Object.keys(app.sources)[0]!;
    app.sources[anyField]!.confidence = 0.3;
    const held = evaluate(rules, input(app));
    expect(held.status).toBe('exception');
    expect(held.findings.filter((f) => f.audience === 'applicant')).toEqual([]);
    expect(held.findings.filter((f) => f.code === 'field.unconfirmed').map((f) => f.field)).toEqual([anyField]);
  });
});
