/**
 * The files an upload sends: a walk of the local tree that stays inside it.
 *
 * Symlink policy: a symlink whose real target is inside the tree is followed (a file
 * is sent under the link's path; a directory is walked, unless it is one of the
 * directories being walked, which would loop); a symlink leading out of the tree, or
 * dangling, is left out and reported. Sockets, FIFOs and devices are left out and
 * reported. `.git` and the `ignore` patterns are left out silently.
 * @module
 */
import type { Dirent } from 'node:fs';
import { lstat, opendir, realpath, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { LeftOut } from '../events.js';
import type { IgnoreMatcher } from './ignore.js';
import { isInside } from './safe-path.js';

/** A file to send. */
export interface LocalFile {
  /** Path relative to the tree, `/`-separated (the base name for a single file). */
  readonly relative: string;
  /** Real path to read. */
  readonly path: string;
  readonly size: number;
  /** Last modification, ms since the epoch (with the size, what identifies an interrupted upload's file). */
  readonly mtimeMs: number;
}

/** What the walk found. */
export interface LocalTree {
  /** True when `local` is one file rather than a directory. */
  readonly single: boolean;
  readonly files: readonly LocalFile[];
  /** Directories with no entries at all, relative, `/`-separated (sent as `dir/` markers). */
  readonly emptyDirectories: readonly string[];
  readonly leftOut: readonly LeftOut[];
}

function abortIfNeeded(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason ?? new Error('aborted');
}

/** Walks `local` (a file or a directory) as the module comment describes. Entries come sorted by name. */
export async function walkLocal(
  local: string,
  ignore: IgnoreMatcher,
  signal?: AbortSignal,
): Promise<LocalTree> {
  const root = await realpath(local);
  const top = await stat(root);
  if (!top.isDirectory()) {
    return {
      single: true,
      files: [{ relative: basename(local), path: root, size: top.size, mtimeMs: top.mtimeMs }],
      emptyDirectories: [],
      leftOut: [],
    };
  }
  const files: LocalFile[] = [];
  const emptyDirectories: string[] = [];
  const leftOut: LeftOut[] = [];

  const walk = async (directory: string, relative: string, ancestors: ReadonlySet<string>): Promise<void> => {
    abortIfNeeded(signal);
    const entries: Dirent[] = [];
    for await (const entry of await opendir(directory)) entries.push(entry);
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    if (entries.length === 0 && relative !== '') emptyDirectories.push(relative);
    for (const entry of entries) {
      const path = join(directory, entry.name);
      const rel = relative === '' ? entry.name : `${relative}/${entry.name}`;
      let isDirectory = entry.isDirectory();
      let isFile = entry.isFile();
      let readPath = path;
      if (entry.isSymbolicLink()) {
        const real = await realpath(path).catch(() => undefined);
        if (real === undefined) {
          leftOut.push({ path: rel, reason: 'link-dangling' });
          continue;
        }
        if (!isInside(root, real)) {
          leftOut.push({ path: rel, reason: 'link-outside' });
          continue;
        }
        const target = await stat(real);
        isDirectory = target.isDirectory();
        isFile = target.isFile();
        readPath = real;
        if (isDirectory && ancestors.has(real)) {
          leftOut.push({ path: rel, reason: 'link-cycle' });
          continue;
        }
      }
      if (ignore(rel, isDirectory)) continue;
      if (isDirectory) {
        await walk(readPath, rel, new Set([...ancestors, readPath]));
      } else if (isFile) {
        const info = await lstat(readPath);
        files.push({ relative: rel, path: readPath, size: info.size, mtimeMs: info.mtimeMs });
      } else {
        leftOut.push({ path: rel, reason: 'special' });
      }
    }
  };
  await walk(root, '', new Set([root]));
  return { single: false, files, emptyDirectories, leftOut };
}
