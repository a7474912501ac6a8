/**
 * How the runner starts a preset algorithm's training process: the running Node.js
 * on `main.js` beside this module. From compiled `dist/` that is plain `node main.js`;
 * from TypeScript sources (tests, `tsx`) it is the current sources of `main.ts`
 * bundled into one plain JavaScript file (see `serving/sourceBundle.ts`: never stale),
 * so a training process starts without a TypeScript loader.
 * @module
 */
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundledEntry } from '../serving/sourceBundle.js';
import type { PresetAlgorithmName } from './names.js';

/** A program and its arguments. */
export interface PresetCommand {
  readonly command: string;
  readonly args: readonly string[];
}

/**
 * The command that trains `algorithm` in a child process (environment: see `main.ts`).
 *
 * @throws Error when running from sources and the entry cannot be bundled (esbuild missing, sources that do not build).
 */
export async function presetTrainingCommand(algorithm: PresetAlgorithmName): Promise<PresetCommand> {
  const self = fileURLToPath(import.meta.url);
  const extension = extname(self);
  const main = join(dirname(self), `main${extension}`);
  if (extension === '.ts' || extension === '.mts') {
    return { command: process.execPath, args: [await bundledEntry(main), algorithm] };
  }
  return { command: process.execPath, args: [main, algorithm] };
}
