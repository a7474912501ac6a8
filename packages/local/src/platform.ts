/**
 * The local ModelMaker platform in one call: SQLite store, IAM, embedded S3,
 * scheduler wired to the training runner, and the HTTP server built from the
 * contract's endpoint table. Everything lives in one data dir:
 *
 * ```
 * <dataDir>/modelmaker.db      jobs, versions, logs, metrics, samples, users (0600)
 * <dataDir>/credentials.json   the generated user's password and the S3 keys (0600)
 * <dataDir>/s3/                the embedded S3's objects
 * <dataDir>/work/<versionId>/  a run's work dir (removed when the run ends)
 * <dataDir>/serving/<serviceId>/  a service's model files (removed when it stops)
 * <dataDir>/run/s3/            the embedded S3's socket and upload spool
 * <dataDir>/platform.lock      the pid owning the dir
 * ```
 *
 * The default data dir is `~/.modelmaker/local` (beside the SDK's config file).
 * A start after a crash ends the versions the dead process left unfinished
 * (TRAINING_FAIL, or STOPPED if STOPPING, reason "platform restarted while
 * running") and kills their leftover processes (Linux); a graceful close stops running versions (STOPPED, reason
 * "platform shut down") and kills what does not stop within the grace time.
 * Online services (see `serving/manager.ts`) are the other way round: a close
 * stops their instances but keeps their status, and the next start deploys the
 * services that were RUNNING (or DEPLOYING) again, on the same gateway ports when free.
 * @module
 */

import { mkdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { homedir, networkInterfaces } from 'node:os';
import { join, resolve } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import * as E from 'fp-ts/lib/Either.js';
import type { TrainCreate } from 'modelmaker';
import { compileMonitors } from 'modelmaker';
import { quietS3Client } from 'modelmaker/storage';
import { defer, EMPTY, map, type Observable, tap } from 'rxjs';
import { findPresetAlgorithm, findTrainFramework, resourceSpec } from './catalog.js';
import {
  DEFAULT_LOCAL_BUCKET,
  DEFAULT_LOCAL_CLOSE_GRACE_MS,
  DEFAULT_LOCAL_DATA_SUBDIR,
  DEFAULT_LOCAL_HOST,
  DEFAULT_LOCAL_MAX_BODY_BYTES,
} from './defaults.js';
import { type Credentials, ensureSecrets, TokenIssuer } from './iam.js';
import { type RunEvent, runTraining } from './runner/index.js';
import { startEmbeddedS3 } from './s3/embeddedS3.js';
import { type Capacity, Scheduler } from './scheduler.js';
import { ChangeHub } from './server/changeHub.js';
import { authHandlers } from './server/handlers/auth.js';
import { catalogHandlers } from './server/handlers/catalog.js';
import { modelHandlers } from './server/handlers/models.js';
import { serviceHandlers } from './server/handlers/services.js';
import { type LogLimits, storedTrainCreate, trainingHandlers } from './server/handlers/training.js';
import type { TrainCatalog } from './server/handlers/trainRules.js';
import { type HttpListener, listen } from './server/http.js';
import { createRouter, type Handlers } from './server/router.js';
import { ServingManager, type ServingOptions } from './serving/manager.js';
import { ServiceLogWriter } from './serving/serviceLog.js';
import { DATABASE_FILE } from './store/database.js';
import { lockDataDir } from './store/dataDirLock.js';
import { killLeftoverProcesses } from './store/leftovers.js';
import { RunRecorder } from './store/recorder.js';
import { recoverServices, recoverUnfinishedVersions } from './store/recovery.js';
import { openStore, type Store } from './store/store.js';
import { isTerminalTrainStatus } from './store/training.js';

/** The `reason` of versions ended by a graceful close. */
export const SHUTDOWN_REASON = 'platform shut down';

/** Starts a training run: the runner's signature (injectable for tests). */
export type RunTraining = (
  run: { versionId: number; body: TrainCreate; workDir: string },
  deps: { s3: S3Client; stop: AbortSignal },
) => Observable<RunEvent>;

/** Options of {@link startLocalPlatform}. */
export interface LocalPlatformOptions {
  /** Where all state lives. Default `~/.modelmaker/local`. */
  readonly dataDir?: string;
  /** API port; `0` (default) picks a free one. */
  readonly port?: number;
  /**
   * Address to bind. Default `127.0.0.1` (the literal loopback, not `localhost`).
   * Anything wider (`0.0.0.0`) must be asked for; the embedded S3 binds it too.
   */
  readonly host?: string;
  /** The address put in URLs when `host` is a wildcard. Default: the first external IPv4, else `127.0.0.1`. */
  readonly advertiseHost?: string;
  /** Embedded S3 port; `0` (default) picks a free one. */
  readonly s3Port?: number;
  /** Token lifetime in seconds (tests use a few). */
  readonly tokenTtlSeconds?: number;
  /** What training runs may use at once. Default: the machine's cores and memory. */
  readonly capacity?: Capacity;
  /** Users to create or update besides the generated one. */
  readonly users?: readonly Credentials[];
  /** Time runs get to stop on close, in ms. Default {@link DEFAULT_LOCAL_CLOSE_GRACE_MS}. */
  readonly closeGraceMs?: number;
  /** Largest request body, bytes. Default {@link DEFAULT_LOCAL_MAX_BODY_BYTES}. */
  readonly maxBodyBytes?: number;
  /** Limits of the log long-poll. */
  readonly logLimits?: LogLimits;
  /** Told about unexpected errors (each answered 500 without details). Default: `console.error`. */
  readonly onError?: (error: unknown) => void;
  /** The training runner. Default: the real one (`./runner`). */
  readonly runTraining?: RunTraining;
  /** Tunables of online services (readiness timeout, restart backoff, gateway limits, container engine). */
  readonly serving?: ServingOptions;
}

/** The `~/.modelmaker/config.json` profile that points the SDK (or the Python SDK) at a local platform. */
export interface LocalConfigProfile {
  readonly iam_config: {
    readonly username: string;
    readonly password: string;
    readonly host_base: string;
    readonly region: string;
    readonly verify_ssl: boolean;
    readonly s3_protocol: string;
    readonly bucket: string;
    readonly access_Key: string;
    readonly access_Key_Secret: string;
    readonly base_url: string;
  };
}

/** A running local platform. */
export interface LocalPlatform {
  /** The API base URL, e.g. `http://127.0.0.1:40123`. */
  readonly baseUrl: string;
  readonly username: string;
  readonly password: string;
  /** The embedded S3: endpoint (path-style), default bucket, keys and region. */
  readonly s3: {
    readonly endpoint: string;
    readonly bucket: string;
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
    readonly region: string;
  };
  /** The absolute data dir. */
  readonly dataDir: string;
  /** Stops runs and service instances (gracefully, then by force), gateways, the HTTP server, S3 and the database (idempotent). */
  close(): Promise<void>;
  /** A config file profile matching this platform (write it as JSON, mode 0600). */
  configProfile(): LocalConfigProfile;
}

/** `~/.modelmaker/local`. */
export function defaultDataDir(): string {
  return join(homedir(), DEFAULT_LOCAL_DATA_SUBDIR);
}

function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '';
}

function externalIpv4(): string | undefined {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const address of addresses ?? [])
      if (address.family === 'IPv4' && !address.internal) return address.address;
  }
  return undefined;
}

function withHost(url: string, host: string): string {
  const parsed = new URL(url);
  parsed.hostname = host.includes(':') ? `[${host}]` : host;
  return parsed.origin;
}

const trainCatalog: TrainCatalog = {
  hasTrainFramework: (id) => findTrainFramework(id) !== undefined,
  hasPresetAlgorithm: (id) => findPresetAlgorithm(id) !== undefined,
  trainResource: (id) => {
    const spec = resourceSpec(id);
    return spec && spec.env === 'TRAIN' ? { cpu: spec.cpu, memory: spec.memory } : undefined;
  },
};

