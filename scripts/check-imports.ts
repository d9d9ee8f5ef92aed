// The import rule of src/ (DESIGN.md): the folders tell the story of the data, and no stage imports from a
// stage downstream of it; there is no import cycle between modules. Run as a script (exit 1 and the
// offending imports) or through test/unit/import-rule.test.ts, so the rule stays true.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Upstream first. A module may import from its own stage and from any stage listed before it. `shared`
 * and `config` are the ground everyone stands on; `kinds` bundles each form kind's facets from the stages; `app`
 * composes the stages; `cli` and `web` are the edges.
 */
export const STAGES = ['shared', 'config', 'intake', 'extract', 'validate', 'payments', 'cases', 'outbound', 'kinds', 'app', 'web', 'cli'] as const;

export interface ImportViolation {
  from: string;
  to: string;
  why: string;
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (name.endsWith('.ts')) out.push(path);
  }
  return out;
}

/**
 * Relative imports of a module, `import type` and dynamic imports included (a type is knowledge of the other
 * stage too); `spawns` are the modules it starts as worker threads (new URL('./x.ts', import.meta.url)): they
 * obey the stage rule, but a worker importing its parent's module is no cycle (they are separate instances).
 */
function importsOf(file: string): { imports: string[]; spawns: string[] } {
  const text = readFileSync(file, 'utf8');
  const imports: string[] = [];
  const spawns: string[] = [];
  for (const m of text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+'(\.[^']+)'/gms)) imports.push(resolve(dirname(file), m[1]!));
  for (const m of text.matchAll(/\bimport\(\s*'(\.[^']+)'\s*\)/g)) imports.push(resolve(dirname(file), m[1]!));
  for (const m of text.matchAll(/new URL\(\s*'(\.[^']+\.ts)'\s*,\s*import\.meta\.url\s*\)/g)) spawns.push(resolve(dirname(file), m[1]!));
  return { imports, spawns };
}

function stageOf(srcDir: string, file: string): string {
  return relative(srcDir, file).split(/[\\/]/)[0]!;
}

/** Every import that breaks the rule, and every cycle (as the import that closes it). */
export function checkImports(srcDir: string): ImportViolation[] {
  const files = sourceFiles(srcDir);
  const found = new Map(files.map((f) => [f, importsOf(f)]));
  const graph = new Map(files.map((f) => [f, found.get(f)!.imports.filter((t) => t.startsWith(srcDir))]));
  const references = new Map(files.map((f) => [f, [...graph.get(f)!, ...found.get(f)!.spawns.filter((t) => t.startsWith(srcDir))]]));
  const violations: ImportViolation[] = [];
  const rank = (stage: string) => (STAGES as readonly string[]).indexOf(stage);
  for (const [from, targets] of references) {
    const fromStage = stageOf(srcDir, from);
    if (rank(fromStage) < 0) violations.push({ from: relative(srcDir, from), to: '', why: `folder src/${fromStage} is not a known stage` });
    for (const to of targets) {
      const toStage = stageOf(srcDir, to);
      if (rank(toStage) > rank(fromStage)) violations.push({ from: relative(srcDir, from), to: relative(srcDir, to), why: `${fromStage} imports from ${toStage}, which is downstream of it` });
    }
  }
  // Cycles: depth-first search, colouring modules on the stack.
  const state = new Map<string, 1 | 2>();
  const stack: string[] = [];
  const visit = (f: string) => {
    state.set(f, 1);
    stack.push(f);
    for (const t of graph.get(f) ?? []) {
      if (!graph.has(t)) continue;
      if (state.get(t) === 1) {
        const cycle = stack.slice(stack.indexOf(t)).map((x) => relative(srcDir, x));
        violations.push({ from: relative(srcDir, f), to: relative(srcDir, t), why: `import cycle: ${[...cycle, relative(srcDir, t)].join(' → ')}` });
      } else if (!state.has(t)) visit(t);
    }
    stack.pop();
    state.set(f, 2);
  };
  for (const f of [...graph.keys()].sort()) if (!state.has(f)) visit(f);
  return violations;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const srcDir = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'src');
  const violations = checkImports(srcDir);
  for (const v of violations) console.log(`${v.from}${v.to ? ` → ${v.to}` : ''}: ${v.why}`);
  console.log(violations.length ? `${violations.length} violation(s) of the import rule` : 'import rule holds');
  process.exitCode = violations.length ? 1 : 0;
}
