/**
 * How the runner starts a preset algorithm's training process: the running Node.js
 * on `main.js` beside this module. From compiled `dist/` that is plain `node main.js`;
 * from TypeScript sources (tests, `tsx`) it is `node --import <tsx loader> main.ts`,
 * resolved to an absolute URL so it works from any working directory.
 * @module
 */
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { PresetAlgorithmName } from './names.js';

/** A program and its arguments. */
export interface PresetCommand {
  readonly command: string;
  readonly args: readonly string[];
}

/** The command that trains `algorithm` in a child process (environment: see `main.ts`). */
export function presetTrainingCommand(algorithm: PresetAlgorithmName): PresetCommand {
  const self = fileURLToPath(import.meta.url);
  const extension = extname(self);
  const main = join(dirname(self), `main${extension}`);
  if (extension === '.ts' || extension === '.mts') {
    const loader = createRequire(import.meta.url).resolve('tsx');
    return {
      command: process.execPath,
      args: ['--conditions=modelmaker-source', '--import', pathToFileURL(loader).href, main, algorithm],
    };
  }
  return { command: process.execPath, args: [main, algorithm] };
}
