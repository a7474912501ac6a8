/**
 * Running an entry point that exists only as TypeScript sources (the platform
 * running from `src/`: tests, benches, `npm start`) as one plain JavaScript file.
 *
 * The entry and everything it imports — the project's sources through the
 * `modelmaker-source` condition, and its npm dependencies — are bundled by
 * esbuild into a single ES module. The file is written as `<hash of its
 * content>.mjs` under the cache of the nearest `node_modules`
 * (`node_modules/.cache/modelmaker/`), so the file run is always the current
 * sources' (a changed source gives another name) and identical builds share one
 * file. Starting it is a plain `node` on one file: no TypeScript loader, no module
 * resolution across hundreds of files (see BENCHMARKS.md, deploy → RUNNING).
 *
 * Never stale, built once: beside the bundle, a manifest lists every file the
 * build read (each module, and the `package.json` that governs its resolution,
 * and the lock file) with its SHA-256. The next process asking for the same entry
 * hashes those files again and runs the existing bundle when all are unchanged
 * (tens of ms instead of a build); any difference builds anew.
 *
 * A bundled module sees its own source file's `import.meta.url` (and `dirname`,
 * `filename`), not the bundle's, so code that finds files next to itself (a
 * `package.json`, a sibling entry point) behaves as it does from sources.
 * Native addons and esbuild itself stay outside the bundle and load from
 * `node_modules` as usual.
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
import { mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, dirname, extname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Loader, Plugin } from 'esbuild';

/** Bundles being built or built in this process, by entry path. */
const bundles = new Map<string, Promise<string>>();

/** How many characters of the SHA-256 name a bundle file (enough to never collide in one cache). */
const HASH_CHARS = 24;
/** Age after which another bundle of the same entry is removed, ms (a day). */
const STALE_BUNDLE_MS = 24 * 60 * 60 * 1000;
/**
 * The recipe's version, part of every manifest's key: change it when the build
 * options below change, so bundles made the old way are not reused.
 */
const RECIPE = 2;

/**
 * Packages loaded from `node_modules` at run time instead of bundled: native
 * addons find their binary relative to their own files, and esbuild runs its own
 * executable.
 */
const EXTERNAL_PACKAGES = ['better-sqlite3', 'esbuild'];

/** The per-module constants standing in for `import.meta.url`, `.dirname` and `.filename`. */
const MODULE_URL = '__bundledModuleUrl';
const MODULE_DIRNAME = '__bundledModuleDirname';
const MODULE_FILENAME = '__bundledModuleFilename';

/** How esbuild reads a file, by extension: the files the manifest tracks. */
const LOADERS: Readonly<Record<string, Loader>> = {
  '.ts': 'ts',
  '.mts': 'ts',
  '.cts': 'ts',
  '.tsx': 'tsx',
  '.js': 'js',
  '.mjs': 'js',
  '.cjs': 'js',
  '.jsx': 'jsx',
  '.json': 'json',
};

/** A leading `#!` line and directive prologue (`'use strict'`), which must stay first. */
const PROLOGUE = /^(#![^\n]*\n)?(\s*(['"])use strict\3;?)?/;

/** What the next process checks before reusing a bundle. */
interface Manifest {
  /** Hash of the recipe, esbuild's version and the entry. */
  readonly key: string;
  /** The bundle's file name in the cache directory. */
  readonly bundle: string;
  /** Every file the build depended on, with its SHA-256. */
  readonly inputs: ReadonlyArray<readonly [path: string, sha256: string]>;
}

/**
 * The path of a single-file bundle of `entry` (an absolute `.ts` path), built on
 * first use (or reused from an earlier process when none of its inputs changed)
 * and shared by later calls in this process.
 *
 * @throws Error when esbuild is not installed or the sources do not build (the message says which).
 */
export function bundledEntry(entry: string): Promise<string> {
  let bundle = bundles.get(entry);
  if (bundle === undefined) {
    bundle = bundleOf(entry);
    bundles.set(entry, bundle);
    // a failed build is tried again on the next call
    bundle.catch(() => bundles.delete(entry));
  }
  return bundle;
}

function sha256(content: string | Uint8Array): string {
  return createHash('sha256').update(content).digest('hex');
}

async function bundleOf(entry: string): Promise<string> {
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
  const directory = join(nodeModules, '.cache', 'modelmaker');
  const name = basename(entry, extname(entry));
  const key = sha256(JSON.stringify([RECIPE, esbuild.version, process.versions.node, entry]));
  const manifestFile = join(directory, `${name}-${key.slice(0, HASH_CHARS)}.json`);
  const reused = await reusableBundle(directory, manifestFile, key);
  if (reused !== undefined) return reused;

  const read = new Map<string, string>();
  const result = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: `node${process.versions.node}`,
    conditions: ['modelmaker-source'],
    external: EXTERNAL_PACKAGES,
    define: {
      'import.meta.url': MODULE_URL,
      'import.meta.dirname': MODULE_DIRNAME,
      'import.meta.filename': MODULE_FILENAME,
    },
    plugins: [trackedSources(read)],
    // CommonJS dependencies may `require` Node's built-ins: give the bundle a `require`
    banner: {
      js: "import { createRequire as __bundleRequire } from 'node:module';\nconst require = __bundleRequire(import.meta.url);",
    },
    write: false,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]?.contents;
  if (code === undefined) throw new Error(`cannot bundle ${basename(entry)}: esbuild gave no output`);
  const file = join(directory, `${name}-${sha256(code).slice(0, HASH_CHARS)}.mjs`);
  if (await exists(file)) {
    await touch(file);
  } else {
    await mkdir(directory, { recursive: true });
    await writeWhole(file, code);
    await removeOthers(directory, name, basename(file));
  }
  const inputs = await withPackageFiles(read, dirname(nodeModules));
  const manifest: Manifest = { key, bundle: basename(file), inputs: [...inputs].sort() };
  await writeWhole(manifestFile, JSON.stringify(manifest));
  return file;
}

