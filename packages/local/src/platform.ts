/**
 * The local ModelMaker platform in one call: SQLite store, IAM, embedded S3,
 * scheduler wired to the training runner, and the HTTP server built from the
 * contract's endpoint table. Everything lives in one data dir:
 *
 * ```
 * <dataDir>/modelmaker.db      jobs, versions, logs, metrics, samples, users (0600)
 * <dataDir>/credentials.json   the generated user's password and the S3 keys (0600)
 * <dataDir>/s3/                the embedded S3's objects
 * <dataDir>/work/<versionId>/  a run's work dir (removed when the run ends, and at start)
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
 *
 * The platform is six subsystems (`subsystems/`), each opening and closing itself,
 * opened in this order and closed in reverse: the data dir (its lock), the state
 * (store, crash recovery, secrets), the embedded S3, training (recorder, runner,
 * scheduler), serving (gateways) and the API server. Work starts — services deployed
 * again — only once all are open; a start that fails half-way closes what it opened,
 * leaving no port, process or lock behind.
 *
 * One fault never takes the platform down: a full disk fails the upload or the job
 * it hits, with a reason naming it, and `GET /v1/health` (and {@link
 * LocalPlatform.health}) reports the platform degraded until the same kind of write
 * succeeds again. See `docs/guarantees.md`.
 * @module
 */

import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { DEFAULT_LOCAL_DATA_SUBDIR, DEFAULT_LOCAL_HOST } from './defaults.js';
import { type HealthReport, PlatformHealth } from './health.js';
import { type Credentials, TokenIssuer } from './iam.js';
import type { GitCloneOptions } from './runner/gitClone.js';
import { runTraining } from './runner/index.js';
import type { Capacity } from './scheduler.js';
import type { ConnectionLimits } from './server/connectionLimits.js';
import type { LogLimits } from './server/longPoll.js';
import type { ServingOptions } from './serving/manager.js';
import { advertisedHost } from './subsystems/addresses.js';
import { openDataDir } from './subsystems/dataDir.js';
import { type RunTraining, SHUTDOWN_REASON } from './subsystems/runner.js';
import { openS3 } from './subsystems/s3.js';
import { openServer } from './subsystems/server.js';
import { openServing } from './subsystems/serving.js';
import { openInOrder, SubsystemStack } from './subsystems/stack.js';
import { openState } from './subsystems/state.js';
import { openTraining } from './subsystems/training.js';

export { type RunTraining, SHUTDOWN_REASON };

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
  /** Time runs get to stop on close, in ms. Default `DEFAULT_LOCAL_CLOSE_GRACE_MS`. */
  readonly closeGraceMs?: number;
  /** Largest request body, bytes. Default `DEFAULT_LOCAL_MAX_BODY_BYTES`. */
  readonly maxBodyBytes?: number;
  /** Limits of the log long-poll. */
  readonly logLimits?: LogLimits;
  /** Told about unexpected errors (each answered 500 without details). Default: `console.error`. */
  readonly onError?: (error: unknown) => void;
  /** The training runner. Default: the real one (`./runner`). */
  readonly runTraining?: RunTraining;
  /**
   * How `gitInfo` repositories of jobs and models are cloned: the git program (default
   * `git` from the PATH) and time limits (default a 10-minute clone, a 60-second stall).
   */
  readonly git?: GitCloneOptions;
  /** Tunables of online services (readiness timeout, restart backoff, gateway limits, container engine). */
  readonly serving?: ServingOptions;
  /** Limits on client connections of the API and the embedded S3 (defaults in `defaults.ts`). */
  readonly connections?: ConnectionLimits;
}

/**
 * The `~/.modelmaker/config.json` profile that points the SDK (or the Python SDK, which
 * reads the same file and the same `iam_config` keys) at a local platform. `host_base`
 * is the API's `http://127.0.0.1:port` address — an IP, so neither SDK prefixes the
 * region — and `base_url` the same for this SDK. No S3 keys: both SDKs take them from
 * `auth-access`.
 */
