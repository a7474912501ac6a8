/**
 * The HTTP listener: `node:http`, because the endpoint table already gives the
 * routing and validation a framework would, long polls need direct control of
 * the response's lifetime, and no dependency is the cheapest one to keep
 * maintained. Connections are capped and slow or idle ones closed (see
 * `connectionLimits.ts`); a whole request must arrive within
 * {@link DEFAULT_LOCAL_REQUEST_TIMEOUT_MS}, which never limits the answer (long
 * polls). Closing stops accepting, ends idle keep-alive connections and
 * destroys the rest, so no socket outlives the platform.
 * @module
 */
import type { Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { DEFAULT_LOCAL_REQUEST_TIMEOUT_MS } from '../defaults.js';
import { type ConnectionLimits, createLimitedServer } from './connectionLimits.js';
import type { RequestListener } from './router.js';

/** A listening server. */
export interface HttpListener {
  /** `http://host:port`, with the literal host it bound. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly server: Server;
  /** Stops listening and closes every connection (idempotent). */
  close(): Promise<void>;
}

function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * Listens on `host:port` (`port` 0 picks a free one), with `limits` on connections.
 *
 * @throws the listen error (e.g. EADDRINUSE) as the rejection.
 */
export function listen(
  listener: RequestListener,
  host: string,
  port: number,
  limits: ConnectionLimits = {},
): Promise<HttpListener> {
  const server = createLimitedServer(listener, {
    requestTimeoutMs: DEFAULT_LOCAL_REQUEST_TIMEOUT_MS,
    ...limits,
  });
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address() as AddressInfo;
      let closing: Promise<void> | undefined;
      resolve({
        url: `http://${hostForUrl(host)}:${address.port}`,
        host,
        port: address.port,
        server,
        close() {
          closing ??= new Promise<void>((done) => {
            server.close(() => done());
            server.closeIdleConnections();
            for (const socket of sockets) socket.destroy();
          });
          return closing;
        },
      });
    });
  });
}