/**
 * Loads every module itself, so the manifest holds the hash of exactly what was
 * bundled; gives each module that uses `import.meta` its own source's URL, path
 * and directory (the `define`s above point there).
 */
function trackedSources(read: Map<string, string>): Plugin {
  return {
    name: 'modelmaker-tracked-sources',
    setup(build) {
      build.onLoad({ filter: /\.([cm]?[jt]sx?|json)$/ }, async ({ path }) => {
        const loader = LOADERS[extname(path)];
        if (loader === undefined) return undefined;
        const source = await readFile(path);
        read.set(path, sha256(source));
        let contents = source.toString('utf8');
        if (loader !== 'json' && contents.includes('import.meta')) {
          const constants =
            `var ${MODULE_URL} = ${JSON.stringify(pathToFileURL(path).href)}, ` +
            `${MODULE_DIRNAME} = ${JSON.stringify(dirname(path))}, ` +
            `${MODULE_FILENAME} = ${JSON.stringify(path)};\n`;
          const prologue = PROLOGUE.exec(contents)?.[0] ?? '';
          contents = `${prologue}${prologue === '' ? '' : '\n'}${constants}${contents.slice(prologue.length)}`;
        }
        return { contents, loader };
      });
    },
  };
}

/**
 * The files read, plus what decides how their imports resolve: the nearest
 * `package.json` of each, and the lock file at `root`; all with their hashes.
 */
async function withPackageFiles(
  read: ReadonlyMap<string, string>,
  root: string,
): Promise<Map<string, string>> {
  const inputs = new Map(read);
  const nearest = new Map<string, Promise<string | undefined>>();
  const packageFileOf = (directory: string): Promise<string | undefined> => {
    let found = nearest.get(directory);
    if (found === undefined) {
      const candidate = join(directory, 'package.json');
      found = exists(candidate).then((yes) => {
        if (yes) return candidate;
        const parent = dirname(directory);
        return parent === directory ? undefined : packageFileOf(parent);
      });
      nearest.set(directory, found);
    }
    return found;
  };
  const extra = new Set<string>([join(root, 'package-lock.json')]);
  for (const path of read.keys()) {
    const packageFile = await packageFileOf(dirname(path));
    if (packageFile !== undefined) extra.add(packageFile);
  }
  await Promise.all(
    [...extra]
      .filter((path) => !inputs.has(path))
      .map(async (path) => {
        const content = await readFile(path).catch(() => undefined);
        inputs.set(path, content === undefined ? '' : sha256(content));
      }),
  );
  return inputs;
}

/** The bundle a manifest names, when the key matches and every input is unchanged. */
async function reusableBundle(
  directory: string,
  manifestFile: string,
  key: string,
): Promise<string | undefined> {
  let manifest: Manifest;
  try {
    manifest = JSON.parse(await readFile(manifestFile, 'utf8')) as Manifest;
  } catch {
    return undefined;
  }
  if (manifest.key !== key || !Array.isArray(manifest.inputs)) return undefined;
  const file = join(directory, basename(String(manifest.bundle)));
  if (!(await exists(file))) return undefined;
  const unchanged = await Promise.all(
    manifest.inputs.map(async ([path, hash]) => {
      const content = await readFile(path).catch(() => undefined);
      return (content === undefined ? '' : sha256(content)) === hash;
    }),
  );
  if (!unchanged.every(Boolean)) return undefined;
  await Promise.all([touch(file), touch(manifestFile)]);
  return file;
}

/** Written whole under a temporary name, then renamed: a concurrent reader sees the file complete or not at all. */
async function writeWhole(file: string, content: string | Uint8Array): Promise<void> {
  const partial = `${file}.${process.pid}.partial`;
  await writeFile(partial, content);
  await rename(partial, file);
}

/** Marks a bundle as in use (see {@link removeOthers}). */
async function touch(file: string): Promise<void> {
  const now = new Date();
  await utimes(file, now, now).catch(() => undefined);
}

async function exists(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isFile() === true;
}

/**
 * Removes bundles and manifests of entries of the same name not used for
 * {@link STALE_BUNDLE_MS} (built from earlier sources, or for entries since
 * deleted). Younger ones stay: a platform still running older sources may start
 * an instance from its bundle again.
 */
async function removeOthers(directory: string, name: string, keep: string): Promise<void> {
  const entries = await readdir(directory).catch(() => [] as string[]);
  const literal = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(`^${literal}-[0-9a-f]{${HASH_CHARS}}\\.(mjs|json)$`);
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
