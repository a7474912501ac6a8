/**
 * One serving instance: a process listening on its own loopback port, with its
 * readiness and restart policy.
 *
 * ```
 * start() ─→ STARTING ─┬─ probe answers ───────────────→ READY ─┬─ process exits ─→ CRASHED
 *                      └─ exits / probe times out ─→ CRASHED    │     (supervised: restart after a capped,
 * stop() (any time) ─→ SIGTERM, SIGKILL after the grace ─→ STOPPED     doubling backoff → STARTING …)
 * ```
 *
 * The first start reports failure to its caller (a deploy fails as a whole); once
 * {@link ServingInstance.supervise} is called, a crash restarts the process on a
 * fresh port after `restartBackoffMs`, doubled per consecutive crash up to
 * `maxRestartBackoffMs` (an instance that stayed ready for `stableMs` starts over
 * at the first delay). Output lines and platform notes go to the hooks.
 * @module
 */
import { constants } from 'node:os';
import { exponentialDelay } from 'modelmaker';
import { Subject, type Subscription, timer } from 'rxjs';
import { instanceProcess } from '../runner/instanceProcess.js';
import type { RouteTarget } from './balancer.js';
import type { ServingPlan } from './plan.js';
import { freePort } from './ports.js';
import { probeReady } from './probe.js';

/** An instance's state, as service details report it. */
export type InstanceStatus = 'STARTING' | 'READY' | 'CRASHED' | 'STOPPED';

/** Timing and address settings of instances. */
export interface InstanceSettings {
  /** Where instances listen and are probed (the loopback). */
  readonly host: string;
  readonly readyTimeoutMs: number;
  readonly probeIntervalMs: number;
  readonly stopGraceMs: number;
  readonly restartBackoffMs: number;
  readonly maxRestartBackoffMs: number;
  readonly stableMs: number;
}

/** Where an instance reports its output and what happens to it. */
export interface InstanceHooks {
  /** A line the process printed. */
  line(stream: 'stdout' | 'stderr', content: string, time: number): void;
  /** A platform note about this instance (started, ready, crashed, restarting). */
  note(text: string): void;
}

interface Running {
  readonly port: number;
  readonly terminate$: Subject<void>;
  readonly subscription: Subscription;
  /** Resolves with what ended the process. */
  readonly exited: Promise<string>;
  /** Aborted when the process is gone (ends its probe). */
  readonly gone: AbortController;
  timedOut: boolean;
}

function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  if (code !== null) return `exited with code ${code}`;
  const number = signal ? (constants.signals as Record<string, number | undefined>)[signal] : undefined;
  return `was killed by ${signal ?? 'a signal'}${number ? ` (exit code ${128 + number})` : ''}`;
}

/** One serving instance (see the module doc). */
export class ServingInstance implements RouteTarget {
  /** Current state. */
  status: InstanceStatus = 'STOPPED';
  /** The port it listens on (the current process's). */
  port: number | undefined;
  /** The current process's pid. */
  pid: number | undefined;
  /** Restarts after crashes so far. */
  restarts = 0;
  /** Why it last crashed or failed to start. */
  reason: string | undefined;
  /** When the current process became ready (epoch ms). */
  readyAt: number | undefined;
  /** Requests the gateway is forwarding to it now. */
  inFlight = 0;

  private running: Running | undefined;
  private supervised = false;
  private stopping = false;
  private failures = 0;
  private restartTimer: Subscription | undefined;

  constructor(
    /** The instance's number within its service (the `instance` of its log lines). */
    readonly index: number,
    readonly modelVersionId: number,
    private readonly plan: ServingPlan,
    /** Its environment without `PORT` (added per process). */
    private readonly env: Readonly<Record<string, string>>,
    private readonly settings: InstanceSettings,
    private readonly hooks: InstanceHooks,
  ) {}

  /** True while it accepts requests. */
  get ready(): boolean {
    return this.status === 'READY';
  }

  /**
   * Starts the process and waits until it is ready.
   *
   * @throws Error whose message says why it did not get ready (the process is gone by then).
   */
  async start(): Promise<void> {
    const failure = await this.launch();
    if (failure !== undefined) throw new Error(`instance ${this.index} ${failure}`);
  }

  /** From now on a crash restarts the process (with backoff) instead of leaving it CRASHED. */
  supervise(): void {
    this.supervised = true;
  }

