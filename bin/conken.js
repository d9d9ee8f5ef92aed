#!/usr/bin/env node
// Entry point for `npx conken` / the `conken` bin. The code is TypeScript run by Node's type stripping,
// which needs Node 24 (pinned as the `node` devDependency). When an older node runs this file, hand
// over to the pinned one instead of failing on the first type annotation.
//
// `conken start` runs the daemon under a supervisor (this process), because a poison mail can take the
// daemon's process down in ways no code inside it can catch: V8 out of memory, a native crash, or the
// daemon's own watchdog ending it (over the 1.5 GiB memory bound, or an event loop blocked past a mail's
// time bound: src/app/daemon-watchdog.ts). The supervisor
// - starts the daemon with a V8 heap limit (--max-old-space-size, two thirds of CONKEN_DAEMON_MEMORY_LIMIT_MB,
//   default 1024 MiB), so a heap that runs away ends in a quick out-of-memory abort, not after swapping
//   its way to 4.5 GB; Buffers and native memory are outside that limit, the watchdog's RSS bound covers them;
// - restarts it after any abnormal end (backoff 1 s doubling to 60 s). The restarted daemon counts the mail
//   it died on as a failed attempt (recorded before the mail was processed) and quarantines a mail after
//   CONKEN_DAEMON_MAX_ATTEMPTS of them: an out-of-memory ends in a restart, never in a loop;
// - relays SIGTERM/SIGINT once (unless the daemon got the signal itself, as from a terminal or systemd)
//   and ends with the daemon. CONKEN_SUPERVISED=1 (set for the child) runs the daemon directly.
//
// Start-up cost (bench/cli-cold-start.ts): every command but `start` runs in this process, so a light one
// (`--help`, `status`, `extract`) pays for one Node start, not two; an older node costs the one hop to the
// pinned Node it cannot avoid. Node's module compile cache is on (NODE_COMPILE_CACHE wins when set): it
// keeps V8's compiled code and the type-stripped TypeScript between runs, so a warm start parses and
// strips nothing again (the first strip of a run loads a WebAssembly compiler: most of an uncached
// start). The cache lives in node_modules/.cache/conken (the os.tmpdir() when that cannot be written);
// Node detects an outdated entry and rebuilds it.
import module from 'node:module';
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const main = path.join(root, 'src', 'cli', 'main.ts');
const major = Number(process.versions.node.split('.')[0]);
const pinned = path.join(root, 'node_modules', 'node', 'bin', 'node');
const args = process.argv.slice(2);

/** Turns the compile cache on here (once) and returns its folder, for the pinned Node this process starts. */
let cacheDir = null;
function compileCache() {
  if (cacheDir !== null) return cacheDir;
  if (process.env.NODE_COMPILE_CACHE) return (cacheDir = process.env.NODE_COMPILE_CACHE);
  const dirs = [path.join(root, 'node_modules', '.cache', 'conken'), path.join(os.tmpdir(), `conken-compile-cache-${process.getuid?.() ?? 'user'}`)];
  // Node 22.1+; an older node only hands over: the pinned Node gets the folder in NODE_COMPILE_CACHE.
  if (typeof module.enableCompileCache !== 'function') return (cacheDir = dirs[0]);
  cacheDir = '';
  for (const dir of dirs) {
    if (module.enableCompileCache(dir).status === module.constants.compileCacheStatus.FAILED) continue;
    // Worker threads (the isolated .docx/PDF reader) take the cache from the environment, not from this call.
    process.env.NODE_COMPILE_CACHE = dir;
    return (cacheDir = dir);
  }
  return cacheDir;
}

function log(level, msg, data = {}) {
  process.stderr.write(`${JSON.stringify({ level, time: Date.now(), pid: process.pid, component: 'supervisor', ...data, msg })}\n`);
}

function childEnv(extra = {}) {
  const cache = compileCache();
  return { ...process.env, ...(cache ? { NODE_COMPILE_CACHE: cache } : {}), ...extra };
}

async function supervise(node) {
  const { spawn } = await import('node:child_process');
  const limitMb = Number(process.env.CONKEN_DAEMON_MEMORY_LIMIT_MB) || 1536;
  const heapMb = Math.max(256, Math.floor((limitMb * 2) / 3));
  let child = null;
  let stopping = false;
  let childStopping = false;
  let delay = 1000;
  const start = () => {
    const startedAt = Date.now();
    childStopping = false;
    child = spawn(node, [`--max-old-space-size=${heapMb}`, main, ...args], { stdio: ['inherit', 'inherit', 'inherit', 'ipc'], env: childEnv({ CONKEN_SUPERVISED: '1' }) });
    child.on('message', (m) => { if (m && m.conken === 'stopping') childStopping = true; });
    child.on('exit', (code, signal) => {
      child = null;
      if (stopping || code === 0) process.exit(code ?? 1);
      if (Date.now() - startedAt > 60_000) delay = 1000;
      log(50, 'the daemon ended abnormally; restarting it', { code, signal, restartInMs: delay });
      setTimeout(() => { if (!stopping) start(); else process.exit(1); }, delay);
      delay = Math.min(60_000, delay * 2);
    });
  };
  const relay = (signal) => {
    const first = !stopping;
    stopping = true;
    if (!child) process.exit(first ? 0 : 1);
    // A terminal's Ctrl-C and systemd's stop reach the daemon too: relay only what it did not get itself.
    setTimeout(() => { if (child && (!first || !childStopping)) child.kill(signal); }, first ? 300 : 0);
  };
  process.on('SIGTERM', () => relay('SIGTERM'));
  process.on('SIGINT', () => relay('SIGINT'));
  start();
}

if (major < 24 && !existsSync(pinned)) {
  process.stderr.write(`conken needs Node.js 24 or later (this is ${process.version}); run \`npm install\` to get the pinned one.\n`);
  process.exit(1);
}
const node = major >= 24 ? process.execPath : pinned;
if (args[0] === 'start' && process.env.CONKEN_SUPERVISED !== '1') {
  await supervise(node);
} else if (major >= 24) {
  compileCache();
  // `conken extract` of a .docx or PDF: the isolated reading worker starts first, so that it boots and loads
  // its reader while this thread loads the command table and the form kinds (on two cores they overlap).
  // Its module (two small files) is loaded before the command table's, so the worker starts at once.
  if (args[0] === 'extract' && args.some((a) => /\.(docx|pdf)$/i.test(a))) {
    (await import(pathToFileURL(path.join(root, 'src', 'extract', 'isolated-read.ts')).href)).startReader();
  }
  await import(main);
} else {
  const { spawnSync } = await import('node:child_process');
  const result = spawnSync(pinned, [main, ...args], { stdio: 'inherit', env: childEnv() });
  process.exit(result.status ?? 1);
}
