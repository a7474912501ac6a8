/**
 * The embedded S3 of the local platform: s3rver 3.7.1 with a crash-atomic store
 * (see `durableStore.ts`) under a directory, behind a guard (see `guard.ts`) that is
 * the only thing listening on a TCP port. s3rver itself listens on a Unix socket (a
 * named pipe on Windows) in a private temporary directory, so nothing reaches it
 * without passing the guard. Why keep s3rver at all: it still does what it does right
 * — the S3 REST surface, XML answers, multipart bookkeeping, bucket configuration —
 * and only its writes were unsafe; those are replaced, not patched around.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import S3rver from 's3rver';
import { DEFAULT_EMBEDDED_S3_REGION, DEFAULT_LOCAL_HOST } from '../defaults.js';
import { type ConnectionLimits, createLimitedServer } from '../server/connectionLimits.js';
import { DurableStore, PRIVATE_DIRECTORY_MODE } from './durableStore.js';
import { createS3Guard } from './guard.js';
import { checkBucket } from './safeKeys.js';
import type { Credentials, KeyLookup } from './sigv4.js';

/** Options of {@link startEmbeddedS3}. */
export interface EmbeddedS3Options {
  /** Where objects are stored (created when missing); survives restarts. */
  readonly directory: string;
  /** Address to bind. Default {@link DEFAULT_LOCAL_HOST} (`127.0.0.1`). */
  readonly host?: string;
  /** Port to bind; `0` (default) picks a free one. */
  readonly port?: number;
  /** The access key clients sign with. Default: random. */
  readonly accessKeyId?: string;
  /** The secret of {@link accessKeyId}. Default: random. */
  readonly secretAccessKey?: string;
  /** Region reported to clients. Default {@link DEFAULT_EMBEDDED_S3_REGION}; any region a client signs for is accepted. */
  readonly region?: string;
  /** Buckets that exist once started (created when missing). */
  readonly buckets?: readonly string[];
  /**
   * Further keys clients may sign with, e.g. the temporary keys `auth-access` hands out
   * (each with its expiry). The key pair above is always accepted.
   */
  readonly temporaryKeys?: KeyLookup;
  /** Told when a request fails on a storage fault (a full disk), with a reason naming it. */
  readonly onFault?: (reason: string) => void;
  /** Told when an object write succeeds (the storage works again). */
  readonly onWrite?: () => void;
  /** Limits on client connections (see `connectionLimits.ts`); a whole upload has no time limit, a stalled one does. */
  readonly connections?: ConnectionLimits;
  /**
   * Where the private socket and the upload spool live (never inside `directory`: s3rver
   * would list it as a bucket). Default: a fresh directory in the system's temporary
   * directory, removed on close. Give one in the platform's data dir so a crash leaves
   * nothing behind in the temporary directory: stale files in it are cleared at start.
   * A path too long for a Unix socket falls back to the default.
   */
  readonly runDirectory?: string;
  /**
   * Whether a plain PutObject is stored by the guard in-process (default `true`; see
   * `plainPut.ts`). `false` sends every request through s3rver, as before: the tests pin
   * both paths to the same answers.
   */
  readonly inProcessPuts?: boolean;
}

/** A running embedded S3. */
export interface EmbeddedS3 {
  /** `http://127.0.0.1:PORT`: use with `forcePathStyle: true`. */
  readonly endpoint: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly region: string;
  /** Stops listening, closes connections and removes the socket and spool (never the stored objects). */
  close(): Promise<void>;
}

/** The socket's file name in the run directory. */
const SOCKET_NAME = 's3rver.sock';
/** Longest Unix socket path that binds everywhere (Linux allows 107 bytes, macOS 103). */
const MAX_SOCKET_PATH = 100;

/** The key pair s3rver 3.7.1 registers by itself; only the guard uses it, over the private socket. */
const S3RVER_CREDENTIALS: Credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

function listen(server: http.Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolveListen(server.address() as AddressInfo);
    });
  });
}

/**
 * Makes the store's directory and its bucket directories readable by their owner only
 * (a data dir made by an older build has them 0755): with the parents closed, the
 * objects inside are out of other users' reach whatever their own modes.
 */
async function makePrivate(directory: string): Promise<void> {
  if (process.platform === 'win32') return;
  await chmod(directory, PRIVATE_DIRECTORY_MODE);
  for (const entry of await readdir(directory, { withFileTypes: true })) {
    if (entry.isDirectory()) await chmod(join(directory, entry.name), PRIVATE_DIRECTORY_MODE);
  }
}

