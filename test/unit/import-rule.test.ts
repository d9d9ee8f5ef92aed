// The import rule of src/ (scripts/check-imports.ts): no stage imports from a stage downstream of it, and no
// module imports itself round a cycle. Checked on the real tree, and shown to catch both on a made-up one.
import { describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { checkImports } from '../../scripts/check-imports.ts';
import { tempDir } from '../support/harness.ts';

const SRC = path.resolve(import.meta.dirname, '../../src');

describe('the import rule', () => {
  it('holds for src/', () => {
    expect(checkImports(SRC)).toEqual([]);
  });

  it('catches an upstream stage importing a downstream one, a cycle, and an unknown folder', () => {
    const src = path.join(tempDir(), 'src');
    const write = (file: string, text: string) => {
      mkdirSync(path.dirname(path.join(src, file)), { recursive: true });
      writeFileSync(path.join(src, file), text);
    };
    write('intake/a.ts', "import { b } from '../cases/b.ts';\nexport const a = b;\n");
    write('cases/b.ts', 'export const b = 1;\n');
    write('payments/c.ts', "import type { D } from './d.ts';\nexport type C = D;\n");
    write('payments/d.ts', "import type { C } from './c.ts';\nexport type D = C | 1;\n");
    write('misc/e.ts', 'export const e = 1;\n');
    // A worker thread started from a module may import that module back: separate instances, no cycle.
    write('extract/run.ts', "export const url = new URL('./worker.ts', import.meta.url);\n");
    write('extract/worker.ts', "import { url } from './run.ts';\nexport const w = url;\n");
    const found = checkImports(src).map((v) => v.why);
    expect(found).toEqual(expect.arrayContaining([
      'intake imports from cases, which is downstream of it',
      expect.stringMatching(/^import cycle: payments\/(c|d)\.ts → /),
      'folder src/misc is not a known stage',
    ]));
    expect(found).toHaveLength(3);
  });
});
