/**
 * Builds the dashboard's page with esbuild: `web/main.tsx` (Preact, uPlot) into
 * one minified `app.js` and `app.css`, beside `index.html`, in `dist/web` (or the
 * folder given). Run by the package's `build:web` script, which the repository's
 * `npm install` (its `prepare`) and `npm run build` run; the browser tests call
 * {@link buildWeb} into a temp folder, so they test the page as the sources are.
 * @module
 */
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const WEB = fileURLToPath(new URL('../web/', import.meta.url));

/** Where the package's build puts the page (the server's default assets folder). */
export const WEB_OUT_DIR = fileURLToPath(new URL('../dist/web/', import.meta.url));

/** Browsers the bundle is written for. */
const TARGETS = ['chrome111', 'firefox115', 'safari16.4'];

/** Bundles the page into `outdir`; resolves with the files written. */
export async function buildWeb(
  outdir: string = WEB_OUT_DIR,
  options: { minify?: boolean } = {},
): Promise<string[]> {
  await mkdir(outdir, { recursive: true });
  const result = await build({
    entryPoints: { app: join(WEB, 'main.tsx') },
    outdir,
    bundle: true,
    format: 'esm',
    target: TARGETS,
    minify: options.minify ?? true,
    sourcemap: 'linked',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    legalComments: 'linked',
    metafile: true,
    logLevel: 'warning',
  });
  await copyFile(join(WEB, 'index.html'), join(outdir, 'index.html'));
  return [...Object.keys(result.metafile.outputs), join(outdir, 'index.html')];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const written = await buildWeb(process.argv[2] ?? WEB_OUT_DIR);
  process.stdout.write(
    `dashboard page built: ${written.length} files in ${process.argv[2] ?? WEB_OUT_DIR}\n`,
  );
}
