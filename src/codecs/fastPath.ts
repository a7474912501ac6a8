/**
 * A codec with a hand-written fast path for its one hot shape (e.g. a log page of
 * a thousand well-formed lines), and its io-ts codec as the reference for
 * everything else.
 *
 * `recognize(u)` is a cheap, allocation-free check that returns the decoded value
 * exactly as the reference would (usually `u` itself) when `u` is in the hot
 * shape, or {@link NOT_RECOGNIZED} otherwise. Anything not recognized — every
 * invalid input, and valid input the reference would rewrite — is decoded by the
 * reference itself, with the context it would have had, so errors (paths,
 * messages) are the reference's by construction. `is` and `encode` are the
 * reference's. Property tests prove `recognize` agrees with the reference.
 * @module
 */
import * as t from 'io-ts';

/** What a fast path returns for input outside its hot shape. */
export const NOT_RECOGNIZED: unique symbol = Symbol('not recognized');

/** A fast path: the decoded value for input in the hot shape, {@link NOT_RECOGNIZED} for anything else. */
export type Recognizer<A> = (u: unknown) => A | typeof NOT_RECOGNIZED;

/** A codec decoded by a fast path where it applies, by `type` (the reference) elsewhere (see the module doc). */
export class FastPathType<C extends t.Any> extends t.Type<t.TypeOf<C>, t.OutputOf<C>, unknown> {
  readonly _tag = 'FastPathType' as const;
  constructor(
    /** The reference codec: its errors, `is` and `encode` are this codec's. */
    readonly type: C,
    recognize: Recognizer<t.TypeOf<C>>,
  ) {
    super(
      type.name,
      type.is,
      (u, c) => {
        const fast = recognize(u);
        if (fast !== NOT_RECOGNIZED) return t.success(fast);
        // The reference sees itself where the caller put this codec, as if used directly.
        const last = c[c.length - 1];
        const context = last === undefined ? c : [...c.slice(0, -1), { ...last, type }];
        return type.validate(u, context);
      },
      (a) => type.encode(a),
    );
  }
}

/** Wraps `reference` with the fast path `recognize` (see the module doc). */
export function withFastPath<C extends t.Any>(
  reference: C,
  recognize: Recognizer<t.TypeOf<C>>,
): FastPathType<C> {
  return new FastPathType(reference, recognize);
}
