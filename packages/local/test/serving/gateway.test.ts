import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Balancer } from '../../src/serving/balancer.js';
import { type Gateway, type GatewayTarget, openGateway } from '../../src/serving/gateway.js';
import { freePort } from '../../src/serving/ports.js';

const opened: Array<{ close(): unknown }> = [];

afterEach(async () => {
  for (const thing of opened.splice(0)) await thing.close();
});

async function server(
  handler: Parameters<typeof createServer>[1],
): Promise<{ port: number; server: Server }> {
  const s = createServer(handler);
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  opened.push({
    close: () =>
      new Promise<void>((resolve) => {
        s.close(() => resolve());
        s.closeAllConnections();
      }),
  });
  return { port: (s.address() as AddressInfo).port, server: s };
}

async function gateway(options: { maxAttempts?: number; upstreamTimeoutMs?: number } = {}): Promise<Gateway> {
  const g = await openGateway({
    host: '127.0.0.1',
    port: 0,
    upstreamHost: '127.0.0.1',
    maxBodyBytes: 1024,
    upstreamTimeoutMs: options.upstreamTimeoutMs ?? 5000,
    maxAttempts: options.maxAttempts ?? 3,
    unavailable: () => 'nothing is ready',
  });
  opened.push(g);
  return g;
}

const target = (index: number, port: number): GatewayTarget => ({ index, port, ready: true, inFlight: 0 });

/** A POST through `node:http`, with the answer's raw headers (fetch hides transfer-encoding). */
function raw(port: number, path: string): Promise<{ headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'POST' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end('{}');
  });
}

