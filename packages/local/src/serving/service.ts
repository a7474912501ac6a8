/**
 * One service at run time: its gateway (open for the service's whole life), its
 * model groups (a model version's files, launch plan and instances) and the
 * operations that change them, run one at a time in the order asked:
 *
 * - **deploy** (status already DEPLOYING): fetch each model version, start
 *   `instanceCount` instances per service model, wait until every one is ready,
 *   then route and supervise them → RUNNING; any failure stops what started →
 *   FAILED with the reason.
 * - **update** (RUNNING, new service models stored, status DEPLOYING): instances of
 *   an unchanged model version (same envs) are kept, extra ones started, new model
 *   versions fetched and started; once all new instances are ready the routing
 *   table is swapped in one assignment (→ RUNNING); then the removed instances
 *   are drained (their requests in flight finish, up to `drainTimeoutMs`) and
 *   stopped. If a new instance fails, the new ones are stopped, the previous
 *   service models are restored and the service stays RUNNING with a reason.
 * - **stop** (status already STOPPING): no more routing, every instance stopped → STOPPED.
 *
 * A stop (or the platform closing) aborts a deploy or update in progress. The
 * instance `index` (the `instance` of log lines) is unique within the service at
 * any moment: the smallest number no live instance has.
 * @module
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { ModelCreate, untilAborted } from 'modelmaker';
import type { S3AccessProvider } from 'modelmaker/storage';
import { firstValueFrom, timer } from 'rxjs';
import { trainingEnvironment } from '../runner/environment.js';
import type { GitCloneOptions } from '../runner/gitClone.js';
import type { ServiceModelRecord } from '../store/services.js';
import type { Store } from '../store/store.js';
import { Balancer } from './balancer.js';
import { type Gateway, type GatewayTarget, openGateway } from './gateway.js';
import { type InstanceSettings, ServingInstance } from './instance.js';
import { fetchModelFiles } from './modelFiles.js';
import { planServing, type ServingPlan } from './plan.js';
import type { ServiceLogWriter } from './serviceLog.js';

/** What every service runtime works with. */
export interface ServiceContext {
  readonly store: Store;
  /** The embedded S3, as the SDK's storage reaches it (model downloads). */
  readonly s3: S3AccessProvider;
  /** Where model files are fetched: `<dataDir>/serving`. */
  readonly root: string;
  /** Address gateways bind. */
  readonly host: string;
  readonly instances: InstanceSettings;
  readonly gateway: {
    readonly maxBodyBytes: number;
    readonly upstreamTimeoutMs: number;
    readonly maxAttempts: number;
  };
  readonly drainTimeoutMs: number;
  /** How a model's `gitInfo` repository is cloned. */
  readonly git: GitCloneOptions;
  readonly logs: ServiceLogWriter;
  /** Told after each status change of a service (wakes log long polls). */
  readonly changed: (serviceId: number) => void;
  /** The container engine for CUSTOM images, or null. */
  readonly engine: () => Promise<string | null>;
  readonly onError: (error: unknown) => void;
}

/** What a service detail shows of one instance. */
export interface InstanceView {
  readonly index: number;
  readonly port: number | undefined;
  readonly pid: number | undefined;
  readonly status: string;
  readonly restarts: number;
  readonly reason: string | undefined;
  readonly startedAt: number | undefined;
}

interface Group {
  readonly spec: ServiceModelRecord;
  readonly dir: string;
  readonly plan: ServingPlan;
  readonly env: Readonly<Record<string, string>>;
  readonly instances: ServingInstance[];
}

/** How often draining looks at the requests in flight, ms. */
const DRAIN_CHECK_MS = 20;

class Aborted extends Error {
  override readonly name = 'Aborted';
}

/** The reason a deploy or update step stops waiting with when the operation is aborted (see `untilAborted`). */
const aborted = (): Aborted => new Aborted('aborted');

/** Starts every instance; rejects with the first failure (every start is handled). */
function startAll(instances: readonly ServingInstance[]): Promise<void> {
  return new Promise((resolve, reject) => {
    let left = instances.length;
    if (left === 0) resolve();
    for (const instance of instances) {
      instance.start().then(() => {
        if (--left === 0) resolve();
      }, reject);
    }
  });
}

