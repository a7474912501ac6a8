#!/usr/bin/env node
// The `modelmaker` command: runs the compiled CLI. In a clone, `npm install` builds it (the
// root's `prepare` script); after editing the sources, `npm run build` refreshes it.
import { existsSync } from 'node:fs';

const main = new URL('../dist/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('modelmaker: the CLI is not built yet; run `npm run build` in the repository.\n');
  process.exit(1);
}
await import(main.href);
