// Everything that holds applicants' personal data is owner-only whatever the umask (finding of issue 19:
// conken.db and the outbox .eml files were 0644). Run in a child process with the common permissive umask
// 022, on the real app: its database (with the -wal and -shm files SQLite adds), the content store, the
// folder transport's outbox, and a statement import's writer thread opening the same database.
import { afterEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { dataEnv, ROOT, tempDir } from '../support/harness.ts';

const mode = (file: string) => (statSync(file).mode & 0o777).toString(8);
let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Runs the script (ES module, `ROOT` and `DATA` defined) in a fresh Node process with umask 022. */
function withUmask022(script: string, data: string): string {
  const prelude = `process.umask(0o022);\nconst ROOT = ${JSON.stringify(ROOT)};\nconst DATA = ${JSON.stringify(data)};\n`;
  // A file, not --eval: the statement import's worker thread would inherit --input-type.
  const file = path.join(tempDir('conken-umask-'), 'script.mjs');
  writeFileSync(file, prelude + script);
  try {
    return execFileSync(process.execPath, [file], { encoding: 'utf8', cwd: ROOT });
  } finally {
    rmSync(path.dirname(file), { recursive: true, force: true });
  }
}

describe('file modes under umask 022', () => {
  it('the umask really is permissive in the child: a plain file would be 0644', () => {
    dir = tempDir();
    const out = withUmask022(`import { writeFileSync, statSync } from 'node:fs'; writeFileSync(DATA + '/plain', 'x'); console.log((statSync(DATA + '/plain').mode & 0o777).toString(8));`, dir);
    expect(out.trim()).toBe('644');
  });

  it('data/, conken.db and its -wal/-shm, the store and the outbox are 0700 folders and 0600 files', () => {
    dir = tempDir();
    const data = path.join(dir, 'data');
    const env = { ...dataEnv(data), CONKEN_DB_PATH: path.join(data, 'conken.db') };
    const script = `
import { statSync, readdirSync } from 'node:fs';
import path from 'node:path';
const env = ${JSON.stringify(env)};
const { loadConfig } = await import(ROOT + '/src/config/config.ts');
const { createApp, closeApp } = await import(ROOT + '/src/app/context.ts');
const { silentLogger } = await import(ROOT + '/src/shared/log.ts');
const { FolderTransport } = await import(ROOT + '/src/outbound/transports/folder-transport.ts');
const { importStatement } = await import(ROOT + '/src/app/import-statement-file.ts');
const { FolderSource } = await import(ROOT + '/src/intake/sources/folder-source.ts');
const { readFileSync } = await import('node:fs');
const config = loadConfig({ cwd: ROOT, env });
const app = createApp(config, silentLogger());
const stored = app.files.put(Buffer.from('From: a@example.jp\\r\\n\\r\\nbody'), '.eml');
// The folder source's inbox and its processed folder hold applicants' mails too.
new FolderSource(config.inbox.dir, config.inbox.processedDir);
await new FolderTransport(config.outbox.dir).send({ messageId: 'R-2026-000001.test.1@example.jp' }, Buffer.from('Subject: x\\r\\n\\r\\nbody'));
// A statement import: its writer thread opens the database on its own connection and writes to the WAL.
await importStatement(app, readFileSync(ROOT + '/samples/statements/payments.csv'), 'payments.csv', 'test');
const modes = {};
const walk = (p) => {
  modes[path.relative(DATA, p) || '.'] = (statSync(p).mode & 0o777).toString(8);
  if (statSync(p).isDirectory()) for (const f of readdirSync(p)) walk(path.join(p, f));
};
walk(DATA);
closeApp(app);
console.log(JSON.stringify({ modes, stored: stored.path }));`;
    const { modes, stored } = JSON.parse(withUmask022(script, data)) as { modes: Record<string, string>; stored: string };
    expect(modes['.']).toBe('700'); // data/ itself, made by the app
    expect(modes['conken.db']).toBe('600');
    expect(modes['conken.db-wal']).toBe('600');
    expect(modes['conken.db-shm']).toBe('600');
    expect(modes.store).toBe('700');
    expect(modes[path.join('store', path.dirname(stored))]).toBe('700');
    expect(modes[path.join('store', stored)]).toBe('600');
    expect(modes.outbox).toBe('700');
    expect(modes[path.join('outbox', 'R-2026-000001.test.1.eml')]).toBe('600');
    expect(modes.inbox).toBe('700');
    expect(modes[path.join('inbox', 'processed')]).toBe('700');
    // Nothing under data/ that the app made is readable by others.
    for (const [file, m] of Object.entries(modes)) expect(Number.parseInt(m, 8) & 0o077, file).toBe(0);
  });

  it('a database file left 0644 by an earlier version is narrowed to 0600 when opened; an .eml rewritten stays 0600', () => {
    dir = tempDir();
    const db = path.join(dir, 'conken.db');
    writeFileSync(db, '', { mode: 0o644 });
    const out = withUmask022(`
import { statSync, writeFileSync } from 'node:fs';
const { openDatabase } = await import(ROOT + '/src/cases/db.ts');
const { FolderTransport } = await import(ROOT + '/src/outbound/transports/folder-transport.ts');
const before = (statSync(DATA + '/conken.db').mode & 0o777).toString(8);
const db = openDatabase(DATA + '/conken.db');
db.exec('CREATE TABLE t (x)');
const after = (statSync(DATA + '/conken.db').mode & 0o777).toString(8);
const wal = (statSync(DATA + '/conken.db-wal').mode & 0o777).toString(8);
db.close();
// A retry rewrites the same .eml (and its .tmp may be left 0644 by a crash of an earlier version).
const t = new FolderTransport(DATA + '/outbox');
writeFileSync(DATA + '/outbox/m1.eml.tmp', 'old', { mode: 0o644 });
await t.send({ messageId: 'm1@example.jp' }, Buffer.from('x'));
console.log(JSON.stringify({ before, after, wal, eml: (statSync(DATA + '/outbox/m1.eml').mode & 0o777).toString(8) }));`, dir);
    expect(JSON.parse(out)).toEqual({ before: '644', after: '600', wal: '600', eml: '600' });
    expect(mode(db)).toBe('600');
  });
});