function envsOf(spec: ServiceModelRecord): Array<{ name: string; value: string | number }> {
  const envs = spec.spec.envs;
  return Array.isArray(envs) ? (envs as Array<{ name: string; value: string | number }>) : [];
}

function sameEnvs(a: ServiceModelRecord, b: ServiceModelRecord): boolean {
  return JSON.stringify(envsOf(a)) === JSON.stringify(envsOf(b));
}

/** One service at run time (see the module doc). */
export class ServiceRuntime {
  private groups: Group[] = [];
  /** The groups an update is bringing up (shown by details until it ends). */
  private incoming: Group[] | undefined;
  private gatewayHandle: Gateway | undefined;
  private chain: Promise<void> = Promise.resolve();
  private operation: AbortController | undefined;
  private closed = false;
  private sequence = 0;

  constructor(
    readonly id: number,
    private readonly context: ServiceContext,
  ) {}

  /** The gateway's port (after {@link open}). */
  get port(): number | undefined {
    return this.gatewayHandle?.port;
  }

  /**
   * Opens the gateway on `preferredPort` (the stored one) or, when that is taken
   * or not given, a free one; remembers the port. Resolves with the port.
   */
  async open(preferredPort: number | undefined): Promise<number> {
    const options = {
      host: this.context.host,
      upstreamHost: this.context.instances.host,
      ...this.context.gateway,
      unavailable: () => this.unavailable(),
    };
    let gateway: Gateway | undefined;
    if (preferredPort !== undefined) {
      gateway = await openGateway({ ...options, port: preferredPort }).catch(() => undefined);
      if (!gateway) this.note(0, `port ${preferredPort} is taken: the service moves to another port`);
    }
    gateway ??= await openGateway({ ...options, port: 0 });
    this.gatewayHandle = gateway;
    this.context.store.services.setPort(this.id, gateway.port);
    return gateway.port;
  }

  /** Deploys the stored service models (status must be DEPLOYING). */
  deploy(): Promise<void> {
    return this.enqueue(() => this.runDeploy());
  }

  /** Rolls the running instances over to the stored service models; `previous` is restored on failure. */
  update(previous: readonly ServiceModelRecord[]): Promise<void> {
    return this.enqueue(() => this.runUpdate(previous));
  }

  /** Stops routing and every instance, then records STOPPED (status must be STOPPING). */
  stop(): Promise<void> {
    this.operation?.abort();
    return this.enqueue(() => this.runStop('STOPPED'));
  }

  /** Stops everything and closes the gateway, leaving the stored status as it is (platform close, deletion). */
  close(): Promise<void> {
    this.operation?.abort();
    const done = this.enqueue(async () => {
      await this.runStop(undefined);
      this.closed = true;
      await this.gatewayHandle?.close();
    });
    return done;
  }

  /** Instances by model version id, as details show them. */
  instanceViews(): Map<number, InstanceView[]> {
    const views = new Map<number, InstanceView[]>();
    for (const group of this.incoming ?? this.groups) {
      const list = views.get(group.spec.modelVersionId) ?? [];
      for (const instance of group.instances) {
        list.push({
          index: instance.index,
          port: instance.status === 'STOPPED' ? undefined : instance.port,
          pid: instance.pid,
          status: instance.status,
          restarts: instance.restarts,
          reason: instance.reason,
          startedAt: instance.readyAt,
        });
      }
      views.set(group.spec.modelVersionId, list);
    }
    return views;
  }

  private enqueue(step: () => Promise<void>): Promise<void> {
    const run = this.chain.then(() => (this.closed ? undefined : step()));
    this.chain = run.catch((error: unknown) => this.context.onError(error));
    return this.chain;
  }

  private setStatus(status: string, reason?: string): void {
    this.context.store.services.setStatus(this.id, status, reason);
    this.context.changed(this.id);
  }

  private note(instance: number, text: string): void {
    this.context.logs.note(this.id, instance, text);
  }

