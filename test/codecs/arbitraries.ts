/**
 * fast-check arbitraries derived from io-ts codecs: walks the codec structure (type,
 * partial, intersection, union, array, keyof, literal, and this project's wrappers)
 * and generates DECODED values the codec accepts. Leaf codecs with their own checks
 * (ids, counts, flags, …) are listed by identity; an unknown codec throws, so a new
 * codec cannot silently escape the property tests.
 */
import fc from 'fast-check';
import * as t from 'io-ts';
import * as C from '../../src/codecs/index.js';

/** Options of {@link arbitraryOf}. */
export interface ArbitraryOptions {
  /** Values for free-form fields (`t.unknown`); default: any JSON that survives a JSON round trip. */
  readonly unknown?: fc.Arbitrary<unknown>;
}

const finiteNumber = fc
  .double({ noNaN: true, noDefaultInfinity: true })
  .map((n) => (Object.is(n, -0) ? 0 : n));
const json = fc.jsonValue().map((v) => JSON.parse(JSON.stringify(v)) as unknown);
const positiveInt = fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER });
const nonNegativeInt = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });
const bucket = fc.stringMatching(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/);
const s3Key = fc.stringMatching(/^[\w/.-]{0,20}$/);

/** Arbitraries of the leaf codecs that check more than their JS type. */
const LEAVES = new Map<t.Any, fc.Arbitrary<unknown>>([
  [C.Id, positiveInt],
  [C.PositiveInt, positiveInt],
  [C.NonNegativeInt, nonNegativeInt],
  [C.Integer, fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER })],
  [C.Count, fc.integer({ min: C.COUNT_MIN, max: C.COUNT_MAX })],
  [C.IdFromString, positiveInt],
  [C.IntFromString, nonNegativeInt],
  [C.NanosFromString, fc.integer({ min: 0, max: C.NANOS_PER_SECOND - 1 })],
  [C.NumberFromString, finiteNumber],
  [C.NonEmptyString, fc.string({ minLength: 1 })],
  [C.EnvName, fc.string({ minLength: 1 }).filter((name) => !/[=\0]/.test(name))],
  [C.S3Uri, fc.tuple(bucket, s3Key).map(([b, k]) => `s3://${b}/${k}`)],
  [C.Flag, fc.boolean()],
  [C.VerifySsl, fc.boolean()],
]);

function record(props: t.Props, required: boolean, options: ArbitraryOptions): fc.Arbitrary<unknown> {
  const model = Object.fromEntries(
    Object.entries(props).map(([key, codec]) => [key, arbitraryOf(codec, options)]),
  );
  return required ? fc.record(model) : fc.record(model, { requiredKeys: [] });
}

/** Decoded values `codec` accepts. Throws for a codec it does not know. */
export function arbitraryOf(codec: t.Any, options: ArbitraryOptions = {}): fc.Arbitrary<unknown> {
  const leaf = LEAVES.get(codec);
  if (leaf) return leaf;
  if (codec === C.ServiceList) {
    return fc.record({ services: fc.array(arbitraryOf(C.ServiceSummary, options), { maxLength: 3 }) });
  }
  const c = codec as t.Any & { _tag?: string };
  switch (c._tag) {
    case 'StringType':
      return fc.string();
    case 'NumberType':
      return finiteNumber;
    case 'BooleanType':
      return fc.boolean();
    case 'UnknownType':
      return options.unknown ?? json;
    case 'LiteralType':
      return fc.constant((codec as t.LiteralC<string>).value);
    case 'KeyofType':
      return fc.constantFrom(...Object.keys((codec as t.KeyofC<Record<string, unknown>>).keys));
    case 'InterfaceType':
      return record((codec as t.InterfaceType<t.Props>).props, true, options);
    case 'PartialType':
      return record((codec as t.PartialType<t.Props>).props, false, options);
    case 'IntersectionType': {
      const parts = (codec as t.IntersectionType<t.Mixed[]>).types.map((member) =>
        arbitraryOf(member, options),
      );
      return fc.tuple(...parts).map((values) => Object.assign({}, ...values));
    }
    case 'UnionType':
      return fc.oneof(
        ...(codec as t.UnionType<t.Mixed[]>).types.map((member) => arbitraryOf(member, options)),
      );
    case 'ArrayType':
      return fc.array(arbitraryOf((codec as t.ArrayType<t.Mixed>).type, options), { maxLength: 3 });
    case 'ExactType':
    case 'StrictType':
    case 'DefaultType':
    case 'FastPathType':
      return arbitraryOf((codec as unknown as { type: t.Any }).type, options);
    case 'OptionalType':
      // `null` decodes to `undefined`, so a generated `null` could not come back as itself.
      return fc.option(
        arbitraryOf((codec as C.OptionalType<t.Any>).type, options).filter((v) => v !== null),
        { nil: undefined },
      );
    case 'NonEmptyArrayType':
      return fc.array(arbitraryOf((codec as C.NonEmptyArrayType<t.Mixed>).type, options), {
        minLength: 1,
        maxLength: 3,
      });
    case 'OneOrManyType': {
      const item = arbitraryOf((codec as C.OneOrManyType<t.Mixed>).type, options);
      return fc.oneof(item, fc.array(item, { maxLength: 3 }));
    }
    case 'OpenEnumType':
      return fc.oneof(fc.constantFrom(...(codec as C.OpenEnumType<string>).known), fc.string());
    default:
      throw new Error(`no arbitrary for codec ${codec.name}`);
  }
}

/** Every codec exported by `src/codecs` and every codec of the endpoint table, each once, by name. */
export function allCodecs(): Array<[string, t.Any]> {
  const seen = new Set<t.Any>();
  const list: Array<[string, t.Any]> = [];
  const add = (name: string, codec: t.Any | undefined) => {
    if (codec === undefined || seen.has(codec)) return;
    seen.add(codec);
    list.push([name, codec]);
  };
  for (const [name, value] of Object.entries(C)) {
    if (value instanceof t.Type) add(name, value);
  }
  for (const e of C.endpointList) {
    add(`${e.name}.params`, e.params);
    add(`${e.name}.query`, e.query);
    add(`${e.name}.body`, e.body);
    add(`${e.name}.response`, e.response);
  }
  return list;
}
