import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { describe, expect, it } from 'vitest';
import {
  Count,
  decode,
  EnvName,
  Flag,
  Id,
  IdFromString,
  IntFromString,
  NameValue,
  NonEmptyString,
  NumberFromString,
  nonEmptyArray,
  oneOrMany,
  openEnum,
  optional,
  optionalFields,
  S3Uri,
  withDefault,
} from '../../src/codecs/index.js';

/** The decoded value, or the problem lines. */
function run<A, O>(
  codec: t.Type<A, O, unknown>,
  value: unknown,
): { ok: A } | { problems: readonly string[] } {
  const result = decode(codec, value);
  return E.isRight(result) ? { ok: result.right } : { problems: result.left.problems };
}

describe('Id', () => {
  it('accepts positive safe integers', () => {
    expect(run(Id, 1)).toEqual({ ok: 1 });
    expect(run(Id, Number.MAX_SAFE_INTEGER)).toEqual({ ok: Number.MAX_SAFE_INTEGER });
  });

  it('says "expected number" for a value of another type, even numeric text', () => {
    expect(run(Id, 'x')).toEqual({ problems: ['(root): expected number, got "x"'] });
    expect(run(Id, '12')).toEqual({ problems: ['(root): expected number, got "12"'] });
  });

  it('rejects 0, negatives, fractions and unsafe integers, naming the range', () => {
    for (const bad of [0, -1, 1.5, 2 ** 60]) {
      expect(run(Id, bad)).toEqual({ problems: [`(root): expected a positive integer, got ${bad}`] });
    }
  });
});

describe('IdFromString', () => {
  it("decodes '12' and 12 to 12 and encodes to '12'", () => {
    expect(run(IdFromString, '12')).toEqual({ ok: 12 });
    expect(run(IdFromString, 12)).toEqual({ ok: 12 });
    expect(IdFromString.encode(12)).toBe('12');
  });

  it('rejects 0, negatives, fractions, leading zeros, blanks and words such as "version"', () => {
    for (const bad of ['0', '-1', '1.5', '012', ' 12', '', 'version', '1e3', 0, -3, 2.5, null]) {
      const result = run(IdFromString, bad);
      expect(result).toHaveProperty('problems');
      expect((result as { problems: string[] }).problems[0]).toMatch(
        /^\(root\): expected a positive integer, got /,
      );
    }
  });
});

describe('IntFromString', () => {
  it("decodes '0' and 7 and encodes to text", () => {
    expect(run(IntFromString, '0')).toEqual({ ok: 0 });
    expect(run(IntFromString, 7)).toEqual({ ok: 7 });
    expect(IntFromString.encode(0)).toBe('0');
  });

  it('rejects negatives, fractions and words', () => {
    for (const bad of ['-1', '1.5', 'x', '', -1]) expect(run(IntFromString, bad)).toHaveProperty('problems');
  });
});

describe('NumberFromString', () => {
  it('decodes decimal and exponent text and numbers; encodes with String()', () => {
    expect(run(NumberFromString, '2.5')).toEqual({ ok: 2.5 });
    expect(run(NumberFromString, '1e3')).toEqual({ ok: 1000 });
    expect(run(NumberFromString, '-0.5')).toEqual({ ok: -0.5 });
    expect(run(NumberFromString, 3)).toEqual({ ok: 3 });
    expect(NumberFromString.encode(2.5)).toBe('2.5');
  });

  it('rejects text that is not a finite number', () => {
    for (const bad of ['', ' ', 'abc', 'Infinity', 'NaN', '0x10', '1,5']) {
      expect(run(NumberFromString, bad)).toHaveProperty('problems');
    }
  });
});

describe('Flag', () => {
  it('decodes 0, 1, true and false to booleans', () => {
    expect(run(Flag, 0)).toEqual({ ok: false });
    expect(run(Flag, 1)).toEqual({ ok: true });
    expect(run(Flag, true)).toEqual({ ok: true });
    expect(run(Flag, false)).toEqual({ ok: false });
  });

  it('encodes to 0 and 1, never to JSON booleans', () => {
    expect(Flag.encode(true)).toBe(1);
    expect(Flag.encode(false)).toBe(0);
  });

  it('rejects other numbers, text and null', () => {
    for (const bad of [2, -1, '1', 'true', null]) {
      expect(run(Flag, bad)).toEqual({
        problems: [`(root): expected 0 | 1 | boolean, got ${JSON.stringify(bad)}`],
      });
    }
  });
});

describe('Count', () => {
  it('accepts 1 and 10', () => {
    expect(run(Count, 1)).toEqual({ ok: 1 });
    expect(run(Count, 10)).toEqual({ ok: 10 });
  });

  it('rejects 0 and 11 with a message naming the range 1..10', () => {
    expect(run(Count, 0)).toEqual({ problems: ['(root): expected an integer in 1..10, got 0'] });
    expect(run(Count, 11)).toEqual({ problems: ['(root): expected an integer in 1..10, got 11'] });
  });

  it('rejects fractions and text', () => {
    expect(run(Count, 1.5)).toEqual({ problems: ['(root): expected an integer in 1..10, got 1.5'] });
    expect(run(Count, '3')).toEqual({ problems: ['(root): expected number, got "3"'] });
  });
});

