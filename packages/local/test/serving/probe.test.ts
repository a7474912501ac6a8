import { createServer, type Server } from 'node:http';
import { Subject } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../src/serving/ports.js';
import { probeReady } from '../../src/serving/probe.js';

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

describe('probeReady', () => {
  it('tries again as soon as it is nudged (an output line), not at the next interval', async () => {
    const port = await freePort('127.0.0.1');
    let ready = false;
    let refused: () => void = () => {};
    const firstRefused = new Promise<void>((resolve) => {
      refused = resolve;
    });
    const server = createServer((request, response) => {
      if (!ready) {
        // not ready yet: the attempt fails
        request.socket.destroy();
        ready = true;
        refused();
        return;
      }
      response.end('ok');
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    const nudge = new Subject<void>();
    const stop = new AbortController();
    // the interval is far longer than the timeout: only a nudge can find it ready in time
    const outcome = probeReady({
      host: '127.0.0.1',
      port,
      kind: 'http',
      timeoutMs: 5_000,
      intervalMs: 600_000,
      stop: stop.signal,
      nudge,
    });
    await firstRefused;
    nudge.next();
    expect(await outcome).toBe('ready');
  });

  it('without a nudge, waits for the next interval (and times out here)', async () => {
    const port = await freePort('127.0.0.1');
    let attempts = 0;
    const server = createServer((request) => {
      attempts++;
      request.socket.destroy();
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    const stop = new AbortController();
    const outcome = await probeReady({
      host: '127.0.0.1',
      port,
      kind: 'http',
      timeoutMs: 300,
      intervalMs: 600_000,
      stop: stop.signal,
    });
    expect([outcome, attempts]).toEqual(['timeout', 1]);
  });
});
