// The real workbench (`conken web`) as a child process on a free loopback port, on a real data folder, with
// its logs captured; users made with the real `conken users add` (password on standard input).
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { ROOT, dataEnv } from '../../support/harness.ts';

const MAIN = path.join(ROOT, 'src', 'cli', 'main.ts');
const running = new Set<ChildProcess>();
process.on('exit', () => { for (const c of running) c.kill('SIGKILL'); });

export interface WebProcess {
  url: string;
  /** Everything the server wrote (stdout and stderr: its JSON logs). */
  logs(): string;
  stop(): Promise<void>;
}

export function envFor(dir: string, extra: Record<string, string> = {}): Record<string, string> {
  return { ...dataEnv(dir), CONKEN_WEB_HOST: '127.0.0.1', CONKEN_WEB_PORT: '0', CONKEN_LOG_LEVEL: 'info', ...extra };
}

export function startWeb(dir: string, extra: Record<string, string> = {}): Promise<WebProcess> {
  const child = spawn(process.execPath, [MAIN, 'web'], { cwd: ROOT, env: { ...process.env, ...envFor(dir, extra) }, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let logs = '';
  child.stdout!.on('data', (b: Buffer) => { logs += b.toString(); });
  child.stderr!.on('data', (b: Buffer) => { logs += b.toString(); });
  const exited = new Promise<void>((resolve) => child.once('exit', () => { running.delete(child); resolve(); }));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`conken web did not start: ${logs}`)), 30_000);
    const check = () => {
      const m = /listening on (http:\/\/[^\s)]+)/.exec(logs) ?? /workbench: (http:\/\/\S+)/.exec(logs);
      if (!m) return;
      clearTimeout(timer);
      child.stdout!.off('data', check);
      resolve({
        url: m[1]!.replace(/\/$/, ''),
        logs: () => logs,
        stop: async () => {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          await exited;
        },
      });
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`conken web exited (${code}): ${logs}`)); });
  });
}

/** `conken users <args>` with the password (if any) on standard input. */
export function usersCommand(dir: string, args: string[], stdin = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [MAIN, 'users', ...args], { cwd: ROOT, env: { ...process.env, ...envFor(dir) }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => { stdout += b.toString(); });
  child.stderr.on('data', (b: Buffer) => { stderr += b.toString(); });
  child.stdin.end(stdin);
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}

/** A read-write connection to the workbench's database, as an attacker with file access would have. */
export function openDb(dir: string): DatabaseSync {
  const db = new DatabaseSync(path.join(dir, 'conken.db'));
  db.exec('PRAGMA busy_timeout = 5000');
  return db;
}
