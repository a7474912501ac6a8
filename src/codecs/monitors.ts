/**
 * `monitors` turn log lines into metric points: each monitor is `{ name, regular,
 * sample? }`, a regular expression over log lines. The value it reads from a line is
 * capture group 1 when the expression has groups, else the first number in the whole
 * match — so the seed's own example, `regular: "loss=\d+"` with `sample: "loss=20"`,
 * reads 20. Pure functions shared by the SDK (`metricsFromLogs`, parameter checks) and
 * the local platform (submit checks, the performance monitor): one rule everywhere.
 *
 * The seed's users write Python patterns. The Python spellings that mean exactly the
 * same in JavaScript are accepted and rewritten: `(?P<name>…)` → `(?<name>…)`,
 * `(?P=name)` → `\k<name>`, `\A` → `^`, `\Z` → `$` (the expression is compiled without
 * flags, so `^`/`$` are the ends of the line). Python-only constructs JavaScript reads
 * differently or not at all are refused, naming the construct: comments `(?#…)`,
 * inline flags `(?i)` / `(?i:…)`, conditionals `(?(1)…|…)`, atomic groups `(?>…)` and
 * possessive quantifiers (`*+`, `++`, `?+`, `{m,n}+`).
 * @module
 */
import * as E from 'fp-ts/lib/Either.js';
import { type FieldProblem, ValidationError } from '../errors.js';

/** A monitor as the wire carries it. */
export interface MonitorSpec {
  readonly name: string;
  readonly regular: string;
  readonly sample?: string | undefined;
}

/** A monitor whose expression compiled. */
export interface CompiledMonitor {
  readonly name: string;
  readonly pattern: RegExp;
}

/** One value read from one log line. */
export interface MonitorMatch {
  readonly name: string;
  readonly value: number;
}

/** A number as it appears in a log line: `20`, `-0.5`, `.5`, `1e-3`, `3.`. */
const NUMBER = /[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?/;

/** The inline flag letters of Python's `re`. */
const PYTHON_FLAGS = /^[aiLmsux]+(?:-[imsx]+)?[:)]|^-[imsx]+[:)]/;

/**
 * `source` as JavaScript reads it: the one-to-one Python spellings rewritten, or the
 * first Python-only construct found (described for a message). Escapes and character
 * classes are skipped, so `\(?P<x>` and `[(?#]` are left alone.
 *
 * @example
 * ```ts
 * fromPython('(?P<loss>\\d+) (?P=loss)') // { source: '(?<loss>\\d+) \\k<loss>' }
 * fromPython('(?i)loss=(\\d+)')           // { construct: 'the inline flags (?i)' }
 * ```
 */
export function fromPython(source: string): { readonly source: string } | { readonly construct: string } {
  let out = '';
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === '\\') {
      const next = source[i + 1];
      if (!inClass && next === 'A') {
        out += '^';
      } else if (!inClass && next === 'Z') {
        out += '$';
      } else {
        out += c + (next ?? '');
      }
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      out += c;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      // a `]` right after `[` or `[^` is a literal in Python; JavaScript needs it escaped
      if (source[i + 1] === '^') {
        out += '^';
        i++;
      }
      if (source[i + 1] === ']') {
        out += '\\]';
        i++;
      }
      continue;
    }
    if (c === '(' && source[i + 1] === '?') {
      const rest = source.slice(i + 2);
      const named = /^P<([A-Za-z_]\w*)>/.exec(rest);
      if (named) {
        out += `(?<${named[1]}>`;
        i += 1 + named[0].length;
        continue;
      }
      const backReference = /^P=([A-Za-z_]\w*)\)/.exec(rest);
      if (backReference) {
        out += `\\k<${backReference[1]}>`;
        i += 1 + backReference[0].length;
        continue;
      }
      if (rest.startsWith('#')) return { construct: 'the comment group (?#…)' };
      if (rest.startsWith('(')) return { construct: 'the conditional group (?(…)…|…)' };
      if (rest.startsWith('>')) return { construct: 'the atomic group (?>…)' };
      if (rest.startsWith('P'))
        return { construct: 'the (?P…) group (only (?P<name>…) and (?P=name) are read)' };
      const flags = PYTHON_FLAGS.exec(rest);
      if (flags) {
        const written = `(?${flags[0]}`;
        return {
          construct: `the inline flags ${written.endsWith(':') ? `${written}…)` : written}`,
        };
      }
    }
    if (source[i + 1] === '+' && isQuantifierEnd(c, out)) {
      return { construct: `the possessive quantifier ${c}+` };
    }
    out += c;
  }
  return { source: out };
}

