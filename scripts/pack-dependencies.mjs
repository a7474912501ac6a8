#!/usr/bin/env node
/**
 * Packing a workspace package (`npm pack -w packages/local`, `npm publish`): in the
 * repository `@modelmaker/local`, `@modelmaker/ui` and `@modelmaker/cli` depend on the SDK with
 * `"modelmaker": "file:../.."`, which means nothing inside a tarball. `prepack` swaps every
 * such `file:` dependency for the exact version of the package it points at (`"0.1.0"`),
 * keeping the original beside it; `postpack` puts the original back. So a packed set
 * (`modelmaker-0.1.0.tgz`, `modelmaker-local-0.1.0.tgz`, `modelmaker-ui-0.1.0.tgz`,
 * `modelmaker-cli-0.1.0.tgz`) installs together, and the repository stays as it was.
 *
 * Usage (from a workspace package's scripts): `node ../../scripts/pack-dependencies.mjs prepack|postpack`.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const SECTIONS = ['dependencies', 'peerDependencies', 'optionalDependencies'];
const manifest = resolve('package.json');
const original = resolve('package.json.unpacked');
const step = process.argv[2];

if (step === 'prepack') {
  if (existsSync(original))
    throw new Error(`${original} exists: a pack was interrupted; put it back as package.json first`);
  const text = readFileSync(manifest, 'utf8');
  const pkg = JSON.parse(text);
  for (const section of SECTIONS) {
    for (const [name, spec] of Object.entries(pkg[section] ?? {})) {
      if (typeof spec !== 'string' || !spec.startsWith('file:')) continue;
      const target = JSON.parse(
        readFileSync(join(resolve(spec.slice('file:'.length)), 'package.json'), 'utf8'),
      );
      if (target.name !== name)
        throw new Error(`${section}.${name}: ${spec} holds ${target.name}, not ${name}`);
      pkg[section][name] = target.version;
    }
  }
  writeFileSync(original, text);
  writeFileSync(manifest, `${JSON.stringify(pkg, null, 2)}\n`);
} else if (step === 'postpack') {
  if (existsSync(original)) renameSync(original, manifest);
} else {
  throw new Error('usage: pack-dependencies.mjs prepack|postpack');
}
