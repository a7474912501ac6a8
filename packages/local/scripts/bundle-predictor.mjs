/**
 * Build step (after `tsc -b`): bundles the compiled built-in predictor server,
 * `dist/serving/predictorServer.js`, and everything it imports into one file,
 * `dist/serving/predictorServer.bundle.mjs`, which the platform runs when it runs
 * from `dist/` (see `src/serving/predictorCommand.ts`). One file starts in about a
 * bare Node's start time; the unbundled entry loads the whole SDK and its
 * dependencies module by module (seconds on a busy machine).
 */
import { stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const serving = fileURLToPath(new URL('../dist/serving/', import.meta.url));
const entry = `${serving}predictorServer.js`;
if (!(await stat(entry).catch(() => undefined))?.isFile()) {
  console.error(`bundle-predictor: ${entry} is missing: run tsc -b first`);
  process.exit(1);
}
await build({
  entryPoints: [entry],
  outfile: `${serving}predictorServer.bundle.mjs`,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // CommonJS dependencies may `require` Node's built-ins: give the bundle a `require`
  banner: {
    js: "import { createRequire as __bundleRequire } from 'node:module';\nconst require = __bundleRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
