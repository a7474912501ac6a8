/**
 * Lists the ES modules that loading the embedded platform (`@modelmaker/local`, the SDK
 * and its storage part) brings in through `require()` — "require(esm)" — and prints them
 * as one JSON array on stdout. Run by `requireEsm.test.ts` under Deno:
 *
 *   deno run -A --node-modules-dir=manual --no-lock --unstable-sloppy-imports \
 *     --conditions=modelmaker-source test/runtimes/requireEsmProbe.ts
 *
 * A CommonJS `require()` reaches an ES module for a `.mjs` file (e.g. a package's
 * `module-sync` export) or a `.js` file of a `"type": "module"` package. The loader
 * extensions see each file `require()` loads, so the hook wraps them before anything
 * of the platform is evaluated (the platform is imported dynamically, afterwards).
 */
import { existsSync, readFileSync } from 'node:fs';
import Module from 'node:module';
import { dirname, join } from 'node:path';

type Extension = (module: unknown, filename: string) => unknown;
const extensions = (Module as unknown as { _extensions: Record<string, Extension> })._extensions;

/** The `type` of the package a file belongs to (its nearest `package.json`). */
function packageType(file: string): string | undefined {
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) return (JSON.parse(readFileSync(manifest, 'utf8')) as { type?: string }).type;
    if (dirname(dir) === dir) return undefined;
  }
}

const esmThroughRequire: string[] = [];
for (const [extension, load] of Object.entries(extensions)) {
  extensions[extension] = function (this: unknown, module, filename) {
    if (extension === '.mjs' || (extension === '.js' && packageType(filename) === 'module')) {
      esmThroughRequire.push(filename);
    }
    return load.call(this, module, filename);
  };
}

await import('@modelmaker/local');
await import('modelmaker');
await import('modelmaker/storage');
console.log(JSON.stringify(esmThroughRequire));
