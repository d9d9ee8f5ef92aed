// A library loaded at the moment it is needed, synchronously, and as `import` would load it: the same module
// instance the rest of the code imports (zod ships an ES module and a CommonJS copy; require() alone would
// give the copy, a second zod beside the first). For the libraries a light command must not pay for at
// start (zod, the YAML parser): `conken status` and `conken extract` (BENCHMARKS.md "CLI cold start").
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);

export function loadNow<T>(specifier: string): T {
  return require(fileURLToPath(import.meta.resolve(specifier))) as T;
}
