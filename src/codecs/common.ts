/**
 * Building blocks shared by every wire codec: ids, numbers that travel as text in
 * paths and queries, 0/1 flags, counts, lenient optional fields, open enums.
 *
 * Error messages follow one rule so `decode` reads well: a value of the wrong JS
 * type gives `expected number, got "x"`; a value of the right type but out of range
 * gives `expected <what>, got <value>` (e.g. `expected an integer in 1..10, got 11`).
 * @module
 */
import * as t from 'io-ts';
import { MAX_INSTANCE_COUNT, MIN_INSTANCE_COUNT } from '../defaults.js';
import { showValue } from './decode.js';
import { isS3Uri } from './s3uri.js';

// ── numbers ─────────────────────────────────────────────────────────────────

/** A number codec that checks `predicate`, named `name`, with `expectation` in its range message. */
function checkedNumber(name: string, predicate: (n: number) => boolean, expectation: string): t.Type<number> {
  return new t.Type<number>(
    name,
    (u): u is number => typeof u === 'number' && predicate(u),
    (u, c) => {
      if (typeof u !== 'number') return t.failure(u, c, `expected number, got ${showValue(u)}`);
      return predicate(u) ? t.success(u) : t.failure(u, c, `expected ${expectation}, got ${showValue(u)}`);
    },
    t.identity,
  );
}

/**
 * A number carried as text (path and query parameters) or as a JSON number. Decodes
 * `'12'` and `12` alike; encodes to the canonical text, so `encode(decode(s)) === s`
 * for every accepted canonical string.
 */
function numberFromText(
  name: string,
  textPattern: RegExp,
  predicate: (n: number) => boolean,
  expectation: string,
): t.Type<number, string, unknown> {
  const fail = (u: unknown, c: t.Context) =>
    t.failure<number>(u, c, `expected ${expectation}, got ${showValue(u)}`);
  return new t.Type<number, string, unknown>(
    name,
    (u): u is number => typeof u === 'number' && predicate(u),
    (u, c) => {
      if (typeof u === 'number') return predicate(u) ? t.success(u) : fail(u, c);
      if (typeof u !== 'string' || !textPattern.test(u)) return fail(u, c);
      const n = Number(u);
      return predicate(n) ? t.success(n) : fail(u, c);
    },
    (n) => String(n),
  );
}

const isPositiveInt = (n: number): boolean => Number.isSafeInteger(n) && n > 0;
const isNonNegativeInt = (n: number): boolean => Number.isSafeInteger(n) && n >= 0;

/** Any safe integer (error codes, exit codes). */
export const Integer = checkedNumber('Integer', Number.isSafeInteger, 'an integer');
/** Any safe integer (error codes, exit codes). */
export type Integer = t.TypeOf<typeof Integer>;

/** A positive safe integer: every platform id (jobs, versions, models, services, resources). */
export const Id = checkedNumber('Id', isPositiveInt, 'a positive integer');
/** A positive safe integer: every platform id. */
export type Id = t.TypeOf<typeof Id>;

/** A positive safe integer that is not an id (e.g. `maxRuntime` in seconds). */
export const PositiveInt = checkedNumber('PositiveInt', isPositiveInt, 'a positive integer');
/** A positive safe integer that is not an id. */
export type PositiveInt = t.TypeOf<typeof PositiveInt>;

/** A non-negative safe integer (log line ids start at 0, instance ranks, sizes). */
export const NonNegativeInt = checkedNumber('NonNegativeInt', isNonNegativeInt, 'a non-negative integer');
/** A non-negative safe integer. */
export type NonNegativeInt = t.TypeOf<typeof NonNegativeInt>;

/** Smallest `instance`, `volumeSize` and `instanceCount` the platform accepts (the parameter rules' bound). */
export const COUNT_MIN = MIN_INSTANCE_COUNT;
/** Largest `instance`, `volumeSize` and `instanceCount` the platform accepts (the parameter rules' bound). */
export const COUNT_MAX = MAX_INSTANCE_COUNT;

/** `instance`, `volumeSize`, `instanceCount`: an integer in {@link COUNT_MIN}..{@link COUNT_MAX}. */
export const Count = checkedNumber(
  'Count',
  (n) => Number.isSafeInteger(n) && n >= COUNT_MIN && n <= COUNT_MAX,
  `an integer in ${COUNT_MIN}..${COUNT_MAX}`,
);
/** An integer in 1..10. */
export type Count = t.TypeOf<typeof Count>;

/**
 * An id in a path: decodes `'12'` or `12` to `12`, encodes to `'12'`. Rejects `'0'`,
 * negatives, fractions, leading zeros and words, so `/v1/train/version` can never
 * match `/v1/train/{jobId}`.
 */
