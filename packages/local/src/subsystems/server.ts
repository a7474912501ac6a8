/**
 * Subsystem 6, the API server: the handlers of every endpoint (auth, catalog,
 * training, models, services), the router built from the contract's endpoint table,
 * `GET /v1/health` beside it, and the HTTP listener (connections capped, slow ones
 * closed). Closing stops
 * listening and closes every connection, so no new work arrives while the rest closes.
 * @module
 */
import type { S3Access, S3AccessProvider } from 'modelmaker/storage';
import { findPresetAlgorithm, findTrainFramework, resourceSpec } from '../catalog.js';
import type { PlatformHealth } from '../health.js';
import type { TokenIssuer } from '../iam.js';
import type { Scheduler } from '../scheduler.js';
import type { ChangeHub } from '../server/changeHub.js';
import type { ConnectionLimits } from '../server/connectionLimits.js';
import { authHandlers } from '../server/handlers/auth.js';
import { catalogHandlers } from '../server/handlers/catalog.js';
import { modelHandlers } from '../server/handlers/models.js';
import { serviceHandlers } from '../server/handlers/services.js';
import { trainingHandlers } from '../server/handlers/training.js';
import type { TrainCatalog } from '../server/handlers/trainRules.js';
import { withHealthRoute } from '../server/healthRoute.js';
import { listen } from '../server/http.js';
import type { LogLimits } from '../server/longPoll.js';
import { createRouter, type Handlers } from '../server/router.js';
import type { ServingManager } from '../serving/manager.js';
import type { RunRecorder } from '../store/recorder.js';
import type { Store } from '../store/store.js';
import { withHost } from './addresses.js';
import type { Closable } from './stack.js';

/** Options of {@link openServer}. */
export interface ServerSettings {
  readonly host: string;
  readonly advertisedHost: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly store: Store;
  /** What `GET /v1/account/auth-access` hands out: the embedded S3 on the advertised host. */
  readonly s3Advertised: S3Access;
  /** How handlers reach the embedded S3 (output listings, model checks). */
  readonly s3: S3AccessProvider;
  readonly training: {
    readonly recorder: RunRecorder;
    readonly scheduler: Scheduler;
    readonly hub: ChangeHub;
  };
  readonly serving: { readonly serving: ServingManager; readonly hub: ChangeHub };
  /** Issues and checks tokens (shared with the embedded S3, which accepts their temporary keys). */
  readonly tokens: TokenIssuer;
  /** What `GET /v1/health` reports. */
  readonly health: PlatformHealth;
  readonly connections?: ConnectionLimits | undefined;
  readonly maxBodyBytes?: number | undefined;
  readonly logLimits?: LogLimits | undefined;
  readonly onError: (error: unknown) => void;
}

/** The listening API server. */
export interface OpenedServer extends Closable {
  /** The API base URL on the advertised host, e.g. `http://127.0.0.1:40123`. */
  readonly baseUrl: string;
}

/** The catalog as the training rules ask it. */
const trainCatalog: TrainCatalog = {
  trainFramework: findTrainFramework,
  hasPresetAlgorithm: (id) => findPresetAlgorithm(id) !== undefined,
  trainResource: (id) => {
    const spec = resourceSpec(id);
    return spec && spec.env === 'TRAIN' ? { cpu: spec.cpu, memory: spec.memory } : undefined;
  },
};

/** Every endpoint's handler. */
function platformHandlers(settings: ServerSettings, tokens: TokenIssuer): Handlers {
  const { store, s3, training, serving, logLimits } = settings;
  return {
    ...authHandlers(tokens, settings.s3Advertised),
    ...catalogHandlers(),
    ...trainingHandlers({ store, ...training, catalog: trainCatalog, s3, logLimits }),
    ...modelHandlers({ store, s3 }),
    ...serviceHandlers({ store, ...serving, logLimits }),
  };
}

/**
 * Starts the API server.
 *
 * @throws the listen error (e.g. EADDRINUSE) when the port is taken.
 */
export async function openServer(settings: ServerSettings): Promise<OpenedServer> {
  const { tokens } = settings;
  const router = createRouter({
    handlers: platformHandlers(settings, tokens),
    checkToken: (token) => tokens.check(token),
    maxBodyBytes: settings.maxBodyBytes,
    onError: (error) => settings.onError(error),
  });
  const http = await listen(
    withHealthRoute(router, settings.health, (token) => tokens.check(token)),
    settings.host,
    settings.port,
    settings.connections,
  );
  return { baseUrl: withHost(http.url, settings.advertisedHost), close: () => http.close() };
}
