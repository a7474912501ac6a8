/**
 * The field rules every parameter validator is built from. Each rule looks at one
 * value, pushes a {@link FieldProblem} naming the field (the camelCase parameter
 * name the user wrote, e.g. `serviceModels[1].weight`) when the value is wrong, and
 * returns the value narrowed to its type, or `undefined` when it is absent or wrong.
 * Validators run every rule and report all problems at once.
 *
 * Messages say what was expected and the *kind* of value received ("expected an
 * integer, got a string"), never a free-text value: a value in the wrong field may
 * be a password or a token. Only numbers, enumeration values and data paths are
 * echoed, through the rules that know they are safe.
 * @module
 */
import * as E from 'fp-ts/lib/Either.js';
import { type FieldProblem, ValidationError } from '../../errors.js';
import { isS3Uri } from '../s3uri.js';

/** Where the rules of one validation run collect their problems. */
export type Problems = FieldProblem[];

/** Absent as the seed means it: left out, `undefined`, or `null` (Python's `None`, as in `inputs=None`). */
export function isAbsent(value: unknown): value is undefined | null {
  return value === undefined || value === null;
}

/** The kind of a value for a message ("a string", "an array"), never the value itself. */
export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'undefined':
      return 'nothing';
    case 'object':
      return 'an object';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'a boolean';
    case 'string':
      return value === '' ? 'an empty string' : 'a string';
    default:
      return `a ${typeof value}`;
  }
}

/** Options shared by the rules: whether the value must be there, and why (for the message). */
export interface Presence {
  /** Report a missing value. */
  readonly required?: boolean;
  /** Why it is required, appended to "required", e.g. `with frameworkType BASIC_FRAMEWORK`. */
  readonly because?: string;
}

function missing(problems: Problems, field: string, presence: Presence): undefined {
  if (presence.required) {
    problems.push({ field, message: presence.because ? `required ${presence.because}` : 'required' });
  }
  return undefined;
}

/**
 * A string; `nonEmpty` (the default) also refuses `''` and whitespace only. With
 * `secret`, the message does not even say what kind of value was received.
 */
export function text(
  problems: Problems,
  field: string,
  value: unknown,
  options: Presence & { readonly nonEmpty?: boolean; readonly secret?: boolean } = {},
): string | undefined {
  if (isAbsent(value)) return missing(problems, field, options);
  const nonEmpty = options.nonEmpty ?? true;
  const expected = nonEmpty ? 'expected a non-empty string' : 'expected a string';
  if (typeof value !== 'string' || (nonEmpty && value.trim() === '')) {
    problems.push({ field, message: options.secret ? expected : `${expected}, got ${kindOf(value)}` });
    return undefined;
  }
  return value;
}

/**
 * An integer (a safe integer, no fraction, no numeric string), inside `min..max`
 * (both inclusive) when given. The number received is echoed: numbers are not secret.
 */
export function integer(
  problems: Problems,
  field: string,
  value: unknown,
  options: Presence & { readonly min?: number; readonly max?: number } = {},
): number | undefined {
  if (isAbsent(value)) return missing(problems, field, options);
  const { min, max } = options;
  const range =
    min !== undefined && max !== undefined
      ? ` in ${min}..${max}`
      : min !== undefined
        ? ` >= ${min}`
        : max !== undefined
          ? ` <= ${max}`
          : '';
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    const got = typeof value === 'number' ? String(value) : kindOf(value);
    problems.push({ field, message: `expected an integer${range}, got ${got}` });
    return undefined;
  }
  if ((min !== undefined && value < min) || (max !== undefined && value > max)) {
    problems.push({ field, message: `expected an integer${range}, got ${value}` });
    return undefined;
  }
  return value;
}

/** A positive integer: ids (`trainInstanceType`, `algorithm`, `resourceId`…) and `maxRuntime`. */
export function positiveInteger(
  problems: Problems,
  field: string,
  value: unknown,
  presence: Presence = {},
): number | undefined {
  return integer(problems, field, value, { ...presence, min: 1 });
}

