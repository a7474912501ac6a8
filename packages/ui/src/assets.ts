/**
 * The page's static files (built by esbuild when the package is built), read
 * once into memory and served by name: nothing outside the built folder can be
 * asked for, and nothing is fetched from elsewhere at run time.
 * @module
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the build puts the page: `packages/ui/dist/web`, from `src/` and from `dist/` alike. */
export const DEFAULT_ASSETS_DIR = fileURLToPath(new URL('../dist/web/', import.meta.url));

/** The placeholder in `index.html` that becomes the server's token. */
export const TOKEN_PLACEHOLDER = '%MODELMAKER_UI_TOKEN%';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.map': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
};

/** One served file. */
export interface Asset {
  readonly body: Buffer;
  readonly type: string;
  readonly etag: string;
}

/** The files of the page by name (`index.html`, `app.js`…). */
export type Assets = ReadonlyMap<string, Asset>;

/**
 * Reads every file of `dir` (not recursive). Fails with a message that says how
 * to build the page when `dir` has no `index.html`.
 */
export async function loadAssets(dir: string = DEFAULT_ASSETS_DIR): Promise<Assets> {
  const names = await readdir(dir).catch(() => [] as string[]);
  if (!names.includes('index.html')) {
    throw new Error(
      `the dashboard's page is not built (no index.html in ${dir}); run \`npm run build\` in the repository`,
    );
  }
  const assets = new Map<string, Asset>();
  for (const name of names) {
    const type = TYPES[extname(name)];
    if (type === undefined) continue;
    const body = await readFile(join(dir, name));
    assets.set(name, {
      body,
      type,
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"`,
    });
  }
  return assets;
}
