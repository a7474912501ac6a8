import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { describe, expect, it } from 'vitest';
import { decode, isSecretFieldName, showValue } from '../../src/codecs/decode.js';

function problems(codec: t.Mixed, value: unknown): readonly string[] {
  const result = decode(codec, value);
  if (E.isRight(result)) throw new Error('expected a failure');
  return result.left.problems;
}

describe('decode errors describe what they got by its shape', () => {
  it('shows numbers, booleans, null and short strings; longer strings, arrays and objects by shape', () => {
    expect(showValue(3)).toBe('3');
    expect(showValue(null)).toBe('null');
    expect(showValue('short')).toBe('"short"');
    expect(showValue('x'.repeat(41))).toBe('a string of 41 chars');
    expect(showValue([1, 2, 3])).toBe('an array of 3');
    expect(showValue({ username: 'alice', password: 'p' })).toBe('an object with keys username, password');
    expect(showValue(Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`k${i}`, i])))).toBe(
      'an object with keys k0, k1, k2, k3, k4, k5, … (9 keys)',
    );
    // Keys that look like data, not field names, are not shown.
    expect(showValue({ 'has spaces and "quotes"': 1 })).toBe('an object with key …');
  });

  it('under a secret-named field, at any depth, tells the type only', () => {
    const codec = t.type({
      token: t.string,
      s3: t.type({ sk: t.string }),
      gitInfo: t.type({ password: t.string }),
    });
    expect(problems(codec, { token: 'x'.length, s3: { sk: 7 }, gitInfo: { password: ['hunter2'] } })).toEqual(
      [
        'token: expected string, got a number',
        's3.sk: expected string, got a number',
        'gitInfo.password: expected string, got an array',
      ],
    );
    expect(
      problems(codec, {
        token: { username: 'u', password: 'hunter2' },
        s3: { sk: 's' },
        gitInfo: { password: 'p' },
      }),
    ).toEqual(['token: expected string, got an object']);
  });

  it('knows the secret field names', () => {
    for (const name of ['password', 'Auth-Token', 'sk', 'access_Key_Secret', 'auth'])
      expect(isSecretFieldName(name)).toBe(true);
    for (const name of ['username', 'ak', 'name', 'url']) expect(isSecretFieldName(name)).toBe(false);
  });
});