export const IdFromString = numberFromText(
  'IdFromString',
  /^[1-9][0-9]*$/,
  isPositiveInt,
  'a positive integer',
);
/** A positive integer (the decoded side of {@link IdFromString}). */
export type IdFromString = t.TypeOf<typeof IdFromString>;

/** A non-negative integer in a query (`lastId`, `limit`): `'0'` or `0` → `0`, encodes to `'0'`. */
export const IntFromString = numberFromText(
  'IntFromString',
  /^(0|[1-9][0-9]*)$/,
  isNonNegativeInt,
  'a non-negative integer',
);
/** A non-negative integer (the decoded side of {@link IntFromString}). */
export type IntFromString = t.TypeOf<typeof IntFromString>;

/** Nanoseconds in a second. */
export const NANOS_PER_SECOND = 1_000_000_000;

/** Nanoseconds within a second in a query (`lastNan`): `'0'` … `'999999999'`, or the same numbers. */
export const NanosFromString = numberFromText(
  'NanosFromString',
  /^(0|[1-9][0-9]*)$/,
  (n) => isNonNegativeInt(n) && n < NANOS_PER_SECOND,
  'nanoseconds within a second (an integer in 0..999999999)',
);
/** Nanoseconds within a second (the decoded side of {@link NanosFromString}). */
export type NanosFromString = t.TypeOf<typeof NanosFromString>;

/** A finite number in a query (`wait`): `'2.5'` or `2.5` → `2.5`, encodes with `String(n)`. */
export const NumberFromString = numberFromText(
  'NumberFromString',
  /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/,
  Number.isFinite,
  'a finite number',
);
/** A finite number (the decoded side of {@link NumberFromString}). */
export type NumberFromString = t.TypeOf<typeof NumberFromString>;

// ── strings ─────────────────────────────────────────────────────────────────

/** A string with at least one character (names and versions in request bodies). */
export const NonEmptyString = new t.Type<string>(
  'NonEmptyString',
  (u): u is string => typeof u === 'string' && u.length > 0,
  (u, c) => {
    if (typeof u !== 'string') return t.failure(u, c, `expected string, got ${showValue(u)}`);
    return u.length > 0 ? t.success(u) : t.failure(u, c, 'expected a non-empty string, got ""');
  },
  t.identity,
);
/** A string with at least one character. */
export type NonEmptyString = t.TypeOf<typeof NonEmptyString>;

/** An `s3://bucket/key` address (request bodies: `output`, `dataUrl`, `codeUrl`, `modelPath`). */
export const S3Uri = new t.Type<string>(
  'S3Uri',
  (u): u is string => typeof u === 'string' && isS3Uri(u),
  (u, c) => {
    if (typeof u !== 'string') return t.failure(u, c, `expected string, got ${showValue(u)}`);
    return isS3Uri(u)
      ? t.success(u)
      : t.failure(u, c, `expected an s3://bucket/key address, got ${showValue(u)}`);
  },
  t.identity,
);
/** An `s3://bucket/key` address. */
export type S3Uri = t.TypeOf<typeof S3Uri>;

/**
 * A scalar kept exactly as the server sent it: machine specs (`cpu: 4` or `'4C'`)
 * and timestamps (ISO text or epoch number), whose real-server type is unknown.
 */
export const StringOrNumber = t.union([t.string, t.number]);
/** A string or a number, kept as given. */
export type StringOrNumber = t.TypeOf<typeof StringOrNumber>;

/** A point in time as the server sends it (ISO text or epoch number), kept as given. */
export const Timestamp = StringOrNumber;
/** A point in time as the server sends it. */
export type Timestamp = t.TypeOf<typeof Timestamp>;

/** The string type of an open enum: the known literals (for completion) or any other string. */
export type OpenString<K extends string> = K | (string & Record<never, never>);

/**
 * A status-like string whose known values are listed but which accepts any string,
 * so a server that adds a status does not break decoding (`TrainStatus`, `ServiceStatus`).
 */
export class OpenEnumType<K extends string> extends t.Type<OpenString<K>, string, unknown> {
  readonly _tag = 'OpenEnumType' as const;
  constructor(
    name: string,
    readonly known: readonly K[],
  ) {
    super(
      name,
      (u): u is OpenString<K> => typeof u === 'string',
      (u, c) => (typeof u === 'string' ? t.success(u) : t.failure(u, c)),
      t.identity,
    );
  }
}

/** Declares an open enum over `known`. */
export function openEnum<K extends string>(name: string, known: readonly K[]): OpenEnumType<K> {
  return new OpenEnumType(name, known);
}

