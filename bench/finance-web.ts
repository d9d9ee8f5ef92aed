// Benchmark (issue 16, point 8): finance's workbench against the CLI.
//  1. The 100,000-row statement of `bench:payments` (Zengin 入出金取引明細 against 20,000 open cases, made by
//     bench/reconcile.bench.ts --setup) imported by the CLI's import and uploaded through the web route, each
//     on its own fresh copy of the same database, alternately, ROUNDS times. The CLI figure is the import call
//     (importStatement, what `conken payments import` runs) in a fresh process, without Node's start-up; the
//     web figure is the upload request plus the job's own time (start to end, as the server reports it on the
//     done page, which is polled every 700 ms as the browser polls it), against a running `conken web`. Both
//     wall time and CPU time (all threads: the import's writer thread too) are compared: on a shared machine
//     the CPU time is the steadier of the two. Target: the web import costs at most 10 % more than the CLI's.
//  2. The reconciliation queue page with 2,000 payments waiting (1,000 near misses with candidate cases,
//     1,000 deposits of no case) against the same 20,000 cases: time to the last byte over loopback, one
//     request at a time after warm-up. Target: under 150 ms.
//   npm run bench:finance-web      (or: node bench/finance-web.ts [rounds] [requests])
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config/config.ts';
import { createApp, closeApp } from '../src/app/context.ts';
import { silentLogger } from '../src/shared/log.ts';
import { importStatement } from '../src/app/import-statement-file.ts';
import { UsersStore } from '../src/cases/users-store.ts';
import { hashPassword } from '../src/web/passwords.ts';
import { machineDescription } from './lib/machine.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const ROUNDS = Number(args[0] ?? 3);
const REQUESTS = Number(args[1] ?? 40);
const ROWS = 100_000;
const CASES = 20_000;

const envFor = (dir: string): Record<string, string> => ({
  CONKEN_DB_PATH: path.join(dir, 'bench.db'), CONKEN_STORE_DIR: path.join(dir, 'store'), CONKEN_OUTBOX_DIR: path.join(dir, 'outbox'), CONKEN_INBOX_DIR: path.join(dir, 'inbox'),
  CONKEN_INBOX_PROCESSED_DIR: path.join(dir, 'inbox', 'processed'), CONKEN_RULES_DIR: path.join(ROOT, 'rules'), CONKEN_TEMPLATES_DIR: path.join(ROOT, 'mail-templates'),
  CONKEN_LOG_LEVEL: 'warn', CONKEN_WEB_HOST: '127.0.0.1', CONKEN_WEB_PORT: '0',
});
const appIn = (dir: string) => createApp(loadConfig({ cwd: ROOT, env: envFor(dir) }), silentLogger());

// ——— the CLI import, measured in a fresh process (the child runs this file with --cli DIR) ———
if (process.argv[2] === '--cli') {
  const dir = process.argv[3]!;
  const app = appIn(dir);
  const bytes = readFileSync(path.join(dir, 'statement.dat'));
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  // As the upload runs it: the real date decides the era (the file's 2026 dates are plain Gregorian then).
  const r = await importStatement(app, bytes, 'statement.dat', 'cli');
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  closeApp(app);
  process.stdout.write(JSON.stringify({ ms, cpuMs: (cpu.user + cpu.system) / 1000, new: r.new, matched: r.matched.length }));
  process.exit(0);
}

function stats(ms: number[]): { median: number; p95: number; max: number; min: number } {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  return { median: at(0.5), p95: at(0.95), max: s[s.length - 1]!, min: s[0]! };
}

/** CPU time of a process so far, all its threads (the import's writer thread included), in ms. */
function processCpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

interface Web { base: string; cookie: string; token: string; child: ChildProcess }

