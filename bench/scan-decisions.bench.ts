// Scans decided right on forms nobody here made (issue 20, point 5): each form of a folder of unseen
// forms (../shared/heldout-sample, or a varied set from scripts/make-varied-set.ts) is mailed as its
// text PDF and as each scanned format, and every mail goes through the whole pipeline as `conken
// process --dry-run --json` runs it (a fresh database, nothing written). The text PDF's decision is the
// right one (its values are exact); each scan's is compared with it:
//   straight   the same status and findings, nothing for staff to confirm (no person needed)
//   held       values OCR could not read for sure (field.unconfirmed): the case waits for staff, the
//              applicant is sent only the acknowledgement (no notice built on an unconfirmed value)
//   DIFFERENT  another decision with nothing unconfirmed: a misjudged application (must never happen)
//   npm run bench:scan-decisions -- --heldout <folder> [--only <format>]
// The models are those of the machine; CONKEN_TESSDATA_DIR=<empty folder> measures the npm-only ones.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildMail } from '../scripts/lib/mail-builder.ts';
import { describeOcrModels } from '../src/extract/ocr/tessdata.ts';
import { machineDescription } from './lib/machine.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const arg = (name: string) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);
const folder = path.resolve(arg('--heldout') ?? path.join(ROOT, '..', 'shared', 'heldout-sample'));
const only = arg('--only');

interface Finding { code: string; field: string | null; audience: string }
interface CaseOutcome { kind: string; status: string; findings: Finding[]; notices: string[] }

const FORMATS: { format: string; files: (names: string[]) => string[] }[] = [
  { format: 'text PDF', files: (n) => n.filter((f) => f === 'form.pdf') },
  { format: 'clean 300 dpi', files: (n) => n.filter((f) => f === 'form.scan300.pdf') },
  { format: 'bilevel TIFF 300 dpi', files: (n) => n.filter((f) => f === 'form.scan300.tif') },
  { format: 'noisy skewed 200 dpi', files: (n) => n.filter((f) => f === 'form.scan200-noisy.pdf') },
  { format: 'photo', files: (n) => n.filter((f) => /^form\.p\d+\.photo\.jpg$/.test(f)).sort((a, b) => a.localeCompare(b, 'en', { numeric: true })) },
];

const CONTENT_TYPES: Record<string, string> = { '.pdf': 'application/pdf', '.tif': 'image/tiff', '.jpg': 'image/jpeg' };

/** The mail an applicant sends: the form's files and, where the folder has it, the exam report. */
async function mailOf(dir: string, form: string, format: string, files: string[]): Promise<Buffer> {
  const truth = JSON.parse(readFileSync(path.join(dir, 'truth.json'), 'utf8')).app as { examReportIssuedOn?: string; applicationDate?: string };
  const certification = truth.examReportIssuedOn !== undefined;
  // Sent on the day the form is dated, as applicants do (a form dated after its mail is a finding of its own).
  const sent = /^\d{4}-\d{2}-\d{2}$/.test(truth.applicationDate ?? '') ? new Date(`${truth.applicationDate}T03:00:00Z`) : new Date('2026-02-09T03:00:00Z');
  const extra = existsSync(path.join(dir, 'exam-report.pdf')) ? ['exam-report.pdf'] : [];
  return buildMail({
    from: `申請者 <applicant-${form.toLowerCase()}@example.jp>`,
    subject: `${certification ? '【認定申請】プロフェッショナル認定申請書添付' : '【更新申請】プロフェッショナル更新申請書添付'}_${sent.toISOString().slice(2, 10).replace(/-/g, '')}`,
    date: sent, messageId: `${form}-${format.replace(/\W+/g, '-')}@bench.example.jp`,
    text: '申請書を送ります。\n',
    attachments: [...files, ...extra].map((f, i) => ({
      filename: f === 'exam-report.pdf' ? '試験結果レポート.pdf' : `scan_${i + 1}${path.extname(f)}`,
      content: readFileSync(path.join(dir, f)), contentType: CONTENT_TYPES[path.extname(f)] ?? 'application/octet-stream',
    })),
  });
}

/** What decides a case: its status and the findings other than OCR's own doubts, in a stable order. */
function decision(c: CaseOutcome): string {
  const findings = c.findings.filter((f) => f.code !== 'field.unconfirmed').map((f) => `${f.code}:${f.field ?? ''}`).sort();
  return `${c.status} [${findings.join(', ')}]`;
}

const forms = readdirSync(folder).filter((f) => existsSync(path.join(folder, f, 'truth.json'))).sort();
const work = mkdtempSync(path.join(os.tmpdir(), 'scan-decisions-'));
const mails: { form: string; format: string; file: string }[] = [];
for (const form of forms) {
  const dir = path.join(folder, form);
  for (const { format, files } of FORMATS) {
    const picked = files(readdirSync(dir));
    if (picked.length === 0 || (only && format !== only && format !== 'text PDF')) continue;
    const file = path.join(work, `${form}-${format.replace(/\W+/g, '-')}.eml`);
    writeFileSync(file, await mailOf(dir, form, format, picked));
    mails.push({ form, format, file });
  }
}

const started = performance.now();
const out = execFileSync(process.execPath, [path.join(ROOT, 'src', 'cli', 'main.ts'), 'process', '--dry-run', '--json', ...mails.map((m) => m.file)], {
  cwd: ROOT, encoding: 'utf8', maxBuffer: 256 * 2 ** 20, stdio: ['ignore', 'pipe', 'inherit'],
  env: { ...process.env, CONKEN_DB_PATH: path.join(work, 'bench.db') },
});
const seconds = (performance.now() - started) / 1000;
const outcomes = out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { cases: CaseOutcome[] });
rmSync(work, { recursive: true, force: true });
if (outcomes.length !== mails.length) throw new Error(`${mails.length} mails, ${outcomes.length} outcomes`);

const results: Record<string, { straight: number; held: number; different: number; unconfirmed: number; mails: number }> = {};
const rows: string[] = [];
let truthOf: Record<string, string> = {};
mails.forEach((m, i) => {
  const c = outcomes[i]!.cases[0];
  const unconfirmed = c?.findings.filter((f) => f.code === 'field.unconfirmed').length ?? 0;
  const d = c ? decision(c) : 'no case';
  if (m.format === 'text PDF') truthOf = { ...truthOf, [m.form]: d };
  const verdict = m.format === 'text PDF' ? 'truth'
    : unconfirmed > 0 && c!.status === 'exception' && c!.notices.join() === 'acknowledgement' ? 'held'
      : unconfirmed === 0 && d === truthOf[m.form] ? 'straight' : 'DIFFERENT';
  rows.push(`${m.form} ${m.format}: ${verdict}${unconfirmed ? ` (${unconfirmed} to confirm)` : ''} — ${d}`);
  if (m.format === 'text PDF') return;
  const r = results[m.format] ??= { straight: 0, held: 0, different: 0, unconfirmed: 0, mails: 0 };
  r.mails++;
  r.unconfirmed += unconfirmed;
  if (verdict === 'straight') r.straight++;
  else if (verdict === 'held') r.held++;
  else r.different++;
});
for (const row of rows) console.log(row);
console.log(JSON.stringify({
  benchmark: `whole-pipeline decisions on scans vs the text PDF's, forms in ${path.basename(folder)}`,
  models: describeOcrModels(),
  date: new Date().toISOString().slice(0, 10),
  machine: machineDescription(),
  seconds: Math.round(seconds),
  results,
}, null, 2));
