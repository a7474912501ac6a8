/**
 * The readiness probe of a serving instance: is something answering on its port?
 *
 * - `tcp`: a TCP connection to the port is accepted (any server, any protocol);
 * - `http`: an HTTP request `GET /` gets an answer, whatever its status (needed
 *   where a proxy accepts connections before the server listens, as a container
 *   engine's port forwarder does).
 *
 * The probe repeats every `intervalMs` (one attempt at a time) until it succeeds,
 * `timeoutMs` passes, or `stop` aborts (the instance exited). Each time `nudge`
 * emits — the instance printed a line, as servers do once they listen — an
 * attempt is made at once (replacing one a previous nudge started), so readiness
 * is seen as it happens, not up to an interval later.
 * @module
 */
import { request } from 'node:http';
import { connect } from 'node:net';
import {
  defaultIfEmpty,
  EMPTY,
  exhaustMap,
  filter,
  firstValueFrom,
  fromEvent,
  map,
  merge,
  Observable,
  of,
  switchMap,
  take,
  takeUntil,
  timeout,
  timer,
} from 'rxjs';

/** The least time one attempt may take before it counts as failed, ms. */
const ATTEMPT_LIMIT_MS = 1000;

/** How readiness is checked. */
export type ProbeKind = 'tcp' | 'http';

/** How a probe ended. */
export type ProbeOutcome = 'ready' | 'timeout' | 'aborted';

/** Options of {@link probeReady}. */
export interface ProbeOptions {
  readonly host: string;
  readonly port: number;
  readonly kind: ProbeKind;
  readonly timeoutMs: number;
  readonly intervalMs: number;
  /** Aborting ends the probe with `aborted`. */
  readonly stop: AbortSignal;
  /** Each emission makes an attempt at once (e.g. the instance's output lines). */
  readonly nudge?: Observable<unknown> | undefined;
}

/** One attempt: emits true when the port answered, false otherwise; teardown closes the socket. */
function attempt(host: string, port: number, kind: ProbeKind, limitMs: number): Observable<boolean> {
  return new Observable<boolean>((subscriber) => {
    const done = (ok: boolean) => {
      subscriber.next(ok);
      subscriber.complete();
    };
    if (kind === 'tcp') {
      const socket = connect({ host, port });
      socket.setTimeout(limitMs, () => done(false));
      socket.once('connect', () => done(true));
      socket.once('error', () => done(false));
      return () => socket.destroy();
    }
    const req = request({ host, port, path: '/', method: 'GET', agent: false, timeout: limitMs }, (res) => {
      res.resume();
      done(true);
    });
    req.once('timeout', () => done(false));
    req.once('error', () => done(false));
    req.end();
    return () => req.destroy();
  });
}

/** Probes until ready, timed out or stopped (see the module doc). Never rejects. */
export function probeReady(options: ProbeOptions): Promise<ProbeOutcome> {
  const { host, port, kind, timeoutMs, intervalMs, stop } = options;
  if (stop.aborted) return Promise.resolve('aborted');
  const limitMs = Math.max(intervalMs, ATTEMPT_LIMIT_MS);
  const try$ = () => attempt(host, port, kind, limitMs);
  return firstValueFrom(
    merge(timer(0, intervalMs).pipe(exhaustMap(try$)), (options.nudge ?? EMPTY).pipe(switchMap(try$))).pipe(
      filter((ok) => ok),
      take(1),
      map(() => 'ready' as const),
      timeout({ first: timeoutMs, with: () => of('timeout' as const) }),
      takeUntil(fromEvent(stop, 'abort')),
      defaultIfEmpty('aborted' as const),
    ),
  );
}
