import { describe, expect, it } from 'vitest';
import { ignoreMatcher } from '../../../../src/client/storage/internal/ignore.js';

describe('ignoreMatcher', () => {
  it('matches a pattern without "/" against the name at any depth', () => {
    const ignores = ignoreMatcher(['*.pyc', '.git', 'node_modules']);
    expect(ignores('a.pyc', false)).toBe(true);
    expect(ignores('src/deep/b.pyc', false)).toBe(true);
    expect(ignores('src/.git', true)).toBe(true);
    expect(ignores('web/node_modules', true)).toBe(true);
    expect(ignores('src/a.py', false)).toBe(false);
    expect(ignores('pyc', false)).toBe(false);
  });

  it('anchors a pattern with "/" at the root', () => {
    const ignores = ignoreMatcher(['data/raw', '/build']);
    expect(ignores('data/raw', true)).toBe(true);
    expect(ignores('x/data/raw', true)).toBe(false);
    expect(ignores('build', true)).toBe(true);
    expect(ignores('src/build', true)).toBe(false);
  });

  it('matches a trailing "/" pattern against directories only', () => {
    const ignores = ignoreMatcher(['logs/']);
    expect(ignores('logs', true)).toBe(true);
    expect(ignores('a/logs', true)).toBe(true);
    expect(ignores('logs', false)).toBe(false);
  });

  it('lets "**" span directories and "?" match one character, never "/"', () => {
    const ignores = ignoreMatcher(['**/cache', 'data/**/*.tmp', 'v?.txt']);
    expect(ignores('cache', true)).toBe(true);
    expect(ignores('a/b/cache', true)).toBe(true);
    expect(ignores('data/x.tmp', false)).toBe(true);
    expect(ignores('data/a/b/x.tmp', false)).toBe(true);
    expect(ignores('other/x.tmp', false)).toBe(false);
    expect(ignores('v1.txt', false)).toBe(true);
    expect(ignores('v10.txt', false)).toBe(false);
    expect(ignoreMatcher(['a*b'])('a/b', false)).toBe(false);
  });

  it('skips blank lines and comments and treats regex characters literally', () => {
    const ignores = ignoreMatcher(['', '  ', '# *.txt', 'file(1).txt', 'a+b']);
    expect(ignores('x.txt', false)).toBe(false);
    expect(ignores('file(1).txt', false)).toBe(true);
    expect(ignores('a+b', false)).toBe(true);
    expect(ignores('aab', false)).toBe(false);
  });
});
