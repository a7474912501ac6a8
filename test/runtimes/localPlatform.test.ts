/**
 * The embedded local platform under Deno and Bun: the README's "In 20 lines" block —
 * `openSession()` with nothing configured, upload, train with live logs, register,
 * deploy, predict, `close()` — run verbatim by each runtime on the sources (the
 * `modelmaker-source` export condition), in a clean environment with an empty HOME and
 * a private TMPDIR. The store's SQLite is the runtime's own there (`bun:sqlite`,
 * `node:sqlite`; see `packages/local/src/store/sqlite.ts`).
 *
 * Each run must print the prediction, leave no process and no temporary directory
 * behind, and write nothing to stderr. A missing runtime fails (the `deno` and `bun`
 * devDependencies install them).
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, start } from '../examples/support.js';
import { readmeBlock } from '../readme/readmeBlocks.js';

const BIN = join(ROOT, 'node_modules/.bin');
/** A run takes ~6 s alone (platform start, a 5-epoch training, a deploy); this bounds a hung one. */
const RUN_TIMEOUT_MS = 90_000;

/** How each runtime runs a TypeScript file of the repository on the sources. */
const RUNTIMES = {
  // -A: the platform reads and writes its data dir, listens, starts processes; sloppy
  // imports: the sources import `./x.js` for `x.ts`, as TypeScript's node resolution does
  deno: [
    'run',
    '-A',
    '--node-modules-dir=manual',
    '--no-lock',
    '--unstable-sloppy-imports',
    '--conditions=modelmaker-source',
  ],
  bun: ['run', '--no-install', '--conditions=modelmaker-source'],
} as const;

let dir: string;
let script: string;

beforeAll(async () => {
  await mkdir(join(ROOT, '.tmp'), { recursive: true });
  dir = await mkdtemp(join(ROOT, '.tmp', 'runtimes-local-'));
  // in the repository, where the README's relative paths (examples/…) hold
  script = join(dir, 'first.ts');
  await writeFile(script, readmeBlock('in-20-lines').code);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe.each(Object.keys(RUNTIMES) as Array<keyof typeof RUNTIMES>)('%s', (runtime) => {
  it(
    'runs the README\'s "In 20 lines" verbatim on an embedded platform, leaving nothing behind',
    async () => {
      const executable = join(BIN, runtime);
      expect(existsSync(executable), `${executable} is missing: run npm install`).toBe(true);
      const temporary = await mkdtemp(join(tmpdir(), `mm-${runtime}-tmp-`));
      try {
        const result = await start(executable, [...RUNTIMES[runtime], script], {
          timeoutMs: RUN_TIMEOUT_MS,
          // no update check: Deno would otherwise reach for the network from a clean HOME (as runtimes.test.ts)
          env: { TMPDIR: temporary, DENO_NO_UPDATE_CHECK: '1' },
        }).done;
        const out = result.stdout.map((line) => line.text);
        expect(result.code, result.transcript).toBe(0);
        expect(
          out.some((line) => /^epoch=\d+ accuracy=[0-9.]+$/.test(line)),
          result.transcript,
        ).toBe(true);
        // each runtime prints the object its own way: { predictions: [ "setosa" ] }
        expect(out.join(' ').replace(/\s+/g, ' '), result.transcript).toMatch(
          /\{ predictions: \[ "setosa" \],? \}$/,
        );
        expect(result.stderr.map((line) => line.text).filter((text) => text.trim() !== '')).toEqual([]);
        expect(result.leftovers).toEqual([]);
        // the embedded platform's temporary data dir is gone
        expect(await readdir(temporary)).toEqual([]);
      } finally {
        await rm(temporary, { recursive: true, force: true });
      }
    },
    RUN_TIMEOUT_MS + 10_000,
  );
});
