/**
 * The one way wire data becomes typed data: `decode(codec, value)` returns an
 * `Either` whose left side is a {@link DecodeError} naming each bad path,
 * the expected type and what was received, e.g.
 * `trainTasks[3].id: expected number, got "x"`.
 *
 * What was received is described by its shape — type and length, the keys of an
 * object — and shown as a value only when it is a number, a boolean, null or a short
 * string. Under a field named like a secret (`password`, `token`, `sk`, … anywhere
 * in the path) only the type is told, never the value nor its length. (Values equal
 * to a secret the session knows are scrubbed once more where the error leaves the SDK.)
 * @module
 */
import * as E from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import { DecodeError, type ErrorFields } from '../errors.js';

/** Strings up to this length are shown quoted; longer ones by their length only. */
const MAX_SHOWN_STRING = 40;
/** Keys of an object named in its description, at most. */
const MAX_SHOWN_KEYS = 6;
/** Longest key shown (longer keys are data, not field names). */
const MAX_SHOWN_KEY_LENGTH = 30;

/**
 * Keys whose values are secret, compared lower-case without `-` and `_`. The same list
 * as the client's redaction (`client/redact.ts`), kept here because codecs sit below
 * the client.
 */
const SECRET_FIELD_NAMES: ReadonlySet<string> = new Set([
  'password',
  'passwd',
  'pwd',
  'token',
  'authtoken',
  'accesstoken',
  'refreshtoken',
  'sessiontoken',
  'xamzsecuritytoken',
  'sk',
  'secret',
  'secretkey',
  'accesskeysecret',
  'secretaccesskey',
  'authorization',
  'proxyauthorization',
  'cookie',
  'setcookie',
  'auth',
]);

/** True when a field of this name holds a secret (`password`, `Auth-Token`, `sk`, `access_Key_Secret`…). */
export function isSecretFieldName(key: string): boolean {
  return SECRET_FIELD_NAMES.has(key.toLowerCase().replace(/[-_]/g, ''));
}

function plural(count: number, one: string): string {
  return `${count} ${one}${count === 1 ? '' : 's'}`;
}

/** The bare type of a value: `a string`, `an object`, `an array`, `a number`… (nothing about its content). */
export function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'object':
      return 'an object';
    case 'string':
      return 'a string';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'a boolean';
    case 'function':
      return 'a function';
    default:
      return `a ${typeof value}`;
  }
}

/**
 * Describes a received value for an error message by its shape: numbers, booleans,
 * null and strings up to 40 characters as they are; longer strings by length
 * (`a string of 812 chars`); arrays by length (`an array of 3`); objects by their keys
 * (`an object with keys username, password`). Never more than a line, whatever the input.
 */
export function showValue(value: unknown): string {
  if (value === null || value === undefined || typeof value === 'boolean' || typeof value === 'number')
    return String(value);
  if (typeof value === 'string') {
    return value.length <= MAX_SHOWN_STRING ? JSON.stringify(value) : `a string of ${value.length} chars`;
  }
  if (Array.isArray(value)) return value.length === 0 ? 'an empty array' : `an array of ${value.length}`;
  if (typeof value === 'object') {
    let keys: string[];
    try {
      keys = Object.keys(value);
    } catch {
      return 'an object';
    }
    if (keys.length === 0) return 'an empty object';
    const named = keys
      .slice(0, MAX_SHOWN_KEYS)
      .map((key) => (key.length > MAX_SHOWN_KEY_LENGTH || !/^[\w$.-]+$/.test(key) ? '…' : key));
    const more = keys.length > MAX_SHOWN_KEYS ? `, … (${plural(keys.length, 'key')})` : '';
    return `an object with ${keys.length === 1 ? 'key' : 'keys'} ${named.join(', ')}${more}`;
  }
  return typeOf(value);
}

/** `a.b[3].c` from an io-ts context, skipping the union/intersection members io-ts inserts. */
function pathOf(context: t.Context): string {
  let path = '';
  for (let i = 1; i < context.length; i++) {
    const entry = context[i]!;
    const parentTag = (context[i - 1]!.type as { _tag?: string })._tag;
    // Members of unions/intersections and refinement wrappers are named by index, not by field.
    if (parentTag === 'UnionType' || parentTag === 'IntersectionType' || parentTag === 'RefinementType')
      continue;
    if (parentTag === 'ArrayType' || parentTag === 'ReadonlyArrayType' || parentTag === 'TupleType') {
      path += `[${entry.key}]`;
    } else if (entry.key !== '') {
      path += path === '' ? entry.key : `.${entry.key}`;
    }
  }
  return path === '' ? '(root)' : path;
}

/**
 * One line per error: `path: expected T, got V` (V described by {@link showValue}; only
 * its type under a secret-named field). A failed union is reported once, as
 * the union (`expected (0 | 1 | boolean)`), not once per member. Deduplicated, in order.
 */
export function report(errors: t.Errors): string[] {
  const lines = errors.map((error) => {
    const unionAt = error.context.findIndex(
      (entry) => (entry.type as { _tag?: string })._tag === 'UnionType',
    );
    const context = unionAt >= 0 ? error.context.slice(0, unionAt + 1) : error.context;
    const last = context[context.length - 1];
    const expected = last?.type.name ?? 'unknown';
    // Under a secret-named field (at any depth) nothing but the type is told.
    if (context.some((entry) => isSecretFieldName(entry.key))) {
      return `${pathOf(context)}: expected ${expected}, got ${typeOf(last?.actual)}`;
    }
    if (error.message && unionAt < 0) return `${pathOf(context)}: ${error.message}`;
    return `${pathOf(context)}: expected ${expected}, got ${showValue(last?.actual)}`;
  });
  return [...new Set(lines)];
}

/**
 * Decodes `value` with `codec`. Never throws: arbitrary input gives `Left` or `Right`.
 *
 * @example
 * ```ts
 * const result = decode(TrainList, body);
 * if (E.isLeft(result)) console.error(result.left.message);
 * ```
 */
export function decode<A, O>(
  codec: t.Type<A, O, unknown>,
  value: unknown,
  where: ErrorFields = {},
): E.Either<DecodeError, A> {
  try {
    return E.mapLeft((errors: t.Errors) => new DecodeError(report(errors), where))(codec.decode(value));
  } catch (cause) {
    return E.left(new DecodeError([`(root): decoder threw ${String(cause)}`], { ...where, cause }));
  }
}
