// Cold start of the CLI (issue 20, point 3): each run is a new process, spawned and timed to its exit (wall
// time, what a staff script or a monitoring probe waits for), beside `node -e 0` on the same Node as the
// floor no command can go below. Runs take turns (one of each command, then the next round), so a burst of
// load on a shared machine spreads over every command instead of landing on one.
//
//   npm run bench:cli-start                    (CLI_BENCH_RUNS=21 by default; CLI_BENCH_ROOT=<checkout>)
//
// The compile cache is warm as in daily use (bin/conken.js keeps it in node_modules/.cache/conken; one
// unrecorded run of each command fills it); one row shows `--help` with an empty cache each run, the cost of
// the first start after an install or an upgrade. `status` reads a database made for the run (the warm-up
// run also leaves the certificate layout's check remembered, as every run after the first finds it:
// src/config/check-cache.ts); `extract` reads a sample .docx. Exit codes are checked: a command that fails
// is not a fast command.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { machineDescription } from './lib/machine.ts';

// CLI_BENCH_ROOT: another checkout to time (e.g. an older commit, for a before/after in the same conditions).
const ROOT = process.env.CLI_BENCH_ROOT ? path.resolve(process.env.CLI_BENCH_ROOT) : path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const NODE = process.execPath;
const BIN = path.join(ROOT, 'bin', 'conken.js');
const DOCX = path.join(ROOT, 'samples', 'forms', 'certification-complete.docx');
const RUNS = Number(process.env.CLI_BENCH_RUNS) || 21;

interface Case {
  name: string;
  args: string[];
  /** Exit codes that mean the command did its job (status exits 3 when the daemon is not running). */
  ok: number[];
  targetMs?: number;
  env?: () => Record<string, string>;
}

const data = mkdtempSync(path.join(os.tmpdir(), 'conken-cli-bench-'));
const env: Record<string, string> = {
  CONKEN_DB_PATH: path.join(data, 'conken.db'),
  CONKEN_STORE_DIR: path.join(data, 'store'),
  CONKEN_OUTBOX_DIR: path.join(data, 'outbox'),
  CONKEN_INBOX_DIR: path.join(data, 'inbox'),
  CONKEN_INBOX_PROCESSED_DIR: path.join(data, 'inbox', 'processed'),
  CONKEN_LOG_LEVEL: 'warn',
};

const cases: Case[] = [
  { name: 'node -e 0', args: ['-e', '0'], ok: [0] },
  { name: 'conken --help', args: [BIN, '--help'], ok: [0], targetMs: 150 },
  { name: 'conken status', args: [BIN, 'status'], ok: [0, 3], targetMs: 150 },
  { name: 'conken extract <.docx>', args: [BIN, 'extract', DOCX], ok: [0], targetMs: 400 },
  { name: 'conken --help (empty compile cache)', args: [BIN, '--help'], ok: [0], env: () => ({ NODE_COMPILE_CACHE: mkdtempSync(path.join(data, 'cache-')) }) },
];

// The CPU time of the whole process (every thread: the reading worker too), written to fd 3 as it exits: on
// a shared machine wall time mostly measures the others' load, CPU time much less so.
const CPU_HOOK = path.join(data, 'cpu-at-exit.mjs');
writeFileSync(CPU_HOOK, "import { writeSync } from 'node:fs';\nprocess.on('exit', () => { const u = process.cpuUsage(); try { writeSync(3, String((u.user + u.system) / 1000)); } catch {} });\n");

function run(args: string[], extraEnv: Record<string, string> = {}): Promise<{ ms: number; cpuMs: number; code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(NODE, ['--import', CPU_HOOK, ...args], { cwd: ROOT, env: { ...process.env, ...env, ...extraEnv }, stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let cpu = '';
    child.stderr!.on('data', (b: Buffer) => { stderr += b.toString('utf8'); });
    (child.stdio[3] as NodeJS.ReadableStream).on('data', (b: Buffer) => { cpu += b.toString('utf8'); });
    child.on('error', reject);
    child.on('close', (code) => resolve({ ms: performance.now() - started, cpuMs: Number(cpu) || NaN, code, stderr }));
  });
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

try {
  // A database with the schema, as `conken status` meets it on a machine where the daemon has run.
  const made = await run([BIN, 'cases']);
  if (made.code !== 0) throw new Error(`making the database failed: ${made.stderr}`);
  for (const c of cases) {
    const r = await run(c.args, c.env?.());
    if (!c.ok.includes(r.code ?? -1)) throw new Error(`${c.name}: exit ${r.code}\n${r.stderr}`);
  }
  const loadBefore = os.loadavg()[0]!;
  const times = new Map<string, number[]>(cases.map((c) => [c.name, []]));
  const cpuTimes = new Map<string, number[]>(cases.map((c) => [c.name, []]));
  for (let i = 0; i < RUNS; i++) {
    for (const c of cases) {
      const r = await run(c.args, c.env?.());
      if (!c.ok.includes(r.code ?? -1)) throw new Error(`${c.name}: exit ${r.code}\n${r.stderr}`);
      times.get(c.name)!.push(r.ms);
      cpuTimes.get(c.name)!.push(r.cpuMs);
    }
  }
  const loadAfter = os.loadavg()[0]!;
  const date = new Date().toISOString().slice(0, 16).replace('T', ' ');
  process.stdout.write(`\nCLI cold start of ${ROOT}, ${date} UTC, ${machineDescription()}, Node ${process.version}; ${RUNS} runs each (spawn to exit, wall time), load average ${loadBefore.toFixed(1)} → ${loadAfter.toFixed(1)}\n\n`);
  const floor = quantile([...times.get(cases[0]!.name)!].sort((a, b) => a - b), 0.5);
  const rows = cases.map((c) => {
    const sorted = times.get(c.name)!.sort((a, b) => a - b);
    const median = quantile(sorted, 0.5);
    const p90 = quantile(sorted, 0.9);
    const cpu = quantile(cpuTimes.get(c.name)!.sort((a, b) => a - b), 0.5);
    const verdict = c.targetMs === undefined ? '' : median < c.targetMs ? 'PASS' : 'FAIL';
    return [c.name, `${Math.round(median)}`, `${Math.round(p90)}`, `${Math.round(sorted[0]!)}`, c === cases[0] ? '' : `${Math.round(median - floor)}`, `${Math.round(cpu)}`, c.targetMs === undefined ? '' : `< ${c.targetMs}`, verdict];
  });
  const head = ['command', 'median ms', 'p90 ms', 'min ms', 'median − node -e 0', 'CPU ms (median)', 'target (median)', ''];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  for (const r of [head, ...rows]) process.stdout.write(`${r.map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join('  ')}\n`);
  if (rows.some((r) => r[7] === 'FAIL')) process.exitCode = 1;
} finally {
  rmSync(data, { recursive: true, force: true });
}