function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolveClose) => {
    server.close(() => resolveClose());
    server.closeAllConnections();
  });
}

/**
 * Starts the embedded S3: s3rver behind the guard. Resolves once both listen and the
 * listed buckets exist.
 *
 * @example
 * ```ts
 * const s3 = await startEmbeddedS3({ directory: join(dataDir, 's3'), buckets: ['modelmaker'] });
 * const client = new S3Client({ endpoint: s3.endpoint, region: s3.region, forcePathStyle: true,
 *   credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } });
 * ```
 */
export async function startEmbeddedS3(options: EmbeddedS3Options): Promise<EmbeddedS3> {
  const directory = resolve(options.directory);
  const host = options.host ?? DEFAULT_LOCAL_HOST;
  const region = options.region ?? DEFAULT_EMBEDDED_S3_REGION;
  const accessKeyId = options.accessKeyId ?? `MM${randomBytes(9).toString('hex').toUpperCase()}`;
  const secretAccessKey = options.secretAccessKey ?? randomBytes(24).toString('base64url');
  const buckets = options.buckets ?? [];
  for (const bucket of buckets) checkBucket(bucket);

  await mkdir(directory, { recursive: true, mode: PRIVATE_DIRECTORY_MODE });
  await makePrivate(directory);
  const given = options.runDirectory === undefined ? undefined : resolve(options.runDirectory);
  const ownRunDirectory = given === undefined || join(given, SOCKET_NAME).length > MAX_SOCKET_PATH;
  const runDirectory = ownRunDirectory ? await mkdtemp(join(tmpdir(), 'mm-s3-')) : given!;
  const socket =
    process.platform === 'win32'
      ? `\\\\?\\pipe\\modelmaker-s3-${randomBytes(8).toString('hex')}`
      : join(runDirectory, SOCKET_NAME);
  const spoolDirectory = join(runDirectory, 'spool');
  // Leftovers of a previous run that did not close (a crash) are cleared first.
  await rm(socket, { force: true });
  await rm(spoolDirectory, { recursive: true, force: true });
  await mkdir(spoolDirectory, { recursive: true, mode: PRIVATE_DIRECTORY_MODE });

  const agent = new http.Agent({ keepAlive: true });
  let upstream: http.Server | undefined;
  let guard: http.Server | undefined;
  const cleanup = async () => {
    agent.destroy();
    await Promise.all([guard && closeServer(guard), upstream && closeServer(upstream)]);
    if (ownRunDirectory) await rm(runDirectory, { recursive: true, force: true });
    else
      await Promise.all([rm(socket, { force: true }), rm(spoolDirectory, { recursive: true, force: true })]);
  };

  try {
    const s3rver = new S3rver({
      directory,
      silent: true,
      vhostBuckets: false,
      configureBuckets: buckets.map((name) => ({ name })),
    });
    const store = new DurableStore(directory, {
      spoolDirectory,
      onFault: options.onFault,
      onWrite: options.onWrite,
    });
    // Writes that a killed process left half done are finished or discarded before anything is served.
    await store.recover();
    s3rver.store = store;
    s3rver.context.store = store;
    await s3rver.configureBuckets();
    upstream = await s3rver.listen(socket);

    const permanent: Credentials = { accessKeyId, secretAccessKey };
    guard = createLimitedServer(
      createS3Guard({
        keys: (id) =>
          id === permanent.accessKeyId
            ? { secretAccessKey: permanent.secretAccessKey }
            : options.temporaryKeys?.(id),
        onFault: options.onFault,
        upstreamCredentials: S3RVER_CREDENTIALS,
        region,
        upstreamSocket: socket,
        agent,
        storeDirectory: directory,
        spoolDirectory,
        ...(options.inProcessPuts === false ? {} : { store }),
      }),
      // A whole upload has no time limit (it may be large); a stalled one is closed.
      { ...options.connections, requestTimeoutMs: 0 },
    );
    const address = await listen(guard, options.port ?? 0, host);
    const hostText = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    let closing: Promise<void> | undefined;
    return {
      endpoint: `http://${hostText}:${address.port}`,
      accessKeyId,
      secretAccessKey,
      region,
      close: () => {
        closing ??= cleanup();
        return closing;
      },
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}