async function startWeb(dir: string, extraEnv: Record<string, string> = {}): Promise<Web> {
  const child = spawn(process.execPath, [path.join(ROOT, 'src/cli/main.ts'), 'web'], { cwd: ROOT, env: { ...process.env, ...envFor(dir), ...extraEnv }, stdio: ['ignore', 'pipe', 'inherit'] });
  const base = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /workbench: (http:\/\/\S+?)\/?\s/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`conken web exited (${code})`)));
  });
  const loginPage = await fetch(`${base}/login`);
  let cookie = loginPage.headers.get('set-cookie')!.split(';')[0]!;
  const loginToken = /name="_csrf" value="([^"]+)"/.exec(await loginPage.text())![1]!;
  const login = await fetch(`${base}/login`, { method: 'POST', redirect: 'manual', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ login: 'keiri', password: 'bench-password-1', _csrf: loginToken }).toString() });
  cookie = login.headers.get('set-cookie')!.split(';')[0]!;
  const imports = await (await fetch(`${base}/finance/imports`, { headers: { cookie } })).text();
  const token = /"x-csrf-token":\s*"([^"]+)"/.exec(imports.replace(/&quot;/g, '"'))?.[1] ?? /name="_csrf" value="([^"]+)"/.exec(imports)![1]!;
  return { base, cookie, token, child };
}

async function stopWeb(web: Web): Promise<void> {
  web.child.kill('SIGTERM');
  await new Promise((r) => web.child.once('exit', r));
}

/**
 * Upload through the route, then poll the job as the page does (every 700 ms) until done. The time is the
 * upload request's (measured here) plus the job's own, from its start to its end (the server's figure on the
 * done page: polling does not round it up).
 */
async function webImport(web: Web, bytes: Buffer): Promise<{ ms: number; cpuMs: number; uploadMs: number; uploadCpuMs: number; importId: number; polls: number; pollCpuMs: number }> {
  // As the page sends it (finance.js): the file's bytes as the body.
  const cpu0 = processCpuMs(web.child.pid!);
  const t0 = performance.now();
  const res = await fetch(`${web.base}/finance/imports/file`, {
    method: 'POST', body: bytes,
    headers: { cookie: web.cookie, 'x-csrf-token': web.token, 'hx-request': 'true', 'content-type': 'application/octet-stream', 'x-file-name': 'statement.dat' },
  });
  const html = await res.text();
  const uploadMs = performance.now() - t0;
  const uploadCpuMs = processCpuMs(web.child.pid!) - cpu0;
  const job = /id="job-([0-9a-f]+)"/.exec(html)?.[1];
  if (!job) throw new Error(`upload refused (${res.status}): ${html.slice(0, 300)}`);
  const poll = async () => (await fetch(`${web.base}/finance/jobs/${job}`, { headers: { cookie: web.cookie, 'hx-request': 'true' } })).text();
  for (let polls = 1; ; polls++) {
    await new Promise((r) => setTimeout(r, 700));
    const page = await poll();
    if (page.includes('job-done')) {
      const jobMs = Number(/data-ms="(\d+)"/.exec(page)![1]);
      const cpuMs = processCpuMs(web.child.pid!) - cpu0;
      // What one poll costs the server (20 more, of the done page: an upper bound, it is the larger page), so
      // that the polls a loaded machine's longer import adds can be told apart from the import's own cost.
      const p0 = processCpuMs(web.child.pid!);
      for (let i = 0; i < 20; i++) await poll();
      const pollCpuMs = (processCpuMs(web.child.pid!) - p0) / 20;
      return { ms: uploadMs + jobMs, cpuMs, uploadMs, uploadCpuMs, importId: Number(/\/finance\/imports\/(\d+)/.exec(page)?.[1] ?? 0), polls, pollCpuMs };
    }
    if (page.includes('job-failed')) throw new Error(`web import failed: ${page.slice(0, 500)}`);
  }
}

