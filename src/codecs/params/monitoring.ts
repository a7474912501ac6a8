/**
 * A training job's `monitors`: `[{ name, regular, sample? }]`, regular expressions over
 * log lines whose capture group 1 is a metric's value. Compiled up front with
 * {@link compileMonitors}, so a bad expression fails before a job is created.
 * @module
 */
import * as E from 'fp-ts/lib/Either.js';
import { applyMonitors, compileMonitors, type MonitorSpec } from '../monitors.js';
import { isRecord, list, noDuplicates, type Problems, record, text } from './rules.js';

const KEYS = ['name', 'regular', 'sample'] as const;

// Stands in for an entry already reported as malformed, so compileMonitors keeps the indices.
const PLACEHOLDER: MonitorSpec = { name: 'placeholder', regular: '' };

/** `source` compiled, or `undefined` when it does not compile (compileMonitors reports that). */
function compile(source: string): RegExp | undefined {
  try {
    return new RegExp(source);
  } catch {
    return undefined;
  }
}

/** How many capture groups a compiled expression has. */
function captureGroups(pattern: RegExp): number {
  // An empty alternative makes the expression match '', and exec reports every group.
  return (new RegExp(`${pattern.source}|`).exec('')?.length ?? 1) - 1;
}

/**
 * Validates `monitors`. Each entry needs a `name` (unique: metrics are keyed by it) and a
 * `regular` that compiles and has a capture group — without group 1 a monitor never
 * yields a value, so the seed's own example `loss=\d+` is refused with a hint to write
 * `loss=(\d+)`. A `sample`, when given, must be a line the expression reads a number from.
 */
export function monitors(problems: Problems, field: string, value: unknown): MonitorSpec[] | undefined {
  const entries = list(problems, field, value);
  if (entries === undefined) return undefined;
  const before = problems.length;
  const specs = entries.map((entry, i): MonitorSpec => {
    const at = `${field}[${i}]`;
    const fields = record(problems, at, entry, KEYS, { required: true, shape: '{ name, regular, sample? }' });
    if (fields === undefined) return PLACEHOLDER;
    const regular = text(problems, `${at}.regular`, fields.regular, { required: true });
    const sample = text(problems, `${at}.sample`, fields.sample, { nonEmpty: false });
    // compileMonitors checks the name; give it the name only when it is a string.
    const name = typeof fields.name === 'string' ? fields.name : '';
    return sample === undefined ? { name, regular: regular ?? '' } : { name, regular: regular ?? '', sample };
  });
  const compiled = compileMonitors(specs, field);
  if (E.isLeft(compiled)) problems.push(...compiled.left.problems);
  specs.forEach((spec, i) => {
    const pattern = spec === PLACEHOLDER || spec.regular === '' ? undefined : compile(spec.regular);
    if (pattern === undefined) return;
    if (captureGroups(pattern) === 0) {
      problems.push({
        field: `${field}[${i}].regular`,
        message: 'expected a capture group: group 1 is the value, e.g. loss=(\\d+)',
      });
    } else if (
      spec.sample !== undefined &&
      applyMonitors([{ name: spec.name, pattern }], spec.sample).length === 0
    ) {
      problems.push({
        field: `${field}[${i}].sample`,
        message: 'the expression reads no number from this sample line',
      });
    }
  });
  noDuplicates(
    problems,
    field,
    'name',
    entries.map((entry) => (isRecord(entry) && typeof entry.name === 'string' ? entry.name : undefined)),
  );
  return problems.length === before ? specs.map((spec) => ({ ...spec })) : undefined;
}
