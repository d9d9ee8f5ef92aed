// Benchmark: the workbench's pages on a queue of 1,000 exception cases, against the real server (`conken web`
// as a child process) on a real SQLite file filled by the real pipeline: 1,000 renewal mails received outside
// the acceptance window (window.outside holds each for staff, with the whole form read), and one form sent as
// phone photos (read by OCR: its case page shows the cells' pictures beside the values to confirm).
// Targets (issue 15): the queue page < 100 ms, the case page with its crops < 150 ms, on the server.
//   node bench/web-pages.bench.ts [cases] [requests per page] [--no-ocr]
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config/config.ts';
import { createApp, closeApp } from '../src/app/context.ts';
import { processMail } from '../src/app/process-mail.ts';
import { shutdownOcr } from '../src/extract/ocr/ocr-engine.ts';
import { silentLogger } from '../src/shared/log.ts';
import { UsersStore } from '../src/cases/users-store.ts';
import { hashPassword } from '../src/web/passwords.ts';
import { buildMail } from '../scripts/lib/mail-builder.ts';
import { machineDescription } from './lib/machine.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const CASES = Number(args[0] ?? 1000);
const REQUESTS = Number(args[1] ?? 60);
const OCR = !process.argv.includes('--no-ocr');
const sample = (f: string) => readFileSync(path.join(ROOT, 'samples', f));
const FORMS = ['renewal-complete.docx', 'renewal-variants.docx', 'renewal-caps-exceeded.docx', 'renewal-out-of-period.docx', 'renewal-cap-complete.docx'].map((f) => sample(`forms/${f}`));
const PROOF = sample('forms/proof-certificate.pdf');

const dir = mkdtempSync(path.join(os.tmpdir(), 'conken-web-bench-'));
const env: Record<string, string> = {
  CONKEN_DB_PATH: path.join(dir, 'conken.db'), CONKEN_STORE_DIR: path.join(dir, 'store'), CONKEN_INBOX_DIR: path.join(dir, 'inbox'),
  CONKEN_INBOX_PROCESSED_DIR: path.join(dir, 'inbox', 'processed'), CONKEN_OUTBOX_DIR: path.join(dir, 'outbox'),
  CONKEN_RULES_DIR: path.join(ROOT, 'rules'), CONKEN_TEMPLATES_DIR: path.join(ROOT, 'mail-templates'),
  CONKEN_LOG_LEVEL: 'warn', CONKEN_WEB_HOST: '127.0.0.1', CONKEN_WEB_PORT: '0',
};

function stats(ms: number[]): { median: number; p95: number; max: number } {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  return { median: at(0.5), p95: at(0.95), max: s[s.length - 1]! };
}

// ── the data, through the pipeline ─────────────────────────────────────────
const app = createApp(loadConfig({ cwd: ROOT, env }), silentLogger());
const t0 = performance.now();
let ocrCase: string | null = null;
if (OCR) {
  const o = await processMail(app, 'bench', { ref: '26.eml', raw: sample('mails/26-certification-photos.eml'), receivedAt: new Date('2026-02-14T01:00:00Z') });
  ocrCase = o.cases[0]?.number ?? null;
  await shutdownOcr();
}
let docxCase: string | null = null;
for (let i = 0; i < CASES; i++) {
  const raw = await buildMail({
    from: `applicant${i}@example.jp`, subject: '【更新申請】プロフェッショナル更新申請書添付_260420', date: new Date('2026-04-20T10:00:00+09:00'),
    messageId: `web-bench-${i}@example.jp`, text: '更新申請書を送ります。',
    attachments: [{ filename: '更新申請書.docx', content: FORMS[i % FORMS.length]! }, { filename: '受講証明書.pdf', content: PROOF }],
  });
  // Received in April: outside the renewal window (January–February), so staff decide (window.outside).
  const o = await processMail(app, 'bench', { ref: `${i}.eml`, raw, receivedAt: new Date(Date.UTC(2026, 3, 1 + (i % 28), 1, i % 60)) });
  docxCase ??= o.cases[0]?.number ?? null;
}
const exceptions = app.cases.listCases('exception').length;
new UsersStore(app.db).add('bench', 'staff', await hashPassword('bench-password-1'));
closeApp(app);
const fillSeconds = (performance.now() - t0) / 1000;
process.stderr.write(`${exceptions} exception cases made in ${fillSeconds.toFixed(0)} s\n`);

