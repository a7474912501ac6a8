import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { predictorServerCommand } from '../../src/serving/predictorCommand.js';
import { bundledEntry } from '../../src/serving/sourceBundle.js';

const run = promisify(execFile);
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
