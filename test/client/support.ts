/**
 * Shared fixtures of the client tests: an msw server that fails on unhandled
 * requests, a session pointed at it, a logger that captures every line, and an
 * auth endpoint that hands out numbered tokens.
 */
import { HttpResponse, http } from 'msw';
import { type SetupServer, setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { Logger } from '../../src/client/logger.js';
import { Session, type SessionOptions } from '../../src/client/session.js';

/** Base URL every test session talks to. */
export const BASE = 'http://mm.test/mmr';
export const USERNAME = 'alice';
export const PASSWORD = 'pa55-w0rd-Secret';

/** Starts one msw server for the test file; handlers are reset after each test. */
export function useServer(): SetupServer {
  const server = setupServer();
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());
  return server;
}

/** One captured log call. */
export interface LogEntry {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
  readonly fields: object | undefined;
}

/** A logger that records every call; `text()` is everything it saw, fields included. */
export function captureLogger(): Logger & { entries: LogEntry[]; text(): string } {
  const entries: LogEntry[] = [];
  const record =
    (level: LogEntry['level']) =>
    (message: string, fields?: object): void => {
      entries.push({ level, message, fields });
    };
  return {
    entries,
    debug: record('debug'),
    info: record('info'),
    warn: record('warn'),
    error: record('error'),
    text: () => entries.map((e) => `${e.level} ${e.message} ${JSON.stringify(e.fields ?? {})}`).join('\n'),
  };
}

/** A session on {@link BASE} with test credentials, no config file and a silent capturing logger. */
export function newSession(options: SessionOptions = {}): Session {
  return new Session({
    baseUrl: BASE,
    username: USERNAME,
    password: PASSWORD,
    configPath: false,
    logger: captureLogger(),
    level: 'debug',
    ...options,
  });
}

/** Counters of an {@link authHandler}. */
export interface AuthCounter {
  requests: number;
  /** The token currently valid on the fake server. */
  current(): string;
}

/**
 * `POST /v1/auth-token` handing out `token-1`, `token-2`, … and counting requests.
 * Answers 401 + errorCode 1001 unless the credentials are {@link USERNAME}/{@link PASSWORD}.
 */
export function authHandler(counter: AuthCounter & { issued?: number }, expiresIn?: number) {
  return http.post(`${BASE}/v1/auth-token`, async ({ request }) => {
    counter.requests += 1;
    const body = (await request.json()) as { username?: string; password?: string };
    if (body.username !== USERNAME || body.password !== PASSWORD) {
      return HttpResponse.json({ errorCode: 1001, message: 'bad username or password' }, { status: 401 });
    }
    counter.issued = (counter.issued ?? 0) + 1;
    return HttpResponse.json({
      token: `token-${counter.issued}`,
      ...(expiresIn === undefined ? {} : { expiresIn }),
    });
  });
}

/** A fresh {@link AuthCounter} whose current token is the last one issued. */
export function authCounter(): AuthCounter & { issued: number } {
  const counter = {
    requests: 0,
    issued: 0,
    current: () => `token-${counter.issued}`,
  };
  return counter;
}
