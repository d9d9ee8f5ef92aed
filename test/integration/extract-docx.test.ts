// Reading real .docx files: every sample form against its expected values, and the ways people mark
// their choices in Word.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { extractFile } from '../../src/extract/extract-file.ts';
import { form, SAMPLES, sampleForm } from '../support/harness.ts';
import type { RenewalApplication } from '../../src/extract/forms/renewal.ts';

async function read(bytes: Buffer): Promise<RenewalApplication> {
  const v = await extractFile(bytes, 'form.docx');
  if (v.role !== 'form') throw new Error(`not read as a form: ${JSON.stringify(v)}`);
  return v.application as RenewalApplication;
}

describe('sample forms', () => {
  const files = readdirSync(path.join(SAMPLES, 'forms')).filter((f) => f.endsWith('.expected.json'));
  it('has samples with expectations', () => expect(files.length).toBeGreaterThanOrEqual(10));
  it.each(files)('%s', async (file) => {
    const { expected } = JSON.parse(readFileSync(path.join(SAMPLES, 'forms', file), 'utf8')) as { expected: Record<string, unknown> };
    const app = await read(sampleForm(file.replace('.expected.json', '.docx')));
    const { cpd, ...scalars } = expected as { cpd?: Record<string, unknown>[] };
    expect(app).toMatchObject(scalars);
    if (cpd) expect(app.cpd.map(({ category, year, title, completedOn, hours, points }) => ({ category, year, title, completedOn, hours, points }))).toEqual(cpd);
  });
});

describe('what people do to the Word form', () => {
  it('keeps the source text and its place beside each value', async () => {
    const app = await read(form({ name: '今田　 健太郎\n' }));
    expect(app.name).toBe('今田 健太郎');
    expect(app.sources.name).toMatchObject({ text: '今田　 健太郎\n', location: expect.stringMatching(/^表 \d+, 行 2, 列 2$/), confidence: 1 });
    expect(app.cpd[0]!.sources.completedOn?.text).toBe('2023年6月10日');
  });

  it.each([
    [{ kind: 'delete-other', choose: 'CAP' }, 'CAP', ['CAP']],
    [{ kind: 'mark', choose: 'OMP', mark: '〇' }, 'OMP', ['OMP']],
    [{ kind: 'mark', choose: 'CAP', mark: '✓' }, 'CAP', ['CAP']],
    [{ kind: 'mark', choose: 'CAP', mark: '☑' }, 'CAP', ['CAP']],
    [{ kind: 'bold', choose: 'CAP' }, 'CAP', ['CAP']],
    [{ kind: 'highlight', choose: 'OMP' }, 'OMP', ['OMP']],
    [{ kind: 'strike-other', choose: 'CAP' }, 'CAP', ['CAP']],
    [{ kind: 'mark-both', mark: '○' }, null, ['OMP', 'CAP']],
    [{ kind: 'untouched' }, null, []],
  ] as const)('qualification %j → %s', async (style, value, marked) => {
    const app = await read(form({ qualification: style }));
    expect(app.qualification).toBe(value);
    expect(app.qualificationMarked).toEqual(marked);
  });

  it.each([
    ['checked', true], ['unchecked', false], [{ typed: '☑' }, true], [{ typed: '■' }, true], [{ typed: '✓' }, true], [{ typed: '☐' }, false],
  ] as const)('ethics checkbox %j → %s', async (ethics, agreed) => {
    expect((await read(form({ ethics }))).ethicsAgreed).toBe(agreed);
  });

  it('reads dates typed before the placeholder and into its gaps', async () => {
    const app = await read(form({ cpd: { A: [
      { title: 'x', date: '2025/6/1', dateStyle: 'before', hours: '2', points: '2' },
      { title: 'y', date: '2024-11-03', dateStyle: 'into-placeholder', hours: '2', points: '2' },
    ] } }));
    expect(app.cpd.filter((r) => r.grid === 'A').map((r) => r.completedOn)).toEqual(['2025-06-01', '2024-11-03']);
  });

  it('adds rows people insert beyond the printed ones', async () => {
    const rows = Array.from({ length: 5 }, (_, i) => ({ title: `研修${i + 1}`, date: `2024年5月${i + 1}日`, hours: '1', points: '1' }));
    const app = await read(form({ cpd: { 'B-2': rows } }));
    expect(app.cpd.filter((r) => r.grid === 'B-2').map((r) => r.rowInGrid)).toEqual([1, 2, 3, 4, 5]);
  });

  it('records unreadable values instead of guessing', async () => {
    const app = await read(form({ applicationDate: '先週の金曜日', cpd: { A: [{ title: 'x', date: '2025年2月30日', hours: '半日', points: '2' }] } }));
    expect(app.applicationDate).toBeNull();
    expect(app.invalid.applicationDate).toMatch(/日付/);
    expect(app.cpd[0]!.invalid).toMatchObject({ completedOn: expect.stringMatching(/存在しない/), hours: expect.any(String) });
  });

  it('reads the postal code typed into （〒　－　） and the address after it', async () => {
    const app = await read(form({ postalCode: '060-0001', address: '北海道札幌市中央区北1条西2丁目' }));
    expect(app).toMatchObject({ postalCode: '060-0001', address: '北海道札幌市中央区北1条西2丁目' });
  });
});

describe('files that are not a readable form', () => {
  it('a truncated .docx is unreadable', async () => {
    expect(await extractFile(sampleForm('corrupt.docx'), 'x.docx')).toMatchObject({ role: 'unreadable' });
  });
  it('a Word file that is not our form is a document, not a form', async () => {
    expect(await extractFile(sampleForm('not-our-form.docx'), 'x.docx')).toMatchObject({ role: 'document', type: 'docx' });
  });
  it('a 0-byte file and a password-protected Office file are unreadable; a .doc is unsupported', async () => {
    expect(await extractFile(Buffer.alloc(0), 'x.docx')).toMatchObject({ role: 'unreadable', type: 'empty' });
    const ole = Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.from('EncryptedPackage', 'utf16le')]);
    expect(await extractFile(ole, 'x.docx')).toMatchObject({ role: 'unreadable', type: 'ole-encrypted' });
    expect(await extractFile(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0]), 'x.doc')).toMatchObject({ role: 'unsupported', type: 'ole' });
  });
  it('a PDF is kept as a proof document', async () => {
    expect(await extractFile(sampleForm('proof-certificate.pdf'), 'x.pdf')).toMatchObject({ role: 'document', type: 'pdf' });
  });
});