describe('gateway', () => {
  it('passes the instance’s status, headers and body through, and forwards method, path and body', async () => {
    const seen: string[] = [];
    const upstream = await server((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        seen.push(`${req.method} ${req.url} ${body} ${req.headers['x-custom']}`);
        res.writeHead(418, { 'content-type': 'text/plain', 'x-answer': 'yes' });
        res.end('short and stout');
      });
    });
    const g = await gateway();
    const t = target(0, upstream.port);
    g.setRoutes(new Balancer([{ weight: 1, targets: [t] }]));
    const answer = await fetch(`${g.url}/ModelMaker/predict?q=1`, {
      method: 'POST',
      headers: { 'x-custom': 'kept' },
      body: '{"a":1}',
    });
    expect(answer.status).toBe(418);
    expect(answer.headers.get('x-answer')).toBe('yes');
    expect(await answer.text()).toBe('short and stout');
    expect(seen).toEqual(['POST /ModelMaker/predict?q=1 {"a":1} kept']);
    expect(t.inFlight).toBe(0);
  });

  it('tries another instance when one refuses the connection; 502 when none answers; 503 without routes', async () => {
    const upstream = await server((_req, res) => res.end('ok'));
    const closed = await freePort('127.0.0.1');
    const g = await gateway();
    expect((await fetch(`${g.url}/ModelMaker/predict`, { method: 'POST' })).status).toBe(503);
    g.setRoutes(new Balancer([{ weight: 1, targets: [target(0, closed), target(1, upstream.port)] }]));
    for (let i = 0; i < 4; i++)
      expect(await (await fetch(`${g.url}/x`, { method: 'POST' })).text()).toBe('ok');
    g.setRoutes(new Balancer([{ weight: 1, targets: [target(0, closed)] }]));
    const bad = await fetch(`${g.url}/x`, { method: 'POST' });
    expect(bad.status).toBe(502);
    expect(await bad.json()).toEqual({
      errorCode: 5000,
      message: 'no instance answered (instance 0: ECONNREFUSED)',
    });
    g.setRoutes(undefined);
    const none = await fetch(`${g.url}/x`, { method: 'POST' });
    expect([none.status, none.headers.get('retry-after'), await none.json()]).toEqual([
      503,
      '1',
      { errorCode: 5000, message: 'nothing is ready' },
    ]);
  });

  it('retries a request an instance dropped unanswered, answers 504 on a timeout, 413 over the limit', async () => {
    const dropper = await server((req) => req.socket.destroy());
    const slow = await server(() => {});
    const fine = await server((_req, res) => res.end('fine'));
    const g = await gateway({ upstreamTimeoutMs: 300 });
    g.setRoutes(new Balancer([{ weight: 1, targets: [target(0, dropper.port), target(1, fine.port)] }]));
    for (let i = 0; i < 3; i++)
      expect(await (await fetch(`${g.url}/x`, { method: 'POST' })).text()).toBe('fine');
    g.setRoutes(new Balancer([{ weight: 1, targets: [target(2, slow.port)] }]));
    const timedOut = await fetch(`${g.url}/x`, { method: 'POST' });
    expect([timedOut.status, (await timedOut.json()).message]).toEqual([
      504,
      'instance 2 did not answer within 300 ms',
    ]);
    const big = await fetch(`${g.url}/x`, { method: 'POST', body: 'x'.repeat(2000) });
    expect([big.status, await big.json()]).toEqual([
      413,
      { errorCode: 4000, message: 'body: larger than 1024 bytes' },
    ]);
  });

  it('keeps a sized answer sized (its content-length, no chunked re-framing) and passes a chunked one on chunked', async () => {
    const sized = await server((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': 11 });
      res.end('{"ok":true}');
    });
    const chunked = await server((_req, res) => {
      res.write('part one, ');
      setImmediate(() => res.end('part two'));
    });
    const g = await gateway();
    g.setRoutes(new Balancer([{ weight: 1, targets: [target(0, sized.port)] }]));
    const one = await raw(g.port, '/x');
    expect(one.headers['content-length']).toBe('11');
    expect(one.headers['transfer-encoding']).toBeUndefined();
    expect(one.body).toBe('{"ok":true}');
    g.setRoutes(new Balancer([{ weight: 1, targets: [target(1, chunked.port)] }]));
    const two = await raw(g.port, '/x');
    expect(two.headers['content-length']).toBeUndefined();
    expect(two.headers['transfer-encoding']).toBe('chunked');
    expect(two.body).toBe('part one, part two');
  });

  it('streams a large answer whole to a slow reader, and a large body to the instance', async () => {
    const size = 8 * 1024 * 1024;
    const big = Buffer.alloc(size, 'abcdefghijklmnopqrstuvwxyz');
    const upstream = await server((req, res) => {
      let received = 0;
      req.on('data', (chunk: Buffer) => {
        received += chunk.length;
      });
      req.on('end', () => {
        res.writeHead(200, { 'x-received': String(received) });
        res.end(big);
      });
    });
    const g = await openGateway({
      host: '127.0.0.1',
      port: 0,
      upstreamHost: '127.0.0.1',
      maxBodyBytes: size,
      upstreamTimeoutMs: 10_000,
      maxAttempts: 1,
      unavailable: () => 'nothing is ready',
    });
    opened.push(g);
    g.setRoutes(new Balancer([{ weight: 1, targets: [target(0, upstream.port)] }]));
    const answer = await new Promise<{ received: string | undefined; body: Buffer }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: g.port, path: '/x', method: 'POST' }, (res) => {
        const chunks: Buffer[] = [];
        // a slow reader: the gateway must pause the instance's answer, not buffer it unbounded or drop it
        res.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          res.pause();
          setImmediate(() => res.resume());
        });
        res.on('end', () =>
          resolve({ received: res.headers['x-received'] as string | undefined, body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(big);
    });
    expect(answer.received).toBe(String(size));
    expect(answer.body.equals(big)).toBe(true);
  });

  it('abandons the instance request when the client goes away, and counts it out', async () => {
    let upstreamClosed: () => void = () => {};
    const closed = new Promise<void>((resolve) => {
      upstreamClosed = resolve;
    });
    let arrived: () => void = () => {};
    const received = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    const hanging = await server((req) => {
      req.socket.once('close', () => upstreamClosed());
      arrived();
    });
    const g = await gateway();
    const t = target(0, hanging.port);
    g.setRoutes(new Balancer([{ weight: 1, targets: [t] }]));
    const client = new AbortController();
    const pending = fetch(`${g.url}/x`, { method: 'POST', body: '{}', signal: client.signal }).catch(
      (error: unknown) => error,
    );
    await received;
    expect(t.inFlight).toBe(1);
    client.abort();
    await closed;
    await pending;
    expect(t.inFlight).toBe(0);
  });
});
