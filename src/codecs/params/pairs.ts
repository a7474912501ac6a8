/**
 * `[{ name, value }]` lists: training `hyperparameters` and `env`, a service model's
 * `envs`. The user may give a value as a string, a finite number or a boolean.
 * Hyperparameters keep a number a number on the wire, as the Python SDK sends it
 * (`{ name: 'lr', value: 0.01 }`), so a job reading `MODELMAKER_HYPERPARAMETERS` can
 * compute with it; a boolean is sent as `"true"`/`"false"` (the wire has no booleans:
 * bodies are echoed to a client that evaluates them as Python literals). Environment
 * variables are text, so `env`/`envs` values are always strings (`0.01` → `"0.01"`).
 * @module
 */
import { isAbsent, kindOf, list, noDuplicates, type Problems, record, text } from './rules.js';

/** One entry as the user passes it. */
export interface NameValue {
  readonly name: string;
  readonly value: string | number | boolean;
}

/** One entry as the wire carries it: text for environment variables, text or a number for hyperparameters. */
export interface WireNameValue<V extends string | number = string> {
  name: string;
  value: V;
}

/** What an environment variable name may be (POSIX): a letter or `_`, then letters, digits, `_`. */
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const KEYS = ['name', 'value'] as const;

/**
 * Validates a `[{ name, value }]` list under `field`. Every entry needs a non-empty
 * `name` (unique in the list: a repeated name would make one value silently win) and a
 * `value`; `envNames` also holds names to the POSIX environment variable form. Values are
 * never echoed — an environment variable often carries a secret.
 */
export function nameValues(
  problems: Problems,
  field: string,
  value: unknown,
  options: { readonly envNames?: boolean } = {},
): WireNameValue[] | undefined {
  const entries = pairs(problems, field, value, options.envNames === true);
  return entries?.map(({ name, value: given }) => ({ name, value: String(given) }));
}

/** Validates `hyperparameters` like {@link nameValues}, keeping a number a number (a boolean becomes text). */
export function hyperparameters(
  problems: Problems,
  field: string,
  value: unknown,
): WireNameValue<string | number>[] | undefined {
  const entries = pairs(problems, field, value, false);
  return entries?.map(({ name, value: given }) => ({
    name,
    value: typeof given === 'boolean' ? String(given) : given,
  }));
}

/** A validated entry, its value as the user gave it. */
interface Pair {
  readonly name: string;
  readonly value: string | number | boolean;
}

function pairs(problems: Problems, field: string, value: unknown, envNames: boolean): Pair[] | undefined {
  const entries = list(problems, field, value);
  if (entries === undefined) return undefined;
  const before = problems.length;
  const out: Pair[] = [];
  const names: (string | undefined)[] = [];
  entries.forEach((entry, i) => {
    const at = `${field}[${i}]`;
    const fields = record(problems, at, entry, KEYS, { required: true, shape: '{ name, value }' });
    if (fields === undefined) {
      names.push(undefined);
      return;
    }
    let name = text(problems, `${at}.name`, fields.name, { required: true });
    if (name !== undefined && envNames && !ENV_NAME.test(name)) {
      problems.push({
        field: `${at}.name`,
        message: 'expected an environment variable name (letters, digits and _, not starting with a digit)',
      });
      name = undefined;
    }
    names.push(name);
    const raw = fields.value;
    let wire: string | number | boolean | undefined;
    if (isAbsent(raw)) {
      problems.push({ field: `${at}.value`, message: 'required' });
    } else if (typeof raw === 'string' || typeof raw === 'boolean') {
      wire = raw;
    } else if (typeof raw === 'number' && Number.isFinite(raw)) {
      wire = raw;
    } else {
      problems.push({
        field: `${at}.value`,
        message: `expected a string, a finite number or a boolean, got ${kindOf(raw)}`,
      });
    }
    if (name !== undefined && wire !== undefined) out.push({ name, value: wire });
  });
  noDuplicates(problems, field, 'name', names);
  return problems.length === before ? out : undefined;
}
