/**
 * The Node.js versions the packages support: one `engines` range in every package.json
 * (Node 20 from 20.18.1, the oldest undici 7 runs on, 22 and 24 — the LTS lines), the running Node inside it,
 * and the Node the suite was meant to run on (`.ci/node24` sets
 * EXPECTED_NODE_MAJOR=24: a suite that silently ran on another Node fails here).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const PACKAGES = [
  'package.json',
  ...(
    JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { workspaces: string[] }
  ).workspaces.map((dir) => `${dir}/package.json`),
];
const major = Number(process.versions.node.split('.')[0]);

/** `20.18.1` as numbers. */
const parts = (version: string) => version.split('.').map(Number);

/** Whether `version` (x.y.z) is in a range made of `^x[.y.z]` and `>=x[.y.z]` alternatives. */
function inRange(range: string, version: string): boolean {
  const [major, ...rest] = parts(version);
  const atLeast = (floor: string) => {
    const wanted = parts(floor);
    const given = [major, ...rest];
    for (let i = 0; i < wanted.length; i++) {
      if ((given[i] ?? 0) !== wanted[i]) return (given[i] ?? 0) > wanted[i]!;
    }
    return true;
  };
  return range.split('||').some((part) => {
    const caret = /^\^([\d.]+)$/.exec(part.trim());
    if (caret) return major === parts(caret[1]!)[0] && atLeast(caret[1]!);
    const from = /^>=([\d.]+)$/.exec(part.trim());
    if (from) return atLeast(from[1]!);
    throw new Error(`an engines range this test cannot read: ${part}`);
  });
}

describe('supported Node.js versions', () => {
  const engines = PACKAGES.map(
    (file) =>
      (JSON.parse(readFileSync(join(ROOT, file), 'utf8')) as { engines: { node: string } }).engines.node,
  );

  it('are one range in every package: Node 20.18.1 and later 20s, 22, 24 and later', () => {
    expect(new Set(engines)).toEqual(new Set(['^20.18.1 || ^22 || >=24']));
    const versions = [
      '18.20.0',
      '20.11.0',
      '20.18.1',
      '20.20.2',
      '21.7.0',
      '22.0.0',
      '23.1.0',
      '24.0.0',
      '26.1.0',
    ];
    expect(versions.filter((v) => inRange(engines[0]!, v))).toEqual([
      '20.18.1',
      '20.20.2',
      '22.0.0',
      '24.0.0',
      '26.1.0',
    ]);
  });

  it('include the Node running the suite, which is the one it was started for', () => {
    expect(inRange(engines[0]!, process.versions.node), `Node ${process.version}`).toBe(true);
    const expected = process.env.EXPECTED_NODE_MAJOR;
    if (expected !== undefined) expect(major, `Node ${process.version}`).toBe(Number(expected));
  });
});