export interface LocalConfigProfile {
  readonly iam_config: {
    readonly username: string;
    readonly password: string;
    readonly host_base: string;
    readonly region: string;
    readonly verify_ssl: boolean;
    readonly s3_protocol: string;
    readonly bucket: string;
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
  /** Whether the platform is degraded right now, and why (what `GET /v1/health` answers with a token). */
  health(): HealthReport;
  /** Calls `listener` whenever the health report changes; returns the unsubscribe function. */
  onHealthChange(listener: (report: HealthReport) => void): () => void;
  /** A config file profile matching this platform (write it as JSON, mode 0600). */
  configProfile(): LocalConfigProfile;
}

/** `~/.modelmaker/local`. */
export function defaultDataDir(): string {
  return join(homedir(), DEFAULT_LOCAL_DATA_SUBDIR);
}

/**
 * Starts the local platform. Ready when the promise resolves (well under a second).
 *
 * @throws DataDirBusyError when another live platform uses the data dir; the
 *   listen error (e.g. EADDRINUSE) when a port is taken. Either way nothing is left
 *   open.
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
  const advertised = advertisedHost(host, options.advertiseHost);
  const onError = options.onError ?? ((error: unknown) => console.error('[modelmaker local]', error));
  const stack = new SubsystemStack(onError);
  const health = new PlatformHealth();

  const opened = await openInOrder(stack, async () => {
    stack.add(openDataDir(dataDir));
    const state = stack.add(await openState(dataDir, options.users));
    const { store, secrets } = state;
    const tokens = new TokenIssuer(store.users, { ttlSeconds: options.tokenTtlSeconds });
    const s3 = stack.add(
      await openS3({
        dataDir,
        host,
        advertisedHost: advertised,
        port: options.s3Port ?? 0,
        secrets,
        temporaryKeys: (accessKeyId) => tokens.s3Key(accessKeyId),
        health,
        connections: options.connections,
      }),
    );
    const training = stack.add(
      openTraining({
        dataDir,
        store,
        s3: s3.access,
        run: options.runTraining ?? runTraining,
        git: options.git,
        capacity: options.capacity,
        closeGraceMs: options.closeGraceMs,
        onError,
        health,
      }),
    );
    const serving = stack.add(
      await openServing({
        dataDir,
        store,
        s3: s3.access,
        host,
        advertisedHost: advertised,
        onError,
        options: options.git === undefined ? options.serving : { git: options.git, ...options.serving },
      }),
    );
    const server = stack.add(
      await openServer({
        host,
        advertisedHost: advertised,
        port: options.port ?? 0,
        store,
        s3Advertised: s3.advertised,
        s3: s3.access,
        training,
        serving,
        tokens,
        health,
        connections: options.connections,
        maxBodyBytes: options.maxBodyBytes,
        logLimits: options.logLimits,
        onError,
      }),
    );
    return { state, s3, serving, server };
  });

  // Everything is open: work may start.
  opened.serving.resume(opened.state.resumeServices);
  return localPlatform(
    dataDir,
    opened.state.secrets,
    opened.s3.advertised,
    opened.server.baseUrl,
    stack,
    health,
  );
}

/** The handle of a started platform. */
function localPlatform(
  dataDir: string,
  user: Credentials,
  s3: LocalPlatform['s3'],
  baseUrl: string,
  stack: SubsystemStack,
  health: PlatformHealth,
): LocalPlatform {
  return {
    baseUrl,
    username: user.username,
    password: user.password,
    s3: {
      endpoint: s3.endpoint,
      bucket: s3.bucket,
      accessKeyId: s3.accessKeyId,
      secretAccessKey: s3.secretAccessKey,
      region: s3.region,
    },
    dataDir,
    close: () => stack.close(),
    health: () => health.report(),
    onHealthChange: (listener) => health.onChange(listener),
    configProfile() {
      return {
        iam_config: {
          username: user.username,
          password: user.password,
          host_base: baseUrl,
          region: s3.region,
          verify_ssl: false,
          s3_protocol: 'http',
          bucket: s3.bucket,
          base_url: baseUrl,
        },
      };
    },
  };
}
