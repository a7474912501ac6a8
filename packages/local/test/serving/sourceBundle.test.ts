import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { predictorServerCommand } from '../../src/serving/predictorCommand.js';
import { bundledEntry } from '../../src/serving/sourceBundle.js';

const run = promisify(execFile);
const SOURCE_BUNDLE = fileURLToPath(new URL('../../src/serving/sourceBundle.ts', import.meta.url));
const cleanup: string[] = [];
afterEach(async () => {
  for (const path of cleanup.splice(0)) await rm(path, { recursive: true, force: true });
});

/** A directory with `entry.ts` printing what `dep.ts` exports. */
async function sources(message: string): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), 'mm-bundle-'));
  cleanup.push(directory);
  await writeFile(join(directory, 'dep.ts'), `export const message: string = ${JSON.stringify(message)};\n`);
  await writeFile(
    join(directory, 'entry.ts'),
    "import { message } from './dep.js';\nconst shown: string = message;\nconsole.log(shown);\n",
  );
  return join(directory, 'entry.ts');
}

describe('bundledEntry', () => {
  it('bundles TypeScript sources into one .mjs named by its content, which plain node runs', async () => {
    const entry = await sources('from the sources');
    const file = await bundledEntry(entry);
    cleanup.push(file);
    expect(file).toMatch(/node_modules\/\.cache\/modelmaker\/entry-[0-9a-f]{24}\.mjs$/);
    const { stdout } = await run(process.execPath, [file]);
    expect(stdout).toBe('from the sources\n');
    // built once per process: the same file again
    expect(await bundledEntry(entry)).toBe(file);
  });

  it('other sources give another file: a bundle never runs code other than its own sources', async () => {
    const first = await bundledEntry(await sources('one'));
    const second = await bundledEntry(await sources('two'));
    cleanup.push(first, second);
    expect(second).not.toBe(first);
    expect((await run(process.execPath, [first])).stdout).toBe('one\n');
    expect((await run(process.execPath, [second])).stdout).toBe('two\n');
  });

  it('a later process reuses the bundle while its sources are unchanged, and builds anew once one changed', async () => {
    const entry = await sources('first');
    const directory = dirname(entry);
    // a separate process each time, as a test worker or a platform is: nothing shared but the cache
    const probe = join(directory, 'probe.ts');
    await writeFile(
      probe,
      `import { bundledEntry } from ${JSON.stringify(SOURCE_BUNDLE)};\nconsole.log(await bundledEntry(process.argv[2]!));\n`,
    );
    const probeBundle = await bundledEntry(probe);
    const bundleIn = async () => (await run(process.execPath, [probeBundle, entry])).stdout.trim();

    const first = await bundleIn();
    cleanup.push(first);
    expect((await run(process.execPath, [first])).stdout).toBe('first\n');
    expect(await bundleIn()).toBe(first);

    await writeFile(join(directory, 'dep.ts'), 'export const message: string = "second";\n');
    const second = await bundleIn();
    cleanup.push(second);
    expect(second).not.toBe(first);
    expect((await run(process.execPath, [second])).stdout).toBe('second\n');
  });

  it("gives each bundled module its own source's import.meta.url, dirname and filename", async () => {
    const entry = await sources('unused');
    const directory = dirname(entry);
    await writeFile(
      join(directory, 'dep.ts'),
      'export const where = [import.meta.url, import.meta.dirname, import.meta.filename];\n',
    );
    // a #! line and a directive stay first
    await writeFile(
      entry,
      "#!/usr/bin/env node\n'use strict';\nimport { where } from './dep.js';\nconsole.log(JSON.stringify([import.meta.url, where]));\n",
    );
    const file = await bundledEntry(entry);
    cleanup.push(file);
    const printed = JSON.parse((await run(process.execPath, [file])).stdout);
    expect(printed).toEqual([
      pathToFileURL(entry).href,
      [pathToFileURL(join(directory, 'dep.ts')).href, directory, join(directory, 'dep.ts')],
    ]);
  });

  it('leaves native addons outside the bundle, loaded from node_modules', async () => {
    const entry = await sources('unused');
    await writeFile(
      entry,
      "import Database from 'better-sqlite3';\nconsole.log(new Database(':memory:').prepare('select 6 * 7 as answer').get().answer);\n",
    );
    const file = await bundledEntry(entry);
    cleanup.push(file);
    expect(await readFile(file, 'utf8')).toMatch(/from "better-sqlite3"/);
    expect((await run(process.execPath, [file])).stdout).toBe('42\n');
  });

  it('names what failed when the sources do not build', async () => {
    const entry = await sources('x');
    await writeFile(entry, "import { missing } from './nowhere.js';\nconsole.log(missing);\n");
    await expect(bundledEntry(entry)).rejects.toThrow(/nowhere/);
  });
});

describe('predictorServerCommand (from sources)', () => {
  it('runs the predictor as a bundled .mjs on plain node, without a TypeScript loader', async () => {
    const { command, args } = await predictorServerCommand();
    expect(command).toBe(process.execPath);
    expect(args).toHaveLength(1);
    expect(args[0]).toMatch(/predictorServer-[0-9a-f]{24}\.mjs$/);
    expect((await stat(args[0]!)).isFile()).toBe(true);
  });
});
