/**
 * `verify_ssl: false`: extra fetch options that skip certificate verification where
 * the runtime allows it, and a warning (once per session) either way.
 *
 * Node's global `fetch` has no per-request TLS switch: it needs an undici `Agent`
 * passed as `dispatcher`. The SDK does not depend on `undici`; when the application
 * has it installed, it is imported lazily and used. Bun's fetch takes
 * `tls: { rejectUnauthorized: false }`. Elsewhere (Deno, browsers, Node without
 * `undici`) the setting cannot be honoured: certificates are still verified and the
 * warning says so — pass a `fetch` option that does what you need instead.
 * The process-wide `NODE_TLS_REJECT_UNAUTHORIZED` is never touched.
 * @module
 */
import { isBun, isNode } from './env.js';
import type { SdkLogger } from './logger.js';

/** Options merged into every fetch of the session (e.g. `{ dispatcher }`). */
export type FetchExtras = Readonly<Record<string, unknown>>;

interface UndiciModule {
  Agent: new (options: { connect: { rejectUnauthorized: boolean } }) => unknown;
}

async function loadUndici(): Promise<UndiciModule | undefined> {
  // A computed specifier: `undici` is an optional peer, absent from the type graph.
  const specifier = ['un', 'dici'].join('');
  try {
    const module = (await import(specifier)) as Partial<UndiciModule>;
    return typeof module.Agent === 'function' ? (module as UndiciModule) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The fetch options that implement `verifySsl` for `baseUrl`. Warns once through
 * `logger` when verification is off, and says so clearly when it cannot be turned off.
 */
export async function tlsFetchExtras(
  verifySsl: boolean,
  baseUrl: string,
  logger: SdkLogger,
): Promise<FetchExtras> {
  // Plain http has no certificates to verify: nothing to switch off, nothing to warn about.
  if (verifySsl || baseUrl.startsWith('http://')) return {};
  if (isBun()) {
    logger.warnOnce('verify-ssl', `verify_ssl is off: TLS certificates of ${baseUrl} are not verified`);
    return { tls: { rejectUnauthorized: false } };
  }
  if (isNode()) {
    const undici = await loadUndici();
    if (undici !== undefined) {
      logger.warnOnce('verify-ssl', `verify_ssl is off: TLS certificates of ${baseUrl} are not verified`);
      return { dispatcher: new undici.Agent({ connect: { rejectUnauthorized: false } }) };
    }
  }
  logger.warnOnce(
    'verify-ssl',
    `verify_ssl is off but this runtime's fetch cannot skip TLS verification per request: certificates of ${baseUrl} ARE still verified. On Node install 'undici', or pass a 'fetch' option that skips verification.`,
  );
  return {};
}
