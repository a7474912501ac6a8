/**
 * What the dashboard shows of a version's or a service's settings: the SDK's
 * `redact` (secret keys, known secrets), plus name/value pairs (hyperparameters,
 * environment variables) whose *name* says they hold a secret.
 * @module
 */
import { isSecretKey, REDACTED, redact } from 'modelmaker';

/** Words that mark a parameter or variable name as secret (`DB_PASSWORD`, `HF_TOKEN`, `API_KEY`…). */
const SECRET_NAME = /pass(word|wd)?|secret|token|credential|api[-_]?key|access[-_]?key|private[-_]?key|auth/i;

/** True when a name/value pair called `name` holds a secret. */
export function isSecretName(name: string): boolean {
  return isSecretKey(name) || SECRET_NAME.test(name);
}

/**
 * A copy of `value` with secrets masked (`***`): everything `redact` masks, and the
 * `value` of every `{ name, value }` object whose name {@link isSecretName}.
 *
 * @example
 * ```ts
 * mask({ parameters: [{ name: 'DB_PASSWORD', value: 'hunter2' }] });
 * // { parameters: [{ name: 'DB_PASSWORD', value: '***' }] }
 * ```
 */
export function mask<T>(value: T): T {
  return maskPairs(redact(value)) as T;
}

function maskPairs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(maskPairs);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>);
  const record = value as Record<string, unknown>;
  const secretPair = typeof record.name === 'string' && 'value' in record && isSecretName(record.name);
  return Object.fromEntries(
    entries.map(([key, inner]) => [key, secretPair && key === 'value' ? REDACTED : maskPairs(inner)]),
  );
}
