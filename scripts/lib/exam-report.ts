// Sample exam result reports (試験結果レポート): the association mails one to every passer; applicants
// attach a scan or a PDF of it. We write it as a Word file and let LibreOffice print it to PDF, so the
// samples carry a real text layer with CJK fonts, as a scanner's or Word's PDF export does.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { plainDocx } from './docx-edit.ts';
import { imagePdf, textPdf } from './text-pdf.ts';

export interface ExamReport {
  passerNumber: string;
  name: string;
  qualification: 'OMP' | 'CAP';
  examDate: string;
  issuedOn: string;
}

const W = 'http://schemas.openxmlformats.org/wordprocessingml/2006/main';
const QUALIFICATION_NAMES = { OMP: 'オペレーションマネジメントプロフェッショナル（OMP）', CAP: 'コンタクトセンターアーキテクチャプロフェッショナル（CAP）' };

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/** The report's lines; true marks the bold title lines. */
export function examReportLines(r: ExamReport): [string, boolean?][] {
  return [
    ['一般社団法人 日本コンタクトセンター教育検定協会'], [''],
    ['プロフェッショナル資格検定試験', true], ['試験結果レポート（合格証明書）', true], [''],
    [`合格者番号：${r.passerNumber}`], [`氏名：${r.name} 様`], [`試験区分：${QUALIFICATION_NAMES[r.qualification]}`],
    [`受験日：${r.examDate}`], ['結果：合格'], [''],
    ['あなたは上記の試験に合格したことを証明します。'],
    ['本レポートの有効期間は発行日から3年間です。期間内に資格認定申請を行ってください。'], [''],
    [`発行日：${r.issuedOn}`], ['一般社団法人 日本コンタクトセンター教育検定協会 理事長'],
  ];
}

/** The same report as a small PDF written directly (no LibreOffice), for tests. */
export function examReportTextPdf(r: ExamReport): Uint8Array {
  return textPdf(examReportLines(r).map(([t]) => t));
}

export function examReportDocx(r: ExamReport): Uint8Array {
  const lines = examReportLines(r);
  const body = lines.map(([t, bold]) => `<w:p><w:r>${bold ? '<w:rPr><w:b/><w:sz w:val="32"/></w:rPr>' : ''}<w:t xml:space="preserve">${escape(t)}</w:t></w:r></w:p>`).join('');
  return plainDocx(body);
}

/** Converts with LibreOffice (Debian libreoffice-writer), all in one run; throws with a clear message when it is missing. */
export function toPdfs(docs: Record<string, Uint8Array>): Record<string, Uint8Array> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'conken-pdf-'));
  try {
    const inputs = Object.entries(docs).map(([name, bytes]) => {
      writeFileSync(path.join(dir, `${name}.docx`), bytes);
      return path.join(dir, `${name}.docx`);
    });
    try {
      execFileSync('soffice', ['--headless', `-env:UserInstallation=file://${dir}/profile`, '--convert-to', 'pdf', '--outdir', dir, ...inputs], { stdio: 'ignore' });
    } catch (error) {
      throw new Error(`LibreOffice (soffice) is needed to make the sample PDFs: apt-get install libreoffice-writer fonts-noto-cjk (${(error as Error).message})`);
    }
    return Object.fromEntries(Object.keys(docs).map((name) => [name, new Uint8Array(readFileSync(path.join(dir, `${name}.pdf`)))]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A scan of the printed report: pdftoppm (Debian poppler-utils) at 150 dpi, grey, PNG. */
export function toScanPng(pdf: Uint8Array): Uint8Array {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'conken-scan-'));
  try {
    writeFileSync(path.join(dir, 'in.pdf'), pdf);
    execFileSync('pdftoppm', ['-r', '150', '-gray', '-png', '-singlefile', path.join(dir, 'in.pdf'), path.join(dir, 'out')], { stdio: 'ignore' });
    return readFileSync(path.join(dir, 'out.png'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A scanner's PDF: every page rendered (pdftoppm, grey, 100 dpi by default, JPEG) and bound back into an image-only PDF. */
export function toScannedPdf(pdf: Uint8Array, dpi = 100): Uint8Array {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'conken-scan-'));
  try {
    writeFileSync(path.join(dir, 'in.pdf'), pdf);
    execFileSync('pdftoppm', ['-r', String(dpi), '-gray', '-jpeg', '-jpegopt', 'quality=70', path.join(dir, 'in.pdf'), path.join(dir, 'page')], { stdio: 'ignore' });
    const pages = readdirSync(dir).filter((f) => f.startsWith('page')).sort().map((f) => new Uint8Array(readFileSync(path.join(dir, f))));
    return imagePdf(pages);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Chosen pages as JPEG files (pdftoppm, grey): a scan or photo per page. */
export function toScanJpegs(pdf: Uint8Array, pages: number[], dpi: number): Uint8Array[] {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'conken-scan-'));
  try {
    writeFileSync(path.join(dir, 'in.pdf'), pdf);
    return pages.map((page) => {
      execFileSync('pdftoppm', ['-r', String(dpi), '-gray', '-jpeg', '-jpegopt', 'quality=80', '-f', String(page), '-l', String(page), '-singlefile', path.join(dir, 'in.pdf'), path.join(dir, `p${page}`)], { stdio: 'ignore' });
      return new Uint8Array(readFileSync(path.join(dir, `p${page}.jpg`)));
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
