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

const INCLUDE = ['test/**/*.test.ts', 'packages/*/test/**/*.test.ts'];

/**
 * Files that measure their own process's memory (heap or RSS growth): each runs in a
 * fresh process, where what it measures is its own.
 */
const OWN_PROCESS = [
  'test/streams/logs.volume.test.ts',
  'test/feeds/asyncIterable.test.ts',
  'test/client/hostile/api.test.ts',
];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    maxWorkers: FILES_AT_ONCE,
    // temporary files (the platforms' data, S3 stores, SQLite) on a memory file system
    globalSetup: ['test/support/memoryTmpdir.ts'],
    // Stubbed env variables and globals, and spies, are undone before every test.
    unstubEnvs: true,
    unstubGlobals: true,
    restoreMocks: true,
    projects: [
      {
        extends: true,
        test: {
          name: 'shared',
          include: INCLUDE,
          exclude: OWN_PROCESS,
          // A worker process runs one test file after another with the modules it already
          // loaded (the SDK, the platform, the AWS SDK) instead of importing them again for
          // every file: that import was a quarter of the suite's time. Test files keep to
          // themselves what they change: servers and platforms closed, fake timers restored.
          isolate: false,
        },
      },
      { extends: true, test: { name: 'own-process', include: OWN_PROCESS, isolate: true } },
    ],
  },
});
