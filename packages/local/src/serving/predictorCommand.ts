/**
 * How a PRESET_MODEL instance is started: the running Node.js on the built-in
 * predictor server, as plain JavaScript. From compiled `dist/` that is
 * `node predictorServer.js` beside this module; from TypeScript sources (tests,
 * benches, `tsx`) it is `node <bundle>.mjs`, the current sources bundled into one
 * file at first use (see `sourceBundle.ts`: never stale, no TypeScript loader in
 * the instance, so it listens within a few hundred ms instead of seconds).
 * @module
 */
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
  return { command: process.execPath, args: [main] };
}
