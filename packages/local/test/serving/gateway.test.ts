import { createServer, type Server } from 'node:http';
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
});
