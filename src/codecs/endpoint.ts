/**
 * The shape of one contract row. Every REST call is declared once (see
 * `endpoints.ts`) and both sides are built from that declaration: the SDK's
 * client functions encode with it, the local platform's routes decode with it.
 * @module
 */
import type * as t from 'io-ts';

/** HTTP methods the contract uses. */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/**
 * One contract row.
 *
 * - `params`: path parameters; the decoded side is what callers pass (numbers), the
 *   encoded side is what travels in the URL (strings), so the server decodes
 *   `{ jobId: '12' }` into `{ jobId: 12 }` with the same codec.
 * - `query`: query parameters, same two sides.
 * - `body`: the request body (`undefined` for calls without one).
 * - `response`: decoded leniently by the client (extra fields tolerated).
 * - `idempotent`: safe to send twice. Defaults by method (GET/PUT/DELETE yes, POST no);
 *   POSTs such as `stop` that are idempotent by meaning say so explicitly.
 */
export interface Endpoint<P = unknown, Q = unknown, B = unknown, R = unknown> {
  readonly name: string;
  readonly method: HttpMethod;
  /** Template with `{name}` placeholders, e.g. `/v1/train/version/{versionId}/log`. */
  readonly path: string;
  readonly params: t.Type<P, Record<string, string>, unknown>;
  readonly query: t.Type<Q, Record<string, string | undefined>, unknown> | undefined;
  readonly body: t.Type<B, unknown, unknown> | undefined;
  readonly response: t.Type<R, unknown, unknown>;
  /** Whether the call sends `Auth-Token` (all but `/v1/auth-token`). */
  readonly auth: boolean;
  readonly idempotent: boolean;
  /** Platform (seen on a real server) or extension (this project's). */
  readonly origin: 'platform' | 'extension';
}

/** The path-parameter type of an endpoint. */
export type ParamsOf<E> = E extends Endpoint<infer P, infer _Q, infer _B, infer _R> ? P : never;
/** The query type of an endpoint. */
export type QueryOf<E> = E extends Endpoint<infer _P, infer Q, infer _B, infer _R> ? Q : never;
/** The body type of an endpoint. */
export type BodyOf<E> = E extends Endpoint<infer _P, infer _Q, infer B, infer _R> ? B : never;
/** The decoded response type of an endpoint. */
export type ResponseOf<E> = E extends Endpoint<infer _P, infer _Q, infer _B, infer R> ? R : never;

/** Declares an endpoint; fills `idempotent` from the method unless given. */
export function endpoint<P, Q, B, R>(
  spec: Omit<Endpoint<P, Q, B, R>, 'idempotent' | 'auth' | 'origin'> &
    Partial<Pick<Endpoint<P, Q, B, R>, 'idempotent' | 'auth' | 'origin'>>,
): Endpoint<P, Q, B, R> {
  return {
    idempotent: spec.method !== 'POST',
    auth: true,
    origin: 'platform',
    ...spec,
  };
}

const PLACEHOLDER = /\{([A-Za-z]+)\}/g;

/** Fills a path template with encoded parameters: `/v1/train/{jobId}` + `{ jobId: '3' }` → `/v1/train/3`. */
export function buildPath(template: string, encodedParams: Readonly<Record<string, string>>): string {
  return template.replace(PLACEHOLDER, (_, name: string) => {
    const value = encodedParams[name];
    if (value === undefined) throw new TypeError(`path parameter ${name} missing for ${template}`);
    return encodeURIComponent(value);
  });
}

/**
 * Matches a request path against a template. Placeholders match one non-empty
 * segment; returns the raw (still encoded-side) parameters or `undefined` — also
 * when a parameter's percent-escapes do not decode (`%zz`): no such path.
 */
export function matchPath(template: string, pathname: string): Record<string, string> | undefined {
  const names: string[] = [];
  const source = template
    .split(PLACEHOLDER)
    .map((part, index) => {
      if (index % 2 === 1) {
        names.push(part);
        return '([^/]+)';
      }
      return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('');
  const match = new RegExp(`^${source}$`).exec(pathname);
  if (!match) return undefined;
  const params: Record<string, string> = {};
  for (const [i, name] of names.entries()) {
    try {
      params[name] = decodeURIComponent(match[i + 1]!);
    } catch {
      return undefined;
    }
  }
  return params;
}