/** One of a fixed set of strings; the value received is echoed (an enumeration is not secret). */
export function oneOf<const T extends string>(
  problems: Problems,
  field: string,
  value: unknown,
  allowed: readonly T[],
  presence: Presence = {},
): T | undefined {
  if (isAbsent(value)) return missing(problems, field, presence);
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    const got = typeof value === 'string' ? JSON.stringify(value) : kindOf(value);
    problems.push({ field, message: `expected one of ${allowed.join(' | ')}, got ${got}` });
    return undefined;
  }
  return value as T;
}

/** A flag given as a boolean or as the wire's `0`/`1`; returned as a boolean (the wire codecs encode it to 0/1). */
export function flag(problems: Problems, field: string, value: unknown): boolean | undefined {
  if (isAbsent(value)) return undefined;
  if (value === true || value === 1) return true;
  if (value === false || value === 0) return false;
  problems.push({ field, message: `expected a boolean (or 0 | 1), got ${kindOf(value)}` });
  return undefined;
}

/**
 * An `s3://bucket/key` address (the bucket as S3 allows it). The address received is
 * echoed: data paths are not secrets and the typo is what the user needs to see.
 */
export function s3Path(
  problems: Problems,
  field: string,
  value: unknown,
  presence: Presence = {},
): string | undefined {
  if (isAbsent(value)) return missing(problems, field, presence);
  if (typeof value !== 'string') {
    problems.push({ field, message: `expected an s3://bucket/key address, got ${kindOf(value)}` });
    return undefined;
  }
  if (!isS3Uri(value)) {
    problems.push({ field, message: `expected an s3://bucket/key address, got ${JSON.stringify(value)}` });
    return undefined;
  }
  return value;
}

// A URI scheme as RFC 3986 writes it, followed by `//` and something.
const SCHEME_URI = /^[a-z][a-z0-9+.-]*:\/\/\S+$/i;
const S3_PREFIX = /^s3:/i;

/**
 * An address with a scheme, such as `docker://sd` or `s3://bucket/key` — the seed's
 * examples for `init_model` and `input_files[].path` are not S3 paths. Anything that
 * starts with `s3:` must be a valid S3 address, so `s3:/bucket` is caught as a typo.
 */
export function uri(
  problems: Problems,
  field: string,
  value: unknown,
  presence: Presence = {},
): string | undefined {
  if (isAbsent(value)) return missing(problems, field, presence);
  if (typeof value === 'string' && S3_PREFIX.test(value)) return s3Path(problems, field, value);
  if (typeof value !== 'string' || !SCHEME_URI.test(value)) {
    const got = typeof value === 'string' ? JSON.stringify(value) : kindOf(value);
    problems.push({
      field,
      message: `expected an address with a scheme, such as s3://bucket/key, got ${got}`,
    });
    return undefined;
  }
  return value;
}

/** True for a plain object (not an array, not null). */
export function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * An object whose keys are all in `known`: each unknown key is a problem naming it
 * (`gitInfo.brnach: unknown key`), with the key it probably meant when it differs only
 * in case or underscores (`serviceModels[0].resource_id` → `resourceId`), so a typo is
 * caught instead of silently dropped.
 * `shape` describes the expected object in the message when the value is not one.
 */
export function record(
  problems: Problems,
  field: string,
  value: unknown,
  known: readonly string[],
  options: Presence & { readonly shape?: string } = {},
): Readonly<Record<string, unknown>> | undefined {
  if (isAbsent(value)) return missing(problems, field, options);
  if (!isRecord(value)) {
    const shape = options.shape ? ` ${options.shape}` : '';
    problems.push({ field, message: `expected an object${shape}, got ${kindOf(value)}` });
    return undefined;
  }
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) {
      const meant = known.find((name) => loose(name) === loose(key));
      problems.push({
        field: `${field}.${key}`,
        message: meant
          ? `unknown key (did you mean ${meant}?)`
          : `unknown key (expected ${known.join(', ')})`,
      });
    }
  }
  return value;
}

