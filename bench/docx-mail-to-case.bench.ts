// Benchmark: one .docx mail → evaluated, committed case (parse, read the Word form, validate, one
// SQLite transaction with findings, events and outbox rows). Target: median well under 100 ms.
//   npm run bench            (or: node bench/docx-mail-to-case.bench.ts [mails])
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cpus } from 'node:os';
import { loadConfig } from '../src/config/config.ts';
import { createApp, closeApp } from '../src/app/context.ts';
import { processMail } from '../src/app/process-mail.ts';
import { silentLogger } from '../src/shared/log.ts';
import { buildMail } from '../scripts/lib/mail-builder.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const count = Number(process.argv[2] ?? 300);
const forms = ['renewal-complete.docx', 'renewal-missing-fields.docx', 'renewal-variants.docx', 'renewal-caps-exceeded.docx', 'renewal-out-of-period.docx']
  .map((f) => readFileSync(path.join(ROOT, 'samples', 'forms', f)));
const proof = readFileSync(path.join(ROOT, 'samples', 'forms', 'proof-certificate.pdf'));

const dir = mkdtempSync(path.join(os.tmpdir(), 'conken-bench-'));
const config = loadConfig({ cwd: ROOT, env: { CONKEN_DB_PATH: path.join(dir, 'bench.db'), CONKEN_STORE_DIR: path.join(dir, 'store'), CONKEN_OUTBOX_DIR: path.join(dir, 'outbox'), CONKEN_INBOX_DIR: path.join(dir, 'inbox') } });
const app = createApp(config, silentLogger());

const mails: Buffer[] = [];
for (let i = 0; i < count + 20; i++) {
  mails.push(await buildMail({
    from: `applicant${i}@example.jp`, subject: '【更新申請】プロフェッショナル更新申請書添付_260120', date: new Date('2026-01-20T10:00:00+09:00'),
    messageId: `bench-${i}@example.jp`, text: '更新申請書を送ります。', attachments: [{ filename: '更新申請書.docx', content: forms[i % forms.length]! }, { filename: '受講証明書.pdf', content: proof }],
  }));
}

// Warm-up (JIT, SQLite page cache), not measured.
for (const raw of mails.slice(0, 20)) await processMail(app, 'bench', { ref: 'warmup', raw, receivedAt: null });

const times: number[] = [];
const t0 = performance.now();
for (const raw of mails.slice(20)) {
  const start = performance.now();
  const outcome = await processMail(app, 'bench', { ref: 'bench', raw, receivedAt: null });
  times.push(performance.now() - start);
  if (outcome.cases.length !== 1) throw new Error('benchmark mail did not become one case');
}
const total = performance.now() - t0;
times.sort((a, b) => a - b);
const q = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))]!;
const mem = process.memoryUsage();
closeApp(app);
rmSync(dir, { recursive: true, force: true });

const figures = {
  benchmark: '.docx mail → evaluated case (folder mode, SQLite WAL file)',
  date: new Date().toISOString().slice(0, 10),
  machine: `${cpus()[0]?.model ?? 'unknown CPU'} × ${cpus().length}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${process.platform} ${os.release()}`,
  node: process.version,
  mails: times.length,
  medianMs: +q(0.5).toFixed(2),
  p95Ms: +q(0.95).toFixed(2),
  maxMs: +times.at(-1)!.toFixed(2),
  mailsPerSecond: +(times.length / (total / 1000)).toFixed(1),
  rssMiB: Math.round(mem.rss / 2 ** 20),
};
console.log(JSON.stringify(figures, null, 2));
