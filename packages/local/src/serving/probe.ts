/**
 * The readiness probe of a serving instance: is something answering on its port?
 *
 * - `tcp`: a TCP connection to the port is accepted (any server, any protocol);
 * - `http`: an HTTP request `GET /` gets an answer, whatever its status (needed
 *   where a proxy accepts connections before the server listens, as a container
 *   engine's port forwarder does).
 *
 * The probe repeats every `intervalMs` (one attempt at a time) until it succeeds,
 * `timeoutMs` passes, or `stop` aborts (the instance exited).
 * @module
 */
import { request } from 'node:http';
import { connect } from 'node:net';
import {
  defaultIfEmpty,
  exhaustMap,
  filter,
  firstValueFrom,
  fromEvent,
  map,
  Observable,
  of,
  take,
  takeUntil,
  timeout,
  timer,
} from 'rxjs';

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
  return firstValueFrom(
    timer(0, intervalMs).pipe(
      exhaustMap(() => attempt(host, port, kind, Math.max(intervalMs, 1000))),
      filter((ok) => ok),
      take(1),
      map(() => 'ready' as const),
      timeout({ first: timeoutMs, with: () => of('timeout' as const) }),
      takeUntil(fromEvent(stop, 'abort')),
      defaultIfEmpty('aborted' as const),
    ),
  );
}
