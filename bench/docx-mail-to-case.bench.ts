// Benchmark: one .docx mail → evaluated, committed case (parse, read the Word form, read the attached
// PDF, validate, one SQLite transaction with findings, events and outbox rows), for both form kinds in
// the same run: renewals (form + certificate of attendance) and certifications (form + exam report).
// Target: median well under 100 ms per mail.
//   npm run bench            (or: node bench/docx-mail-to-case.bench.ts [mails per kind])
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config/config.ts';
import { createApp, closeApp, type App } from '../src/app/context.ts';
import { processMail } from '../src/app/process-mail.ts';
import { silentLogger } from '../src/shared/log.ts';
import { buildMail } from '../scripts/lib/mail-builder.ts';
import { machineDescription } from './lib/machine.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const count = Number(process.argv[2] ?? 300);
const sample = (f: string) => readFileSync(path.join(ROOT, 'samples', 'forms', f));

interface Series {
  kind: string;
  subject: string;
  date: string;
  forms: Buffer[];
  attachment: { filename: string; content: Buffer };
}

const SERIES: Series[] = [
  {
    kind: 'renewal', subject: '【更新申請】プロフェッショナル更新申請書添付_260120', date: '2026-01-20T10:00:00+09:00',
    forms: ['renewal-complete.docx', 'renewal-missing-fields.docx', 'renewal-variants.docx', 'renewal-caps-exceeded.docx', 'renewal-out-of-period.docx'].map(sample),
    attachment: { filename: '受講証明書.pdf', content: sample('proof-certificate.pdf') },
  },
  {
    kind: 'certification', subject: '【認定申請】プロフェッショナル認定申請書添付_260210', date: '2026-02-10T10:00:00+09:00',
    forms: ['certification-complete.docx', 'certification-overlapping.docx', 'certification-wareki-fullwidth.docx', 'certification-oath-unchecked.docx', 'certification-total-short.docx'].map(sample),
    attachment: { filename: '試験結果レポート.pdf', content: sample('exam-report-2025.pdf') },
  },
];

async function mailsFor(s: Series, n: number, offset: number): Promise<Buffer[]> {
  const mails: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    mails.push(await buildMail({
      from: `applicant${offset + i}@example.jp`, subject: s.subject, date: new Date(s.date), messageId: `bench-${s.kind}-${offset + i}@example.jp`,
      text: '申請書を送ります。', attachments: [{ filename: '申請書.docx', content: s.forms[i % s.forms.length]! }, s.attachment],
    }));
  }
  return mails;
}

async function measure(app: App, s: Series) {
  // Warm-up (JIT, SQLite page cache, pdf.js loaded), not measured.
  for (const raw of await mailsFor(s, 20, 100_000)) await processMail(app, 'bench', { ref: 'warmup', raw, receivedAt: null });
  const mails = await mailsFor(s, count, 0);
  const times: number[] = [];
  const t0 = performance.now();
  for (const raw of mails) {
    const start = performance.now();
    const outcome = await processMail(app, 'bench', { ref: 'bench', raw, receivedAt: null });
    times.push(performance.now() - start);
    if (outcome.cases.length !== 1 || outcome.cases[0]!.kind !== s.kind) throw new Error(`benchmark mail did not become one ${s.kind} case`);
  }
  const total = performance.now() - t0;
  times.sort((a, b) => a - b);
  const q = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))]!;
  return { kind: s.kind, mails: times.length, medianMs: +q(0.5).toFixed(2), p95Ms: +q(0.95).toFixed(2), maxMs: +times.at(-1)!.toFixed(2), mailsPerSecond: +(times.length / (total / 1000)).toFixed(1) };
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'conken-bench-'));
const config = loadConfig({ cwd: ROOT, env: { CONKEN_DB_PATH: path.join(dir, 'bench.db'), CONKEN_STORE_DIR: path.join(dir, 'store'), CONKEN_OUTBOX_DIR: path.join(dir, 'outbox'), CONKEN_INBOX_DIR: path.join(dir, 'inbox') } });
const app = createApp(config, silentLogger());
const results = [];
for (const s of SERIES) results.push(await measure(app, s));
const mem = process.memoryUsage();
closeApp(app);
rmSync(dir, { recursive: true, force: true });

console.log(JSON.stringify({
  benchmark: '.docx mail → evaluated case (folder mode, SQLite WAL file)',
  date: new Date().toISOString().slice(0, 10),
  machine: machineDescription(),
  node: process.version,
  results,
  rssMiB: Math.round(mem.rss / 2 ** 20),
}, null, 2));
