/**
 * Under Deno, loading the embedded platform brings in no ES module through `require()`.
 *
 * Deno loads an ES module that CommonJS code `require()`s ("require(esm)") with a
 * blocking load on the runtime's only event-loop thread (`op_import_sync`:
 * `futures::executor::block_on` of the module load). That load sometimes waits for work
 * only that same thread would do, and the process then hangs for good, silently, before
 * the script's first line runs — the README's "In 20 lines" hung about 1 run in 15 that
 * way (`localPlatform.test.ts`). The path that did it: s3rver → koa →
 * is-generator-function ≥ 1.1.1 and get-intrinsic ≥ 1.3.1, whose `generator-function`,
 * `async-function` and `async-generator-function` dependencies export ES modules to
 * `require()` (the `module-sync` condition). The root `package.json` pins those two
 * (`overrides`); this test fails if any require(esm) comes back on the platform's load
 * path, every time, where the hang would show only now and then.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { ROOT, start } from '../examples/support.js';

const DENO = join(ROOT, 'node_modules/.bin/deno');
const PROBE = join(import.meta.dirname, 'requireEsmProbe.ts');
/** Loading takes ~1 s alone; this bounds a hung one (which is what this test guards against). */
const RUN_TIMEOUT_MS = 60_000;

it(
  'Deno loads the platform, the SDK and its storage without require(esm)',
  async () => {
    expect(existsSync(DENO), `${DENO} is missing: run npm install`).toBe(true);
    const result = await start(
      DENO,
      [
        'run',
        '-A',
        '--node-modules-dir=manual',
        '--no-lock',
        '--unstable-sloppy-imports',
        '--conditions=modelmaker-source',
        PROBE,
      ],
      { timeoutMs: RUN_TIMEOUT_MS, env: { DENO_NO_UPDATE_CHECK: '1' } },
    ).done;
    expect(result.code, result.transcript).toBe(0);
    const last = result.stdout.at(-1)?.text ?? '';
    expect(JSON.parse(last)).toEqual([]);
  },
  RUN_TIMEOUT_MS + 10_000,
);
