/**
 * The README's code blocks, as the tests see them: each fenced block with the marker
 * on the line before it, so a snippet is run verbatim and can never rot.
 *
 * Every fenced block of README.md carries exactly one marker, an HTML comment on the
 * line right before its fence (blank lines between are allowed):
 *
 * - `<!-- readme-test: run <name> -->` — a complete program: a test runs it as is
 *   (`runReadmeBlock(name)`), by name, so a section's own test file can pick its block;
 * - `<!-- readme-test: ci -->` — shell commands `.ci/run` must run verbatim;
 * - `<!-- readme-test: config -->` — a config file the SDK must read;
 * - `<!-- readme-test: skip <why> -->` — not runnable as is (a fragment of a program,
 *   an output sample); the reason is required.
 *
 * Or, instead of a comment, a tag after the fence's language (```` ```ts feeds ````): the
 * block belongs to `test/readme/<tag>.test.ts`, which runs it its own way (kind `owned`).
 *
 * A block without a marker fails `test/readme/readme.test.ts`, so none goes unchecked by accident.
 * Other markdown files use the same markers (`docs/writing-training-code.md`: its `run`
 * blocks are training and serving programs its test runs on the platform).
 * @module
 */

import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT, type Run, start } from '../examples/support.js';

/** tsx's loader, as a URL `--import` takes from any working directory. */
const TSX = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;

/** What a marker says about its block. */
export type BlockKind = 'run' | 'ci' | 'config' | 'skip' | 'owned';

/** One fenced block of the README. */
export interface ReadmeBlock {
  /** The fence's info string (`ts`, `sh`, `json`…). */
  readonly lang: string;
  /** The block's text, exactly as in the README (without the fences). */
  readonly code: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  /** The marker's kind, or `undefined` when the block has none. */
  readonly kind: BlockKind | undefined;
  /** `run`: the block's name; `skip`: the reason; `owned`: the tag (`test/readme/<tag>.test.ts`). */
  readonly label: string;
}

const MARKER = /^<!--\s*readme-test:\s*(run|ci|config|skip)\b\s*(.*?)\s*-->\s*$/;
const FENCE = /^(```+|~~~+)\s*([\w-]*)(?:\s+([\w-]+))?/;

/** Every fenced block of `markdown`, in order, with its marker. */
export function parseBlocks(markdown: string): ReadmeBlock[] {
  const lines = markdown.split('\n');
  const blocks: ReadmeBlock[] = [];
  let marker: { kind: BlockKind; label: string } | undefined;
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i]!;
    const marked = MARKER.exec(text.trim());
    if (marked) {
      marker = { kind: marked[1] as BlockKind, label: marked[2] ?? '' };
      continue;
    }
    const fence = FENCE.exec(text);
    if (!fence) {
      if (text.trim() !== '') marker = undefined;
      continue;
    }
    const close = lines.findIndex((candidate, j) => j > i && candidate.startsWith(fence[1]!));
    const end = close === -1 ? lines.length : close;
    const tag = fence[3];
    blocks.push({
      lang: fence[2] ?? '',
      code: `${lines.slice(i + 1, end).join('\n')}\n`,
      line: i + 1,
      kind: marker?.kind ?? (tag === undefined ? undefined : 'owned'),
      label: marker?.label ?? tag ?? '',
    });
    marker = undefined;
    i = end;
  }
  return blocks;
}

/** The blocks of a markdown file of the repository (default the README), with the same markers. */
export function readmeBlocks(file = 'README.md'): ReadmeBlock[] {
  return parseBlocks(readFileSync(join(ROOT, file), 'utf8'));
}

/** The block marked `run <name>` in `file` (fails when there is none, or more than one). */
export function readmeBlock(name: string, file = 'README.md'): ReadmeBlock {
  const found = readmeBlocks(file).filter((block) => block.kind === 'run' && block.label === name);
  if (found.length !== 1)
    throw new Error(`${file} has ${found.length} blocks marked "readme-test: run ${name}"`);
  return found[0]!;
}

/** Options of {@link runReadmeBlock}. */
export interface RunBlockOptions {
  /** Working directory of the run. Default the repository root (where a user runs the README's commands). */
  readonly cwd?: string;
  readonly timeoutMs?: number;
}

/**
 * Runs the block marked `run <name>` verbatim, as a user who saved it in the repository
 * would (`npx tsx it.ts`): written to `.tmp/readme-<name>-<id>.ts` (ignored by git,
 * removed after) and run with Node and tsx on the sources, in a clean environment with
 * an empty HOME (see `test/examples/support.ts`). The result lists leftover processes.
 */
export function runReadmeBlock(name: string, options: RunBlockOptions = {}): Run {
  const block = readmeBlock(name);
  const dir = join(ROOT, '.tmp');
  const file = join(dir, `readme-${name}-${randomUUID().slice(0, 8)}.${block.lang === 'js' ? 'mjs' : 'ts'}`);
  const written = mkdir(dir, { recursive: true }).then(() => writeFile(file, block.code));
  let run: Run | undefined;
  const started = written.then(() => {
    // tsx by its path: the run's working directory may be anywhere
    run = start(process.execPath, ['--conditions=modelmaker-source', '--import', TSX, file], {
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    });
    return run;
  });
  return {
    waitForLine: (pattern) => started.then((r) => r.waitForLine(pattern)),
    done: started.then((r) => r.done).finally(() => rm(file, { force: true })),
  };
}
