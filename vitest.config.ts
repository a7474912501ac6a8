import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

/**
 * Tests run on the TypeScript sources of all three packages: the `modelmaker-source` export
 * condition points `modelmaker` and `@modelmaker/local` at their `src/` instead of `dist/`. Vite's
 * `module` condition is left out: some dependencies (the AWS SDK) map it to files Node cannot load.
 */
const conditions = ['modelmaker-source', 'node', 'development|production'];

/**
 * Test files run at once: one more than the cores. Most files spend their time waiting on
 * real processes (platforms, training and serving children, CLI commands), so a file per
 * core leaves the cores idle; on 2 cores, 3 files at once took the platform tests from
 * 224 s to 125 s of wall time for the same CPU time, and 4 gained nothing more (BENCHMARKS.md,
 * test suite). Vitest's default is one less than the cores: a single file at a time here.
 */
const FILES_AT_ONCE = availableParallelism() + 1;

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    include: ['test/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // temporary files (the platforms' data, S3 stores, SQLite) on a memory file system
    globalSetup: ['test/support/memoryTmpdir.ts'],
    maxWorkers: FILES_AT_ONCE,
    // A worker process runs one test file after another with the modules it already loaded
    // (the SDK, the platform, the AWS SDK) instead of importing them again for every file:
    // that import was a quarter of the suite's time. Test files keep to themselves what they
    // change (servers and platforms closed, fake timers restored, in their hooks); stubbed
    // env variables and globals and spies are undone before every test whatever a file does.
    isolate: false,
    unstubEnvs: true,
    unstubGlobals: true,
    restoreMocks: true,
  },
});
