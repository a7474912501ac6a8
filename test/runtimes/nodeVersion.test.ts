/**
 * The Node.js versions the packages support: one `engines` range in all three
 * package.json files (Node 20, 22 and 24 — the LTS lines), the running Node inside it,
 * and the Node the suite was meant to run on (`.ci/node24` sets
 * MODELMAKER_EXPECT_NODE_MAJOR=24: a suite that silently ran on another Node fails here).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const PACKAGES = ['package.json', 'packages/local/package.json', 'packages/cli/package.json'];
const major = Number(process.versions.node.split('.')[0]);

/** Whether `version` (a major) is in a range made of `^N` and `>=N` alternatives. */
function inRange(range: string, version: number): boolean {
  return range.split('||').some((part) => {
    const caret = /^\^(\d+)$/.exec(part.trim());
    if (caret) return version === Number(caret[1]);
    const from = /^>=(\d+)$/.exec(part.trim());
    if (from) return version >= Number(from[1]);
    throw new Error(`an engines range this test cannot read: ${part}`);
  });
}

describe('supported Node.js versions', () => {
  const engines = PACKAGES.map(
    (file) =>
      (JSON.parse(readFileSync(join(ROOT, file), 'utf8')) as { engines: { node: string } }).engines.node,
  );

  it('are one range in every package, Node 20, 22 and 24', () => {
    expect(new Set(engines)).toEqual(new Set(['^20 || ^22 || >=24']));
    expect([18, 20, 21, 22, 23, 24, 26].filter((v) => inRange(engines[0]!, v))).toEqual([20, 22, 24, 26]);
  });

  it('include the Node running the suite, which is the one it was started for', () => {
    expect(inRange(engines[0]!, major), `Node ${process.version}`).toBe(true);
    const expected = process.env.MODELMAKER_EXPECT_NODE_MAJOR;
    if (expected !== undefined) expect(major, `Node ${process.version}`).toBe(Number(expected));
  });
});
