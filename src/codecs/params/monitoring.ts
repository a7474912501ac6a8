/**
 * A training job's `monitors`: `[{ name, regular, sample? }]`, regular expressions over
 * log lines (capture group 1 is the value when there are groups, else the first number
 * in the match; Python spellings such as `(?P<name>…)` are read). Checked up front with
 * {@link compileMonitors} — the same rules the platform applies at submit — so a bad
 * expression or a sample it reads no number from fails before a job is created.
 * @module
 */
import * as E from 'fp-ts/lib/Either.js';
import { compileMonitors, type MonitorSpec } from '../monitors.js';
import { isRecord, list, noDuplicates, type Problems, record, text } from './rules.js';

const KEYS = ['name', 'regular', 'sample'] as const;

/**
 * Validates `monitors`. Each entry needs a `name` (unique: metrics are keyed by it) and a
 * `regular` that compiles (see `compileMonitors`: Python-only constructs are named); a
 * `sample`, when given, must be a line the expression reads a number from — the seed's
 * own example `{ name: 'Loss', regular: 'loss=\\d+', sample: 'loss=20' }` reads 20.
 */
export function monitors(problems: Problems, field: string, value: unknown): MonitorSpec[] | undefined {
  const entries = list(problems, field, value);
  if (entries === undefined) return undefined;
  const before = problems.length;
  const specs: MonitorSpec[] = [];
  // Indices in `entries` of the specs, so compileMonitors' problems name the right entry.
  const at: number[] = [];
  entries.forEach((entry, i) => {
    const where = `${field}[${i}]`;
    const fields = record(problems, where, entry, KEYS, {
      required: true,
      shape: '{ name, regular, sample? }',
    });
    if (fields === undefined) return;
    const name = text(problems, `${where}.name`, fields.name, { required: true });
    const regular = text(problems, `${where}.regular`, fields.regular, { required: true });
    const sample = text(problems, `${where}.sample`, fields.sample, { nonEmpty: false });
    if (name === undefined || regular === undefined || (fields.sample != null && sample === undefined))
      return;
    specs.push(sample === undefined ? { name, regular } : { name, regular, sample });
    at.push(i);
  });
  const compiled = compileMonitors(specs, field);
  if (E.isLeft(compiled)) {
    for (const problem of compiled.left.problems) {
      // compileMonitors numbers the specs it was given; name the entries the user wrote.
      problems.push({
        ...problem,
        field: problem.field.replace(/^[^[]*\[(\d+)\]/, (_, k: string) => `${field}[${at[Number(k)]}]`),
      });
    }
  }
  noDuplicates(
    problems,
    field,
    'name',
    entries.map((entry) => (isRecord(entry) && typeof entry.name === 'string' ? entry.name : undefined)),
  );
  return problems.length === before ? specs.map((spec) => ({ ...spec })) : undefined;
}