  private unavailable(): string {
    const service = this.context.store.services.get(this.id);
    if (!service) return `service ${this.id} is being deleted`;
    const who = `service ${service.id} (${service.name})`;
    switch (service.status) {
      case 'DEPLOYING':
        return `${who} is DEPLOYING: no instance is ready yet`;
      case 'RUNNING':
        return `${who} has no ready instance at the moment (instances are restarting)`;
      case 'FAILED':
        return `${who} FAILED: ${service.reason ?? 'no reason recorded'}`;
      default:
        return `${who} is ${service.status}: start it to serve predictions`;
    }
  }

  private freeIndex(taken: Set<number>): number {
    let index = 0;
    while (taken.has(index)) index++;
    taken.add(index);
    return index;
  }

  private takenIndices(): Set<number> {
    const taken = new Set<number>();
    for (const group of [...this.groups, ...(this.incoming ?? [])])
      for (const instance of group.instances) taken.add(instance.index);
    return taken;
  }

  private newInstance(group: Omit<Group, 'instances'>, index: number): ServingInstance {
    return new ServingInstance(
      index,
      group.spec.modelVersionId,
      group.plan,
      { ...group.env, MODELMAKER_INSTANCE_INDEX: String(index) },
      this.context.instances,
      {
        line: (stream, content, time) => this.context.logs.line(this.id, index, stream, content, time),
        note: (text) => this.note(index, `instance ${index}: ${text}`),
      },
    );
  }

  /** Fetches a model version's files, plans its instances and creates (does not start) `count` of them. */
  private async prepare(
    spec: ServiceModelRecord,
    count: number,
    taken: Set<number>,
    signal: AbortSignal,
  ): Promise<Group> {
    const version = this.context.store.models.getVersion(spec.modelVersionId);
    if (!version) throw new Error(`model version ${spec.modelVersionId} no longer exists`);
    const decoded = ModelCreate.decode(version.spec);
    if (E.isLeft(decoded)) throw new Error(`model version ${version.id}: stored body no longer decodes`);
    const model = decoded.right;
    const dir = join(this.context.root, String(this.id), `${spec.modelVersionId}-${++this.sequence}`);
    const first = this.freeIndex(new Set(taken));
    const fetched = await fetchModelFiles(this.context.s3, model, dir, signal, this.context.git).catch(
      (error: unknown) => {
        throw new Error(`model version ${version.id} (${version.modelName}): ${(error as Error).message}`);
      },
    );
    for (const line of fetched.notes) this.note(first, `model version ${version.id}: ${line}`);
    const envs = envsOf(spec);
    const plan = await planServing(model, fetched.dirs, envs, this.context.engine).catch((error: unknown) => {
      throw new Error(`model version ${version.id} (${version.modelName}): ${(error as Error).message}`);
    });
    for (const line of plan.notes) this.note(first, `model version ${version.id}: ${line}`);
    const variables: Record<string, string> = {
      MODELMAKER_MODEL_DIR: fetched.dirs.model,
      MODELMAKER_SERVICE_ID: String(this.id),
      MODELMAKER_MODEL_VERSION_ID: String(spec.modelVersionId),
    };
    if (fetched.dirs.code) variables.MODELMAKER_CODE_DIR = fetched.dirs.code;
    const base = { spec, dir, plan, env: trainingEnvironment(process.env, envs, variables) };
    const instances: ServingInstance[] = [];
    for (let i = 0; i < count; i++) instances.push(this.newInstance(base, this.freeIndex(taken)));
    return { ...base, instances };
  }

  private route(): void {
    this.gatewayHandle?.setRoutes(
      new Balancer<GatewayTarget>(this.groups.map((g) => ({ weight: g.spec.weight, targets: g.instances }))),
    );
  }

  private async runDeploy(): Promise<void> {
    const service = this.context.store.services.get(this.id);
    if (service?.status !== 'DEPLOYING') return;
    const operation = new AbortController();
    this.operation = operation;
    try {
      const taken = new Set<number>();
      for (const spec of service.models) {
        const group = await untilAborted(
          this.prepare(spec, spec.instanceCount, taken, operation.signal),
          operation.signal,
          aborted,
        );
        this.groups.push(group);
      }
      await untilAborted(startAll(this.groups.flatMap((g) => g.instances)), operation.signal, aborted);
      for (const group of this.groups) for (const instance of group.instances) instance.supervise();
      this.route();
      this.setStatus('RUNNING');
      this.note(0, `service RUNNING: ${this.groups.reduce((n, g) => n + g.instances.length, 0)} instance(s)`);
    } catch (error) {
      await this.runStop(undefined);
      if (!operation.signal.aborted) {
        const reason = (error as Error).message;
        this.note(0, `deploy failed: ${reason}`);
        this.setStatus('FAILED', reason);
      }
    } finally {
      if (this.operation === operation) this.operation = undefined;
    }
  }

