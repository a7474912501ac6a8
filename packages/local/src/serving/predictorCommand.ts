/**
 * How a PRESET_MODEL instance is started: the running Node.js on the built-in
 * predictor server, bundled into one plain JavaScript file, so it listens about
 * as soon as a bare Node does (instead of loading the SDK and its dependencies
 * module by module, or TypeScript through a loader). From compiled `dist/` that
 * is `predictorServer.bundle.mjs` beside this module, made by the build
 * (`scripts/bundle-predictor.mjs`; `predictorServer.js` when a build left it
 * out); from TypeScript sources (tests, benches, `tsx`) it is the current sources
 * bundled at first use (see `sourceBundle.ts`: never stale).
 * @module
 */
import { stat } from 'node:fs/promises';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundledEntry } from './sourceBundle.js';

/** A program and its arguments. */
export interface ServerCommand {
  readonly command: string;
  readonly args: readonly string[];
}

/**
 * The command that runs the built-in predictor server (environment: see `predictorServer.ts`).
 *
 * @throws Error when running from sources and the predictor cannot be bundled (esbuild missing, sources that do not build).
 */
export async function predictorServerCommand(): Promise<ServerCommand> {
  const self = fileURLToPath(import.meta.url);
  const extension = extname(self);
  const main = join(dirname(self), `predictorServer${extension}`);
  if (extension === '.ts' || extension === '.mts') {
    return { command: process.execPath, args: [await bundledEntry(main)] };
  }
  const bundle = join(dirname(self), 'predictorServer.bundle.mjs');
  const bundled = (await stat(bundle).catch(() => undefined))?.isFile() === true;
  return { command: process.execPath, args: [bundled ? bundle : main] };
}
