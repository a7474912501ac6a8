import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import { describe, expect, it } from 'vitest';
import { decode, endpointList } from '../../src/codecs/index.js';
import { allCodecs, arbitraryOf } from './arbitraries.js';

const RUNS = 200;
const codecs = allCodecs();

/** What a value looks like after travelling as JSON. */
const overTheWire = (value: unknown): unknown => {
  const text = JSON.stringify(value);
  return text === undefined ? undefined : (JSON.parse(text) as unknown);
};

/** True when `value` holds a JSON `true`, `false` or `null` anywhere. */
function hasPythonUnsafeLiteral(value: unknown): boolean {
  if (value === null || typeof value === 'boolean') return true;
  if (Array.isArray(value)) return value.some(hasPythonUnsafeLiteral);
  if (typeof value === 'object') return Object.values(value).some(hasPythonUnsafeLiteral);
  return false;
}

describe('every codec', () => {
  it('covers the whole contract: all barrel codecs and every endpoint codec are in the list', () => {
    const names = codecs.map(([name]) => name);
    for (const expected of [
      'TrainCreate',
      'ModelCreate',
      'ServiceCreate',
      'ServiceUpdate',
      'ConfigFile',
      'ErrorBody',
    ])
      expect(names).toContain(expected);
    const listed = new Set(codecs.map(([, codec]) => codec));
    for (const e of endpointList) {
      for (const codec of [e.params, e.query, e.body, e.response])
        if (codec) expect(listed.has(codec)).toBe(true);
    }
  });

  describe.each(codecs)('%s', (_name, codec: t.Any) => {
    it('decodes what it encodes, after a JSON round trip, to an equal value', () => {
      fc.assert(
        fc.property(arbitraryOf(codec), (value) => {
          const result = decode(codec, overTheWire(codec.encode(value)));
          if (E.isLeft(result)) throw new Error(`${result.left.message} for ${JSON.stringify(value)}`);
          expect(result.right).toEqual(value);
        }),
        { numRuns: RUNS },
      );
    });

    it('never throws on arbitrary JSON: the result is Left or Right', () => {
      fc.assert(
        fc.property(fc.jsonValue(), (value) => {
          expect(() => codec.decode(value)).not.toThrow();
          const result = decode(codec, value);
          expect(E.isLeft(result) || E.isRight(result)).toBe(true);
          if (E.isLeft(result)) expect(result.left.problems.length).toBeGreaterThan(0);
        }),
        { numRuns: RUNS },
      );
    });
  });
});

describe('responses and bodies of the /v1 API', () => {
  // Free-form fields (Ack, callSpecs) carry whatever they were given; fill them with numbers.
  const options = { unknown: fc.integer() };
  it.each(endpointList.map((e) => [e.name, e] as const))(
    '%s encodes without JSON true, false or null (the Python client evals them)',
    (_name, e) => {
      const wire: t.Any[] = [e.response, ...(e.body ? [e.body] : [])];
      for (const codec of wire) {
        fc.assert(
          fc.property(arbitraryOf(codec, options), (value) => {
            expect(hasPythonUnsafeLiteral(overTheWire(codec.encode(value)))).toBe(false);
          }),
          { numRuns: RUNS / 4 },
        );
      }
    },
  );
});