const work = mkdtempSync(path.join(os.tmpdir(), 'conken-bench-finweb-'));
try {
  // ——— the data: 20,000 open cases and the 100,000-row statement, as bench:payments makes them ———
  const base = path.join(work, 'base');
  const t0 = performance.now();
  execFileSync(process.execPath, [path.join(ROOT, 'bench/reconcile.bench.ts'), '--setup', base, String(ROWS), String(CASES)], { stdio: ['ignore', 'ignore', 'inherit'] });
  {
    const app = appIn(base);
    new UsersStore(app.db).add('keiri', 'finance', await hashPassword('bench-password-1'));
    app.db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
    closeApp(app);
  }
  process.stderr.write(`data made in ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
  const statement = readFileSync(path.join(base, 'statement.dat'));

  // ——— 1. the CLI import and the web upload, alternately, each on a fresh copy ———
  const cli: number[] = [];
  const web: number[] = [];
  const cliCpu: number[] = [];
  const webCpu: number[] = [];
  const uploads: number[] = [];
  const uploadCpu: number[] = [];
  const pollsCpu: number[] = [];
  const pollCounts: number[] = [];
  let counts = '';
  for (let round = 0; round < ROUNDS; round++) {
    const c = path.join(work, `cli-${round}`);
    cpSync(base, c, { recursive: true });
    const out = JSON.parse(execFileSync(process.execPath, [import.meta.filename, '--cli', c], { encoding: 'utf8', maxBuffer: 1 << 24 })) as { ms: number; cpuMs: number; new: number; matched: number };
    cli.push(out.ms);
    cliCpu.push(out.cpuMs);
    rmSync(c, { recursive: true, force: true });

    const w = path.join(work, `web-${round}`);
    cpSync(base, w, { recursive: true });
    const server = await startWeb(w);
    try {
      const r = await webImport(server, statement);
      web.push(r.ms);
      webCpu.push(r.cpuMs);
      uploads.push(r.uploadMs);
      uploadCpu.push(r.uploadCpuMs);
      pollsCpu.push(r.polls * r.pollCpuMs);
      pollCounts.push(r.polls);
      const app = appIn(w);
      const imp = app.payments.importById(r.importId)!;
      counts = `CLI: ${out.new} new, ${out.matched} matched; web: ${imp.rows_new} new, ${imp.rows_matched} matched`;
      if (imp.rows_new !== out.new || imp.rows_matched !== out.matched) throw new Error(`the two imports differ: ${counts}`);
      closeApp(app);
    } finally {
      await stopWeb(server);
    }
    rmSync(w, { recursive: true, force: true });
    process.stderr.write(`round ${round + 1}: CLI ${cli.at(-1)!.toFixed(0)} ms (CPU ${cliCpu.at(-1)!.toFixed(0)}), web ${web.at(-1)!.toFixed(0)} ms (CPU ${webCpu.at(-1)!.toFixed(0)}, of which ${pollCounts.at(-1)} polls ≈ ${pollsCpu.at(-1)!.toFixed(0)}; upload ${uploads.at(-1)!.toFixed(0)} ms)\n`);
  }

  // ——— 2. the queue page with 2,000 payments waiting ———
  const q = path.join(work, 'queue');
  cpSync(base, q, { recursive: true });
  {
    const app = appIn(q);
    // Near misses (a typo in a case's transfer name: candidates, a finding) and deposits of no case, in January.
    const cases = app.db.prepare('SELECT payment_declared FROM cases ORDER BY id LIMIT 1000').all() as { payment_declared: string }[];
    const half = (s: string) => s.normalize('NFKC');
    const lines = ['date,amount,transfer_name'];
    cases.forEach((c, i) => lines.push(`2026-01-${String(1 + (i % 28)).padStart(2, '0')},11000,${half(c.payment_declared).slice(0, -1)}ﾝ`));
    for (let i = 0; i < 1000; i++) lines.push(`2026-01-${String(1 + (i % 28)).padStart(2, '0')},${2000 + i},ｶ)ﾍﾞﾂﾉﾄﾘﾋｷ${i}`);
    await importStatement(app, Buffer.from(`${lines.join('\n')}\n`), 'queue.csv', 'bench');
    closeApp(app);
  }
  const server = await startWeb(q);
  let queue: ReturnType<typeof stats> & { bytes: number; waiting: number; withCandidates: number; cpuMs: number };
  try {
    const url = `${server.base}/finance/queue`;
    const first = await (await fetch(url, { headers: { cookie: server.cookie } })).text();
    const waiting = Number(/<span class="count">(\d+)件/.exec(first)?.[1] ?? 0);
    for (let i = 0; i < 5; i++) await (await fetch(url, { headers: { cookie: server.cookie } })).text();
    const times: number[] = [];
    let bytes = 0;
    let withCandidates = 0;
    const cpu0 = processCpuMs(server.child.pid!);
    for (let i = 0; i < REQUESTS; i++) {
      const t = performance.now();
      const r = await fetch(url, { headers: { cookie: server.cookie } });
      const html = await r.text();
      times.push(performance.now() - t);
      bytes = html.length;
      withCandidates = (html.match(/data-link-top/g) ?? []).length;
      if (r.status !== 200 || !html.includes('data-payment=')) throw new Error(`queue: ${r.status}`);
    }
    queue = { ...stats(times), bytes, waiting, withCandidates, cpuMs: (processCpuMs(server.child.pid!) - cpu0) / REQUESTS };
  } finally {
    await stopWeb(server);
  }

  const cliS = stats(cli);
  const webS = stats(web);
  const ratio = webS.median / cliS.median;
  const cpuRatio = stats(webCpu).median / stats(cliCpu).median;
  const webCpuNoPolls = webCpu.map((c, i) => c - pollsCpu[i]!);
  const cpuRatioNoPolls = stats(webCpuNoPolls).median / stats(cliCpu).median;
  const date = new Date().toISOString().slice(0, 10);
  process.stdout.write(`\nfinance in the workbench, ${date}, ${machineDescription()}, Node ${process.version}, load average at the end ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);
  process.stdout.write(`${ROWS.toLocaleString('en')}-row Zengin statement against ${CASES.toLocaleString('en')} open cases, ${ROUNDS} rounds alternately, each on a fresh copy (${counts})\n`);
  process.stdout.write('| import | median ms | min ms | max ms | median CPU ms (all threads) |\n|---|---|---|---|---|\n');
  process.stdout.write(`| CLI (importStatement in a fresh process) | ${cliS.median.toFixed(0)} | ${cliS.min.toFixed(0)} | ${cliS.max.toFixed(0)} | ${stats(cliCpu).median.toFixed(0)} |\n`);
  process.stdout.write(`| web route (upload until the job is done) | ${webS.median.toFixed(0)} | ${webS.min.toFixed(0)} | ${webS.max.toFixed(0)} | ${stats(webCpu).median.toFixed(0)} |\n`);
  process.stdout.write(`| of which the upload request | ${stats(uploads).median.toFixed(0)} | ${stats(uploads).min.toFixed(0)} | ${stats(uploads).max.toFixed(0)} | ${stats(uploadCpu).median.toFixed(0)} |\n`);
  process.stdout.write(`| web route, CPU without the job page's polls (${stats(pollCounts).median} polls every 700 ms, ≈ ${(stats(pollsCpu).median / stats(pollCounts).median).toFixed(1)} ms each) | | | | ${stats(webCpuNoPolls).median.toFixed(0)} |\n`);
  process.stdout.write(`web / CLI without the polls (CPU, medians): ${cpuRatioNoPolls.toFixed(3)} (${((cpuRatioNoPolls - 1) * 100).toFixed(1)} %)\n`);
  process.stdout.write(`web / CLI (medians): wall ${ratio.toFixed(3)} (${((ratio - 1) * 100).toFixed(1)} %), CPU ${cpuRatio.toFixed(3)} (${((cpuRatio - 1) * 100).toFixed(1)} %); target ≤ +10 %: ${ratio <= 1.1 && cpuRatio <= 1.1 ? 'OK' : 'OVER'}\n`);
  process.stdout.write(`queue page, ${queue.waiting} payments waiting (${queue.withCandidates} of the page's rows with candidates), ${REQUESTS} requests after 5 warm-up: median ${queue.median.toFixed(1)} ms, p95 ${queue.p95.toFixed(1)} ms, max ${queue.max.toFixed(1)} ms, server CPU ${queue.cpuMs.toFixed(1)} ms per request, ${(queue.bytes / 1024).toFixed(0)} KB (target < 150 ms, judged on the median: the p95 is the shared machine) ${queue.median < 150 ? 'OK' : 'OVER'}\n`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
