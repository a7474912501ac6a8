/**
 * Running an entry point that exists only as TypeScript sources (the platform
 * running from `src/`: tests, benches, `npm start`) as one plain JavaScript file.
 *
 * The entry and everything it imports — the project's sources through the
 * `modelmaker-source` condition, and its npm dependencies — are bundled by
 * esbuild into a single ES module, in memory, once per process and entry. The
 * file is written as `<hash of its content>.mjs` under the cache of the nearest
 * `node_modules` (`node_modules/.cache/modelmaker/`), so the file run is always
 * the current sources' (a changed source gives another name: nothing stale is
 * ever run) and identical builds share one file. Starting it is a plain `node`
 * on one file: no TypeScript loader, no module resolution across hundreds of
 * files (see BENCHMARKS.md, deploy → RUNNING).
 *
 * Why not the compiled `dist/`: from sources it may be older than the sources
 * (it is built at install). Why not a vitest global setup: the platform runs
 * from sources outside vitest too.
 *
 * esbuild is a development dependency: this module is only used from sources,
 * where the TypeScript toolchain is installed; compiled code runs its `.js` entry.
 * @module
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, dirname, extname, join } from 'node:path';

/** Bundles being built or built in this process, by entry path. */
const bundles = new Map<string, Promise<string>>();

/** How many characters of the SHA-256 name a bundle file (enough to never collide in one cache). */
const HASH_CHARS = 24;
/** Age after which another bundle of the same entry is removed, ms (a day). */
const STALE_BUNDLE_MS = 24 * 60 * 60 * 1000;

/**
 * The path of a single-file bundle of `entry` (an absolute `.ts` path), built on
 * first use in this process and shared by later calls.
 *
 * @throws Error when esbuild is not installed or the sources do not build (the message says which).
 */
export function bundledEntry(entry: string): Promise<string> {
  let bundle = bundles.get(entry);
  if (bundle === undefined) {
    bundle = build(entry);
    bundles.set(entry, bundle);
    // a failed build is tried again on the next call
    bundle.catch(() => bundles.delete(entry));
  }
  return bundle;
}

async function build(entry: string): Promise<string> {
  const require = createRequire(import.meta.url);
  let esbuild: typeof import('esbuild');
  let nodeModules: string;
  try {
    nodeModules = dirname(dirname(require.resolve('esbuild/package.json')));
    esbuild = await import('esbuild');
  } catch (error) {
    throw new Error(
      `cannot bundle ${basename(entry)}: esbuild is not installed (${(error as Error).message})`,
    );
  }
  const result = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: `node${process.versions.node}`,
    conditions: ['modelmaker-source'],
    // CommonJS dependencies may `require` Node's built-ins: give the bundle a `require`
    banner: {
      js: "import { createRequire as __bundleRequire } from 'node:module';\nconst require = __bundleRequire(import.meta.url);",
    },
    write: false,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]?.contents;
  if (code === undefined) throw new Error(`cannot bundle ${basename(entry)}: esbuild gave no output`);
  const name = basename(entry, extname(entry));
  const hash = createHash('sha256').update(code).digest('hex').slice(0, HASH_CHARS);
  const directory = join(nodeModules, '.cache', 'modelmaker');
  const file = join(directory, `${name}-${hash}.mjs`);
  if (await exists(file)) {
    // touched, so it counts as in use
    const now = new Date();
    await utimes(file, now, now).catch(() => undefined);
    return file;
  }
  await mkdir(directory, { recursive: true });
  // written whole under a temporary name, then renamed: a concurrent reader sees the file complete or not at all
  const partial = `${file}.${process.pid}.partial`;
  await writeFile(partial, code);
  await rename(partial, file);
  await removeOthers(directory, name, basename(file));
  return file;
}

async function exists(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isFile() === true;
}

/**
 * Removes bundles of the same entry not used for {@link STALE_BUNDLE_MS} (built
 * from earlier sources). Younger ones stay: a platform still running older
 * sources may start an instance from its bundle again.
 */
async function removeOthers(directory: string, name: string, keep: string): Promise<void> {
  const entries = await readdir(directory).catch(() => [] as string[]);
  const pattern = new RegExp(`^${name}-[0-9a-f]{${HASH_CHARS}}\\.mjs$`);
  const before = Date.now() - STALE_BUNDLE_MS;
  await Promise.all(
    entries
      .filter((entry) => entry !== keep && pattern.test(entry))
      .map(async (entry) => {
        const path = join(directory, entry);
        const info = await stat(path).catch(() => undefined);
        if (info !== undefined && info.mtimeMs < before) await rm(path, { force: true });
      }),
  );
}