describe('optional fields', () => {
  const Shape = t.intersection([
    t.type({ id: Id }),
    optionalFields({ note: t.string, tags: t.array(t.string) }),
  ]);

  it('accept absence and null alike; null decodes to undefined', () => {
    expect(run(Shape, { id: 1 })).toEqual({ ok: { id: 1 } });
    const fromNull = run(Shape, { id: 1, note: null, tags: null });
    expect(fromNull).toEqual({ ok: { id: 1 } });
    expect((fromNull as { ok: { note?: string } }).ok.note).toBeUndefined();
  });

  it('encode undefined so JSON leaves the key out, never null', () => {
    expect(JSON.stringify(Shape.encode({ id: 1, note: undefined }))).toBe('{"id":1}');
    expect(optional(t.string).encode(undefined)).toBeUndefined();
  });

  it('still reject a present value of the wrong type, with the inner path', () => {
    expect(run(Shape, { id: 1, tags: ['a', 2] })).toEqual({ problems: ['tags[1]: expected string, got 2'] });
  });
});

describe('withDefault', () => {
  const Shape = t.type({ items: withDefault(t.array(t.number), () => []) });

  it('fills absence and null with a fresh fallback each time', () => {
    const a = run(Shape, {}) as { ok: { items: number[] } };
    const b = run(Shape, { items: null }) as { ok: { items: number[] } };
    expect(a.ok.items).toEqual([]);
    expect(b.ok.items).toEqual([]);
    expect(a.ok.items).not.toBe(b.ok.items);
  });

  it('keeps element paths in errors', () => {
    expect(run(Shape, { items: [1, 'x'] })).toEqual({ problems: ['items[1]: expected number, got "x"'] });
  });
});

describe('nonEmptyArray and oneOrMany', () => {
  it('nonEmptyArray rejects [] and keeps [i] paths', () => {
    const codec = t.type({ xs: nonEmptyArray(Id) });
    expect(run(codec, { xs: [] })).toEqual({ problems: ['xs: expected a non-empty array, got []'] });
    expect(run(codec, { xs: [1, 0] })).toEqual({ problems: ['xs[1]: expected a positive integer, got 0'] });
    expect(run(codec, { xs: [3] })).toEqual({ ok: { xs: [3] } });
  });

  it('oneOrMany keeps one value or a list as given', () => {
    const codec = oneOrMany(t.type({ a: t.string }));
    expect(run(codec, { a: 'x' })).toEqual({ ok: { a: 'x' } });
    expect(run(codec, [{ a: 'x' }])).toEqual({ ok: [{ a: 'x' }] });
    expect(run(codec, [{ a: 1 }])).toEqual({ problems: ['[0].a: expected string, got 1'] });
  });
});

describe('openEnum', () => {
  const Colour = openEnum('Colour', ['RED', 'BLUE'] as const);

  it('decodes known and unknown strings alike, and lists the known ones', () => {
    expect(run(Colour, 'RED')).toEqual({ ok: 'RED' });
    expect(run(Colour, 'MAUVE')).toEqual({ ok: 'MAUVE' });
    expect(Colour.known).toEqual(['RED', 'BLUE']);
  });

  it('rejects non-strings', () => {
    expect(run(Colour, 3)).toEqual({ problems: ['(root): expected Colour, got 3'] });
  });
});

describe('NameValue', () => {
  it('keeps a numeric value as a number, a text value as text', () => {
    expect(run(NameValue, { name: 'lr', value: 0.1 })).toEqual({ ok: { name: 'lr', value: 0.1 } });
    expect(run(NameValue, { name: 'lr', value: '0.1' })).toEqual({ ok: { name: 'lr', value: '0.1' } });
  });

  it('rejects booleans and missing values', () => {
    expect(run(NameValue, { name: 'x', value: true })).toEqual({
      problems: ['value: expected (string | number), got true'],
    });
    expect(run(NameValue, { name: 'x' })).toHaveProperty('problems');
  });
});

describe('EnvName', () => {
  it('rejects a name with "=" or NUL, or an empty one, naming what is expected', () => {
    expect(run(EnvName, 'PATH=/tmp')).toEqual({
      problems: ['(root): expected an environment variable name without "=" or NUL, got "PATH=/tmp"'],
    });
    expect(run(EnvName, 'A\0B')).toHaveProperty('problems');
    expect(run(EnvName, '')).toEqual({ problems: ['(root): expected an environment variable name, got ""'] });
    expect(run(EnvName, 'learning-rate.1')).toEqual({ ok: 'learning-rate.1' });
  });
});

describe('NonEmptyString and S3Uri', () => {
  it('NonEmptyString rejects the empty string', () => {
    expect(run(NonEmptyString, '')).toEqual({ problems: ['(root): expected a non-empty string, got ""'] });
    expect(run(NonEmptyString, 'a')).toEqual({ ok: 'a' });
  });

  it('S3Uri accepts s3://bucket/key and rejects other addresses', () => {
    expect(run(S3Uri, 's3://aiteam/out/')).toEqual({ ok: 's3://aiteam/out/' });
    expect(run(S3Uri, '/tmp/out')).toEqual({
      problems: ['(root): expected an s3://bucket/key address, got "/tmp/out"'],
    });
  });
});
