// Outcomes of checking a file that staff edit (the certificate layout), remembered by the file's content so
// that the commands run every minute (`conken status`) do not load a YAML parser and a schema library
// to check again a file that did not change. An outcome is kept with everything it depends on (the file's
// text and the source of the code that checks it) and used only when both are the same again, so a changed
// file or an upgraded checker is checked again; nothing is trusted by date. The entry's name is a short
// hash of the two (FNV-1a: node:crypto alone would cost `conken status` more than the check it saves). A
// folder that cannot be written only means no caching.
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

/** A 64-bit name for the inputs: two FNV-1a-style 32-bit lanes (an entry is used only if its inputs are equal). */
function fnv(parts: readonly string[]): string {
  let a = 0x811c9dc5;
  let b = 0xcbf29ce4;
  for (const part of parts) {
    for (let i = 0; i < part.length; i++) {
      const c = part.charCodeAt(i);
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x01000193) ^ (b >>> 13);
    }
    a = Math.imul(a ^ 0xff, 0x01000193);
  }
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}

interface Entry<T> { inputs: string[]; outcome: T }

/** The outcome remembered for exactly these inputs (strings), or undefined. */
export function cachedCheck<T>(name: string, inputs: readonly string[]): T | undefined {
  for (const dir of folders()) {
    try {
      const entry = JSON.parse(readFileSync(path.join(dir, `${name}-${fnv(inputs)}.json`), 'utf8')) as Entry<T>;
      if (entry.inputs.length === inputs.length && entry.inputs.every((v, i) => v === inputs[i])) return entry.outcome;
    } catch {
      // not there (or not readable): the next folder, then a real check
    }
  }
  return undefined;
}

/** Remembers an outcome (JSON) for these inputs; written whole or not at all, in the first folder that takes it. */
export function rememberCheck(name: string, inputs: readonly string[], outcome: unknown): void {
  const entry: Entry<unknown> = { inputs: [...inputs], outcome };
  for (const dir of folders()) {
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      const file = path.join(dir, `${name}-${fnv(inputs)}.json`);
      const partial = `${file}.${process.pid}.tmp`;
      writeFileSync(partial, JSON.stringify(entry), { mode: 0o600 });
      renameSync(partial, file);
      return;
    } catch {
      // read-only install: try the next folder
    }
  }
}