/** An array; `nonEmpty` also refuses `[]`. */
export function list(
  problems: Problems,
  field: string,
  value: unknown,
  options: Presence & { readonly nonEmpty?: boolean } = {},
): readonly unknown[] | undefined {
  if (isAbsent(value)) return missing(problems, field, options);
  if (!Array.isArray(value)) {
    problems.push({ field, message: `expected an array, got ${kindOf(value)}` });
    return undefined;
  }
  if (options.nonEmpty && value.length === 0) {
    problems.push({ field, message: 'expected at least one entry, got an empty array' });
    return undefined;
  }
  return value;
}

/**
 * A parameter given for a type that does not use it (e.g. `algorithm` on a CUSTOM
 * job) is a problem rather than silently dropped: the user meant something by it.
 */
export function unused(
  problems: Problems,
  field: string,
  value: unknown,
  typeField: string,
  usedWith: readonly string[],
): void {
  if (!isAbsent(value)) {
    problems.push({ field, message: `only used with ${typeField} ${usedWith.join(' or ')}` });
  }
}

/** Reports a later entry whose `key` repeats an earlier one's, naming `list[i].key`. */
export function noDuplicates(
  problems: Problems,
  field: string,
  key: string,
  values: readonly (string | number | undefined)[],
): void {
  const seen = new Set<string | number>();
  values.forEach((value, i) => {
    if (value === undefined) return;
    if (seen.has(value)) {
      problems.push({ field: `${field}[${i}].${key}`, message: `repeats an earlier entry's ${key}` });
    }
    seen.add(value);
  });
}

/** A copy of `value` without its `undefined` properties, so the wire body carries only what was given. */
export function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** `Right(build())` when no problem was found, else `Left` of a {@link ValidationError} listing them all. */
export function conclude<A>(problems: Problems, build: () => A): E.Either<ValidationError, A> {
  return problems.length > 0 ? E.left(new ValidationError(problems)) : E.right(build());
}

/**
 * Runs `rule` for a parameter that only some types use. Given for another type, the
 * parameter is a problem ({@link unused}); with an unknown type (itself reported) its
 * value is still checked, so a wrong value is not hidden by a wrong type.
 */
export function forTypes<A>(
  problems: Problems,
  scope: {
    readonly typeField: string;
    readonly type: string | undefined;
    readonly usedWith: readonly string[];
    readonly requiredWith?: readonly string[];
  },
  field: string,
  value: unknown,
  rule: (presence: Presence) => A | undefined,
): A | undefined {
  const { typeField, type, usedWith, requiredWith = [] } = scope;
  if (type !== undefined && !usedWith.includes(type)) {
    unused(problems, field, value, typeField, usedWith);
    return undefined;
  }
  const required = type !== undefined && requiredWith.includes(type);
  return rule({ required, because: `with ${typeField} ${type}` });
}

/** A parameter name compared loosely: case and underscores ignored, so `train_instance_count` finds `trainInstanceCount`. */
function loose(name: string): string {
  return name.replaceAll('_', '').toLowerCase();
}

/**
 * The parameters object itself: an object whose keys are all known parameters. An
 * unknown key is a problem naming it, with the parameter it probably meant — a seed
 * (snake_case) name or a case slip — so `train_instance_count: 1` is not silently dropped.
 * A key whose value is `undefined` is ignored, as it is in JSON.
 */
export function parameters(
  problems: Problems,
  value: unknown,
  known: readonly string[],
): Readonly<Record<string, unknown>> {
  if (!isRecord(value)) {
    problems.push({ field: 'params', message: `expected an object of parameters, got ${kindOf(value)}` });
    return {};
  }
  for (const key of Object.keys(value)) {
    if (known.includes(key) || value[key] === undefined) continue;
    const meant = known.find((name) => loose(name) === loose(key));
    problems.push({
      field: key,
      message: meant ? `unknown parameter (did you mean ${meant}?)` : 'unknown parameter',
    });
  }
  return value;
}
