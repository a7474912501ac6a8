import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { ConfigFile, decode, VerifySsl } from '../../src/codecs/index.js';

describe('VerifySsl', () => {
  it.each([
    [true, true],
    [false, false],
    [1, true],
    [0, false],
    ['true', true],
    ['FALSE', false],
    ['1', true],
    ['0', false],
  ])('decodes %j to %s', (input, expected) => {
    expect(decode(VerifySsl, input)).toEqual(E.right(expected));
  });

  it('rejects other values', () => {
    for (const bad of ['yes', 2, null]) expect(E.isLeft(decode(VerifySsl, bad))).toBe(true);
  });
});

describe('ConfigFile', () => {
  it('decodes the Python SDK file with every field, tolerating unknown ones', () => {
    const iam = {
      username: 'u',
      password: 'p',
      host_base: 'https://mmr.example.com:9948/mmr',
      region: 'js01',
      verify_ssl: 'false',
      s3_protocol: 'https',
      bucket: 'aiteam',
      access_Key: 'ak',
      access_Key_Secret: 'sk',
      iam_server: 'legacy',
    };
    const result = decode(ConfigFile, { iam_config: iam, other: 1 });
    expect(E.isRight(result) && result.right.iam_config).toMatchObject({ ...iam, verify_ssl: false });
  });

  it('accepts the extension base_url and treats every field as optional', () => {
    expect(decode(ConfigFile, { iam_config: { base_url: 'http://127.0.0.1:8080' } })).toEqual(
      E.right({ iam_config: { base_url: 'http://127.0.0.1:8080' } }),
    );
    expect(decode(ConfigFile, {})).toEqual(E.right({ iam_config: {} }));
    expect(decode(ConfigFile, { iam_config: { region: null } })).toEqual(E.right({ iam_config: {} }));
  });

  it('names the bad field', () => {
    const result = decode(ConfigFile, { iam_config: { host_base: 9948, verify_ssl: 'maybe' } });
    expect(E.isLeft(result) && result.left.problems).toEqual([
      'iam_config.host_base: expected string, got 9948',
      'iam_config.verify_ssl: expected boolean | 0 | 1 | "true" | "false", got "maybe"',
    ]);
  });
});
