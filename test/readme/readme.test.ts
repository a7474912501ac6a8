/**
 * The README, checked as a new user would use it: every fenced block is marked (see
 * `readmeBlocks.ts`), every runnable block runs verbatim, the commands at the top are
 * the ones CI runs, and the config file sample is one the SDK reads.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session } from 'modelmaker';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../examples/support.js';
import { parseBlocks, readmeBlocks, runReadmeBlock } from './readmeBlocks.js';

/** Lines a run may print on stderr that are not the README's code's (none so far). */
const stderrOf = (lines: readonly { text: string }[]) => lines.map((line) => line.text);

describe('README.md', () => {
  it('marks every fenced block: run <name>, ci, config, skip <why>, or a tag whose test runs it', () => {
    const unmarked = readmeBlocks().filter((block) => block.kind === undefined);
    expect(unmarked.map((block) => `line ${block.line}: ${block.code.split('\n')[0]}`)).toEqual([]);
    for (const block of readmeBlocks()) {
      if (block.kind === 'run' || block.kind === 'skip')
        expect(block.label, `line ${block.line}`).not.toBe('');
      if (block.kind === 'owned') {
        const owner = join(ROOT, 'test/readme', `${block.label}.test.ts`);
        expect(existsSync(owner), `line ${block.line}: no ${owner} runs this block`).toBe(true);
      }
    }
    const names = readmeBlocks()
      .filter((b) => b.kind === 'run')
      .map((b) => b.label);
    expect(new Set(names).size).toBe(names.length);
  });

  it('the commands at the top are what CI runs, verbatim', () => {
    const ci = readFileSync(join(ROOT, '.ci/run'), 'utf8');
    const blocks = readmeBlocks().filter((block) => block.kind === 'ci');
    expect(blocks.length).toBeGreaterThan(0);
    for (const block of blocks) {
      for (const line of block.code.split('\n')) {
        const command = line.replace(/\s+#.*$/, '').trim();
        if (command !== '') expect(ci, `.ci/run does not run: ${command}`).toContain(command);
      }
    }
  });

  it('its config file sample is read by the SDK', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mm-readme-config-'));
    try {
      for (const block of readmeBlocks().filter((b) => b.kind === 'config')) {
        const path = join(dir, 'config.json');
        await writeFile(path, block.code, { mode: 0o600 });
        const settings = await new Session({ configPath: path }).resolved();
        expect(settings.baseUrl).toMatch(/^https?:\/\//);
        expect(settings.username).not.toBe('');
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('"In 20 lines" runs as written: live logs, then a prediction; nothing left behind', async () => {
    const result = await runReadmeBlock('in-20-lines', { timeoutMs: 60_000 }).done;
    const out = result.stdout.map((line) => line.text);
    expect(result.code, result.transcript).toBe(0);
    expect(
      out.some((line) => /^epoch=\d+ accuracy=[0-9.]+$/.test(line)),
      result.transcript,
    ).toBe(true);
    expect(out.at(-1)).toBe("{ predictions: [ 'setosa' ] }");
    expect(stderrOf(result.stderr)).toEqual([]);
    expect(result.leftovers).toEqual([]);
  }, 80_000);

  it('"Local platform" runs as written and keeps its data in ./.modelmaker', async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'mm-readme-local-'));
    try {
      const result = await runReadmeBlock('local-platform', { cwd, timeoutMs: 30_000 }).done;
      expect(result.code, result.transcript).toBe(0);
      expect(result.stdout.at(-1)?.text).toMatch(
        /^http:\/\/127\.0\.0\.1:\d+ modelmaker http:\/\/127\.0\.0\.1:\d+/,
      );
      expect(existsSync(join(cwd, '.modelmaker', 'modelmaker.db'))).toBe(true);
      expect(stderrOf(result.stderr)).toEqual([]);
      expect(result.leftovers).toEqual([]);
    } finally {
      await rm(cwd, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('the block parser', () => {
  it('reads markers before fences, with blank lines between; a marker does not reach past text', () => {
    const blocks = parseBlocks(
      [
        '<!-- readme-test: run one -->',
        '',
        '```ts',
        'console.log(1);',
        '```',
        '<!-- readme-test: skip a fragment -->',
        'Some text.',
        '```sh',
        'ls',
        '```',
        '~~~json',
        '{}',
        '~~~',
        '```ts feeds',
        'x;',
        '```',
      ].join('\n'),
    );
    expect(blocks.map(({ lang, code, kind, label }) => ({ lang, code, kind, label }))).toEqual([
      { lang: 'ts', code: 'console.log(1);\n', kind: 'run', label: 'one' },
      { lang: 'sh', code: 'ls\n', kind: undefined, label: '' },
      { lang: 'json', code: '{}\n', kind: undefined, label: '' },
      { lang: 'ts', code: 'x;\n', kind: 'owned', label: 'feeds' },
    ]);
  });
});
