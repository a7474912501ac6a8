/**
 * The local platform's online services: one {@link ServiceRuntime} per stored
 * service, and the status rules of start, stop, update and delete. Every service
 * has its gateway open while the platform runs (its `accessAddress` answers 503
 * while nothing serves); instances run while the service is DEPLOYING or RUNNING.
 *
 * Status rules (what a client can see):
 * - `start`: STOPPED or FAILED → DEPLOYING (then RUNNING or FAILED); DEPLOYING or
 *   RUNNING: nothing to do; STOPPING: refused (4009) until STOPPED.
 * - `stop`: DEPLOYING or RUNNING → STOPPING → STOPPED; otherwise nothing to do.
 * - `update` with service models: RUNNING → DEPLOYING → RUNNING (rolling, no request
 *   dropped; see `service.ts`); STOPPED or FAILED: stored for the next start;
 *   DEPLOYING or STOPPING: refused (4009). A new name must be free.
 * - `delete`: stops the instances (awaited), closes the gateway, removes the service
 *   and its log.
 *
 * On close every instance is stopped and every gateway closed, and statuses are
 * left as they are, so the services that were RUNNING (or DEPLOYING) are deployed
 * again by the next start on the same data dir ({@link ServingManager.resume}).
 * Files: `<dataDir>/serving/<serviceId>/<modelVersionId>-<n>/{model,code}`.
 * @module
 */
