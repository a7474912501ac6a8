/**
 * From a contract row to HTTP and back: the argument types of a row, encoding
 * (path parameters and query through their codecs, checked on the way, so a bad id
 * fails before any request), and decoding of the response with the row's codec.
 * @module
 */
import * as E from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import type { Observable } from 'rxjs';
import { decode } from '../codecs/decode.js';
import { buildPath, type HttpMethod } from '../codecs/endpoint.js';
import { type RequestInfo, ValidationError } from '../errors.js';
import type { HttpRequest, RequestOptions } from './transport.js';

/**
 * Any contract row (the structural shape of `Endpoint<P, Q, B, R>`, which is
 * invariant in its parameters and so cannot be widened to `Endpoint<unknown, …>`).
 */
export interface AnyEndpoint {
  readonly name: string;
  readonly method: HttpMethod;
  readonly path: string;
  readonly params: t.Mixed;
  readonly query: t.Mixed | undefined;
  readonly body: t.Mixed | undefined;
  readonly response: t.Mixed;
  readonly auth: boolean;
  readonly idempotent: boolean;
}

/** The decoded side of a codec (`t.TypeOf` for any io-ts type). */
export type Decoded<C> = C extends t.Type<infer A, infer _O, infer _I> ? A : never;

/** What callers pass as path parameters, e.g. `{ jobId: 3 }`. */
export type EndpointParams<E extends AnyEndpoint> = Decoded<E['params']>;
/** What callers pass as query, e.g. `{ lastId: 0, wait: 5 }`; `unknown` when the row has none. */
export type EndpointQuery<E extends AnyEndpoint> = Decoded<NonNullable<E['query']>>;
/** The request body; `unknown` when the row has none. */
export type EndpointBody<E extends AnyEndpoint> = Decoded<NonNullable<E['body']>>;
/** The decoded response. */
export type EndpointResponse<E extends AnyEndpoint> = Decoded<E['response']>;

/**
 * The arguments of a row: `params` required when the path has placeholders, `query`
 * optional, `body` required when the row has a body codec.
 */
export type CallArgs<E extends AnyEndpoint> = (keyof EndpointParams<E> extends never
  ? { readonly params?: EndpointParams<E> }
  : { readonly params: EndpointParams<E> }) &
  (unknown extends EndpointQuery<E>
    ? { readonly query?: undefined }
    : { readonly query?: EndpointQuery<E> }) &
  (unknown extends EndpointBody<E> ? { readonly body?: undefined } : { readonly body: EndpointBody<E> });

/** Per-call options: the caller's `AbortSignal`, timeouts and attempts (see {@link RequestOptions}). */
export type CallOptions = RequestOptions;

/** Anything that can run a contract row: a `Session`, or a stub in tests. */
export interface Caller {
  call<E extends AnyEndpoint>(
    endpoint: E,
    args: CallArgs<E>,
    options?: CallOptions,
  ): Observable<EndpointResponse<E>>;
}

function checked<O>(codec: t.Mixed, value: unknown, field: string): O {
  const encoded = codec.encode(value) as O;
  // The encoded side must decode again: what the server will do with it.
  const back = decode(codec, encoded);
  if (E.isLeft(back)) {
    throw new ValidationError(back.left.problems.map((message) => ({ field, message })));
  }
  return encoded;
}

/**
 * The HTTP request of one row call.
 *
 * @throws ValidationError (field `params` or `query`) when a path or query value is invalid (e.g. id 0).
 */
export function toHttpRequest<E extends AnyEndpoint>(endpoint: E, args: CallArgs<E>): HttpRequest {
  const raw = args as { params?: unknown; query?: unknown; body?: unknown };
  const params = checked<Record<string, string>>(endpoint.params, raw.params ?? {}, 'params');
  const query =
    endpoint.query === undefined || raw.query === undefined
      ? undefined
      : checked<Record<string, string | undefined>>(endpoint.query, raw.query, 'query');
  const body =
    endpoint.body === undefined || raw.body === undefined ? undefined : endpoint.body.encode(raw.body);
  return {
    method: endpoint.method,
    path: buildPath(endpoint.path, params),
    query,
    body,
    auth: endpoint.auth,
    idempotent: endpoint.idempotent,
  };
}

/**
 * The response decoded with the row's codec.
 *
 * @throws DecodeError naming each bad path, with the method and URL.
 */
export function decodeResponse<E extends AnyEndpoint>(
  endpoint: E,
  value: unknown,
  where: RequestInfo,
): EndpointResponse<E> {
  const result = decode(endpoint.response as t.Type<EndpointResponse<E>, unknown, unknown>, value, where);
  if (E.isLeft(result)) throw result.left;
  return result.right;
}
