import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sanitizeBody, serializeBody } from '../../src/server/sanitize.js';

describe('the response sanitizer', () => {
  it('never lets true, false or null through, whatever the value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.anything(), (json, anything) => {
        for (const value of [json, anything, { nested: [json, anything] }]) {
          const text = serializeBody(value);
          const parsed = JSON.parse(text) as unknown;
          const walk = (v: unknown): void => {
            expect(v === null || typeof v === 'boolean').toBe(false);
            if (Array.isArray(v)) v.forEach(walk);
            else if (typeof v === 'object' && v !== null) Object.values(v).forEach(walk);
          };
          walk(parsed);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('encodes flags as 1/0, drops absent fields and non-finite numbers, dates as ISO text', () => {
    expect(
      sanitizeBody({
        a: true,
        b: false,
        c: null,
        d: undefined,
        e: [1, null, true],
        f: Number.NaN,
        g: new Date(0),
        h: { i: null },
      }),
    ).toEqual({ a: 1, b: 0, e: [1, 1], g: '1970-01-01T00:00:00.000Z', h: {} });
  });

  it('answers {} for an absent body', () => {
    expect(serializeBody(undefined)).toBe('{}');
    expect(serializeBody(null)).toBe('{}');
  });
});