/** True when `c`, after `before`, ends a quantifier (`*`, `+`, `?`, or the `}` of `{m,n}`), so a `+` after it is possessive. */
function isQuantifierEnd(c: string, before: string): boolean {
  if (c === '}') return /\{\d+(?:,\d*)?$/.test(before);
  if (c !== '*' && c !== '+' && c !== '?') return false;
  // at the start, after `(` or `|`, it quantifies nothing: not a quantifier
  return !(before === '' || before.endsWith('(') || before.endsWith('|'));
}

/** How many capture groups an expression has. */
function captureGroups(pattern: RegExp): number {
  // An empty alternative makes the expression match '', and exec reports every group.
  return (new RegExp(`${pattern.source}|`).exec('')?.length ?? 1) - 1;
}

const groupCounts = new WeakMap<RegExp, number>();

function groupsOf(pattern: RegExp): number {
  let count = groupCounts.get(pattern);
  if (count === undefined) {
    count = captureGroups(pattern);
    groupCounts.set(pattern, count);
  }
  return count;
}

/** The first number in `text`, or `undefined`. */
function firstNumber(text: string): number | undefined {
  const found = NUMBER.exec(text);
  if (found === null) return undefined;
  const value = Number(found[0]);
  return Number.isFinite(value) ? value : undefined;
}

/**
 * The value one monitor reads from one line: group 1 when the expression has groups
 * (as a number, else the first number in it), else the first number in the whole
 * match; `undefined` when it does not match or finds no number.
 */
export function monitorValue(pattern: RegExp, line: string): number | undefined {
  const found = pattern.exec(line);
  if (found === null) return undefined;
  if (groupsOf(pattern) === 0) return firstNumber(found[0]);
  const group = found[1];
  if (group === undefined) return undefined;
  const value = Number(group.trim());
  return group.trim() !== '' && Number.isFinite(value) ? value : firstNumber(group);
}

/**
 * Compiles monitors up front, so a bad monitor is a {@link ValidationError} before any
 * job is created, naming `monitors[i].name` (missing), `monitors[i].regular` (does not
 * compile, or a Python-only construct, named) or `monitors[i].sample` (given, but the
 * expression reads no number from it).
 *
 * @example
 * ```ts
 * compileMonitors([{ name: 'Loss', regular: String.raw`loss=\d+`, sample: 'loss=20' }]) // right([{ name: 'Loss', pattern: /loss=\d+/ }])
 * ```
 */
export function compileMonitors(
  monitors: readonly MonitorSpec[],
  field = 'monitors',
): E.Either<ValidationError, CompiledMonitor[]> {
  const problems: FieldProblem[] = [];
  const compiled: CompiledMonitor[] = [];
  monitors.forEach((monitor, i) => {
    if (typeof monitor.name !== 'string' || monitor.name === '') {
      problems.push({ field: `${field}[${i}].name`, message: 'expected a non-empty string' });
    }
    const read = fromPython(monitor.regular);
    if ('construct' in read) {
      problems.push({
        field: `${field}[${i}].regular`,
        message: `${read.construct} is Python-only: JavaScript reads it differently or not at all`,
      });
      return;
    }
    let pattern: RegExp;
    try {
      pattern = new RegExp(read.source);
    } catch (cause) {
      problems.push({
        field: `${field}[${i}].regular`,
        message: `expected a valid regular expression (${(cause as Error).message})`,
      });
      return;
    }
    if (monitor.sample !== undefined && monitorValue(pattern, monitor.sample) === undefined) {
      problems.push({
        field: `${field}[${i}].sample`,
        message:
          pattern.exec(monitor.sample) === null
            ? 'the expression does not match this sample line'
            : groupsOf(pattern) === 0
              ? 'the expression matches this sample line but its match holds no number'
              : 'the expression matches this sample line but its group 1 holds no number',
      });
    }
    compiled.push({ name: monitor.name, pattern });
  });
  return problems.length > 0 ? E.left(new ValidationError(problems)) : E.right(compiled);
}

/** The values the monitors read from one line (see {@link monitorValue}), one per monitor that finds a number. */
export function applyMonitors(monitors: readonly CompiledMonitor[], line: string): MonitorMatch[] {
  const matches: MonitorMatch[] = [];
  for (const monitor of monitors) {
    const value = monitorValue(monitor.pattern, line);
    if (value !== undefined) matches.push({ name: monitor.name, value });
  }
  return matches;
}