  /** Stops the process (SIGTERM, SIGKILL after the grace) and any pending restart; resolves once it is gone. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.supervised = false;
    this.restartTimer?.unsubscribe();
    const running = this.running;
    if (running) {
      running.terminate$.next();
      await running.exited;
    }
    this.status = 'STOPPED';
  }

  /** Spawns a process and probes it; resolves undefined once ready, or with the failure once it is gone. */
  private async launch(): Promise<string | undefined> {
    let port: number;
    try {
      port = await freePort(this.settings.host);
    } catch (error) {
      return this.fail(`could not get a port: ${(error as Error).message}`);
    }
    if (this.stopping) return 'was stopped';
    this.port = port;
    this.status = 'STARTING';
    this.readyAt = undefined;
    const command = this.plan.instance(this.index, port, { ...this.env, PORT: String(port) });
    const terminate$ = new Subject<void>();
    const printed$ = new Subject<void>();
    const gone = new AbortController();
    let settle: (description: string) => void = () => {};
    const exited = new Promise<string>((resolve) => {
      settle = resolve;
    });
    const subscription = instanceProcess({
      command: command.command,
      args: command.args,
      cwd: command.cwd,
      env: command.env,
      onKill: command.onKill,
      sampleMs: 0,
      graceMs: this.settings.stopGraceMs,
      terminate$,
      now: Date.now,
    }).subscribe({
      next: (event) => {
        switch (event.kind) {
          case 'spawned':
            this.pid = event.pid;
            this.hooks.note(`started ${command.command} (pid ${event.pid}) with PORT=${port}`);
            return;
          case 'line':
            this.hooks.line(event.stream, event.content, event.time);
            printed$.next();
            return;
          case 'spawn-error':
            settle(`could not start ${command.command}: ${event.error.message}`);
            return;
          case 'exit':
            settle(describeExit(event.code, event.signal));
            return;
          case 'usage':
            return;
        }
      },
      complete: () => settle('ended'),
    });
    const running: Running = { port, terminate$, subscription, exited, gone, timedOut: false };
    this.running = running;
    exited.then((description) => {
      gone.abort();
      this.onExit(running, description);
    });

    const outcome = await probeReady({
      host: this.settings.host,
      port,
      kind: this.plan.probe,
      timeoutMs: this.settings.readyTimeoutMs,
      intervalMs: this.settings.probeIntervalMs,
      stop: gone.signal,
      // a server says it listens, usually: look at once (the built-in predictor prints its line then)
      nudge: printed$,
    });
    printed$.complete();
    if (outcome === 'ready' && this.running === running && !this.stopping) {
      this.status = 'READY';
      this.readyAt = Date.now();
      this.reason = undefined;
      this.hooks.note(`ready on port ${port}`);
      return undefined;
    }
    if (outcome === 'timeout') {
      running.timedOut = true;
      terminate$.next();
    }
    await exited;
    return this.stopping ? 'was stopped' : (this.reason ?? 'ended');
  }

  private fail(reason: string): string {
    this.status = 'CRASHED';
    this.reason = reason;
    this.hooks.note(reason);
    if (this.supervised) this.scheduleRestart();
    return reason;
  }

  private onExit(running: Running, description: string): void {
    if (this.running !== running) return;
    this.running = undefined;
    this.pid = undefined;
    if (this.stopping) {
      this.status = 'STOPPED';
      this.hooks.note(`stopped (${description})`);
      return;
    }
    const seconds = this.settings.readyTimeoutMs / 1000;
    this.fail(
      running.timedOut
        ? `did not accept connections on port ${running.port} within ${seconds} s (then ${description})`
        : this.status === 'READY'
          ? `crashed: ${description}`
          : `${description} before it was ready`,
    );
  }

  private scheduleRestart(): void {
    const { restartBackoffMs, maxRestartBackoffMs, stableMs } = this.settings;
    if (this.readyAt !== undefined && Date.now() - this.readyAt >= stableMs) this.failures = 0;
    this.failures++;
    // No jitter: one supervisor restarts one child, there is no crowd to spread.
    const delay = exponentialDelay(this.failures, { baseMs: restartBackoffMs, capMs: maxRestartBackoffMs });
    this.hooks.note(`restarting in ${delay} ms`);
    this.restartTimer?.unsubscribe();
    this.restartTimer = timer(delay).subscribe(() => {
      if (!this.supervised || this.stopping) return;
      this.restarts++;
      void this.launch();
    });
  }
}
