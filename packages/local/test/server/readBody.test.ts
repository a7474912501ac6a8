import { once } from 'node:events';
import { createServer, type IncomingMessage, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BodyIncompleteError, BodyTooLargeError, readBody } from '../../src/server/readBody.js';

const LIMIT = 1024;

/** What the server saw of each request: the read's outcome and the request's leftover listeners. */
interface Seen {
  readonly outcome: Promise<Buffer>;
  readonly request: IncomingMessage;
}

let server: Server;
let url: string;
const seen: Seen[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const outcome = readBody(req, LIMIT);
    seen.push({ outcome, request: req });
    outcome.then(
      (body) => res.end(`read ${body.length}`),
      (error: unknown) => {
        res.writeHead(error instanceof BodyTooLargeError ? 413 : 400, { connection: 'close' });
        res.end((error as Error).message);
      },
    );
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** Sends `chunks` (chunked unless `length` is given) and reads the answer. */
function send(chunks: readonly Buffer[], length?: number): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}/`,
      { method: 'POST', headers: length === undefined ? {} : { 'content-length': String(length) } },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (chunk: Buffer) => parts.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(parts).toString() }));
      },
    );
    req.on('error', reject);
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

describe('readBody', () => {
  it('reads a body whole, declared or chunked, up to the limit', async () => {
    expect(await send([Buffer.alloc(LIMIT, 1)], LIMIT)).toEqual({ status: 200, text: `read ${LIMIT}` });
    expect(await send([Buffer.alloc(600, 1), Buffer.alloc(400, 2)])).toEqual({
      status: 200,
      text: 'read 1000',
    });
    expect(await send([], 0)).toEqual({ status: 200, text: 'read 0' });
  });

  it('refuses a declared length over the limit, and the client still reads the 413', async () => {
    const answer = await send([Buffer.alloc(LIMIT + 1, 1)], LIMIT + 1);
    expect(answer).toEqual({ status: 413, text: `body: larger than ${LIMIT} bytes` });
    await expect(seen.at(-1)!.outcome).rejects.toBeInstanceOf(BodyTooLargeError);
  });

  it('refuses a chunked body once it passes the limit, and the client still reads the 413', async () => {
    const chunks = Array.from({ length: 64 }, () => Buffer.alloc(512, 1));
    const answer = await send(chunks);
    expect(answer.status).toBe(413);
    await expect(seen.at(-1)!.outcome).rejects.toMatchObject({ _tag: 'BodyTooLargeError', limit: LIMIT });
  });

  it('ends the read at once when the client goes away mid-body, leaving no listener on the request', async () => {
    const before = seen.length;
    const req = request(`${url}/`, { method: 'POST', headers: { 'content-length': '500' } });
    req.on('error', () => {});
    req.write(Buffer.alloc(100, 1));
    await expect.poll(() => seen.length).toBe(before + 1);
    req.destroy();
    const { outcome, request: incoming } = seen.at(-1)!;
    await expect(outcome).rejects.toBeInstanceOf(BodyIncompleteError);
    expect(incoming.listenerCount('data')).toBe(0);
    expect(incoming.listenerCount('end')).toBe(0);
  });
});
