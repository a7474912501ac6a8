/**
 * Hostile servers for the client: real `node:http` servers on loopback whose handlers
 * misbehave on purpose, a record of every request they got, and a leak scan over
 * everything the SDK said (log lines at level 10 and errors).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll } from 'vitest';
import type { Logger } from '../../../src/client/logger.js';
import { Session, type SessionOptions } from '../../../src/client/session.js';

/** Secrets with characters that JSON-escape and URL-encode differently from their plain form. */
export const USERNAME = 'alice';
export const PASSWORD = 'pa"ss w/rd+%é\\secret';
export const TOKEN = 'tok+en/"hostile" 7Qx';
export const S3_SECRET = 'S3sk/+"é hostile-key';

/** One request a hostile server got. */
export interface Hit {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

/** A running hostile server. */
export interface Hostile {
  /** `http://127.0.0.1:<port>`. */
  readonly origin: string;
  /** `origin` + `/mmr`: the API base URL. */
  readonly base: string;
  readonly hits: Hit[];
  /** Requests whose path (below `/mmr`) starts with `path`. */
  count(path: string): number;
  /** Connections closed by the client before the server answered. */
  readonly aborted: number;
  close(): Promise<void>;
}

/** What a handler gets: the request (body read), and the response to write. */
export type HostileHandler = (hit: Hit, res: ServerResponse, req: IncomingMessage) => unknown;

const servers: Hostile[] = [];
afterAll(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** Starts a server on 127.0.0.1 answering with `handler` (closed after the file's tests). */
export async function hostileServer(handler: HostileHandler): Promise<Hostile> {
  const hits: Hit[] = [];
  const sockets = new Set<Socket>();
  let aborted = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const hit: Hit = {
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      hits.push(hit);
      res.on('close', () => {
        if (!res.writableFinished) aborted += 1;
      });
      Promise.resolve(handler(hit, res, req)).catch((error: unknown) => {
        res.destroy(error instanceof Error ? error : new Error(String(error)));
      });
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const hostile: Hostile = {
    origin,
    base: `${origin}/mmr`,
    hits,
    count: (path) => hits.filter((hit) => hit.url.startsWith(`/mmr${path}`)).length,
    get aborted() {
      return aborted;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  servers.push(hostile);
  return hostile;
}

/** Answers `value` as JSON. */
export function json(
  res: ServerResponse,
  value: unknown,
  status = 200,
  headers: Record<string, string> = {},
): void {
  const body = JSON.stringify(value);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    ...headers,
  });
  res.end(body);
}

/** Everything the SDK said during the hostile cases: log lines (all levels) and errors. */
export class LeakScan {
  readonly lines: string[] = [];
  readonly errors: unknown[] = [];
  /** A logger recording every line, fields included, as the user's logger would get it. */
  readonly logger: Logger = {
    debug: (message, fields) => this.#line('debug', message, fields),
    info: (message, fields) => this.#line('info', message, fields),
    warn: (message, fields) => this.#line('warn', message, fields),
    error: (message, fields) => this.#line('error', message, fields),
  };

  /** Records `error` (its message, stack, problems and causes are scanned) and returns it. */
  record<E>(error: E): E {
    this.errors.push(error);
    return error;
  }

  /** Every text the SDK handed out: log lines, and each error's message, stack, fields and causes. */
  texts(): string[] {
    const out = [...this.lines];
    for (const error of this.errors) {
      let current: unknown = error;
      for (let depth = 0; depth < 6 && current instanceof Error; depth++) {
        const { message, stack } = current;
        const fields = Object.fromEntries(
          Object.entries(current).filter(([key]) => key !== 'cause' && key !== 'stack'),
        );
        out.push(message, stack ?? '', safeJson(fields));
        current = (current as { cause?: unknown }).cause;
      }
    }
    return out;
  }

  /** The texts that hold `secret` in a plain, JSON-escaped or URL-encoded form, with the form found. */
  leaksOf(secret: string): string[] {
    const escaped = JSON.stringify(secret).slice(1, -1);
    const forms = new Set([
      secret,
      escaped,
      JSON.stringify(escaped).slice(1, -1),
      encodeURIComponent(secret),
      new URLSearchParams({ s: secret }).toString().slice(2),
    ]);
    return this.texts().flatMap((text) =>
      [...forms]
        .filter((form) => text.includes(form))
        .map((form) => `${JSON.stringify(form)} in ${text.slice(0, 300)}`),
    );
  }

  #line(level: string, message: string, fields?: object): void {
    this.lines.push(`${level} ${message} ${fields === undefined ? '' : safeJson(fields)}`);
  }
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return String(value);
  }
}

/** A session on `base` with the hostile secrets, level 10, the scan's logger, fast timeouts and no retry waits. */
export function hostileSession(scan: LeakScan, base: string, options: SessionOptions = {}): Session {
  return new Session({
    baseUrl: base,
    username: USERNAME,
    password: PASSWORD,
    configPath: false,
    logger: scan.logger,
    level: 10,
    attemptTimeoutMs: 2_000,
    deadlineMs: 5_000,
    random: () => 0,
    ...options,
  });
}

/** The error `promise` rejects with, recorded by `scan` (fails the test if it resolves). */
export async function failure(scan: LeakScan, promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => {
      throw new Error(`expected a failure, got ${safeJson(value)}`);
    },
    (error: unknown) => scan.record(error),
  );
}

/** Resolves once `condition()` holds (polled every few ms), or rejects after `ms`. */
export async function until(condition: () => boolean, ms = 3_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > ms) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
