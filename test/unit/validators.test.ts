// The renewal and certification validators called directly (pure: application, rules, date of receipt and the
// case's documents in, findings and computed figures out), on applications read from real .docx forms.
import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { extractFile } from '../../src/extract/extract-file.ts';
import { loadRules, type Rules } from '../../src/app/load-rules.ts';
import { renewalValidator, type RenewalRules } from '../../src/validate/renewal.ts';
import { certificationValidator, type CertificationRules } from '../../src/validate/certification.ts';
import type { RenewalApplication } from '../../src/extract/forms/renewal.ts';
import type { CertificationApplication } from '../../src/extract/forms/certification.ts';
import type { SupportingDocument } from '../../src/validate/validator.ts';
import { form } from '../support/harness.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
let rules: Rules;
beforeAll(() => {
  rules = loadRules(path.join(ROOT, 'rules'));
});

async function applicationOf<A>(bytes: Uint8Array, name: string): Promise<A> {
  const verdict = await extractFile(bytes, name);
  if (verdict.role !== 'form') throw new Error(`${name}: not read as a form (${verdict.role})`);
  return verdict.application as unknown as A;
}

const codes = (findings: readonly { code: string; audience: string }[]) => findings.map((f) => `${f.code}/${f.audience}`).sort();
const proof: SupportingDocument = { filename: '受講証明書.pdf', facts: { kind: 'proof', read: true } };
const report = (issuedOn: string, passerNumber: string): SupportingDocument => ({
  filename: '試験結果レポート.pdf',
  facts: { kind: 'exam-report', read: true, issuedOn, passerNumber, qualification: 'OMP', dateText: issuedOn, numberText: passerNumber, evidence: 'test' },
});

describe('renewal validator', () => {
  it('finds nothing to ask of a complete form received in the window, and counts its CPD points', async () => {
    const app = await applicationOf<RenewalApplication>(form(), '更新申請書.docx');
    const v = renewalValidator.validate(app, rules.kinds.renewal as RenewalRules, { received: '2026-01-20', proofCount: 1, documents: [proof] });
    expect(codes(v.findings).filter((c) => !c.endsWith('/reviewer'))).toEqual([]);
    expect((v.computed.cpd as { total: number }).total).toBe(32);
    expect(renewalValidator.paymentKey(app)).toEqual({ digits: '0123', kana: expect.any(String), declared: '0123コンダケンタロウ' });
  });

  it('asks for proofs, reports a late application to staff, and names a missing field', async () => {
    const app = await applicationOf<RenewalApplication>(form({ name: '' }), '更新申請書.docx');
    const v = renewalValidator.validate(app, rules.kinds.renewal as RenewalRules, { received: '2026-03-15', proofCount: 0, documents: [] });
    expect(codes(v.findings)).toEqual(expect.arrayContaining(['field.missing/applicant', 'proof.missing/applicant', 'window.outside/staff']));
    expect(v.findings.find((f) => f.code === 'field.missing')).toMatchObject({ field: 'name' });
  });

  it('counts too few points as insufficient', async () => {
    const app = await applicationOf<RenewalApplication>(form({ cpd: { A: [{ title: 'コン検認定 研修', date: '2024年6月10日', hours: '6', points: '6' }] }, statedTotals: { A: '6' } }), '更新申請書.docx');
    const v = renewalValidator.validate(app, rules.kinds.renewal as RenewalRules, { received: '2026-01-20', proofCount: 1, documents: [proof] });
    expect(codes(v.findings)).toContain('cpd.insufficient/applicant');
  });
});

describe('certification validator', () => {
  const sample = (name: string) => readFileSync(path.join(ROOT, 'samples', 'forms', `${name}.docx`));

  it('finds a complete form with a recent exam report complete', async () => {
    const app = await applicationOf<CertificationApplication>(sample('certification-complete'), 'certification-complete.docx');
    const v = certificationValidator.validate(app, rules.kinds.certification as CertificationRules, { received: '2026-02-10', proofCount: 1, documents: [report('2025-07-15', '2310450123')] });
    expect(codes(v.findings).filter((c) => !c.endsWith('/reviewer'))).toEqual([]);
  });

  it('asks for the exam report when none is attached, and finds one over three years old expired', async () => {
    const app = await applicationOf<CertificationApplication>(sample('certification-complete'), 'certification-complete.docx');
    const none = certificationValidator.validate(app, rules.kinds.certification as CertificationRules, { received: '2026-02-10', proofCount: 0, documents: [] });
    expect(codes(none.findings)).toContain('exam-report.missing/applicant');
    const old = certificationValidator.validate(app, rules.kinds.certification as CertificationRules, { received: '2026-02-10', proofCount: 1, documents: [report('2022-07-15', '2310450123')] });
    expect(codes(old.findings)).toContain('exam-report.expired/applicant');
  });

  it('finds too little experience short, by the calendar', async () => {
    const app = await applicationOf<CertificationApplication>(sample('certification-total-short'), 'certification-total-short.docx');
    const v = certificationValidator.validate(app, rules.kinds.certification as CertificationRules, { received: '2026-02-10', proofCount: 1, documents: [report('2025-07-15', app.passerNumber ?? '')] });
    expect(codes(v.findings)).toContain('experience.total-short/applicant');
  });
});
