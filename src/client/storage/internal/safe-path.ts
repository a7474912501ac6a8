/**
 * Object keys become local paths only inside the target directory.
 *
 * A key is checked as text first (no `..` or `.` segments, no empty segments, no
 * absolute path, drive letter, backslash or NUL; on Windows none of `<>:"|?*`), then
 * its directories are created one at a time below the target's real path: an existing
 * symlink on the way is followed only when its real target stays inside.
 * @module
 */
import { lstat, mkdir, realpath } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { UnsafePathError } from '../errors.js';

/** A key accepted for writing: its path segments below the target, and whether it is a `dir/` marker. */
export interface SafeKey {
  readonly segments: readonly string[];
  readonly directory: boolean;
}

const WINDOWS_RESERVED = /[<>:"|?*]/;

/**
 * Checks the part of `key` after `prefix` as a relative path. Returns the segments, or
 * the reason it is refused. An empty result (the key is the prefix itself) has no segments.
 */
export function keySegments(
  key: string,
  prefix: string,
  platform: string = process.platform,
): SafeKey | string {
  const relative = key.startsWith(prefix) ? key.slice(prefix.length) : key;
  if (relative.includes('\0')) return 'a NUL character';
  if (relative.includes('\\')) return 'a backslash';
  if (relative.startsWith('/')) return 'an absolute path';
  if (/^[A-Za-z]:/.test(relative)) return 'a drive letter';
  const directory = relative.endsWith('/');
  const segments = relative === '' ? [] : (directory ? relative.slice(0, -1) : relative).split('/');
  for (const segment of segments) {
    if (segment === '') return 'an empty path segment';
    if (segment === '..') return 'a ".." segment';
    if (segment === '.') return 'a "." segment';
    if (platform === 'win32' && WINDOWS_RESERVED.test(segment)) return 'a character Windows cannot store';
  }
  return { segments, directory };
}

/** Like {@link keySegments}, failing with {@link UnsafePathError}. */
export function safeKey(key: string, prefix: string, platform: string = process.platform): SafeKey {
  const result = keySegments(key, prefix, platform);
  if (typeof result === 'string') throw new UnsafePathError(key, result);
  return result;
}

/** True when `candidate` is `root` or below it (both absolute, resolved). */
export function isInside(root: string, candidate: string): boolean {
  return candidate === root || candidate.startsWith(root.endsWith(sep) ? root : root + sep);
}

function code(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null ? (error as { code?: string }).code : undefined;
}

/**
 * Makes sure the directories `segments` exist below `root` (a real path, no symlinks)
 * and returns the real path of the last one. A symlink on the way is followed only when
 * it resolves to a directory inside `root`; otherwise {@link UnsafePathError} names `key`.
 */
export async function ensureDirectoryInside(
  root: string,
  segments: readonly string[],
  key: string,
): Promise<string> {
  let current = root;
  for (const segment of segments) {
    const next = join(current, segment);
    let info = await lstat(next).catch((error: unknown) => {
      if (code(error) === 'ENOENT') return undefined;
      throw error;
    });
    if (!info) {
      await mkdir(next).catch((error: unknown) => {
        if (code(error) !== 'EEXIST') throw error;
      });
      info = await lstat(next);
    }
    if (info.isSymbolicLink()) {
      const real = await realpath(next).catch(() => undefined);
      if (real === undefined || !isInside(root, real)) {
        throw new UnsafePathError(
          key,
          `the path goes through a symlink leading out of the target (${segment})`,
        );
      }
      const target = await lstat(real);
      if (!target.isDirectory()) throw new UnsafePathError(key, `${segment} is not a directory`);
      current = real;
    } else if (info.isDirectory()) {
      current = next;
    } else {
      throw new UnsafePathError(key, `${segment} exists and is not a directory`);
    }
  }
  return current;
}
