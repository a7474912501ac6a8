/**
 * The client core must load in Deno, Bun and browsers: no Node-only module in the
 * static import graph of src/client/*.ts (they are imported lazily where needed).
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const CLIENT_DIR = join(import.meta.dirname, '../../src/client');
const STATIC_IMPORT = /^\s*(?:import|export)\s+(?!type\b)[^;]*?\sfrom\s+['"]([^'"]+)['"]/gm;
const SIDE_EFFECT_IMPORT = /^\s*import\s+['"]([^'"]+)['"]/gm;

async function staticImports(file: string): Promise<string[]> {
  const text = await readFile(join(CLIENT_DIR, file), 'utf8');
  return [...text.matchAll(STATIC_IMPORT), ...text.matchAll(SIDE_EFFECT_IMPORT)].map((m) => m[1]!);
}

describe('client core portability', () => {
  it('statically imports no node: module and no Node-only package', async () => {
    const files = (await readdir(CLIENT_DIR)).filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) {
      const imports = await staticImports(file);
      const nodeOnly = imports.filter(
        (spec) => spec.startsWith('node:') || ['fs', 'os', 'path'].includes(spec),
      );
      expect({ file, nodeOnly }).toEqual({ file, nodeOnly: [] });
    }
  });
});