// ── the real server ────────────────────────────────────────────────────────
const child = spawn(process.execPath, [path.join(ROOT, 'src/cli/main.ts'), 'web'], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
const base = await new Promise<string>((resolve, reject) => {
  let out = '';
  child.stdout.on('data', (b: Buffer) => {
    out += b.toString();
    const m = /workbench: (http:\/\/\S+?)\/?\s/.exec(out);
    if (m) resolve(m[1]!);
  });
  child.once('exit', (code) => reject(new Error(`conken web exited (${code})`)));
});

try {
  const loginPage = await fetch(`${base}/login`);
  let cookie = loginPage.headers.get('set-cookie')!.split(';')[0]!;
  const token = /name="_csrf" value="([^"]+)"/.exec(await loginPage.text())![1]!;
  const login = await fetch(`${base}/login`, { method: 'POST', redirect: 'manual', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ login: 'bench', password: 'bench-password-1', _csrf: token }).toString() });
  cookie = login.headers.get('set-cookie')!.split(';')[0]!;

  async function measure(url: string, check: (html: string) => boolean): Promise<{ median: number; p95: number; max: number; bytes: number }> {
    let bytes = 0;
    for (let i = 0; i < 5; i++) await (await fetch(`${base}${url}`, { headers: { cookie } })).text();
    const times: number[] = [];
    for (let i = 0; i < REQUESTS; i++) {
      const t = performance.now();
      const r = await fetch(`${base}${url}`, { headers: { cookie } });
      const html = await r.text();
      times.push(performance.now() - t);
      bytes = html.length;
      if (r.status !== 200 || !check(html)) throw new Error(`${url}: ${r.status}`);
    }
    return { ...stats(times), bytes };
  }

  const rows: [string, Awaited<ReturnType<typeof measure>>][] = [];
  rows.push([`queue, ${exceptions} cases`, await measure('/queue', (h) => (h.match(/class="row-link"/g) ?? []).length === exceptions)]);
  rows.push(['queue, search by kana', await measure(`/queue?q=${encodeURIComponent('わたなべ')}`, (h) => h.includes('row-link'))]);
  if (ocrCase) rows.push([`case page, photographed form (${ocrCase}, with crops)`, await measure(`/cases/${ocrCase}`, (h) => h.includes('class="confirm-row'))]);
  if (ocrCase) {
    const crop = /src="(\/cases\/[^"]+\/crop\?field=[^"]+)"/.exec(await (await fetch(`${base}/cases/${ocrCase}`, { headers: { cookie } })).text())?.[1];
    if (crop) rows.push(['one crop picture', await measure(crop.replace(/&amp;/g, '&'), () => true)]);
  }
  if (docxCase) rows.push([`case page, Word form (${docxCase})`, await measure(`/cases/${docxCase}`, (h) => h.includes('申請書の記載内容'))]);

  const date = new Date().toISOString().slice(0, 10);
  process.stdout.write(`\nworkbench pages, ${date}, ${machineDescription()}, Node ${process.version}; ${REQUESTS} requests each after 5 warm-up, one at a time, over loopback (time to the last byte)\n`);
  process.stdout.write('| page | median ms | p95 ms | max ms | HTML KB |\n|---|---|---|---|---|\n');
  for (const [name, s] of rows) process.stdout.write(`| ${name} | ${s.median.toFixed(1)} | ${s.p95.toFixed(1)} | ${s.max.toFixed(1)} | ${(s.bytes / 1024).toFixed(0)} |\n`);
} finally {
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  rmSync(dir, { recursive: true, force: true });
}
