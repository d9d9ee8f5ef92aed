// The real daemon (`conken start`) as a child process, pointed at temp data, a Dovecot and an SMTP sink.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { ROOT } from './harness.ts';

export const MAIN = path.join(ROOT, 'src', 'cli', 'main.ts');
/** The `conken` bin: `start` there runs the daemon under its supervisor (restarts, heap limit). */
export const BIN = path.join(ROOT, 'bin', 'conken.js');

export interface DaemonProcess {
  child: ChildProcess;
  /** What it wrote on stderr (its JSON logs). */
  logs(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const started = new Set<ChildProcess>();
// If the test or benchmark process dies first, its daemons die with it.
process.on('exit', () => { for (const child of started) child.kill('SIGKILL'); });

/** Kills every daemon a test started and left running (a failed assertion must not leave one behind). */
export async function killAllDaemons(): Promise<void> {
  await Promise.all([...started].map((child) => new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  })));
  started.clear();
}

/** The daemon (`conken start` of src/cli/main.ts); with supervised, through bin/conken.js and its supervisor. */
export function startDaemonProcess(env: Record<string, string>, options: { supervised?: boolean } = {}): DaemonProcess {
  const child = spawn(process.execPath, [options.supervised ? BIN : MAIN, 'start'], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  started.add(child);
  child.once('exit', () => started.delete(child));
  let logs = '';
  child.stderr!.on('data', (b: Buffer) => { logs += b.toString(); });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return {
    child,
    logs: () => logs,
    exited,
    stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

export async function waitFor<T>(check: () => T | Promise<T>, what: string, ms = 20_000, every = 100): Promise<NonNullable<T>> {
  const t0 = Date.now();
  for (;;) {
    const v = await check();
    if (v) return v as NonNullable<T>;
    if (Date.now() - t0 > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, every));
  }
}
