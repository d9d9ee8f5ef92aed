#!/usr/bin/env node
// Entry point for `npx conken` / the `conken` bin. The code is TypeScript run by Node's type stripping,
// which needs Node 24 (pinned as the `node` devDependency). When an older node runs this file, hand
// over to the pinned one instead of failing on the first type annotation.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const main = path.join(root, 'src', 'cli', 'main.ts');
const major = Number(process.versions.node.split('.')[0]);

if (major >= 24) {
  await import(main);
} else {
  const pinned = path.join(root, 'node_modules', 'node', 'bin', 'node');
  if (!existsSync(pinned)) {
    process.stderr.write(`conken needs Node.js 24 or later (this is ${process.version}); run \`npm install\` to get the pinned one.\n`);
    process.exit(1);
  }
  const result = spawnSync(pinned, [main, ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(result.status ?? 1);
}
