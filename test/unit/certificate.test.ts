// The certificate's layout file and rules/review.yaml are checked with messages naming the file and the key;
// the number pattern; one font taken out of a .ttc collection; the PDF drawn from a staff-edited layout.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PDFParse } from 'pdf-parse';
import { CertificateError, checkCertificateLayout, fontFromCollection, japaneseDate, loadCertificateLayout, renderCertificate } from '../../src/outbound/certificate.ts';
import { formatCertificationNumber, reviewRulesSchema } from '../../src/config/review-rules.ts';
import { loadRuleFile, RulesError } from '../../src/config/rules.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const LAYOUT = readFileSync(path.join(ROOT, 'mail-templates', 'certificate.yaml'), 'utf8');
let dir: string | undefined;
afterEach(() => { if (dir) rmSync(dir, { recursive: true, force: true }); dir = undefined; });
const folderWith = (name: string, text: string) => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'conken-cert-'));
  writeFileSync(path.join(dir, name), text);
  return dir;
};

describe('the certificate layout', () => {
  it('the shipped layout loads; a broken one names the file and the key', () => {
    expect(loadCertificateLayout(path.join(ROOT, 'mail-templates')).lines.length).toBeGreaterThan(5);
    expect(() => loadCertificateLayout(folderWith('certificate.yaml', LAYOUT.replace('size: 40', 'size: -1')))).toThrow(/certificate\.yaml, key lines\.0\.size/);
    expect(() => loadCertificateLayout(folderWith('certificate.yaml', 'page: [unclosed'))).toThrow(CertificateError);
    expect(() => loadCertificateLayout(folderWith('certificate.yaml', LAYOUT.replace('{{name}}　殿', '{{#name}}　殿')))).toThrow(/certificate\.yaml/);
    expect(() => loadCertificateLayout(folderWith('certificate.yaml', LAYOUT.replaceAll('/usr/share/fonts/opentype/noto/', '/nowhere/')))).toThrow(/install fonts-noto-cjk/);
    expect(() => loadCertificateLayout(folderWith('other.yaml', LAYOUT))).toThrow(/missing/);
  });

  it('the start-up check: ok with the font it uses; broken, one message in Japanese and English naming the file and the problem', () => {
    const ok = checkCertificateLayout(path.join(ROOT, 'mail-templates'));
    expect(ok).toMatchObject({ ok: true, file: path.join(ROOT, 'mail-templates', 'certificate.yaml'), font: expect.stringMatching(/\.tt[cf]$|\.otf$/) });
    const broken = (text: string) => {
      const folder = folderWith('certificate.yaml', text);
      const r = checkCertificateLayout(folder);
      expect(r.ok).toBe(false);
      expect(r.message).toContain(`認定書のレイアウト ${path.join(folder, 'certificate.yaml')} に誤りがあります`);
      expect(r.message).toContain(`The certificate layout ${path.join(folder, 'certificate.yaml')} is broken`);
      // The same error an approval would meet (the check at approval stays).
      expect(() => loadCertificateLayout(folder)).toThrow(CertificateError);
      return r.problem!;
    };
    // A misspelt fact would print nothing, silently: refused with the line's key.
    expect(broken(LAYOUT.replace('{{name}}　殿', '{{nmae}}　殿'))).toMatch(/^key lines\.2\.text: unknown field \{\{nmae\}\}/);
    expect(broken(LAYOUT.replace('size: 40', 'size: -1'))).toMatch(/^key lines\.0\.size/);
    expect(broken(LAYOUT.replace('top: 700', 'top: 9000'))).toMatch(/lines\.9: the line lies outside the page/);
    expect(broken(LAYOUT.replace('index: 0', 'index: 99'))).toMatch(/key font\.index: the font collection .* has \d+ fonts; index 99 does not exist/);
    expect(broken(LAYOUT.replaceAll('/usr/share/fonts/opentype/noto/', '/nowhere/'))).toContain('install fonts-noto-cjk');
    // A font file that is not a font (a staff member pointed at the wrong file).
    dir = mkdtempSync(path.join(os.tmpdir(), 'conken-cert-'));
    writeFileSync(path.join(dir, 'not-a-font.ttc'), 'hello, this is text');
    writeFileSync(path.join(dir, 'certificate.yaml'), LAYOUT.replace('    - /usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc', `    - ${path.join(dir, 'not-a-font.ttc')}`));
    const notFont = checkCertificateLayout(dir);
    expect(notFont).toMatchObject({ ok: false, problem: `the font file ${path.join(dir, 'not-a-font.ttc')} is not an OpenType/TrueType font` });
  });

  it('the check remembers a layout by its content (conken status reads no YAML for an unchanged file); the font is checked every time', () => {
    const cache = mkdtempSync(path.join(os.tmpdir(), 'conken-cert-cache-'));
    const before = process.env.CONKEN_CHECK_CACHE_DIR;
    process.env.CONKEN_CHECK_CACHE_DIR = cache;
    try {
      dir = mkdtempSync(path.join(os.tmpdir(), 'conken-cert-'));
      // A font file as the check sees it (its first bytes say OpenType): the real ones cannot be removed.
      const font = path.join(dir, 'font.otf');
      writeFileSync(font, Buffer.concat([Buffer.from('OTTO'), Buffer.alloc(60)]));
      writeFileSync(path.join(dir, 'certificate.yaml'), LAYOUT.replace(/files:\n(\s+- .*\n)+/, `files:\n    - ${font}\n`));
      const first = checkCertificateLayout(dir);
      expect(first).toMatchObject({ ok: true, font });
      expect(readdirSync(cache).filter((f) => f.startsWith('certificate-layout-'))).toHaveLength(1);
      expect(checkCertificateLayout(dir)).toEqual(first);
      rmSync(font);
      expect(checkCertificateLayout(dir)).toMatchObject({ ok: false, problem: expect.stringContaining('none of the font files exists') });
      // A broken layout is remembered broken, with the same problem.
      writeFileSync(path.join(dir, 'certificate.yaml'), LAYOUT.replace('size: 40', 'size: -1'));
      const broken = checkCertificateLayout(dir);
      expect(broken.problem).toMatch(/^key lines\.0\.size/);
      expect(readdirSync(cache).filter((f) => f.startsWith('certificate-layout-'))).toHaveLength(2);
      expect(checkCertificateLayout(dir)).toEqual(broken);
    } finally {
      if (before === undefined) delete process.env.CONKEN_CHECK_CACHE_DIR;
      else process.env.CONKEN_CHECK_CACHE_DIR = before;
      rmSync(cache, { recursive: true, force: true });
    }
  });

  it('draws the lines a staff member edited, with the facts and Japanese dates', async () => {
    const layout = loadCertificateLayout(folderWith('certificate.yaml', `${LAYOUT}  - { text: "第{{certificationNumber}}号 特別な一行", x: 90, top: 760, size: 10 }\n`));
    const pdf = await renderCertificate(layout, { name: '髙橋 美咲', qualification: 'CAP', qualificationName: 'コンタクトセンター・アーキテクチャプロフェッショナル', certificationNumber: 'CAP-2026-0001', validFrom: '2026-04-01', validTo: '2029-03-31', issuedOn: '2026-02-28' });
    const text = (await new PDFParse({ data: pdf }).getText()).text;
    for (const s of ['髙橋 美咲', '第CAP-2026-0001号 特別な一行', '2029年3月31日', '2026年2月28日']) expect(text).toContain(s);
    expect(japaneseDate('2026-04-01')).toBe('2026年4月1日');
  });

  it('takes one font out of a collection, and refuses an index it does not have', () => {
    const ttc = readFileSync('/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc');
    const font = fontFromCollection(ttc, 0);
    expect(font.toString('latin1', 0, 4)).toBe('OTTO');
    expect(font.length).toBeLessThan(ttc.length);
    expect(() => fontFromCollection(ttc, 99)).toThrow(/index 99/);
    expect(fontFromCollection(font, 0)).toBe(font);
  });
});

describe('rules/review.yaml', () => {
  it('loads; a mistake names the file, line and key', () => {
    const rules = loadRuleFile(path.join(ROOT, 'rules', 'review.yaml'), reviewRulesSchema);
    expect(rules.requireSecondApproval).toBe(false);
    expect(rules.rejectionReasons.map((r) => r.code)).toContain('cpd-insufficient');
    const file = path.join(folderWith('review.yaml', readFileSync(path.join(ROOT, 'rules', 'review.yaml'), 'utf8').replace('"{qualification}-{year}-{seq:4}"', '"{qualification}-{year}"')), 'review.yaml');
    expect(() => loadRuleFile(file, reviewRulesSchema)).toThrow(RulesError);
    expect(() => loadRuleFile(file, reviewRulesSchema)).toThrow(/review\.yaml, line \d+, key certificationNumber\.pattern: the pattern needs \{seq\}/);
  });

  it('numbers new certifications by the pattern', () => {
    expect(formatCertificationNumber('{qualification}-{year}-{seq:4}', 'OMP', 2026, 7)).toBe('OMP-2026-0007');
    expect(formatCertificationNumber('{qualification}{year}{seq}', 'CAP', 2027, 12345)).toBe('CAP202712345');
  });
});