  private async runUpdate(previous: readonly ServiceModelRecord[]): Promise<void> {
    const service = this.context.store.services.get(this.id);
    if (service?.status !== 'DEPLOYING') return;
    const operation = new AbortController();
    this.operation = operation;
    const next: Group[] = [];
    const fresh: Group[] = [];
    const added: ServingInstance[] = [];
    const removed: ServingInstance[] = [];
    const reused = new Set<Group>();
    const taken = this.takenIndices();
    this.incoming = next;
    try {
      for (const spec of service.models) {
        const old = this.groups.find(
          (g) => !reused.has(g) && g.spec.modelVersionId === spec.modelVersionId && sameEnvs(g.spec, spec),
        );
        if (old) {
          reused.add(old);
          const instances = old.instances.slice(0, spec.instanceCount);
          removed.push(...old.instances.slice(spec.instanceCount));
          while (instances.length < spec.instanceCount) {
            const instance = this.newInstance(old, this.freeIndex(taken));
            instances.push(instance);
            added.push(instance);
          }
          next.push({ ...old, spec, instances });
        } else {
          const group = await untilAborted(
            this.prepare(spec, spec.instanceCount, taken, operation.signal),
            operation.signal,
            aborted,
          );
          fresh.push(group);
          added.push(...group.instances);
          next.push(group);
        }
      }
      await untilAborted(startAll(added), operation.signal, aborted);
    } catch (error) {
      this.incoming = undefined;
      await Promise.all(added.map((i) => i.stop()));
      await Promise.all(fresh.map((g) => rm(g.dir, { recursive: true, force: true })));
      if (!operation.signal.aborted) {
        const reason = `update failed: ${(error as Error).message}`;
        this.note(0, `${reason}; the previous service models keep serving`);
        this.context.store.services.replaceModels(this.id, previous);
        this.setStatus('RUNNING', reason);
      }
      if (this.operation === operation) this.operation = undefined;
      return;
    }
    const retired = this.groups.filter((g) => !reused.has(g));
    for (const group of retired) removed.push(...group.instances);
    for (const instance of added) instance.supervise();
    this.groups = next;
    this.incoming = undefined;
    this.route();
    this.setStatus('RUNNING');
    const summary = next.map(
      (g) => `model version ${g.spec.modelVersionId} weight ${g.spec.weight} × ${g.instances.length}`,
    );
    this.note(0, `service updated: ${summary.join(', ')}`);
    await this.drain(removed, operation.signal);
    await Promise.all(retired.map((g) => rm(g.dir, { recursive: true, force: true })));
    if (this.operation === operation) this.operation = undefined;
  }

  /**
   * Waits until the instances have no request in flight (at most the drain
   * timeout, cut short by `signal`), then stops them.
   */
  private async drain(instances: readonly ServingInstance[], signal: AbortSignal): Promise<void> {
    const deadline = Date.now() + this.context.drainTimeoutMs;
    while (instances.some((i) => i.inFlight > 0) && Date.now() < deadline && !signal.aborted) {
      await firstValueFrom(timer(DRAIN_CHECK_MS));
    }
    await Promise.all(instances.map((i) => i.stop()));
  }

  private async runStop(final: 'STOPPED' | undefined): Promise<void> {
    this.gatewayHandle?.setRoutes(undefined);
    const groups = this.groups;
    this.groups = [];
    await Promise.all(groups.flatMap((g) => g.instances.map((i) => i.stop())));
    await rm(join(this.context.root, String(this.id)), { recursive: true, force: true });
    if (final) {
      this.setStatus(final);
      this.note(0, `service ${final}`);
    }
  }
}
