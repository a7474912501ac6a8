/**
 * A service's gateway: the HTTP listener at its `accessAddress` (one loopback port
 * per service, kept for the service's lifetime, so the address survives stop and
 * start). Every request — `POST /ModelMaker/predict` and any other path — is read
 * whole (at most `maxBodyBytes`: larger is 413), then forwarded to an instance the
 * routing table picks (see `balancer.ts`) over a keep-alive agent, and the
 * instance's status, headers and body are passed back as they come.
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
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { ERROR_CODES } from 'modelmaker';
import { type HttpListener, listen } from '../server/http.js';
import { sendJson } from '../server/router.js';
import type { Balancer, RouteTarget } from './balancer.js';

/** An instance as the gateway sees it. */
export interface GatewayTarget extends RouteTarget {
  /** Its number in the service (for messages). */
  readonly index: number;
  readonly port: number | undefined;
  /** Requests forwarded to it and not finished; the gateway counts them, draining reads them. */
  inFlight: number;
}

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
  'content-length',
]);

/** Connection failures after which the instance certainly sent nothing back. */
const UNANSWERED = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ECONNABORTED',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

function endToEnd(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
  }
  return out;
}

type Outcome = { readonly kind: 'done' } | { readonly kind: 'unanswered'; readonly why: string };

function problem(response: ServerResponse, status: number, errorCode: number, message: string): void {
  if (status === 503 && !response.headersSent) response.setHeader('retry-after', '1');
  sendJson(response, status, { errorCode, message }, status === 413);
}

/**
 * Opens a gateway (see the module doc). Starts with no routes (503).
 *
 * @throws the listen error (e.g. EADDRINUSE) as the rejection.
 */
export async function openGateway(options: GatewayOptions): Promise<Gateway> {
  const agent = new http.Agent({ keepAlive: true, maxFreeSockets: 256 });
  let table: Balancer<GatewayTarget> | undefined;

  const readBody = (request: IncomingMessage): Promise<Buffer | undefined> => {
    const limit = options.maxBodyBytes;
    const declared = Number(request.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      request.resume();
      return Promise.resolve(undefined);
    }
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const onData = (chunk: Buffer) => {
        size += chunk.length;
        if (size > limit) {
          request.off('data', onData);
          request.resume();
          resolve(undefined);
          return;
        }
        chunks.push(chunk);
      };
      request.on('data', onData);
      request.once('end', () => resolve(Buffer.concat(chunks)));
      request.once('error', reject);
    });
  };

  const forward = (
    target: GatewayTarget,
    port: number,
    request: IncomingMessage,
    body: Buffer,
    response: ServerResponse,
  ): Promise<Outcome> =>
    new Promise((resolve) => {
      target.inFlight++;
      let counted = true;
      const release = () => {
        if (counted) target.inFlight--;
        counted = false;
      };
      let answered = false;
      let timedOut = false;
      const upstream = http.request({
        host: options.upstreamHost,
        port,
        method: request.method,
        path: request.url,
        headers: { ...endToEnd(request.headers), 'content-length': String(body.length) },
        agent,
        timeout: options.upstreamTimeoutMs,
      });
      const onClientGone = () => {
        if (!response.writableFinished) upstream.destroy();
      };
      response.once('close', onClientGone);
      upstream.once('response', (answer) => {
        answered = true;
        response.writeHead(answer.statusCode ?? 502, endToEnd(answer.headers));
        answer.pipe(response);
        answer.once('end', () => {
          release();
          resolve({ kind: 'done' });
        });
        answer.once('error', () => {
          release();
          response.destroy();
          resolve({ kind: 'done' });
        });
      });
      upstream.once('timeout', () => {
        timedOut = true;
        upstream.destroy(new Error('timed out'));
      });
      upstream.on('error', (error: NodeJS.ErrnoException) => {
        release();
        response.off('close', onClientGone);
        if (answered) {
          response.destroy();
          resolve({ kind: 'done' });
        } else if (timedOut) {
          problem(
            response,
            504,
            ERROR_CODES.INTERNAL,
            `instance ${target.index} did not answer within ${options.upstreamTimeoutMs} ms`,
          );
          resolve({ kind: 'done' });
        } else if (response.destroyed) {
          resolve({ kind: 'done' });
        } else if (UNANSWERED.has(error.code ?? '')) {
          resolve({ kind: 'unanswered', why: `instance ${target.index}: ${error.code}` });
        } else {
          problem(response, 502, ERROR_CODES.INTERNAL, `instance ${target.index} failed: ${error.message}`);
          resolve({ kind: 'done' });
        }
      });
      upstream.end(body);
    });

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const body = await readBody(request);
    if (body === undefined) {
      problem(response, 413, ERROR_CODES.VALIDATION, `body: larger than ${options.maxBodyBytes} bytes`);
      return;
    }
    const tried = new Set<GatewayTarget>();
    const failures: string[] = [];
    while (tried.size < options.maxAttempts) {
      const target = table?.pick(tried);
      if (!target) break;
      tried.add(target);
      if (target.port === undefined) continue;
      const outcome = await forward(target, target.port, request, body, response);
      if (outcome.kind === 'done') return;
      failures.push(outcome.why);
    }
    if (failures.length === 0) problem(response, 503, ERROR_CODES.INTERNAL, options.unavailable());
    else problem(response, 502, ERROR_CODES.INTERNAL, `no instance answered (${failures.join('; ')})`);
  };

  let listener: HttpListener;
  try {
    listener = await listen(
      (request, response) => {
        handle(request, response).catch(() => response.destroy());
      },
      options.host,
      options.port,
    );
  } catch (error) {
    agent.destroy();
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
