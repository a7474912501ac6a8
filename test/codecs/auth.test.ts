import * as E from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import { describe, expect, it } from 'vitest';
import { AuthAccess, AuthTokenRequest, AuthTokenResponse, decode } from '../../src/codecs/index.js';

function ok<A, O>(codec: t.Type<A, O, unknown>, value: unknown): A {
  const result = decode(codec, value);
  if (E.isLeft(result)) throw new Error(result.left.message);
  return result.right;
}

function problems<A, O>(codec: t.Type<A, O, unknown>, value: unknown): readonly string[] {
  const result = decode(codec, value);
  if (E.isRight(result)) throw new Error(`decoded unexpectedly: ${JSON.stringify(result.right)}`);
  return result.left.problems;
}

describe('AuthTokenRequest (request validation)', () => {
  it('requires a non-empty username and a password, stripping other fields', () => {
    expect(ok(AuthTokenRequest, { username: 'u', password: 'p', remember: 1 })).toEqual({
      username: 'u',
      password: 'p',
    });
    expect(problems(AuthTokenRequest, { username: '', password: 3 })).toEqual([
      'username: expected a non-empty string, got ""',
      // under a secret-named field only the type is told, never the value
      'password: expected string, got a number',
    ]);
  });
});

describe('AuthTokenResponse', () => {
  it('needs a token; expiresIn is an optional extension', () => {
    expect(ok(AuthTokenResponse, { token: 'tk' })).toEqual({ token: 'tk' });
    expect(ok(AuthTokenResponse, { token: 'tk', expiresIn: 3600 })).toEqual({ token: 'tk', expiresIn: 3600 });
    expect(ok(AuthTokenResponse, { token: 'tk', expiresIn: null })).toEqual({ token: 'tk' });
    expect(problems(AuthTokenResponse, { expiresIn: 1 })).toEqual(['token: expected string, got undefined']);
  });
});

describe('AuthAccess', () => {
  const s3 = { ak: 'AK', sk: 'SK', url: '127.0.0.1:9000', region: 'js01' };

  it('requires every s3 field', () => {
    expect(problems(AuthAccess, { s3: { ...s3, sk: undefined }, mirror: {} })).toEqual([
      's3.sk: expected string, got undefined',
    ]);
  });

  it('accepts a missing, null or partial mirror', () => {
    expect(ok(AuthAccess, { s3 })).toEqual({ s3 });
    expect(ok(AuthAccess, { s3, mirror: null })).toEqual({ s3 });
    expect(ok(AuthAccess, { s3, mirror: { url: 'reg' } })).toEqual({ s3, mirror: { url: 'reg' } });
  });
});
