import { resolve, sep } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isInside, keySegments } from '../../../../src/client/storage/internal/safe-path.js';

const piece = fc.oneof(
  fc.constantFrom('..', '.', '', '/', '\\', 'C:', 'z:', '\0', 'a', 'é', ':', '...', '..\\', '/..'),
  fc.string({ maxLength: 4 }),
);
const key = fc.array(piece, { maxLength: 8 }).map((pieces) => pieces.join(''));
const ROOT = resolve('/sandbox/target');

describe('keySegments', () => {
  it('maps every accepted key to a path inside the root, whatever the key (fast-check)', () => {
    fc.assert(
      fc.property(key, (candidate) => {
        const result = keySegments(candidate, '', 'linux');
        if (typeof result === 'string') return;
        const path = resolve(ROOT, ...result.segments);
        expect(isInside(ROOT, path)).toBe(true);
        expect(path === ROOT).toBe(result.segments.length === 0);
        for (const segment of result.segments) expect(['', '.', '..']).not.toContain(segment);
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses "..", backslashes, NUL and empty segments anywhere, and absolute paths or drive letters at the start (fast-check)', () => {
    const name = fc.stringMatching(/^[a-zA-Z0-9._-]{1,6}$/).filter((n) => n !== '.' && n !== '..');
    const anywhere = fc.constantFrom('..', 'a\\b', '\\', 'a\0b', '\0', '');
    const atStart = fc.constantFrom('/etc/passwd', '/', 'C:', 'c:/x', 'Z:\\x');
    fc.assert(
      fc.property(
        fc.array(name, { maxLength: 3 }),
        anywhere,
        fc.array(name, { maxLength: 3 }),
        (before, bad, after) => {
          // A trailing empty segment is a `dir/` marker, which is fine.
          if (bad === '' && after.length === 0) return;
          const candidate = [...before, bad, ...after].join('/');
          expect(typeof keySegments(candidate, '', 'linux')).toBe('string');
        },
      ),
    );
    fc.assert(
      fc.property(atStart, fc.array(name, { maxLength: 3 }), (bad, after) => {
        expect(typeof keySegments([bad, ...after].join('/'), '', 'linux')).toBe('string');
      }),
    );
  });

  it('names the reason of each refusal', () => {
    expect(keySegments('p/../x', 'p/')).toBe('a ".." segment');
    expect(keySegments('p//etc/passwd', 'p/')).toBe('an absolute path');
    expect(keySegments('p/C:/x', 'p/')).toBe('a drive letter');
    expect(keySegments('p/a\\b', 'p/')).toBe('a backslash');
    expect(keySegments('p/a\0b', 'p/')).toBe('a NUL character');
    expect(keySegments('p/ab:c', 'p/', 'win32')).toBe('a character Windows cannot store');
    expect(keySegments('p/a//b', 'p/')).toBe('an empty path segment');
  });

  it('accepts ordinary keys, including unicode, dots inside names and colons on POSIX', () => {
    expect(keySegments('p/données/ü.txt', 'p/')).toEqual({
      segments: ['données', 'ü.txt'],
      directory: false,
    });
    expect(keySegments('p/v1..2/.hidden', 'p/')).toEqual({
      segments: ['v1..2', '.hidden'],
      directory: false,
    });
    expect(keySegments('p/2024-01-01T00:00:00/x', 'p/', 'linux')).toEqual({
      segments: ['2024-01-01T00:00:00', 'x'],
      directory: false,
    });
    expect(keySegments('p/dir/', 'p/')).toEqual({ segments: ['dir'], directory: true });
    expect(keySegments('p/', 'p/')).toEqual({ segments: [], directory: false });
  });

  it('treats a root with or without a trailing separator alike', () => {
    expect(isInside(`${ROOT}${sep}`, `${ROOT}${sep}a`)).toBe(true);
    expect(isInside(ROOT, `${ROOT}-other${sep}a`)).toBe(false);
  });
});
