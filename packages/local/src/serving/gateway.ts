/**
 * A service's gateway: the HTTP listener at its `accessAddress` (one loopback port
 * per service, kept for the service's lifetime, so the address survives stop and
 * start). Every request — `POST /ModelMaker/predict` and any other path — is read
 * whole by the platform's one body reader (`server/readBody.ts`: at most
 * `maxBodyBytes`, larger is 413; a client gone mid-body ends it), then forwarded to an instance the
 * routing table picks (see `balancer.ts`), and the instance's status, headers and
 * body are passed back as they come (streamed, with the instance's
 * `content-length` when it sent one, so a small answer leaves in one write).
 *
 * The upstream side is undici's `Agent` (a keep-alive connection pool per
 * instance, dropped once all its connections are gone) driven through its
 * `dispatch` handler API: no stream objects or promises per request, which is
 * most of what a `node:http` client costs. Profile and numbers: BENCHMARKS.md.
 *
 * Failures, each a JSON body `{ errorCode, message }`:
 * - 503 (errorCode 5000, `retry-after: 1`) while no instance is ready: the message
 *   says why (deploying, stopped, failed with its reason, all crashed);
 * - a request that got no answer at all from an instance — the connection was
 *   refused, or reset or closed before any response byte (a crashed instance, a
 *   keep-alive race) — is tried again on another ready instance, up to
 *   `maxAttempts` instances: predictions are treated as repeatable, since a request
 *   the instance never answered left nothing behind at the platform; 502 when no
 *   instance answered;
 * - 504 when an instance does not answer within `upstreamTimeoutMs` (not retried);
 * - an instance failing in the middle of its answer cuts the client's connection.
 *
 * No token is needed at the gateway (it listens where the platform does, on the
 * loopback by default); an `Auth-Token` header is passed on like any other.
 * @module
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { ERROR_CODES } from 'modelmaker';
import type { Dispatcher } from 'undici';
import { type HttpListener, listen } from '../server/http.js';
import { BodyTooLargeError, readBodyInto } from '../server/readBody.js';
import { sendJson } from '../server/router.js';
import type { Balancer, RouteTarget } from './balancer.js';
import { undiciAgentClass } from './undiciAgent.js';

/** An instance as the gateway sees it. */
export interface GatewayTarget extends RouteTarget {
  /** Its number in the service (for messages). */
  readonly index: number;
  readonly port: number | undefined;
  /** Requests forwarded to it and not finished; the gateway counts them, draining reads them. */
  inFlight: number;
}

/** How long an idle connection to an instance is kept, ms (instances keep theirs longer, so the gateway closes first). */
const KEEP_ALIVE_MS = 60_000;

/** Options of {@link openGateway}. */
export interface GatewayOptions {
  /** Address to bind (the platform's host). */
  readonly host: string;
  /** Port to bind; 0 picks a free one. */
  readonly port: number;
  /** Where instances listen (the loopback). */
  readonly upstreamHost: string;
  readonly maxBodyBytes: number;
  readonly upstreamTimeoutMs: number;
  readonly maxAttempts: number;
  /** The 503 message: why no instance is ready. */
  readonly unavailable: () => string;
}

/** A listening gateway. */
export interface Gateway {
  readonly port: number;
  /** `http://host:port` with the host it bound. */
  readonly url: string;
  /** Swaps the routing table in one assignment (`undefined`: nothing is routed, 503). */
  setRoutes(routes: Balancer<GatewayTarget> | undefined): void;
  /** The current routing table. */
  routes(): Balancer<GatewayTarget> | undefined;
  /** Stops listening, closes every connection and the agent's sockets (idempotent). */
  close(): Promise<void>;
}

/** Headers that belong to one connection, not to the request or answer (RFC 9110 §7.6.1), plus `host`. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  // answered by the gateway's own server (100 Continue); undici refuses to send it
  'expect',
]);

/** Connection failures after which the instance certainly sent nothing back. */
const UNANSWERED = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ECONNABORTED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  // undici: the socket closed (before any response byte, when `answered` is still false)
  'UND_ERR_SOCKET',
]);

/** undici's timeouts: the instance did not accept the connection or did not answer in time. */
const TIMED_OUT = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/**
 * The end-to-end headers of `headers`: an answer's with its `content-length`; a
 * request's without it (`request`: undici sends the length of the body it is given).
 */
function endToEnd(headers: IncomingHttpHeaders, request = false): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined || HOP_BY_HOP.has(name) || (request && name === 'content-length')) continue;
    out[name] = value;
  }
  return out;
}

/** How one forwarding ended: answered (or failed in a way that ends the request), or unanswered (try another). */
type Outcome = { readonly kind: 'done' } | { readonly kind: 'unanswered'; readonly why: string };

const DONE: Outcome = { kind: 'done' };

function problem(response: ServerResponse, status: number, errorCode: number, message: string): void {
  if (status === 503 && !response.headersSent) response.setHeader('retry-after', '1');
  sendJson(response, status, { errorCode, message }, status === 413);
}

/** A short name for a connection failure, for the 502 message. */
function failureName(error: NodeJS.ErrnoException): string {
  return error.code === 'UND_ERR_SOCKET'
    ? 'connection closed before an answer'
    : (error.code ?? error.message);
}