// ── flags ───────────────────────────────────────────────────────────────────

/**
 * A yes/no field. Decodes `0 | 1 | true | false` to a boolean; ENCODES to `0 | 1`,
 * because the Python client evaluates bodies as Python literals, where `true` is undefined.
 */
export const Flag = new t.Type<boolean, 0 | 1, unknown>(
  '0 | 1 | boolean',
  (u): u is boolean => typeof u === 'boolean',
  (u, c) => {
    if (typeof u === 'boolean') return t.success(u);
    if (u === 0 || u === 1) return t.success(u === 1);
    return t.failure(u, c);
  },
  (b) => (b ? 1 : 0),
);
/** A yes/no field (decoded side of {@link Flag}). */
export type Flag = t.TypeOf<typeof Flag>;

// ── lenient wrappers ────────────────────────────────────────────────────────

/**
 * A field that may be absent OR `null`: both decode to `undefined`; `undefined`
 * encodes to `undefined` (so `JSON.stringify` leaves the key out — never `null`).
 * Inner errors keep their own path and message.
 */
export class OptionalType<C extends t.Any> extends t.Type<
  t.TypeOf<C> | undefined,
  t.OutputOf<C> | undefined,
  unknown
> {
  readonly _tag = 'OptionalType' as const;
  constructor(readonly type: C) {
    super(
      `${type.name} | undefined`,
      (u): u is t.TypeOf<C> | undefined => u === undefined || type.is(u),
      (u, c) =>
        u === undefined || u === null
          ? t.success(undefined)
          : type.validate(u, t.appendContext(c, '', type, u)),
      (a) => (a === undefined ? undefined : type.encode(a)),
    );
  }
}

/** Wraps a codec so absence and `null` both decode to `undefined`. */
export function optional<C extends t.Any>(codec: C): OptionalType<C> {
  return new OptionalType(codec);
}

/** The props of {@link optionalFields}: each wrapped in {@link OptionalType}. */
export type OptionalProps<P extends t.Props> = { [K in keyof P]: OptionalType<P[K]> };

/**
 * Extension (or otherwise optional) fields: `t.partial` whose every field accepts
 * absence or `null`. Use beside a `t.type` of the required fields in a `t.intersection`.
 */
export function optionalFields<P extends t.Props>(props: P, name?: string): t.PartialC<OptionalProps<P>> {
  const wrapped = Object.fromEntries(
    Object.entries(props).map(([key, codec]) => [key, optional(codec)]),
  ) as unknown as OptionalProps<P>;
  return name === undefined ? t.partial(wrapped) : t.partial(wrapped, name);
}

/**
 * A field that decodes to `fallback()` when absent or `null` (e.g. `samples` of a
 * resource monitor → `[]`). `fallback` is a function so each decode gets a fresh value.
 */
export class DefaultType<C extends t.Any> extends t.Type<t.TypeOf<C>, t.OutputOf<C>, unknown> {
  readonly _tag = 'DefaultType' as const;
  constructor(
    readonly type: C,
    readonly fallback: () => t.TypeOf<C>,
  ) {
    super(
      type.name,
      type.is,
      (u, c) =>
        u === undefined || u === null
          ? t.success(fallback())
          : type.validate(u, t.appendContext(c, '', type, u)),
      (a) => type.encode(a),
    );
  }
}

/** Wraps a codec so absence and `null` decode to `fallback()`. */
export function withDefault<C extends t.Any>(codec: C, fallback: () => t.TypeOf<C>): DefaultType<C> {
  return new DefaultType(codec, fallback);
}

/** An array with at least one element; element errors keep their `[i]` path. */
export class NonEmptyArrayType<C extends t.Mixed> extends t.Type<
  Array<t.TypeOf<C>>,
  Array<t.OutputOf<C>>,
  unknown
> {
  readonly _tag = 'NonEmptyArrayType' as const;
  constructor(readonly type: C) {
    const array = t.array(type);
    super(
      `NonEmptyArray<${type.name}>`,
      (u): u is Array<t.TypeOf<C>> => array.is(u) && u.length > 0,
      (u, c) => {
        const result = array.validate(u, t.appendContext(c, '', array, u));
        if (result._tag === 'Left') return result;
        return result.right.length > 0 ? result : t.failure(u, c, 'expected a non-empty array, got []');
      },
      (a) => array.encode(a),
    );
  }
}

/** Declares a non-empty array of `codec`. */
export function nonEmptyArray<C extends t.Mixed>(codec: C): NonEmptyArrayType<C> {
  return new NonEmptyArrayType(codec);
}

/**
 * One value or an array of them, kept as given (the seed documents `model_git_info`
 * as a list, the contract as an object). Errors keep the inner path.
 */
