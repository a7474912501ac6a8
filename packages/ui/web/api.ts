/**
 * The page's side of the dashboard API: JSON reads, POSTs carrying the
 * per-server token, and the live event streams.
 * @module
 */
import { useEffect, useRef, useState } from 'preact/hooks';

/** The header the server checks on every POST (see the server's guard). */
const TOKEN_HEADER = 'x-modelmaker-ui-token';

function token(): string {
  return document.querySelector<HTMLMetaElement>('meta[name="modelmaker-ui-token"]')?.content ?? '';
}

/** A failure as the server words it. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly tag?: string,
  ) {
    super(message);
  }
}

async function parse<T>(response: Response): Promise<T> {
  const body = (await response.json().catch(() => undefined)) as
    | { error?: { message?: string; tag?: string } }
    | undefined;
  if (!response.ok) {
    throw new ApiFailure(
      response.status,
      body?.error?.message ?? `HTTP ${response.status}`,
      body?.error?.tag,
    );
  }
  return body as T;
}

/** GETs `path` as JSON. */
export async function getJson<T>(path: string): Promise<T> {
  return parse<T>(await fetch(path, { headers: { accept: 'application/json' } }));
}

/** POSTs `body` as JSON to `path`, with the token. */
export async function post<T = { ok: true }>(path: string, body: unknown = {}): Promise<T> {
  return parse<T>(
    await fetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [TOKEN_HEADER]: token() },
      body: JSON.stringify(body),
    }),
  );
}

/** The state of an event stream, for the connection indicator. */
export type StreamState = 'connecting' | 'live' | 'reconnecting' | 'ended' | 'failed';

/** Handlers of named events; each gets the parsed `data`. */
export type EventHandlers = Readonly<Record<string, (data: never) => void>>;

/**
 * Follows the event stream at `url` while the component is mounted (or until
 * `url` changes): each named event's JSON goes to its handler. The browser
 * reconnects a dropped stream by itself, sending the last event id back, so the
 * server resumes where it was. `end` and `failure` close it.
 */
export function useEvents(url: string | undefined, handlers: EventHandlers): StreamState {
  const [state, setState] = useState<StreamState>('connecting');
  const current = useRef(handlers);
  current.current = handlers;
  useEffect(() => {
    if (url === undefined) return;
    setState('connecting');
    const source = new EventSource(url);
    source.onopen = () => setState('live');
    source.onerror = () => setState(source.readyState === EventSource.CLOSED ? 'failed' : 'reconnecting');
    const names = new Set([...Object.keys(current.current), 'end', 'failure']);
    for (const name of names) {
      source.addEventListener(name, (event) => {
        const data = JSON.parse((event as MessageEvent<string>).data) as never;
        current.current[name]?.(data);
        if (name === 'end' || name === 'failure') {
          source.close();
          setState(name === 'end' ? 'ended' : 'failed');
        }
      });
    }
    return () => source.close();
  }, [url]);
  return state;
}

/** Loads `path` once (and again when `reload` changes); `undefined` while loading. */
export function useJson<T>(path: string, reload = 0): { data: T | undefined; error: string | undefined } {
  const [result, setResult] = useState<{ data: T | undefined; error: string | undefined }>({
    data: undefined,
    error: undefined,
  });
  useEffect(() => {
    let live = true;
    getJson<T>(path).then(
      (data) => live && setResult({ data, error: undefined }),
      (error: unknown) => live && setResult({ data: undefined, error: (error as Error).message }),
    );
    return () => {
      live = false;
    };
  }, [path, reload]);
  return result;
}
