// Runs the real `conken` CLI in a child process (on the node running the tests: the pinned Node 24).
import { execFile, spawn } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from './harness.ts';

const run = promisify(execFile);
export const MAIN = path.join(ROOT, 'src', 'cli', 'main.ts');
// Node's compile cache, as bin/conken.js uses it: without it every run strips every TypeScript file again
// (hundreds of ms of CPU per run, which a loaded machine turns into test timeouts).
const CACHE = { NODE_COMPILE_CACHE: path.join(ROOT, 'node_modules', '.cache', 'conken') }; // (one set in the environment wins)

/** The command's output and exit code; a failing command resolves too, with its code. */
export async function conken(args: string[], env: Record<string, string>, cwd = ROOT): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const r = await run(process.execPath, [MAIN, ...args], { cwd, env: { ...CACHE, ...process.env, ...env }, maxBuffer: 16 * 1024 * 1024 });
    return { ...r, code: 0 };
  } catch (error) {
    const e = error as { stdout: string; stderr: string; code: number };
    return { stdout: e.stdout, stderr: e.stderr, code: e.code };
  }
}

export interface BoundedRun { stdout: string; stderr: string; code: number | null; signal: NodeJS.Signals | null; timedOut: boolean; ms: number }

/**
 * The command run with a hard time bound: past timeoutMs the child is killed (SIGKILL: a blocked event loop
 * cannot answer SIGTERM) and what it printed until then is returned, so a caller can tell where it stopped.
 */
export function conkenBounded(args: string[], env: Record<string, string>, timeoutMs: number, cwd = ROOT): Promise<BoundedRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [MAIN, ...args], { cwd, env: { ...CACHE, ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    let timedOut = false;
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, timeoutMs);
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), code, signal, timedOut, ms: Math.round(performance.now() - started) });
    });
  });
}
