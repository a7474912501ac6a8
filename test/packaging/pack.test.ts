/**
 * Packing the workspace packages: in the repository they depend on the SDK with
 * `"modelmaker": "file:../.."`; their tarballs name its version instead (prepack, see
 * scripts/pack-dependencies.mjs), so the packed set installs together — and the
 * repository's manifests are exactly as before afterwards. (`.ci/packed` installs the
 * set into an empty project and runs it; that takes minutes, so it is not here.)
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../examples/support.js';

const run = promisify(execFile);
const WORKSPACES = [
  { dir: 'packages/local', tarball: 'modelmaker-local' },
  { dir: 'packages/ui', tarball: 'modelmaker-ui' },
  { dir: 'packages/cli', tarball: 'modelmaker-cli' },
];

let out: string;
let before: Map<string, string>;
const rootVersion = async () =>
  (JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), 'mm-pack-'));
  before = new Map();
  for (const { dir } of WORKSPACES) before.set(dir, await readFile(join(ROOT, dir, 'package.json'), 'utf8'));
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('npm_')) delete env[key];
  await run('npm', ['pack', ...WORKSPACES.flatMap(({ dir }) => ['-w', dir]), '--pack-destination', out], {
    cwd: ROOT,
    env,
  });
}, 60_000);

afterAll(async () => {
  await rm(out, { recursive: true, force: true });
});

describe('npm pack of the workspace packages', () => {
  it.each(WORKSPACES)('$dir: the tarball depends on the SDK by version, not by path', async ({ tarball }) => {
    const version = await rootVersion();
    const { stdout } = await run('tar', [
      '-xzOf',
      join(out, `${tarball}-${version}.tgz`),
      'package/package.json',
    ]);
    const manifest = JSON.parse(stdout) as { dependencies: Record<string, string> };
    expect(manifest.dependencies.modelmaker).toBe(version);
    expect(Object.values(manifest.dependencies).filter((spec) => spec.startsWith('file:'))).toEqual([]);
  });

  it('leaves the repository manifests as they were', async () => {
    for (const { dir } of WORKSPACES) {
      expect(await readFile(join(ROOT, dir, 'package.json'), 'utf8')).toBe(before.get(dir));
      expect(JSON.parse(before.get(dir)!).dependencies.modelmaker).toBe('file:../..');
    }
  });
});
