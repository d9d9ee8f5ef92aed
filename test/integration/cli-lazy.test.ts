// The CLI loads a library only when a command needs it (issue 20, point 3): the real `conken` process, run
// through bin/conken.js as `npx conken` runs it, with a module hook (node --import) that writes every
// module URL the process loads (ES modules and require() alike, worker threads included) to a file. Not a timing
// test: bench/cli-cold-start.ts times the same commands.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
async function loaded(args: string[], env: Record<string, string> = {}): Promise<{ packages: Set<string>; files: string[]; builtins: string[]; code: number; stdout: string }> {
  const out = path.join(dir, `modules-${args.join('-').replace(/[^\w-]/g, '_').slice(0, 60)}.txt`);
  // The hook appends: a command run twice (status, with the check cache empty and then filled) starts afresh.
  rmSync(out, { force: true });
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
  const builtins = urls.filter((u) => u.startsWith('node:'));
  return { packages, files, builtins, code, stdout };
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
    // The workbench's password and session modules (node:crypto) load with the users commands only.
    expect(r.builtins).not.toContain('node:crypto');
    expect(r.files).not.toContain('src/web/passwords.ts');
  }, 60_000);

  it('status reads the database without OCR, PDF, mail or web libraries, and without building the app', async () => {
    const r = await loaded(['status'], env);
    expect(r.code).toBe(3); // the daemon is not running
    expect(r.stdout).toMatch(/^daemon: not running/m);
    for (const name of [...HEAVY, 'pino']) expect(r.packages, name).not.toContain(name);
    expect(r.files).not.toContain('src/app/context.ts');
    expect(r.files).toContain('src/cases/db.ts');
  }, 60_000);

  it('status checks the configuration without zod, and an unchanged certificate layout without YAML or zod (its check is remembered)', async () => {
    const checks = { ...env, CONKEN_CHECK_CACHE_DIR: mkdtempSync(path.join(dir, 'checks-')) };
    // The first status checks the layout for real (the YAML parser and zod load), and remembers the outcome…
    const first = await loaded(['status'], checks);
    expect(first.stdout).toMatch(/^certificate layout: ok/m);
    expect(first.packages).toContain('yaml');
    expect(first.packages).toContain('zod');
    // …so the next one, as monitoring runs it every minute, loads neither.
    const next = await loaded(['status'], checks);
    expect(next.stdout).toMatch(/^certificate layout: ok/m);
    for (const name of ['zod', 'yaml', 'mustache']) expect(next.packages, name).not.toContain(name);
    expect(next.builtins).not.toContain('node:crypto');
  }, 60_000);

  it('extract of a .docx reads the form without OCR, image, PDF or mail libraries', async () => {
    const r = await loaded(['extract', path.join(ROOT, 'samples', 'forms', 'certification-complete.docx')], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/certification form/);
    for (const name of HEAVY.filter((n) => n !== 'mammoth')) expect(r.packages, name).not.toContain(name);
    // The reading worker uses mammoth's document reader alone (no JSZip, HTML writer or style-map parser), and
    // the form kinds load without their rule schemas (zod) or the YAML parser.
    expect(r.packages).toContain('mammoth');
    for (const name of ['jszip', 'xmlbuilder', 'lop', 'zod', 'yaml']) expect(r.packages, name).not.toContain(name);
  }, 60_000);
});
