// The CLI loads a library only when a command needs it (issue 20, point 3): the real `conken` process, run
// through bin/conken.js as `npx conken` runs it, with a module hook (node --import) that writes every
// module URL the process loads (ES modules and require() alike, worker threads included) to a file. Not a timing
// test: bench/cli-cold-start.ts times the same commands.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { dataEnv, ROOT } from '../support/harness.ts';

const run = promisify(execFile);
const BIN = path.join(ROOT, 'bin', 'conken.js');
const dir = mkdtempSync(path.join(os.tmpdir(), 'conken-cli-lazy-'));
const HOOK = path.join(dir, 'record-modules.mjs');
// registerHooks (Node 24) sees each module as it loads, whether imported or required; each URL is written at
// once, so a worker thread (the isolated .docx reader), which is ended rather than exiting, is counted too.
writeFileSync(HOOK, `
import { registerHooks } from 'node:module';
import { appendFileSync } from 'node:fs';
registerHooks({ load(url, context, next) { appendFileSync(process.env.CONKEN_TEST_MODULES_OUT, url + '\\n'); return next(url, context); } });
`);

/** The packages (node_modules/<name>) and project files (src/...) a command loaded, with its exit code. */
async function loaded(args: string[], env: Record<string, string> = {}): Promise<{ packages: Set<string>; files: string[]; code: number; stdout: string }> {
  const out = path.join(dir, `modules-${args.join('-').replace(/[^\w-]/g, '_').slice(0, 60)}.txt`);
  let code = 0;
  let stdout = '';
  try {
    stdout = (await run(process.execPath, ['--import', HOOK, BIN, ...args], { cwd: ROOT, env: { ...process.env, ...env, CONKEN_TEST_MODULES_OUT: out } })).stdout;
  } catch (error) {
    const e = error as { code: number; stdout: string };
    code = e.code;
    stdout = e.stdout;
  }
  const urls = readFileSync(out, 'utf8').split('\n').filter(Boolean);
  const packages = new Set(urls.flatMap((u) => {
    const m = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(u);
    return m ? [m[1]!] : [];
  }));
  const files = urls.filter((u) => u.startsWith(`file://${ROOT}/src/`)).map((u) => u.slice(`file://${ROOT}/`.length));
  return { packages, files, code, stdout };
}

/** What no light command may load: OCR, images, PDF, Word, mail parsing and sending, IMAP, the web server. */
const HEAVY = ['tesseract.js', 'sharp', 'pdf-parse', 'pdfjs-dist', 'pdf-lib', 'mammoth', 'mailparser', 'nodemailer', 'imapflow', 'fastify', 'subset-font', '@pdf-lib/fontkit'];

describe('conken starts without the libraries its command does not need', () => {
  const env = dataEnv(dir);

  it('the hook sees what a command loads (a heavy command loads the heavy libraries)', async () => {
    // The check below would pass for a hook that recorded nothing: this command reads mail, so it must show them.
    const r = await loaded(['process', '--dry-run', '--json', path.join(ROOT, 'samples', 'mails', '01-complete-omp.eml')], env);
    expect(r.code).toBe(0);
    expect(r.packages).toContain('mailparser');
    expect(r.packages).toContain('commander');
  }, 120_000);

  it('--help loads commander and no heavy library, nor the configuration, logger or app', async () => {
    const r = await loaded(['--help'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: conken');
    expect(r.packages).toContain('commander');
    for (const name of [...HEAVY, 'zod', 'yaml', 'pino', 'csv-parse', 'encoding-japanese']) expect(r.packages, name).not.toContain(name);
    expect(r.files).not.toContain('src/app/context.ts');
  }, 60_000);

  it('status reads the database without OCR, PDF, mail or web libraries, and without building the app', async () => {
    const r = await loaded(['status'], env);
    expect(r.code).toBe(3); // the daemon is not running
    expect(r.stdout).toMatch(/^daemon: not running/m);
    for (const name of [...HEAVY, 'pino']) expect(r.packages, name).not.toContain(name);
    expect(r.files).not.toContain('src/app/context.ts');
    expect(r.files).toContain('src/cases/db.ts');
  }, 60_000);

  it('extract of a .docx reads the form without OCR, image, PDF or mail libraries', async () => {
    const r = await loaded(['extract', path.join(ROOT, 'samples', 'forms', 'certification-complete.docx')], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/certification form/);
    for (const name of HEAVY.filter((n) => n !== 'mammoth')) expect(r.packages, name).not.toContain(name);
  }, 60_000);
});
