/**
 * undici's `Agent` for the gateway: the undici package itself on every runtime. Bun
 * answers `import 'undici'` with a built-in module of its own whose `Agent` has no
 * `dispatch`, so there the package is loaded from its file.
 * @module
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Agent } from 'undici';

const requireHere = createRequire(import.meta.url);

/** The undici package's `Agent` class (see the module doc). */
export function undiciAgentClass(): typeof Agent {
  if (globalThis.process?.versions?.bun === undefined) return Agent;
  const manifest = requireHere.resolve('undici/package.json');
  const { main } = requireHere(manifest) as { main?: string };
  return (requireHere(join(dirname(manifest), main ?? 'index.js')) as { Agent: typeof Agent }).Agent;
}
