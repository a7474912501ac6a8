/**
 * The local platform's routes, built from the contract's endpoint table: a
 * request is matched by method and path template (`matchPath`) and its path
 * parameters must decode with the endpoint's params codec; then the token is
 * checked (unless the endpoint is `auth: false`), the query and body are decoded
 * with the endpoint's codecs (a failure is 400 / 4000 naming the field), the
 * handler registered under the endpoint's name runs, and its result is encoded
 * with the response codec and sanitized (no `true`/`false`/`null`). Handlers are
 * keyed by endpoint name, so models and services slot in by adding entries.
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as E from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import {
  decode,
  type Endpoint,
  type EndpointName,
  type Endpoints,
  ERROR_CODES,
  endpointList,
  matchPath,
} from 'modelmaker';
import { DEFAULT_LOCAL_MAX_BODY_BYTES } from '../defaults.js';
import type { TokenCheck } from '../iam.js';
import { readJsonBody } from './body.js';
import { HttpProblem, invalid, isHttpProblem, platformError } from './problem.js';
import { serializeBody } from './sanitize.js';

/** The decoded side of a codec field of an endpoint (`undefined` when the endpoint has none). */
type Decoded<C> = [NonNullable<C>] extends [never]
  ? undefined
  : NonNullable<C> extends t.Type<infer A, infer _O, infer _I>
    ? A
    : undefined;

/** The codec an endpoint has under `key`. */
type Field<E, K extends string> = E extends { readonly [P in K]: infer C } ? C : never;

/** Decoded path parameters of an endpoint. */
export type ParamsOf<E> = Decoded<Field<E, 'params'>>;
/** Decoded query of an endpoint. */
export type QueryOf<E> = Decoded<Field<E, 'query'>>;
/** Decoded body of an endpoint. */
export type BodyOf<E> = Decoded<Field<E, 'body'>>;
/** Decoded-side response of an endpoint (what a handler returns; the router encodes it). */
export type ResponseOf<E> = Decoded<Field<E, 'response'>>;

/** What a handler receives: decoded parameters, query and body, the caller, and a signal aborted on disconnect. */
export interface HandlerInput<E> {
  readonly params: ParamsOf<E>;
  readonly query: QueryOf<E>;
  readonly body: BodyOf<E>;
  /** The token's user; `undefined` on `auth: false` endpoints. */
  readonly username: string | undefined;
  /** The checked `Auth-Token` value; `undefined` on `auth: false` endpoints. */
  readonly token: string | undefined;
  /** The client's address (for throttling), when the socket still knows it. */
  readonly remoteAddress: string | undefined;
  /** Aborted when the client goes away before the answer is sent. */
  readonly signal: AbortSignal;
}

/** Serves one endpoint: returns its (decoded-side) response or throws an {@link HttpProblem}. */
export type Handler<E> = (input: HandlerInput<E>) => ResponseOf<E> | Promise<ResponseOf<E>>;

/** Handlers by endpoint name. An endpoint without one answers 501. */
export type Handlers = { readonly [K in EndpointName]?: Handler<Endpoints[K]> };

/** Options of {@link createRouter}. */
export interface RouterOptions {
  readonly handlers: Handlers;
  /** Checks an `Auth-Token` header value. */
  readonly checkToken: (token: string | undefined) => TokenCheck;
  /** Largest body read, in bytes. Default {@link DEFAULT_LOCAL_MAX_BODY_BYTES}. */
  readonly maxBodyBytes?: number;
  /** Told about unexpected errors (answered 500 without details). */
  readonly onError?: (error: unknown, endpoint: string | undefined) => void;
  /** The table to route. Default: the contract's. */
  readonly endpoints?: ReadonlyArray<Endpoint>;
}

/** A request listener for `node:http`. */
export type RequestListener = (request: IncomingMessage, response: ServerResponse) => void;

const JSON_TYPE = 'application/json; charset=utf-8';

/** Sends a JSON body (sanitized) with `status`. */
export function sendJson(response: ServerResponse, status: number, body: unknown, close = false): void {
  if (response.headersSent || response.destroyed) return;
  const text = serializeBody(body);
  const headers: Record<string, string | number> = {
    'content-type': JSON_TYPE,
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  };
  if (close) headers.connection = 'close';
  response.writeHead(status, headers);
  response.end(text);
}

function sendProblem(response: ServerResponse, problem: HttpProblem): void {
  sendJson(
    response,
    problem.status,
    { errorCode: problem.errorCode, message: problem.message },
    problem.status === 413,
  );
}

type Match = { readonly endpoint: Endpoint; readonly params: E.Either<string, unknown> };

/** True for the error a request stream ends with when its client disconnects mid-body. */
function isAbort(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return (
    code === 'ECONNRESET' || code === 'ECONNABORTED' || (error as Error | undefined)?.message === 'aborted'
  );
}

