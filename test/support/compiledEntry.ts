/**
 * How tests start a TypeScript entry point (the `modelmaker` command, an example,
 * a fixture) as a real child process: compiled, on plain `node`. Each entry is
 * bundled from the current sources into one `.mjs` (`sourceBundle.ts`: rebuilt only
 * when a file it was built from changes, so never stale, and shared by every test
 * process of a run), instead of `node --import tsx`, which transpiles and resolves
 * hundreds of modules at every start (≈1.5 s of CPU per process on the 2-core test
 * machine, against ≈0.35 s for the bundle).
 * @module
 */
import { pathToFileURL } from 'node:url';
import { bundledEntry } from '../../packages/local/src/serving/sourceBundle.js';

/**
 * The arguments after `node` that run `entry` compiled; each of `preloads`
 * (modules that must run first, e.g. fault injection) is bundled too and loaded
 * with `--import` before it.
 */
export async function compiledNodeArgs(entry: string, preloads: readonly string[] = []): Promise<string[]> {
  const [main, ...loaded] = await Promise.all([entry, ...preloads].map((file) => bundledEntry(file)));
  return [...loaded.flatMap((file) => ['--import', pathToFileURL(file).href]), main!];
}