export class OneOrManyType<C extends t.Mixed> extends t.Type<
  t.TypeOf<C> | Array<t.TypeOf<C>>,
  t.OutputOf<C> | Array<t.OutputOf<C>>,
  unknown
> {
  readonly _tag = 'OneOrManyType' as const;
  constructor(readonly type: C) {
    const array = t.array(type);
    super(
      `${type.name} | Array<${type.name}>`,
      (u): u is t.TypeOf<C> | Array<t.TypeOf<C>> => type.is(u) || array.is(u),
      (u, c) =>
        Array.isArray(u)
          ? array.validate(u, t.appendContext(c, '', array, u))
          : type.validate(u, t.appendContext(c, '', type, u)),
      (a) => (Array.isArray(a) ? array.encode(a) : type.encode(a)),
    );
  }
}

/** Declares "one `codec` value or an array of them". */
export function oneOrMany<C extends t.Mixed>(codec: C): OneOrManyType<C> {
  return new OneOrManyType(codec);
}

/**
 * A request body as the local platform validates it: checked like `codec`, with
 * unknown fields stripped (`t.exact`), and error paths that name the wire field
 * (`serviceModels[0].instanceCount`, not the intersection member's index).
 */
export class StrictType<C extends t.HasProps> extends t.Type<t.TypeOf<C>, t.OutputOf<C>, unknown> {
  readonly _tag = 'StrictType' as const;
  constructor(
    readonly type: C,
    name: string,
  ) {
    const exact = t.exact(type);
    super(
      name,
      exact.is,
      // `t.exact` validates its member in the caller's context; adding the member's own
      // entry lets the path reporter skip intersection indexes as it does elsewhere.
      (u, c) =>
        t.UnknownRecord.is(u) ? exact.validate(u, t.appendContext(c, '', type, u)) : t.failure(u, c),
      (a) => exact.encode(a),
    );
  }
}

/** Declares a request body codec: `codec` checked, unknown fields stripped, named `name`. */
export function strict<C extends t.HasProps>(codec: C, name: string): StrictType<C> {
  return new StrictType(codec, name);
}

// ── small shared shapes ─────────────────────────────────────────────────────

/**
 * `{ name, value }` (hyperparameters, environment variables). `value` is text on
 * the wire, but a number is accepted too and KEPT AS GIVEN (not converted), so what
 * the caller sent is what the server stores; consumers stringify when they need text.
 */
export const NameValue = t.type({ name: t.string, value: StringOrNumber });
/** `{ name, value }`. */
export type NameValue = t.TypeOf<typeof NameValue>;

/** Characters an environment variable's name cannot hold: `=` ends the name, NUL ends the entry. */
const ENV_NAME_FORBIDDEN = /[=\0]/;

/**
 * An environment variable's name: not empty, without `=` or NUL. A name with `=`
 * (`NODE_OPTIONS=--require x` or `PATH=/tmp`) would reach the process as another
 * variable's assignment and override what the platform sets.
 */
export const EnvName = new t.Type<string>(
  'EnvName',
  (u): u is string => typeof u === 'string' && u.length > 0 && !ENV_NAME_FORBIDDEN.test(u),
  (u, c) => {
    if (typeof u !== 'string') return t.failure(u, c, `expected string, got ${showValue(u)}`);
    if (u.length === 0) return t.failure(u, c, 'expected an environment variable name, got ""');
    return ENV_NAME_FORBIDDEN.test(u)
      ? t.failure(u, c, `expected an environment variable name without "=" or NUL, got ${showValue(u)}`)
      : t.success(u);
  },
  t.identity,
);

/** `{ name, value }` of an environment variable a request sets (`envs`): the name checked, see {@link EnvName}. */
export const EnvVar = t.type({ name: EnvName, value: StringOrNumber });
/** `{ name, value }` of an environment variable. */
export type EnvVar = t.TypeOf<typeof EnvVar>;

/**
 * An acknowledgement body (stop, start, delete, update). Servers answer with `{}`,
 * a message or anything else: any JSON is accepted and ignored.
 */
export const Ack = t.unknown;
/** An acknowledgement body: any JSON. */
export type Ack = t.TypeOf<typeof Ack>;

/** Path parameters of an endpoint without any. */
export const NoParams = t.type({});
/** Path parameters of an endpoint without any. */
export type NoParams = t.TypeOf<typeof NoParams>;

/** The `{}` body of the POSTs that carry no data (`stop`, `start`). Any object is accepted. */
export const EmptyBody = t.type({});
/** The `{}` body of POSTs that carry no data. */
export type EmptyBody = t.TypeOf<typeof EmptyBody>;
