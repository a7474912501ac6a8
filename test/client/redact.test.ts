import { describe, expect, it } from 'vitest';
import {
  isSecretKey,
  REDACTED,
  redact,
  redactAndCut,
  redactError,
  SecretSet,
  safeUrl,
  secretValuesIn,
} from '../../src/client/redact.js';
import { DecodeError } from '../../src/errors.js';

describe('redact', () => {
  it('replaces secret keys at any depth, whatever their spelling', () => {
    const input = {
      username: 'alice',
      password: 'p',
      headers: { 'Auth-Token': 't', accept: 'json' },
      s3: { ak: 'AK', sk: 'SK' },
      iam_config: { access_Key: 'AK', access_Key_Secret: 'S' },
      credentials: { secretAccessKey: 'S', sessionToken: 'T' },
      gitInfo: { username: 'g', password: 'gp', branch: 'main' },
      list: [{ token: 'x' }],
    };
    expect(redact(input)).toEqual({
      username: 'alice',
      password: REDACTED,
      headers: { 'Auth-Token': REDACTED, accept: 'json' },
      s3: { ak: 'AK', sk: REDACTED },
      iam_config: { access_Key: 'AK', access_Key_Secret: REDACTED },
      credentials: { secretAccessKey: REDACTED, sessionToken: REDACTED },
      gitInfo: { username: 'g', password: REDACTED, branch: 'main' },
      list: [{ token: REDACTED }],
    });
  });

  it('never mutates its input', () => {
    const input = Object.freeze({ password: 'p', nested: Object.freeze({ token: 't' }) });
    redact(input);
    expect(input).toEqual({ password: 'p', nested: { token: 't' } });
  });

  it('redacts Headers objects', () => {
    const headers = new Headers({ 'Auth-Token': 'abc', 'content-type': 'application/json' });
    expect(redact(headers)).toEqual({ 'auth-token': REDACTED, 'content-type': 'application/json' });
  });

  it('redacts secret query parameters and URL passwords', () => {
    expect(redact('https://h.example/v1/x?token=abc&a=1')).toBe('https://h.example/v1/x?token=***&a=1');
    expect(redact('https://user:pw@h.example/v1')).toBe('https://user:***@h.example/v1');
  });

  it('redacts "password": "…" and key=value pairs in free text', () => {
    expect(redact('bad body {"password":"hunter2","name":"x"}')).toBe(
      'bad body {"password":"***","name":"x"}',
    );
    expect(redact('login with sk=abcd and user=bob')).toBe('login with sk=*** and user=bob');
  });

  it('replaces known secret values wherever they appear, longest first', () => {
    const secrets = ['tok-12345', 'tok-12345-long'];
    expect(redact({ message: 'token tok-12345-long was refused' }, secrets)).toEqual({
      message: 'token *** was refused',
    });
    expect(redact(['x tok-12345 y'], secrets)).toEqual(['x *** y']);
  });

  it('turns errors into tag and redacted message', () => {
    const error = Object.assign(new Error('failed with secret-value-1'), { _tag: 'ApiError' });
    expect(redact({ error }, ['secret-value-1'])).toEqual({
      error: { _tag: 'ApiError', message: 'failed with ***' },
    });
  });

  it('survives cycles', () => {
    const a: Record<string, unknown> = { name: 'a' };
    a.self = a;
    expect(redact(a)).toEqual({ name: 'a', self: '[…]' });
  });
});

describe('isSecretKey', () => {
  it('matches the secret names and nothing ordinary', () => {
    for (const key of [
      'password',
      'Auth-Token',
      'sk',
      'access_Key_Secret',
      'secretAccessKey',
      'authorization',
    ]) {
      expect(isSecretKey(key)).toBe(true);
    }
    for (const key of ['username', 'ak', 'access_Key', 'name', 'tokens', 'skip'])
      expect(isSecretKey(key)).toBe(false);
  });
});

describe('SecretSet', () => {
  it('keeps short values too, which redaction replaces only where they stand alone', () => {
    const set = new SecretSet();
    set.add('abc');
    set.add(undefined);
    set.add('');
    set.add('long-enough');
    expect([...set]).toEqual(['abc', 'long-enough']);
    expect(redact('password abc, not abcd or xabc; long-enoughX', set)).toBe(
      'password ***, not abcd or xabc; ***X',
    );
  });
});

describe('redaction of the forms a secret takes', () => {
  const secret = 'p@ss "w/rd"+%é\\x';

  it('replaces the plain, JSON-escaped (once, twice, \\/ and \\u escapes) and URL-encoded forms', () => {
    const once = JSON.stringify(secret).slice(1, -1);
    const forms = [
      secret,
      once,
      JSON.stringify(once).slice(1, -1),
      once.replace(/\//g, '\\/'),
      once.replace(/é/g, '\\u00e9'),
      encodeURIComponent(secret),
      encodeURIComponent(secret).replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase()),
      new URLSearchParams({ s: secret }).toString().slice(2),
    ];
    for (const form of forms)
      expect(redact(`before ${form} after`, [secret])).toBe(`before ${REDACTED} after`);
  });

  it('replaces "password" pairs inside JSON-escaped JSON, and user info inside free text', () => {
    expect(redact('body "{\\"password\\":\\"hunter2\\",\\"a\\":1}"')).toBe(
      'body "{\\"password\\":\\"***\\",\\"a\\":1}"',
    );
    expect(redact('see http://bob:hunter2@host/x for it')).toBe('see http://bob:***@host/x for it');
  });

  it('cuts after redacting, so half a secret never shows', () => {
    const text = `${'x'.repeat(8)}${secret}tail`;
    const cut = redactAndCut(text, [secret], 12);
    expect(cut).toBe(`xxxxxxxx${REDACTED}t…`);
    expect(cut).not.toContain(secret.slice(0, 3));
  });

  it('safeUrl keeps scheme, host, port and path only', () => {
    expect(safeUrl('https://u:pw@h.example:8443/a/b?token=x&sig=y#frag')).toBe(
      'https://h.example:8443/a/b?…',
    );
    expect(safeUrl('not a url with token=abc')).toBe('not a url with token=***');
  });

  it('redactError scrubs message, stack, problems and the cause chain in place', () => {
    const cause = new Error(`inner ${secret}`);
    const error = new DecodeError([`a: expected number, got "${secret}"`], { cause });
    expect(redactError(error, [secret])).toBe(error);
    expect(error.message).toBe('cannot decode: a: expected number, got "***"');
    expect(error.problems).toEqual(['a: expected number, got "***"']);
    expect(error.stack).not.toContain(secret);
    expect(cause.message).toBe('inner ***');
  });

  it('secretValuesIn finds every string under a secret-named key, whatever the shape, or every string', () => {
    const body = { s3: { ak: 'AK', sk: ['one', { deep: 'two' }] }, token: 'three', name: 'n' };
    expect(secretValuesIn(body).sort()).toEqual(['one', 'three', 'two']);
    expect(secretValuesIn({ s3: ['raw'] }, true)).toEqual(['raw']);
  });
});
