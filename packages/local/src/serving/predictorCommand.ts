/**
 * How a PRESET_MODEL instance is started: the running Node.js on
 * `predictorServer.js` beside this module. From compiled `dist/` that is plain
 * `node predictorServer.js`; from TypeScript sources (tests, `tsx`) it is
 * `node --import <tsx loader> predictorServer.ts`, resolved to an absolute URL
 * so it works from any working directory (as the preset training entry does).
 * @module
 */
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** A program and its arguments. */
export interface ServerCommand {
  readonly command: string;
  readonly args: readonly string[];
}

/** The command that runs the built-in predictor server (environment: see `predictorServer.ts`). */
export function predictorServerCommand(): ServerCommand {
  const self = fileURLToPath(import.meta.url);
  const extension = extname(self);
  const main = join(dirname(self), `predictorServer${extension}`);
  if (extension === '.ts' || extension === '.mts') {
    const loader = createRequire(import.meta.url).resolve('tsx');
    return {
      command: process.execPath,
      args: ['--conditions=modelmaker-source', '--import', pathToFileURL(loader).href, main],
    };
  }
  return { command: process.execPath, args: [main] };
}