/**
 * Starts the local platform. Ready when the promise resolves (well under a second).
 *
 * @throws DataDirBusyError when another live platform uses the data dir; the
 *   listen error (e.g. EADDRINUSE) when a port is taken.
 *
 * @example
 * ```ts
 * const platform = await startLocalPlatform({ dataDir: '/tmp/mm' });
 * console.log(platform.baseUrl, platform.username, platform.password);
 * await platform.close();
 * ```
 */
export async function startLocalPlatform(options: LocalPlatformOptions = {}): Promise<LocalPlatform> {
  const dataDir = resolve(options.dataDir ?? defaultDataDir());
  const host = options.host ?? DEFAULT_LOCAL_HOST;
  const advertised =
    options.advertiseHost ?? (isWildcard(host) ? (externalIpv4() ?? DEFAULT_LOCAL_HOST) : host);
  const onError = options.onError ?? ((error: unknown) => console.error('[modelmaker local]', error));
  const run: RunTraining = options.runTraining ?? runTraining;

  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const lock = lockDataDir(dataDir);
  const cleanups: Array<() => Promise<void> | void> = [() => lock.release()];
  const cleanup = async () => {
    for (const step of cleanups.splice(0).reverse()) {
      try {
        await step();
      } catch (error) {
        onError(error);
      }
    }
  };

  try {
    const store: Store = openStore(join(dataDir, DATABASE_FILE));
    cleanups.push(() => store.close());
    const recovered = recoverUnfinishedVersions(store.training);
    if (recovered.length > 0) {
      // Only after a crash: the scan costs a few ms we do not spend on a clean start.
      killLeftoverProcesses(join(dataDir, 'work'));
      for (const version of recovered)
        await rm(join(dataDir, 'work', String(version.id)), { recursive: true, force: true });
    }
    const resumeServices = recoverServices(store.services);
    const secrets = await ensureSecrets(dataDir, store.users, options.users);

    const s3 = await startEmbeddedS3({
      directory: join(dataDir, 's3'),
      host,
      port: options.s3Port ?? 0,
      accessKeyId: secrets.s3AccessKeyId,
      secretAccessKey: secrets.s3SecretAccessKey,
      buckets: [DEFAULT_LOCAL_BUCKET],
      // Inside the data dir, so a killed platform leaves nothing in the system's temporary directory.
      runDirectory: join(dataDir, 'run', 's3'),
    });
    cleanups.push(() => s3.close());
    const s3Endpoint = withHost(s3.endpoint, advertised);
    // quiet: the runner reports a failed transfer itself (the SDK would also print to stderr)
    const s3Client = quietS3Client({
      endpoint: s3.endpoint.replace(/\/\/(0\.0\.0\.0|\[::\])/, `//${DEFAULT_LOCAL_HOST}`),
      region: s3.region,
      forcePathStyle: true,
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    cleanups.push(() => s3Client.destroy());

    const hub = new ChangeHub();
    const recorder = new RunRecorder(store, { onStored: (ids) => hub.notify(ids) });
    cleanups.push(() => recorder.close());
    let closing = false;
    const workDir = (versionId: number) => join(dataDir, 'work', String(versionId));

    const launch = (versionId: number, stop: AbortSignal) =>
      defer(() => {
        const version = store.training.getVersion(versionId);
        if (!version || isTerminalTrainStatus(version.status)) return EMPTY;
        const body = storedTrainCreate(version);
        const monitors = compileMonitors(body.monitors ?? []);
        if (E.isRight(monitors)) recorder.track(versionId, monitors.right);
        return run({ versionId, body, workDir: workDir(versionId) }, { s3: s3Client, stop }).pipe(
          // The runner sees a close as a stop; the version should say why it really stopped.
          map((event) =>
            closing && event.kind === 'status' && (event.status === 'STOPPING' || event.status === 'STOPPED')
              ? { ...event, reason: SHUTDOWN_REASON }
              : event,
          ),
          tap((event) => recorder.record(versionId, event)),
        );
      });

    const scheduler = new Scheduler({
      capacity: options.capacity,
      launch,
      onRunError: (versionId, error) => {
        onError(error);
        recorder.status(versionId, 'TRAINING_FAIL', {
          reason: `runner failed: ${error instanceof Error ? error.message : String(error)}`,
        });
      },
      onRunEnd: (versionId) => {
        const version = store.training.getVersion(versionId);
        if (version && !isTerminalTrainStatus(version.status)) {
          if (closing) recorder.status(versionId, 'STOPPED', { reason: SHUTDOWN_REASON });
          else
            recorder.status(versionId, 'TRAINING_FAIL', { reason: 'the run ended without a final status' });
        }
        // The output is in S3 and the lines in the store: the work dir has served its purpose.
        const removal = rm(workDir(versionId), { recursive: true, force: true }).catch(onError);
        removals.add(removal);
        removal.finally(() => removals.delete(removal));
      },
    });
    const removals = new Set<Promise<void>>();
    cleanups.push(async () => {
      closing = true;
      const dropped = await scheduler.close(options.closeGraceMs ?? DEFAULT_LOCAL_CLOSE_GRACE_MS);
      for (const versionId of dropped) recorder.status(versionId, 'STOPPED', { reason: SHUTDOWN_REASON });
      await Promise.all(removals);
    });

    const serviceHub = new ChangeHub();
    const serviceLogs = new ServiceLogWriter(store, (ids) => serviceHub.notify(ids));
    cleanups.push(() => serviceLogs.close());
    const serving = new ServingManager({
      store,
      s3: s3Client,
      dataDir,
      host,
      advertisedHost: advertised,
      logs: serviceLogs,
      changed: (id) => serviceHub.notify([id]),
      onError,
      options: options.serving,
    });
    cleanups.push(() => serving.close());
    await serving.open(resumeServices);

    const tokens = new TokenIssuer(store.users, { ttlSeconds: options.tokenTtlSeconds });
    const handlers: Handlers = {
      ...authHandlers(tokens, {
        endpoint: s3Endpoint,
        accessKeyId: s3.accessKeyId,
        secretAccessKey: s3.secretAccessKey,
        region: s3.region,
      }),
      ...catalogHandlers(),
      ...trainingHandlers({
        store,
        recorder,
        scheduler,
        hub,
        catalog: trainCatalog,
        s3: s3Client,
        logLimits: options.logLimits,
      }),
      ...modelHandlers({ store, s3: s3Client }),
      ...serviceHandlers({ store, serving, hub: serviceHub, logLimits: options.logLimits }),
    };
    const router = createRouter({
      handlers,
      checkToken: (token) => tokens.check(token),
      maxBodyBytes: options.maxBodyBytes,
      onError: (error) => onError(error),
    });
    const http: HttpListener = await listen(router, host, options.port ?? 0);
    // Closed before the runs stop, so no new work arrives while they do.
    cleanups.push(() => http.close());

    const baseUrl = withHost(http.url, advertised);
    let closed: Promise<void> | undefined;
    return {
      baseUrl,
      username: secrets.username,
      password: secrets.password,
      s3: {
        endpoint: s3Endpoint,
        bucket: DEFAULT_LOCAL_BUCKET,
        accessKeyId: s3.accessKeyId,
        secretAccessKey: s3.secretAccessKey,
        region: s3.region,
      },
      dataDir,
      close() {
        closed ??= cleanup();
        return closed;
      },
      configProfile() {
        return {
          iam_config: {
            username: secrets.username,
            password: secrets.password,
            host_base: baseUrl,
            region: s3.region,
            verify_ssl: false,
            s3_protocol: 'http',
            bucket: DEFAULT_LOCAL_BUCKET,
            access_Key: s3.accessKeyId,
            access_Key_Secret: s3.secretAccessKey,
            base_url: baseUrl,
          },
        };
      },
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}
