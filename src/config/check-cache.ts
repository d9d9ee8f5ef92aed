// Outcomes of checking a file that staff edit (the certificate layout), remembered by the file's content so
// that the commands run every minute (`conken status`) do not load a YAML parser and a schema library
// to check again a file that did not change. The key is a hash of everything the outcome depends on (the
// file's bytes and the source of the code that checks it), so a changed file or an upgraded checker is
// checked again; nothing is trusted by date. A folder that cannot be written only means no caching.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** node_modules/.cache/conken beside the compile cache (bin/conken.js); the temp folder when unwritable. */
function folders(): string[] {
  return [
    process.env.CONKEN_CHECK_CACHE_DIR ?? path.join(ROOT, 'node_modules', '.cache', 'conken', 'checks'),
    path.join(os.tmpdir(), `conken-checks-${process.getuid?.() ?? 'user'}`),
  ];
}

/** The key of a check: a hash of its inputs (strings or bytes), in order. */
export function checkKey(...parts: (string | Uint8Array)[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part).update('\0');
  return hash.digest('hex').slice(0, 40);
}

/** The outcome remembered under `key`, or undefined. */
export function cachedCheck<T>(name: string, key: string): T | undefined {
  for (const dir of folders()) {
    try {
      return JSON.parse(readFileSync(path.join(dir, `${name}-${key}.json`), 'utf8')) as T;
    } catch {
      // not there (or not readable): the next folder, then a real check
    }
  }
  return undefined;
}

/** Remembers an outcome (JSON); written whole or not at all, in the first folder that takes it. */
export function rememberCheck(name: string, key: string, outcome: unknown): void {
  for (const dir of folders()) {
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      const file = path.join(dir, `${name}-${key}.json`);
      const partial = `${file}.${process.pid}.tmp`;
      writeFileSync(partial, JSON.stringify(outcome), { mode: 0o600 });
      renameSync(partial, file);
      return;
    } catch {
      // read-only install: try the next folder
    }
  }
}
