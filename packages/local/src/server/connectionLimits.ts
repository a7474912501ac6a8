/**
 * Keeps slow or idle clients from holding a listener's connections (and the
 * process's file descriptors) without end. For one `node:http` server:
 *
 * - at most `maxConnections` at once: further ones are closed as they arrive, so one
 *   flood cannot starve the platform's other listeners, files and child processes;
 * - a connection that goes `idleMs` without a byte either way is closed — unless the
 *   server is answering a request on it whose body has fully arrived and nothing waits
 *   for the client to read (a log long poll, a prediction: the wait is the server's,
 *   not the client's). That covers a connection that never sends a request, an idle
 *   keep-alive one, a body that stalls and a reader that stops reading (Node's own
 *   `headersTimeout` covers headers sent slowly);
 * - `requestTimeoutMs` (when not 0) bounds the time to receive a whole request (Node's
 *   `requestTimeout`: 408), which never applies to the time spent answering it.
 *
 * Dropped connections are expected here: the request handlers treat a client gone
 * mid-request as nothing to report.
 * @module
 */
import { createServer, type IncomingMessage, type RequestListener, type Server } from 'node:http';
import type { Socket } from 'node:net';
import {
  DEFAULT_LOCAL_CONNECTION_SWEEP_MS,
  DEFAULT_LOCAL_HEADERS_TIMEOUT_MS,
  DEFAULT_LOCAL_IDLE_CONNECTION_MS,
  DEFAULT_LOCAL_MAX_CONNECTIONS,
} from '../defaults.js';

/** Limits of one listener (every field optional: the defaults are named in `defaults.ts`). */
export interface ConnectionLimits {
  /** Most connections open at once. Default {@link DEFAULT_LOCAL_MAX_CONNECTIONS}. */
  readonly maxConnections?: number;
  /** A connection without a byte either way (and no request being answered) this long is closed, ms. Default {@link DEFAULT_LOCAL_IDLE_CONNECTION_MS}. */
  readonly idleMs?: number;
  /** Longest wait for a request's headers, ms. Default {@link DEFAULT_LOCAL_HEADERS_TIMEOUT_MS}. */
  readonly headersTimeoutMs?: number;
  /** Longest wait for a whole request (headers and body), ms; 0: no limit (the idle limit still applies). Default 0. */
  readonly requestTimeoutMs?: number;
  /** How often connections are checked, ms. Default {@link DEFAULT_LOCAL_CONNECTION_SWEEP_MS}. */
  readonly sweepMs?: number;
}

interface Tracked {
  bytes: number;
  since: number;
  /** Requests on it being answered, with whether their body has fully arrived. */
  readonly requests: Set<IncomingMessage>;
}

function transferred(socket: Socket): number {
  return socket.bytesRead + socket.bytesWritten;
}

/**
 * A `node:http` server for `listener` with `limits` applied (see the module comment).
 * The checks stop when the server closes; their timer never keeps the process alive.
 */
export function createLimitedServer(listener: RequestListener, limits: ConnectionLimits = {}): Server {
  const sweepMs = limits.sweepMs ?? DEFAULT_LOCAL_CONNECTION_SWEEP_MS;
  const server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs ?? DEFAULT_LOCAL_HEADERS_TIMEOUT_MS,
      requestTimeout: limits.requestTimeoutMs ?? 0,
      // Node checks headersTimeout and requestTimeout at this interval (default 30 s).
      connectionsCheckingInterval: sweepMs,
    },
    listener,
  );
  const stop = limitConnections(server, limits);
  server.once('close', stop);
  return server;
}

/**
 * Applies the connection cap and the idle rule of `limits` to `server` (the header
 * and request timeouts are constructor options: see {@link createLimitedServer}).
 * Returns a function that stops the checks.
 */
function limitConnections(server: Server, limits: ConnectionLimits): () => void {
  const idleMs = limits.idleMs ?? DEFAULT_LOCAL_IDLE_CONNECTION_MS;
  const sweepMs = limits.sweepMs ?? DEFAULT_LOCAL_CONNECTION_SWEEP_MS;
  server.maxConnections = limits.maxConnections ?? DEFAULT_LOCAL_MAX_CONNECTIONS;
  const tracked = new Map<Socket, Tracked>();

  server.on('connection', (socket: Socket) => {
    tracked.set(socket, { bytes: 0, since: Date.now(), requests: new Set() });
    socket.once('close', () => tracked.delete(socket));
  });
  server.on('request', (request: IncomingMessage, response) => {
    const entry = tracked.get(request.socket);
    if (!entry) return;
    entry.requests.add(request);
    response.once('close', () => {
      entry.requests.delete(request);
      entry.since = Date.now();
    });
  });

  const sweep = setInterval(() => {
    const now = Date.now();
    for (const [socket, entry] of tracked) {
      const bytes = transferred(socket);
      if (bytes !== entry.bytes) {
        entry.bytes = bytes;
        entry.since = now;
        continue;
      }
      // The server is working on a request it has whole (nothing stuck on the client's side).
      const answering =
        socket.writableLength === 0 && [...entry.requests].some((request) => request.complete);
      if (answering) {
        entry.since = now;
        continue;
      }
      if (now - entry.since >= idleMs) socket.destroy();
    }
  }, sweepMs);
  sweep.unref();
  return () => clearInterval(sweep);
}
