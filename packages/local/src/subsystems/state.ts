/**
 * Subsystem 2, the platform's state: the SQLite store, what a crash left behind
 * (versions ended with a reason, their leftover processes killed, every work dir
 * removed; the services to deploy again), and the data dir's secrets (the
 * generated user, the S3 keys) with the extra users. Closing closes the store.
 * @module
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { type Credentials, type DataDirSecrets, ensureSecrets } from '../iam.js';
import { DATABASE_FILE } from '../store/database.js';
import { killLeftoverProcesses } from '../store/leftovers.js';
import { recoverServices, recoverUnfinishedVersions } from '../store/recovery.js';
import type { ServiceRecord } from '../store/services.js';
import { openStore, type Store } from '../store/store.js';
import type { Closable } from './stack.js';

/** The work dir of a version: `<dataDir>/work/<versionId>`. */
export function workDirOf(dataDir: string, versionId: number): string {
  return join(dataDir, 'work', String(versionId));
}

/** The opened state. */
export interface OpenedState extends Closable {
  readonly store: Store;
  readonly secrets: DataDirSecrets;
  /** Services that were RUNNING or DEPLOYING: deployed again once the platform is up. */
  readonly resumeServices: readonly ServiceRecord[];
}

/** Opens the store of `dataDir` and recovers it (see the module doc); the store is closed again when this fails. */
export async function openState(dataDir: string, users: readonly Credentials[] = []): Promise<OpenedState> {
  const store = openStore(join(dataDir, DATABASE_FILE));
  try {
    // Only after a crash: the scan costs a few ms we do not spend on a clean start.
    if (recoverUnfinishedVersions(store.training).length > 0) killLeftoverProcesses(join(dataDir, 'work'));
    // No run goes on before the platform is up: whatever is under work/ is left over.
    await rm(join(dataDir, 'work'), { recursive: true, force: true });
    const resumeServices = recoverServices(store.services);
    const secrets = await ensureSecrets(dataDir, store.users, users);
    return { store, secrets, resumeServices, close: () => store.close() };
  } catch (error) {
    store.close();
    throw error;
  }
}
