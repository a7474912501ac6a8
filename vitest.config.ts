import { defineConfig } from 'vitest/config';

/**
 * Tests run on the TypeScript sources of all three packages: the `modelmaker-source` export
 * condition points `modelmaker` and `@modelmaker/local` at their `src/` instead of `dist/`. Vite's
 * `module` condition is left out: some dependencies (the AWS SDK) map it to files Node cannot load.
 */
const conditions = ['modelmaker-source', 'node', 'development|production'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    include: ['test/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
