/**
 * Free loopback ports for serving instances: the system picks one (bind port 0),
 * it is released at once and handed to the instance as `PORT`. Another process
 * could take it in between; the instance would then fail to listen (or the probe
 * would find someone else's server), which the readiness probe and the restart
 * policy handle like any other failed start.
 * @module
 */
import { createServer } from 'node:net';

/** A port that was free on `host` a moment ago. */
export function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error(`no free port on ${host}`))));
    });
  });
}
