/**
 * What keeps other sites away from the dashboard, which holds the platform's
 * credentials:
 * - **Host check** on every request: only the addresses the server was started
 *   for (a DNS-rebinding page names its own host and is refused).
 * - **Mutations** (every POST) need the same origin (`Origin` header), a JSON body,
 *   and the per-server token twice: in a `SameSite=Strict` cookie (never sent by a
 *   request another site starts) and in a header (which another site's page cannot
 *   read or set). The page gets the token in `index.html`.
 * @module
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { TOKEN_COOKIE, TOKEN_HEADER } from './defaults.js';
import { RequestError } from './failure.js';

/** Bytes of randomness in a server's token. */
const TOKEN_BYTES = 32;

/** A new random token (base64url). */
export function newToken(): string {
  return randomBytes(TOKEN_BYTES).toString('base64url');
}

/** The loopback names a browser may use for a server bound to a loopback address. */
const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];

/**
 * The `Host` values the server answers: `host:port` for the address it is bound
 * to, every loopback name when it is bound to loopback or everywhere, and the
 * extra names given (`--allow-host`, for a machine name or a tunnel).
 */
export function allowedHosts(boundHost: string, port: number, extra: readonly string[] = []): Set<string> {
  const hosts = new Set<string>();
  const add = (name: string) => hosts.add(`${name.toLowerCase()}:${port}`);
  const bracketed = boundHost.includes(':') && !boundHost.startsWith('[') ? `[${boundHost}]` : boundHost;
  add(bracketed);
  const loopback = /^(127\.|localhost$|\[?::1\]?$)/.test(boundHost);
  const wildcard = boundHost === '0.0.0.0' || boundHost === '::' || boundHost === '[::]';
  if (loopback || wildcard) for (const name of LOOPBACK_NAMES) add(name);
  for (const name of extra) {
    if (name.includes(':') && !name.startsWith('[')) hosts.add(name.toLowerCase());
    else add(name);
  }
  return hosts;
}

/** Fails with 421 when the request's `Host` is not one the server answers. */
export function checkHost(req: IncomingMessage, hosts: ReadonlySet<string>): void {
  const host = (req.headers.host ?? '').toLowerCase();
  if (!hosts.has(host)) {
    throw new RequestError(421, `this dashboard does not answer for host ${JSON.stringify(host)}`);
  }
}

/** The value of cookie `name` in the request, if any. */
function cookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return undefined;
}

function same(a: string | undefined, b: string): boolean {
  if (a === undefined) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Fails with 403 unless the POST comes from the dashboard's own page: its
 * `Origin` is `http://<Host>`, it carries the token in the header and the cookie,
 * and its body is declared JSON (a plain HTML form cannot send that).
 */
export function checkMutation(req: IncomingMessage, token: string): void {
  const origin = req.headers.origin;
  if (origin !== `http://${req.headers.host ?? ''}`) {
    throw new RequestError(403, `cross-site request refused (Origin ${JSON.stringify(origin ?? null)})`);
  }
  const header = req.headers[TOKEN_HEADER];
  if (
    !same(typeof header === 'string' ? header : undefined, token) ||
    !same(cookie(req, TOKEN_COOKIE), token)
  ) {
    throw new RequestError(403, 'missing or wrong dashboard token: reload the page');
  }
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/json\b/i.test(type)) {
    throw new RequestError(415, 'expected a JSON body (content-type: application/json)');
  }
}

/** The `Set-Cookie` value that hands the token to the page's requests. */
export function tokenCookie(token: string): string {
  return `${TOKEN_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict`;
}
