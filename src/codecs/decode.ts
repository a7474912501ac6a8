/**
 * The one way wire data becomes typed data: `decode(codec, value)` returns an
 * `Either` whose left side is a {@link DecodeError} naming each bad path,
 * the expected type and the value received, e.g.
 * `trainTasks[3].id: expected number, got "x"`.
 * @module
 */
import * as E from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import { DecodeError, type ErrorFields } from '../errors.js';

const MAX_SHOWN_VALUE = 80;

/** Renders a received value for an error message, shortened so a huge body cannot flood a log. */
export function showValue(value: unknown): string {
  let text: string;
  if (value === undefined) text = 'undefined';
  else if (typeof value === 'function') text = 'a function';
  else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  return text.length > MAX_SHOWN_VALUE ? `${text.slice(0, MAX_SHOWN_VALUE)}…` : text;
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
 * One line per error: `path: expected T, got V`. A failed union is reported once, as
 * the union (`expected (0 | 1 | boolean)`), not once per member. Deduplicated, in order.
 */
export function report(errors: t.Errors): string[] {
  const lines = errors.map((error) => {
    const unionAt = error.context.findIndex(
      (entry) => (entry.type as { _tag?: string })._tag === 'UnionType',
    );
    const context = unionAt >= 0 ? error.context.slice(0, unionAt + 1) : error.context;
    const last = context[context.length - 1];
    if (error.message && unionAt < 0) return `${pathOf(context)}: ${error.message}`;
    return `${pathOf(context)}: expected ${last?.type.name ?? 'unknown'}, got ${showValue(last?.actual)}`;
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
