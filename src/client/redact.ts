/**
 * The one redaction function: every header set, body, URL and message the SDK logs
 * or puts in an error goes through {@link redact}, at every log level, as the last
 * step ({@link redactError} for errors leaving the SDK; {@link redactAndCut} where text
 * is shortened: redacted first, then cut). See `docs/security.md`.
 *
 * Two nets: by key (`password`, `token`, `sk`, `Auth-Token`, `access_Key_Secret`,
 * `secretAccessKey`, … anywhere in a nested object, so `gitInfo.password` is
 * covered; `"password": "…"`, its JSON-escaped form and `password=…` in text) and by
 * value (secrets the session knows — the password, each token it obtained, the S3
 * secret — are replaced wherever they appear in text, in plain, JSON-escaped and
 * URL-encoded forms, see {@link secretForms}).
 * @module
 */
import { isSecretFieldName } from '../codecs/decode.js';
import { isModelMakerError } from '../errors.js';

/** What a secret is replaced with. */
export const REDACTED = '***';

/**
 * Known secrets at least this long are replaced wherever they appear; shorter ones only
 * where they stand alone (between non-alphanumerics), so they do not mangle ordinary words.
 */
const MIN_SECRET_VALUE_LENGTH = 4;
const MAX_DEPTH = 12;

/**
 * True when values under `key` are secret (`Auth-Token`, `access_Key_Secret`, `gitInfo.password`'s
 * `password`, `mirror.auth`, …): compared lower-case with `-` and `_` removed. One list for
 * the SDK, shared with the decoder's error messages (`codecs/decode.ts`).
 */
export function isSecretKey(key: string): boolean {
  return isSecretFieldName(key);
}

