/**
 * Subsystem 5, serving: the services' log writer, their change hub, and the
 * serving manager with every service's gateway open. Opening deploys nothing:
 * {@link OpenedServing.resume} deploys the services that were running, once the
 * platform is up. Closing stops every instance and gateway (statuses are kept) and
 * flushes the log writer.
 * @module
 */
import type { S3AccessProvider } from 'modelmaker/storage';
import { ChangeHub } from '../server/changeHub.js';
import { ServingManager, type ServingOptions } from '../serving/manager.js';
import { ServiceLogWriter } from '../serving/serviceLog.js';
import type { ServiceRecord } from '../store/services.js';
import type { Store } from '../store/store.js';
import type { Closable } from './stack.js';

/** Options of {@link openServing}. */
export interface ServingSettings {
  readonly dataDir: string;
  readonly store: Store;
  readonly s3: S3AccessProvider;
  readonly host: string;
  readonly advertisedHost: string;
  readonly onError: (error: unknown) => void;
  readonly options?: ServingOptions | undefined;
}

/** The serving subsystem. */
export interface OpenedServing extends Closable {
  readonly serving: ServingManager;
  /** Woken when a service stores log lines or changes status (service ids are not version ids). */
  readonly hub: ChangeHub;
  /** Deploys `services` again (they were RUNNING or DEPLOYING when the last platform went away). */
  resume(services: readonly ServiceRecord[]): void;
}

/**
 * Opens the serving subsystem (see the module doc).
 *
 * @throws when a gateway cannot open; what was opened is closed first.
 */
export async function openServing(settings: ServingSettings): Promise<OpenedServing> {
  const hub = new ChangeHub();
  const logs = new ServiceLogWriter(settings.store, (ids) => hub.notify(ids));
  const serving = new ServingManager({
    store: settings.store,
    s3: settings.s3,
    dataDir: settings.dataDir,
    host: settings.host,
    advertisedHost: settings.advertisedHost,
    logs,
    changed: (id) => hub.notify([id]),
    onError: settings.onError,
    options: settings.options,
  });
  const close = async () => {
    try {
      await serving.close();
    } finally {
      logs.close();
    }
  };
  try {
    await serving.open();
  } catch (error) {
    await close();
    throw error;
  }
  return { serving, hub, resume: (services) => serving.resume(services), close };
}
