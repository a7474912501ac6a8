/**
 * `startDashboard`: the dashboard's HTTP server. It holds the SDK session (the
 * browser never sees a credential), serves the built page, answers the API and
 * streams live data as Server-Sent Events.
 * @module
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type PollOptions, type Session, sourceFromSession } from 'modelmaker';
import { ANSWERED, apiRoutes, type Route } from './api.js';
import { type Assets, DEFAULT_ASSETS_DIR, loadAssets, TOKEN_PLACEHOLDER } from './assets.js';
import {
  DEFAULT_FEED_CEILING_MS,
  DEFAULT_FEED_FLOOR_MS,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_SSE_HEARTBEAT_MS,
  DEFAULT_SSE_RETRY_MS,
  DEFAULT_UI_HOST,
} from './defaults.js';
import { describeFailure, RequestError, statusOf } from './failure.js';
import { allowedHosts, checkHost, checkMutation, newToken, tokenCookie } from './guard.js';
import { COMMON_HEADERS, EventStreams, readJson, sendJson } from './http.js';

/** Options of {@link startDashboard}. */
export interface DashboardOptions {
  /** The platform session the dashboard acts with (its credentials stay in this process). */
  readonly session: Session;
  /** Address to bind; default {@link DEFAULT_UI_HOST} (this machine only). */
  readonly host?: string | undefined;
  /** Port; default 0 (a free one). `modelmaker ui` defaults to `DEFAULT_UI_PORT`. */
  readonly port?: number | undefined;
  /** More `Host` names to answer for (`name` or `name:port`), beside the bound address and loopback names. */
  readonly allowHosts?: readonly string[] | undefined;
  /** Where the built page is; default the package's `dist/web`. */
  readonly assetsDir?: string | undefined;
  /** Polling of the lists and details (jobs, services); defaults 1 s floor, 5 s ceiling. */
  readonly feedPoll?: PollOptions | undefined;
  /** Polling of a version's or a service's streams; default the SDK's. */
  readonly streamPoll?: PollOptions | undefined;
  /** The log long-poll wait asked of the platform, s; default the SDK's. */
  readonly logWaitSeconds?: number | undefined;
  /** Heartbeat of the event streams, ms; default {@link DEFAULT_SSE_HEARTBEAT_MS}. */
  readonly heartbeatMs?: number | undefined;
  /** Reconnection delay told to browsers, ms; default {@link DEFAULT_SSE_RETRY_MS}. */
  readonly retryMs?: number | undefined;
}

/** A running dashboard. */
export interface Dashboard {
  /** Its address, e.g. `http://127.0.0.1:9950/`. */
  readonly url: string;
  readonly port: number;
  /** How many event streams are open now. */
  readonly openStreams: number;
  /**
   * Ends every open event stream mid-way, as a proxy timeout would: the pages
   * reconnect at once and resume (their `Last-Event-ID`). For tests and diagnostics.
   */
  dropStreams(): void;
  /** Ends every stream (stopping the SDK pollers behind them) and stops listening. */
  close(): Promise<void>;
}

/** The content security policy of the page: its own files and API only. */
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Starts the dashboard for `options.session` and resolves once it listens.
 *
 * @example
 * ```ts
 * const dashboard = await startDashboard({ session: new Session(), port: 9950 });
 * console.log(`open ${dashboard.url}`);
 * // later
 * await dashboard.close();
 * ```
 */
export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const assets = await loadAssets(options.assetsDir ?? DEFAULT_ASSETS_DIR);
  const token = newToken();
  const host = options.host ?? DEFAULT_UI_HOST;
  const streams = new EventStreams({
    heartbeatMs: options.heartbeatMs ?? DEFAULT_SSE_HEARTBEAT_MS,
    retryMs: options.retryMs ?? DEFAULT_SSE_RETRY_MS,
  });
  const routes = apiRoutes({
    session: options.session,
    source: sourceFromSession(options.session),
    feedPoll: { floorMs: DEFAULT_FEED_FLOOR_MS, ceilingMs: DEFAULT_FEED_CEILING_MS, ...options.feedPoll },
    streamPoll: { ...options.streamPoll },
    logWaitSeconds: options.logWaitSeconds,
    streams,
  });
  let hosts = new Set<string>();

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      sendJson(res, statusOf(error), { error: describeFailure(error) });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    checkHost(req, hosts);
    const url = new URL(req.url ?? '/', 'http://dashboard.invalid');
    if (!url.pathname.startsWith('/api/')) {
      serveAsset(req, res, url.pathname, assets, token);
      return;
    }
    const method = req.method === 'HEAD' ? 'GET' : req.method;
    let pathMatched = false;
    for (const route of routes) {
      const match = route.path.exec(url.pathname);
      if (match === null) continue;
      pathMatched = true;
      if (route.method !== method) continue;
      await answer(route, req, res, url, match);
      return;
    }
    if (pathMatched) throw new RequestError(405, `${req.method} is not allowed on ${url.pathname}`);
    throw new RequestError(404, `no API route ${url.pathname}`);
  }

  async function answer(
    route: Route,
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    match: RegExpExecArray,
  ): Promise<void> {
    let body: unknown;
    if (route.method === 'POST') {
      checkMutation(req, token);
      body = await readJson(req, DEFAULT_MAX_BODY_BYTES);
    }
    const ids: Record<string, number> = {};
    for (const [name, value] of Object.entries(match.groups ?? {})) {
      const id = Number(value);
      if (!Number.isSafeInteger(id) || id < 1) throw new RequestError(404, `no such ${name} ${value}`);
      ids[name] = id;
    }
    const result = await route.handle({ req, res, url, ids, body });
    if (result !== ANSWERED) sendJson(res, 200, result);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  hosts = allowedHosts(host, port, options.allowHosts);
  const shown =
    host === '0.0.0.0' || host === '::' ? DEFAULT_UI_HOST : host.includes(':') ? `[${host}]` : host;

  return {
    url: `http://${shown}:${port}/`,
    port,
    get openStreams() {
      return streams.size;
    },
    dropStreams: () => streams.drop(),
    close: () =>
      new Promise<void>((resolve) => {
        streams.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Serves a file of the page; `/` is `index.html`, with the token filled in and the cookie set. */
function serveAsset(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  assets: Assets,
  token: string,
): void {
  if (req.method !== 'GET' && req.method !== 'HEAD')
    throw new RequestError(405, `${req.method} is not allowed on ${path}`);
  const name = path === '/' ? 'index.html' : path.replace(/^\/(assets\/)?/, '');
  const asset = assets.get(name);
  if (asset === undefined) throw new RequestError(404, `no page file ${path}`);
  if (name === 'index.html') {
    const body = asset.body.toString('utf8').replaceAll(TOKEN_PLACEHOLDER, token);
    res.writeHead(200, {
      ...COMMON_HEADERS,
      'content-type': asset.type,
      'content-security-policy': CSP,
      'set-cookie': tokenCookie(token),
    });
    res.end(req.method === 'HEAD' ? undefined : body);
    return;
  }
  if (req.headers['if-none-match'] === asset.etag) {
    res.writeHead(304, { etag: asset.etag });
    res.end();
    return;
  }
  res.writeHead(200, {
    'content-type': asset.type,
    'content-length': asset.body.length,
    'cache-control': 'no-cache',
    etag: asset.etag,
    'x-content-type-options': 'nosniff',
  });
  res.end(req.method === 'HEAD' ? undefined : asset.body);
}
