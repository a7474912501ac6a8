/**
 * The `ignore` patterns of `upload`: a small, gitignore-like glob syntax.
 *
 * - A pattern without `/` matches a file or directory name at any depth (`*.pyc`, `node_modules`).
 * - A pattern with a `/` inside is anchored at the tree's root (`data/raw`, `/build`).
 * - A trailing `/` matches directories only (`logs/`).
 * - `*` matches any run of characters but `/`, `?` one character but `/`; `**` as a
 *   whole segment matches any number of directories (`data/**`, or `**` then `/cache`).
 * - An ignored directory leaves out everything below it. No negation (`!`), no `[...]`
 *   classes; empty lines and lines starting with `#` are skipped.
 * @module
 */

/** Decides whether a tree entry is left out. */
export type IgnoreMatcher = (relativePath: string, isDirectory: boolean) => boolean;

interface Rule {
  readonly regex: RegExp;
  readonly directoryOnly: boolean;
  readonly anchored: boolean;
}

function escapeRegex(text: string): string {
  return text.replace(/[.+^${}()|[\]\\]/g, '\\$&');
}

function segmentSource(segment: string): string {
  let source = '';
  for (const char of segment) {
    if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else source += escapeRegex(char);
  }
  return source;
}

function compile(pattern: string): Rule | undefined {
  let text = pattern.trim();
  if (text === '' || text.startsWith('#')) return undefined;
  const directoryOnly = text.endsWith('/');
  if (directoryOnly) text = text.replace(/\/+$/, '');
  const anchored = text.includes('/');
  text = text.replace(/^\/+/, '');
  if (text === '') return undefined;
  const segments = text.split('/');
  let source = '';
  segments.forEach((segment, index) => {
    const last = index === segments.length - 1;
    if (segment === '**') source += last ? '.*' : '(?:[^/]+/)*';
    else source += segmentSource(segment) + (last ? '' : '/');
  });
  return { regex: new RegExp(`^${source}$`, 'u'), directoryOnly, anchored };
}

/** Compiles `patterns` (see the module comment for the syntax) into one matcher. */
export function ignoreMatcher(patterns: readonly string[]): IgnoreMatcher {
  const rules = patterns.map(compile).filter((rule): rule is Rule => rule !== undefined);
  return (relativePath, isDirectory) => {
    const name = relativePath.slice(relativePath.lastIndexOf('/') + 1);
    return rules.some(
      (rule) => (!rule.directoryOnly || isDirectory) && rule.regex.test(rule.anchored ? relativePath : name),
    );
  };
}
