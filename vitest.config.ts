import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The built-in form kinds, registered as the app's entry points register them (src/kinds/index.ts).
    setupFiles: ['test/support/form-kinds.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Integration tests share nothing but the machine: each makes its own temp data folder.
    pool: 'forks',
  },
});
