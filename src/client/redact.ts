/**
 * The one redaction function: every header set, body, URL and message the SDK logs
 * or puts in an error goes through {@link redact}, at every log level.
 *
 * Two nets: by key (`password`, `token`, `sk`, `Auth-Token`, `access_Key_Secret`,
 * `secretAccessKey`, … anywhere in a nested object, so `gitInfo.password` is
 * covered) and by value (secrets the session knows — the password, each token it
 * obtained, the S3 secret — are replaced wherever they appear in text).
 * @module
 */

/** What a secret is replaced with. */
export const REDACTED = '***';

/** Shortest known secret replaced by value; shorter ones would mangle ordinary text. */
const MIN_SECRET_VALUE_LENGTH = 4;
const MAX_DEPTH = 12;

/** Keys whose values are secret, compared lower-case with `-` and `_` removed. */
const SECRET_KEYS: ReadonlySet<string> = new Set([
  'password',
  'passwd',
  'pwd',
  'token',
  'authtoken',
  'accesstoken',
  'refreshtoken',
  'sessiontoken',
  'xamzsecuritytoken',
  'sk',
  'secret',
  'secretkey',
  'accesskeysecret',
  'secretaccesskey',
  'authorization',
  'proxyauthorization',
  'cookie',
  'setcookie',
  // `mirror.auth` of auth-access: registry credentials.
  'auth',
]);

/** True when values under `key` are secret (`Auth-Token`, `access_Key_Secret`, `gitInfo.password`'s `password`, …). */
export function isSecretKey(key: string): boolean {
  return SECRET_KEYS.has(key.toLowerCase().replace(/[-_]/g, ''));
}

/** `"password": "x"` / `password=x` in free text (a raw body or an error message). */
const SECRET_IN_TEXT = /("([A-Za-z_-]+)"\s*:\s*)"((?:[^"\\]|\\.)*)"|(\b([A-Za-z_-]+)=)([^&\s"']+)/g;

function redactText(text: string, secrets: readonly string[]): string {
  let out = text.replace(
    SECRET_IN_TEXT,
    (
      match,
      jsonHead: string | undefined,
      jsonKey: string | undefined,
      _v,
      formHead,
      formKey: string | undefined,
    ) => {
      if (jsonHead !== undefined && jsonKey !== undefined && isSecretKey(jsonKey))
        return `${jsonHead}"${REDACTED}"`;
      if (formHead !== undefined && formKey !== undefined && isSecretKey(formKey))
        return `${formHead}${REDACTED}`;
      return match;
    },
  );
  for (const secret of secrets) out = out.split(secret).join(REDACTED);
  return out;
}

function redactUrlText(text: string, secrets: readonly string[]): string {
  try {
    const url = new URL(text);
    if (url.password) url.password = REDACTED;
    for (const key of [...url.searchParams.keys()]) {
      if (isSecretKey(key)) url.searchParams.set(key, REDACTED);
    }
    return redactText(url.toString(), secrets);
  } catch {
    return redactText(text, secrets);
  }
}

function walk(value: unknown, secrets: readonly string[], depth: number, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') {
    return /^https?:\/\//i.test(value) ? redactUrlText(value, secrets) : redactText(value, secrets);
  }
  if (typeof value !== 'object' || value === null) return value;
  if (seen.has(value) || depth > MAX_DEPTH) return '[…]';
  seen.add(value);
  if (typeof Headers !== 'undefined' && value instanceof Headers) {
    const out: Record<string, unknown> = {};
    value.forEach((v, k) => {
      out[k] = isSecretKey(k) ? REDACTED : walk(v, secrets, depth + 1, seen);
    });
    return out;
  }
  if (value instanceof URL) return redactUrlText(value.toString(), secrets);
  if (value instanceof Error) {
    const tagged = value as Error & { _tag?: unknown };
    return {
      ...(typeof tagged._tag === 'string' ? { _tag: tagged._tag } : { name: value.name }),
      message: redactText(value.message, secrets),
    };
  }
  if (Array.isArray(value)) return value.map((item) => walk(item, secrets, depth + 1, seen));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = isSecretKey(k) && v !== undefined ? REDACTED : walk(v, secrets, depth + 1, seen);
  }
  return out;
}

/**
 * A copy of `value` with secrets replaced by {@link REDACTED}: object keys that name
 * secrets (at any depth, `Headers` included), secret query parameters and URL
 * passwords, `"password": "…"`/`token=…` in free text, and every occurrence of the
 * `knownSecrets` values. Never mutates its input; cycles and deep nesting are cut.
 *
 * @example
 * ```ts
 * redact({ name: 'job', gitInfo: { username: 'u', password: 'p4ss' } });
 * // { name: 'job', gitInfo: { username: 'u', password: '***' } }
 * redact('https://h/v1/x?token=abc&a=1'); // 'https://h/v1/x?token=***&a=1'
 * ```
 */
export function redact(value: string, knownSecrets?: Iterable<string>): string;
export function redact(value: unknown, knownSecrets?: Iterable<string>): unknown;
export function redact(value: unknown, knownSecrets: Iterable<string> = []): unknown {
  const secrets = [...new Set(knownSecrets)]
    .filter((s) => typeof s === 'string' && s.length >= MIN_SECRET_VALUE_LENGTH)
    // Longest first, so a secret containing another is replaced whole.
    .sort((a, b) => b.length - a.length);
  return walk(value, secrets, 0, new WeakSet());
}

/**
 * The secret values one session knows (password, tokens, S3 secret), so that text
 * that slipped past the key rules is still scrubbed. Tokens are added as obtained.
 */
export class SecretSet implements Iterable<string> {
  readonly #values = new Set<string>();

  /** Remembers `value` (ignored when empty or too short to replace safely). */
  add(value: string | undefined): void {
    if (value !== undefined && value.length >= MIN_SECRET_VALUE_LENGTH) this.#values.add(value);
  }

  [Symbol.iterator](): Iterator<string> {
    return this.#values[Symbol.iterator]();
  }
}