/** Refuses a path whose percent-escapes do not decode (`%zz`, a cut UTF-8 sequence): 400, not a crash. */
function checkEscapes(pathname: string): void {
  try {
    decodeURIComponent(pathname);
  } catch {
    throw invalid(`path: malformed percent-encoding in ${JSON.stringify(pathname)}`);
  }
}

function firstProblem(message: string): string {
  return message.replace(/^cannot decode: /, '');
}

function findRoute(
  table: ReadonlyArray<Endpoint>,
  method: string,
  pathname: string,
): { match: Match | undefined; pathKnown: boolean } {
  let fallback: Match | undefined;
  let pathKnown = false;
  const candidates = [pathname];
  // Be lenient about one trailing slash: clients disagree on `/v1/model/{id}/version/`.
  if (pathname.length > 1) candidates.push(pathname.endsWith('/') ? pathname.slice(0, -1) : `${pathname}/`);
  for (const path of candidates) {
    for (const endpoint of table) {
      const raw = matchPath(endpoint.path, path);
      if (!raw) continue;
      pathKnown = true;
      if (endpoint.method !== method) continue;
      const params = decode(endpoint.params, raw);
      if (E.isRight(params)) return { match: { endpoint, params: E.right(params.right) }, pathKnown };
      fallback ??= { endpoint, params: E.left(firstProblem(params.left.message)) };
    }
    if (pathKnown) break;
  }
  return { match: fallback, pathKnown };
}

/** Builds the request listener from the endpoint table and `handlers`. */
export function createRouter(options: RouterOptions): RequestListener {
  const table = options.endpoints ?? (endpointList as ReadonlyArray<Endpoint>);
  const maxBody = options.maxBodyBytes ?? DEFAULT_LOCAL_MAX_BODY_BYTES;
  const handlers = options.handlers as Readonly<Record<string, Handler<Endpoint> | undefined>>;

  async function handle(
    request: IncomingMessage,
    response: ServerResponse,
    signal: AbortSignal,
  ): Promise<void> {
    let url: URL;
    try {
      url = new URL(request.url ?? '/', 'http://local');
    } catch {
      throw invalid('url: cannot parse');
    }
    const method = (request.method ?? 'GET').toUpperCase();
    checkEscapes(url.pathname);
    const { match, pathKnown } = findRoute(table, method, url.pathname);
    if (!match) {
      if (pathKnown)
        throw new HttpProblem(405, ERROR_CODES.NOT_FOUND, `${method} not allowed on ${url.pathname}`);
      throw new HttpProblem(404, ERROR_CODES.NOT_FOUND, `no route ${method} ${url.pathname}`);
    }
    const { endpoint } = match;
    let username: string | undefined;
    let token: string | undefined;
    if (endpoint.auth) {
      const header = request.headers['auth-token'];
      token = Array.isArray(header) ? header[0] : header;
      const check = options.checkToken(token);
      // 1002/1003 with HTTP 200 as the real platform answers them; 1004 (no token at all) with 401.
      if (!check.ok) throw platformError(check.errorCode, check.message, 401);
      username = check.username;
    }
    if (E.isLeft(match.params)) throw invalid(match.params.left);
    let query: unknown;
    if (endpoint.query) {
      const raw: Record<string, string> = {};
      for (const [key, value] of url.searchParams) if (!(key in raw)) raw[key] = value;
      const decoded = decode(endpoint.query, raw);
      if (E.isLeft(decoded)) throw invalid(firstProblem(decoded.left.message));
      query = decoded.right;
    }
    let body: unknown;
    if (endpoint.body) {
      const json = await readJsonBody(request, maxBody);
      // No body (or `null`, as some clients send for "nothing") means an empty object.
      const decoded = decode(endpoint.body, json === undefined || json === null ? {} : json);
      if (E.isLeft(decoded)) throw invalid(firstProblem(decoded.left.message));
      body = decoded.right;
    } else {
      request.resume();
    }
    const handler = handlers[endpoint.name];
    if (!handler) {
      throw new HttpProblem(
        501,
        ERROR_CODES.INTERNAL,
        `${endpoint.name} is not implemented by the local platform`,
      );
    }
    const result = await handler({
      params: match.params.right,
      query,
      body,
      username,
      token,
      remoteAddress: request.socket.remoteAddress,
      signal,
    });
    if (signal.aborted) return;
    sendJson(response, 200, endpoint.response.encode(result));
  }

  return (request, response) => {
    const controller = new AbortController();
    response.on('close', () => {
      if (!response.writableFinished) controller.abort();
    });
    handle(request, response, controller.signal).catch((error: unknown) => {
      if (isHttpProblem(error)) {
        sendProblem(response, error);
        return;
      }
      // The client went away (or was timed out) mid-request: nobody to answer, nothing went wrong here.
      if (controller.signal.aborted || isAbort(error)) return;
      options.onError?.(error, request.url);
      sendProblem(response, new HttpProblem(500, ERROR_CODES.INTERNAL, 'internal error'));
    });
  };
}