/**
 * Opens a gateway (see the module doc). Starts with no routes (503).
 *
 * @throws the listen error (e.g. EADDRINUSE) as the rejection.
 */
export async function openGateway(options: GatewayOptions): Promise<Gateway> {
  const timeoutMs = options.upstreamTimeoutMs;
  const Agent = undiciAgentClass();
  const agent = new Agent({
    keepAliveTimeout: KEEP_ALIVE_MS,
    connectTimeout: timeoutMs,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
  const upstreamHost = options.upstreamHost.includes(':')
    ? `[${options.upstreamHost}]`
    : options.upstreamHost;
  let table: Balancer<GatewayTarget> | undefined;

  /** Sends the request to one instance; `settle` is called once, with how it ended. */
  const forward = (
    target: GatewayTarget,
    port: number,
    request: IncomingMessage,
    headers: Record<string, string | string[]>,
    body: Buffer,
    response: ServerResponse,
    settle: (outcome: Outcome) => void,
  ): void => {
    target.inFlight++;
    let settled = false;
    let answered = false;
    let controller: Dispatcher.DispatchController | undefined;
    const finish = (outcome: Outcome) => {
      if (settled) return;
      settled = true;
      target.inFlight--;
      response.off('close', onClientGone);
      response.off('drain', onDrain);
      settle(outcome);
    };
    const onClientGone = () => {
      if (!response.writableFinished) controller?.abort(new Error('the client went away'));
    };
    const onDrain = () => controller?.resume();
    response.once('close', onClientGone);
    const handler: Dispatcher.DispatchHandler = {
      onRequestStart: (c) => {
        controller = c;
        if (response.destroyed) c.abort(new Error('the client went away'));
      },
      onResponseStart: (c, statusCode, answerHeaders) => {
        if (statusCode < 200) return; // 1xx: informational, the answer follows
        answered = true;
        controller = c;
        response.writeHead(statusCode, endToEnd(answerHeaders));
      },
      onResponseData: (c, chunk) => {
        if (!response.write(chunk)) {
          c.pause();
          response.once('drain', onDrain);
        }
      },
      onResponseEnd: () => {
        response.end();
        finish(DONE);
      },
      onResponseError: (_c, error: NodeJS.ErrnoException) => {
        const code = error.code ?? '';
        if (answered || response.destroyed) {
          response.destroy();
          finish(DONE);
        } else if (TIMED_OUT.has(code)) {
          problem(
            response,
            504,
            ERROR_CODES.INTERNAL,
            `instance ${target.index} did not answer within ${timeoutMs} ms`,
          );
          finish(DONE);
        } else if (UNANSWERED.has(code)) {
          finish({ kind: 'unanswered', why: `instance ${target.index}: ${failureName(error)}` });
        } else {
          problem(response, 502, ERROR_CODES.INTERNAL, `instance ${target.index} failed: ${error.message}`);
          finish(DONE);
        }
      },
    };
    try {
      agent.dispatch(
        {
          origin: `http://${upstreamHost}:${port}`,
          method: (request.method ?? 'GET') as Dispatcher.HttpMethod,
          path: request.url ?? '/',
          headers,
          body,
        },
        handler,
      );
    } catch (error) {
      // a request undici refuses to send (e.g. a header value it rejects)
      handler.onResponseError?.(undefined as unknown as Dispatcher.DispatchController, error as Error);
    }
  };

  const handle = (request: IncomingMessage, response: ServerResponse, body: Buffer | undefined): void => {
    if (body === undefined) {
      problem(response, 413, ERROR_CODES.VALIDATION, `body: larger than ${options.maxBodyBytes} bytes`);
      return;
    }
    const headers = endToEnd(request.headers, true);
    const tried = new Set<GatewayTarget>();
    const failures: string[] = [];
    const next = (): void => {
      while (tried.size < options.maxAttempts) {
        const target = table?.pick(tried);
        if (!target) break;
        tried.add(target);
        if (target.port === undefined) continue;
        forward(target, target.port, request, headers, body, response, (outcome) => {
          if (outcome.kind === 'done') return;
          failures.push(outcome.why);
          next();
        });
        return;
      }
      if (failures.length === 0) problem(response, 503, ERROR_CODES.INTERNAL, options.unavailable());
      else problem(response, 502, ERROR_CODES.INTERNAL, `no instance answered (${failures.join('; ')})`);
    };
    next();
  };

  let listener: HttpListener;
  try {
    listener = await listen(
      (request, response) => {
        request.once('error', () => response.destroy());
        // The platform's one bounded reader: 413 over the limit (the rest drained), ended when the client leaves.
        readBodyInto(request, options.maxBodyBytes, (error, body) => {
          if (error !== undefined && !(error instanceof BodyTooLargeError)) {
            response.destroy();
            return;
          }
          try {
            handle(request, response, body);
          } catch {
            response.destroy();
          }
        });
      },
      options.host,
      options.port,
    );
  } catch (error) {
    await agent.destroy();
    throw error;
  }
  let closing: Promise<void> | undefined;
  return {
    port: listener.port,
    url: listener.url,
    setRoutes(routes) {
      table = routes;
    },
    routes: () => table,
    close() {
      closing ??= listener.close().finally(() => agent.destroy());
      return closing;
    },
  };
}
