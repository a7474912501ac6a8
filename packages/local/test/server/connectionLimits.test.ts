import { once } from 'node:events';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenIssuer } from '../../src/iam.js';
import { type HttpListener, listen } from '../../src/server/http.js';
import { createRouter } from '../../src/server/router.js';
import { openStore, type Store } from '../../src/store/store.js';

const LIMITS = { maxConnections: 20, idleMs: 600, headersTimeoutMs: 200, requestTimeoutMs: 300, sweepMs: 50 };
/** How long the slow handler below holds its answer: well over the idle limit. */
const LONG_ANSWER_MS = 1500;

let store: Store;
let http: HttpListener;
let port: number;
const errors: unknown[] = [];

beforeAll(async () => {
  store = openStore(':memory:');
  await store.users.setPassword('alice', 'secret');
  const tokens = new TokenIssuer(store.users);
  const router = createRouter({
    checkToken: (t) => tokens.check(t),
    onError: (error) => errors.push(error),
    handlers: {
      authToken: async ({ body }) => (await tokens.issue(body.username, body.password))!,
      listPresetAlgorithms: async () => {
        await new Promise((resolve) => setTimeout(resolve, LONG_ANSWER_MS));
        return { presetAlgorithms: [] };
      },
    },
  });
  http = await listen(router, '127.0.0.1', 0, LIMITS);
  port = http.port;
});

afterAll(async () => {
  await http.close();
  store.close();
});

/** A raw connection; resolves once connected (or closed: a listener at its cap drops it). */
async function connect(): Promise<net.Socket> {
  const socket = net.connect(port, '127.0.0.1');
  socket.on('error', () => {});
  await Promise.race([once(socket, 'connect'), once(socket, 'close')]);
  return socket;
}

/** Resolves with what the server sent once it closed the connection. */
async function closedBy(socket: net.Socket): Promise<string> {
  let received = '';
  socket.on('data', (chunk: Buffer) => {
    received += chunk.toString('utf8');
  });
  if (!socket.destroyed) await once(socket, 'close');
  return received;
}

async function login(): Promise<number> {
  const answer = await fetch(`${http.url}/v1/auth-token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'alice', password: 'secret' }),
  });
  await answer.text();
  return answer.status;
}

describe('connection limits of a listener', () => {
  it('closes a connection that never sends a request, and one left idle after an answer', async () => {
    const silent = await connect();
    const idle = await connect();
    idle.write('GET /v1/preset-algorithm HTTP/1.1\r\nHost: x\r\n\r\n');
    const [silentSaw, idleSaw] = await Promise.all([closedBy(silent), closedBy(idle)]);
    // Closed without an answer (Node may say 408 first).
    expect(silentSaw).toMatch(/^(|HTTP\/1\.1 408 [\s\S]*)$/);
    // It got its answer (401 without a token), then sat idle until closed.
    expect(idleSaw).toMatch(/^HTTP\/1\.1 401/);
  });

  it('answers 408 to a body that stalls and to headers sent too slowly, and reports neither as an error', async () => {
    errors.length = 0;
    const body = await connect();
    body.write(
      'POST /v1/auth-token HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"user',
    );
    const headers = await connect();
    headers.write('GET /v1/preset-algorithm HTTP/1.1\r\nHost: x\r\n');
    const [bodySaw, headersSaw] = await Promise.all([closedBy(body), closedBy(headers)]);
    expect(bodySaw).toMatch(/^HTTP\/1\.1 408/);
    expect(headersSaw).toMatch(/^HTTP\/1\.1 408/);
    expect(errors).toEqual([]);
  });

  it('closes connections past the cap on arrival, and serves again once the idle ones are gone', async () => {
    const over = 5;
    const sockets = await Promise.all(Array.from({ length: LIMITS.maxConnections + over }, () => connect()));
    const closed = sockets.map((socket) => closedBy(socket));
    // Those past the cap are closed at once, unanswered; the others stay until they idle out.
    await expect.poll(() => sockets.filter((socket) => socket.destroyed).length).toBeGreaterThanOrEqual(over);
    expect(sockets.filter((socket) => !socket.destroyed).length).toBeLessThanOrEqual(LIMITS.maxConnections);
    // None was ever served: dropped, or timed out waiting for a request (Node says 408).
    for (const saw of await Promise.all(closed)) expect(saw).toMatch(/^(|HTTP\/1\.1 408 [\s\S]*)$/);
    expect(await login()).toBe(200);
  });

  it('never cuts an answer the server is still working on, however long past the idle limit', async () => {
    const token = await fetch(`${http.url}/v1/auth-token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'alice', password: 'secret' }),
    }).then(async (r) => ((await r.json()) as { token: string }).token);
    const answer = await fetch(`${http.url}/v1/preset-algorithm`, { headers: { 'auth-token': token } });
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ presetAlgorithms: [] });
  });
});
