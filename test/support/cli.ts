// Runs the real `conken` CLI in a child process (on the node running the tests: the pinned Node 24).
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from './harness.ts';

const run = promisify(execFile);
export const MAIN = path.join(ROOT, 'src', 'cli', 'main.ts');

/** The command's output and exit code; a failing command resolves too, with its code. */
export async function conken(args: string[], env: Record<string, string>, cwd = ROOT): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const r = await run(process.execPath, [MAIN, ...args], { cwd, env: { ...process.env, ...env }, maxBuffer: 16 * 1024 * 1024 });
    return { ...r, code: 0 };
  } catch (error) {
    const e = error as { stdout: string; stderr: string; code: number };
    return { stdout: e.stdout, stderr: e.stderr, code: e.code };
  }
}