/** `"password": "x"` / `password=x` in free text (a raw body or an error message). */
const SECRET_IN_TEXT = /("([A-Za-z_-]+)"\s*:\s*)"((?:[^"\\]|\\.)*)"|(\b([A-Za-z_-]+)=)([^&\s"']+)/g;
/** The same pair JSON-escaped inside a JSON string: `{\"password\":\"x\"}`. */
const SECRET_IN_ESCAPED_JSON = /(\\"([A-Za-z_-]+)\\"\s*:\s*)\\"((?:[^"\\]|\\[^"])*)\\"/g;
/** User info of a URL inside free text: `//user:password@host`. */
const USERINFO_IN_TEXT = /(\/\/[^\s/:@]+:)[^\s/@]+@/g;

/**
 * The forms a secret can take in text that leaves the SDK: as is, JSON-escaped (once,
 * twice, with `\/` and `\uXXXX` escapes) and URL-encoded (`encodeURIComponent`, lower-case
 * hex, form encoding with `+`).
 */
export function secretForms(secret: string): string[] {
  const json = (text: string) => JSON.stringify(text).slice(1, -1);
  const once = json(secret);
  const asciiOnly = once.replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  const uri = encodeURIComponent(secret);
  const forms = [
    secret,
    once,
    json(once),
    once.replace(/\//g, '\\/'),
    asciiOnly,
    uri,
    uri.replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase()),
    new URLSearchParams({ s: secret }).toString().slice(2),
  ];
  return [...new Set(forms)].filter((form) => form !== '');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

let cachedKey: string | undefined;
let cachedPattern: RegExp | undefined;

/**
 * One pattern matching every form of every known secret, longest first; secrets shorter
 * than {@link MIN_SECRET_VALUE_LENGTH} match only where they stand alone (no letter or
 * digit on either side), so a 3-character password is scrubbed without mangling words.
 */
function secretPattern(secrets: readonly string[]): RegExp | undefined {
  if (secrets.length === 0) return undefined;
  const key = secrets.join('\u0000');
  if (key === cachedKey) return cachedPattern;
  const long: string[] = [];
  const short: string[] = [];
  for (const secret of secrets) {
    for (const form of secretForms(secret))
      (secret.length >= MIN_SECRET_VALUE_LENGTH ? long : short).push(form);
  }
  const alternatives = (forms: string[]) =>
    [...new Set(forms)]
      .sort((a, b) => b.length - a.length)
      .map(escapeRegExp)
      .join('|');
  const parts: string[] = [];
  if (long.length > 0) parts.push(`(?:${alternatives(long)})`);
  if (short.length > 0) parts.push(`(?<![A-Za-z0-9])(?:${alternatives(short)})(?![A-Za-z0-9])`);
  cachedKey = key;
  cachedPattern = new RegExp(parts.join('|'), 'g');
  return cachedPattern;
}

function redactText(text: string, secrets: readonly string[]): string {
  const pair = (
    match: string,
    jsonHead: string | undefined,
    jsonKey: string | undefined,
    _v: string | undefined,
    formHead?: string,
    formKey?: string,
  ): string => {
    if (jsonHead !== undefined && jsonKey !== undefined && isSecretKey(jsonKey)) {
      return jsonHead.startsWith('\\') ? `${jsonHead}\\"${REDACTED}\\"` : `${jsonHead}"${REDACTED}"`;
    }
    if (formHead !== undefined && formKey !== undefined && isSecretKey(formKey))
      return `${formHead}${REDACTED}`;
    return match;
  };
  let out = text
    .replace(SECRET_IN_TEXT, pair)
    .replace(SECRET_IN_ESCAPED_JSON, (match, head: string, key: string, value: string) =>
      pair(match, head, key, value),
    )
    .replace(USERINFO_IN_TEXT, `$1${REDACTED}@`);
  const pattern = secretPattern(secrets);
  if (pattern !== undefined) out = out.replace(pattern, REDACTED);
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
  return walk(value, knownList(knownSecrets), 0, new WeakSet());
}

/** The known secrets as a sorted, deduplicated list of non-empty strings (sorted, so the pattern cache hits). */
function knownList(knownSecrets: Iterable<string>): string[] {
  return [...new Set(knownSecrets)].filter((s) => typeof s === 'string' && s !== '').sort();
}

/**
 * `text` redacted ({@link redact}), then cut to `maxChars` (with `…`): redaction comes
 * first, so a secret cut in half can never show its first part.
 */
export function redactAndCut(text: string, knownSecrets: Iterable<string>, maxChars: number): string {
  const clean = redact(text, knownSecrets);
  return clean.length > maxChars ? `${clean.slice(0, maxChars)}…` : clean;
}

/**
 * An address fit for a message: scheme, host, port and path only — user info, query
 * string and fragment dropped (they may carry credentials or signatures). Text that is
 * not a URL is returned redacted.
 */
export function safeUrl(url: string, knownSecrets: Iterable<string> = []): string {
  try {
    const parsed = new URL(url);
    const rest = parsed.search === '' ? '' : '?…';
    return `${redact(`${parsed.protocol}//${parsed.host}${parsed.pathname}`, knownSecrets)}${rest}`;
  } catch {
    return redact(url, knownSecrets);
  }
}

const MAX_CAUSE_DEPTH = 5;

/**
 * The string values of `value` that are secrets: every string at any depth below a
 * secret-named key (`token`, `sk`, `mirror.auth`, whatever the shape under it), or, with
 * `everything`, every string in it (for an answer that should carry secrets but has an
 * unexpected shape, so nothing in it can be told apart). Used to register a response's
 * secrets for scrubbing before it is decoded.
 */
export function secretValuesIn(value: unknown, everything = false): string[] {
  const found: string[] = [];
  const visit = (node: unknown, secret: boolean, depth: number): void => {
    if (depth > MAX_DEPTH) return;
    if (typeof node === 'string') {
      if (secret && node !== '') found.push(node);
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    if (Array.isArray(node)) {
      for (const item of node) visit(item, secret, depth + 1);
      return;
    }
    for (const [key, child] of Object.entries(node)) visit(child, secret || isSecretKey(key), depth + 1);
  };
  visit(value, everything, 0);
  return found;
}

/**
 * Redacts one of the SDK's tagged errors in place, as the last step before it leaves the SDK (any other value is returned untouched): its `message`,
 * `stack`, the text fields the SDK's errors carry (`problems`, `serverMessage`), and the
 * same for each `cause` down the chain. Returns the same error.
 */
export function redactError<E>(error: E, knownSecrets: Iterable<string>): E {
  // Only the SDK's own errors (and their causes): a caller's abort reason is left as it is.
  if (!isModelMakerError(error)) return error;
  const secrets = knownList(knownSecrets);
  let current: unknown = error;
  for (let depth = 0; depth < MAX_CAUSE_DEPTH && current instanceof Error; depth++) {
    const target = current as Error & { problems?: unknown; serverMessage?: unknown };
    const clean = (text: string) => walk(text, secrets, 0, new WeakSet()) as string;
    try {
      target.message = clean(target.message);
      if (typeof target.stack === 'string') target.stack = clean(target.stack);
      if (Array.isArray(target.problems)) {
        Object.defineProperty(target, 'problems', {
          value: Object.freeze(target.problems.map((p) => (typeof p === 'string' ? clean(p) : p))),
        });
      }
      if (typeof target.serverMessage === 'string') {
        Object.defineProperty(target, 'serverMessage', { value: clean(target.serverMessage) });
      }
    } catch {
      // A frozen foreign error: leave it; its text never came from the SDK's secrets.
    }
    current = target.cause;
  }
  return error;
}

/**
 * The secret values one session knows (password, tokens, S3 secret), so that text
 * that slipped past the key rules is still scrubbed. Tokens are added as obtained.
 */
export class SecretSet implements Iterable<string> {
  readonly #values = new Set<string>();

  /**
   * Remembers `value` (ignored when empty). Values shorter than 4 characters are
   * scrubbed only where they stand alone, see {@link redact}.
   */
  add(value: string | undefined): void {
    if (typeof value === 'string' && value !== '') this.#values.add(value);
  }

  [Symbol.iterator](): Iterator<string> {
    return this.#values[Symbol.iterator]();
  }
}