import { existsSync, readdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { S3AccessProvider } from 'modelmaker/storage';
import {
  DEFAULT_LOCAL_HOST,
  DEFAULT_SERVING_DRAIN_TIMEOUT_MS,
  DEFAULT_SERVING_MAX_ATTEMPTS,
  DEFAULT_SERVING_MAX_BODY_BYTES,
  DEFAULT_SERVING_MAX_RESTART_BACKOFF_MS,
  DEFAULT_SERVING_PROBE_INTERVAL_MS,
  DEFAULT_SERVING_READY_TIMEOUT_MS,
  DEFAULT_SERVING_RESTART_BACKOFF_MS,
  DEFAULT_SERVING_STABLE_MS,
  DEFAULT_SERVING_STOP_GRACE_MS,
  DEFAULT_SERVING_UPSTREAM_TIMEOUT_MS,
} from '../defaults.js';
import { detectContainerEngine } from '../runner/containerEngine.js';
import type { GitCloneOptions } from '../runner/gitClone.js';
import { killLeftoverProcesses } from '../store/leftovers.js';
import type { ServiceModelRecord, ServiceRecord } from '../store/services.js';
import type { Store } from '../store/store.js';
import { type InstanceView, type ServiceContext, ServiceRuntime } from './service.js';
import type { ServiceLogWriter } from './serviceLog.js';

/** Tunables of serving; every one has a default in `defaults.ts`. */
export interface ServingOptions {
  /** Time a new instance has to accept connections, ms. Default {@link DEFAULT_SERVING_READY_TIMEOUT_MS}. */
  readonly readyTimeoutMs?: number;
  /** Time between readiness probes, ms. Default {@link DEFAULT_SERVING_PROBE_INTERVAL_MS}. */
  readonly probeIntervalMs?: number;
  /** First restart delay of a crashed instance, ms. Default {@link DEFAULT_SERVING_RESTART_BACKOFF_MS}. */
  readonly restartBackoffMs?: number;
  /** Longest restart delay, ms. Default {@link DEFAULT_SERVING_MAX_RESTART_BACKOFF_MS}. */
  readonly maxRestartBackoffMs?: number;
  /** Ready time after which a crash starts the backoff over, ms. Default {@link DEFAULT_SERVING_STABLE_MS}. */
  readonly stableMs?: number;
  /** SIGTERM → SIGKILL grace of a stopped instance, ms. Default {@link DEFAULT_SERVING_STOP_GRACE_MS}. */
  readonly stopGraceMs?: number;
  /** Longest wait for a removed instance's requests on update, ms. Default {@link DEFAULT_SERVING_DRAIN_TIMEOUT_MS}. */
  readonly drainTimeoutMs?: number;
  /** Largest body the gateway forwards, bytes. Default {@link DEFAULT_SERVING_MAX_BODY_BYTES}. */
  readonly maxBodyBytes?: number;
  /** Longest wait for an instance's answer, ms. Default {@link DEFAULT_SERVING_UPSTREAM_TIMEOUT_MS}. */
  readonly upstreamTimeoutMs?: number;
  /** Most instances one unanswered request is tried on. Default {@link DEFAULT_SERVING_MAX_ATTEMPTS}. */
  readonly maxAttempts?: number;
  /**
   * Container engine for CUSTOM images: a program (`docker`, `podman`), `null` for
   * none, or undefined to detect one (as training does).
   */
  readonly containerEngine?: string | null;
  /** How a model's `gitInfo` repository is cloned (the platform's `git` option). */
  readonly git?: GitCloneOptions;
}

/** What the serving manager works with. */
export interface ServingDeps {
  readonly store: Store;
  /** The embedded S3, as the SDK's storage reaches it (model downloads). */
  readonly s3: S3AccessProvider;
  readonly dataDir: string;
  /** Address gateways bind (the platform's). */
  readonly host: string;
  /** Host put in access addresses. */
  readonly advertisedHost: string;
  readonly logs: ServiceLogWriter;
  /** Told after each status change of a service. */
  readonly changed: (serviceId: number) => void;
  readonly onError: (error: unknown) => void;
  readonly options?: ServingOptions;
}

/** The services' runtimes and status rules (see the module doc). */
export class ServingManager {
  private readonly runtimes = new Map<number, ServiceRuntime>();
  private readonly context: ServiceContext;
  private readonly root: string;
  private closing: Promise<void> | undefined;

  constructor(private readonly deps: ServingDeps) {
    const o = deps.options ?? {};
    this.root = join(deps.dataDir, 'serving');
    const engine = o.containerEngine;
    this.context = {
      store: deps.store,
      s3: deps.s3,
      root: this.root,
      host: deps.host,
      instances: {
        host: DEFAULT_LOCAL_HOST,
        readyTimeoutMs: o.readyTimeoutMs ?? DEFAULT_SERVING_READY_TIMEOUT_MS,
        probeIntervalMs: o.probeIntervalMs ?? DEFAULT_SERVING_PROBE_INTERVAL_MS,
        stopGraceMs: o.stopGraceMs ?? DEFAULT_SERVING_STOP_GRACE_MS,
        restartBackoffMs: o.restartBackoffMs ?? DEFAULT_SERVING_RESTART_BACKOFF_MS,
        maxRestartBackoffMs: o.maxRestartBackoffMs ?? DEFAULT_SERVING_MAX_RESTART_BACKOFF_MS,
        stableMs: o.stableMs ?? DEFAULT_SERVING_STABLE_MS,
      },
      gateway: {
        maxBodyBytes: o.maxBodyBytes ?? DEFAULT_SERVING_MAX_BODY_BYTES,
        upstreamTimeoutMs: o.upstreamTimeoutMs ?? DEFAULT_SERVING_UPSTREAM_TIMEOUT_MS,
        maxAttempts: o.maxAttempts ?? DEFAULT_SERVING_MAX_ATTEMPTS,
      },
      git: o.git ?? {},
      drainTimeoutMs: o.drainTimeoutMs ?? DEFAULT_SERVING_DRAIN_TIMEOUT_MS,
      logs: deps.logs,
      changed: deps.changed,
      engine: engine !== undefined ? () => Promise.resolve(engine) : () => detectContainerEngine(),
      onError: deps.onError,
    };
  }

  /** `http://<advertised host>:<port>`: the base URL of a gateway. */
  accessAddress(port: number): string {
    const host = this.deps.advertisedHost;
    return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  }

  /** The access address of a service, once its gateway is open. */
  accessAddressOf(serviceId: number): string | undefined {
    const port = this.runtimes.get(serviceId)?.port;
    return port === undefined ? undefined : this.accessAddress(port);
  }

  /**
   * At platform start: kills what a crashed platform left running under the
   * serving dir (Linux), clears the dir and opens every service's gateway (on its
   * stored port when free). Nothing is deployed yet: see {@link resume}.
   */
  async open(): Promise<void> {
    if (existsSync(this.root) && readdirSync(this.root).length > 0) killLeftoverProcesses(this.root);
    await rm(this.root, { recursive: true, force: true });
    for (const service of this.deps.store.services.list()) {
      const runtime = new ServiceRuntime(service.id, this.context);
      this.runtimes.set(service.id, runtime);
      await runtime.open(service.port);
    }
  }

  /**
   * Once the platform is up: deploys `services` again (set to DEPLOYING), the ones
   * that were RUNNING or DEPLOYING when the last platform on the data dir went away.
   * Kept apart from {@link open} so a start that fails half-way has started nothing.
   */
  resume(services: readonly ServiceRecord[]): void {
    for (const service of services) {
      const runtime = this.runtimes.get(service.id);
      if (!runtime) continue;
      this.deps.logs.note(service.id, 0, 'platform restarted: deploying the service again');
      this.setStatus(service.id, 'DEPLOYING');
      void runtime.deploy();
    }
  }

  /** Creates a service (DEPLOYING), opens its gateway and starts deploying. `undefined` on a name clash. */
  async create(name: string, models: readonly ServiceModelRecord[]): Promise<number | undefined> {
    const id = this.deps.store.services.create(name, models);
    if (id === undefined) return undefined;
    const runtime = new ServiceRuntime(id, this.context);
    this.runtimes.set(id, runtime);
    try {
      await runtime.open(undefined);
    } catch (error) {
      this.runtimes.delete(id);
      this.deps.store.services.delete(id);
      throw error;
    }
    void runtime.deploy();
    return id;
  }

  /** Starts a stopped or failed service. Returns a conflict message when its status forbids it. */
  start(id: number): string | undefined {
    const { service, runtime } = this.find(id);
    if (service.status === 'STOPPING') return `service ${id} is STOPPING: start it once it is STOPPED`;
    if (service.status === 'DEPLOYING' || service.status === 'RUNNING') return undefined;
    this.setStatus(id, 'DEPLOYING');
    void runtime.deploy();
    return undefined;
  }

  /** Stops a deploying or running service (nothing to do otherwise). */
  stop(id: number): void {
    const { service, runtime } = this.find(id);
    if (service.status !== 'DEPLOYING' && service.status !== 'RUNNING') return;
    this.setStatus(id, 'STOPPING');
    void runtime.stop();
  }

  /**
   * Renames a service and/or replaces its service models. Returns a conflict
   * message when the name is taken or the status forbids a new set of models.
   */
  update(id: number, change: { name?: string; models?: readonly ServiceModelRecord[] }): string | undefined {
    const { service, runtime } = this.find(id);
    if (change.models && (service.status === 'DEPLOYING' || service.status === 'STOPPING')) {
      return `service ${id} is ${service.status}: update it once it is RUNNING, STOPPED or FAILED`;
    }
    if (change.name !== undefined && !this.deps.store.services.rename(id, change.name)) {
      return `a service named ${change.name} exists`;
    }
    if (change.models) {
      this.deps.store.services.replaceModels(id, change.models);
      if (service.status === 'RUNNING') {
        this.setStatus(id, 'DEPLOYING');
        void runtime.update(service.models);
      }
    }
    return undefined;
  }

  /** Stops a service's instances, closes its gateway and deletes it with its log. */
  async remove(id: number): Promise<void> {
    const { runtime } = this.find(id);
    await runtime.close();
    this.runtimes.delete(id);
    this.deps.store.services.delete(id);
    this.deps.logs.forget(id);
    this.deps.changed(id);
  }

  /** A service's instances by model version id, or `undefined` for an unknown service. */
  instanceViews(id: number): Map<number, InstanceView[]> | undefined {
    return this.runtimes.get(id)?.instanceViews();
  }

  /** Stops every instance and closes every gateway; stored statuses are kept (idempotent). */
  close(): Promise<void> {
    this.closing ??= Promise.all([...this.runtimes.values()].map((r) => r.close())).then(() => {
      this.runtimes.clear();
    });
    return this.closing;
  }

  private find(id: number): { service: ServiceRecord; runtime: ServiceRuntime } {
    const service = this.deps.store.services.get(id);
    const runtime = this.runtimes.get(id);
    if (!service || !runtime) throw new Error(`service ${id} is not known to the serving manager`);
    return { service, runtime };
  }

  private setStatus(id: number, status: string, reason?: string): void {
    this.deps.store.services.setStatus(id, status, reason);
    this.deps.changed(id);
  }
}
