/**
 * A model version's files for serving: `modelPath` downloaded into `model/` and
 * `codeUrl` into `code/` of a directory the service owns
 * (`<dataDir>/serving/<serviceId>/<modelVersionId>/`), by the SDK's storage (see
 * `runner/transfer.ts`). Fetched once per deploy of the version and shared read-only
 * by its instances (restarts included); removed when the service stops.
 * @module
 */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { abortWith, type ModelCreate } from 'modelmaker';
import type { S3AccessProvider } from 'modelmaker/storage';
import {
  concat,
  defer,
  EMPTY,
  ignoreElements,
  lastValueFrom,
  map,
  type Observable,
  throwError,
  toArray,
} from 'rxjs';
import { downloadTo } from '../runner/transfer.js';
import type { ServingDirectories } from './plan.js';

/** What was fetched, with lines for the service log. */
export interface FetchedModel {
  readonly dirs: ServingDirectories;
  readonly notes: readonly string[];
}

/** Downloads one address into `directory`; emits the line for the service log. */
function fetchInto(
  access: S3AccessProvider,
  uri: string,
  directory: string,
  field: string,
): Observable<string> {
  return downloadTo(access, uri, directory, field).pipe(
    map((got) => `${field}: ${got.files} file(s), ${got.bytes} bytes from ${uri}`),
  );
}

/**
 * Fetches a model version's files into `directory` (emptied first). Cold: unsubscribing aborts.
 *
 * Fails with TransferError when an address holds nothing or S3 fails; Error for `gitInfo` without `codeUrl`.
 */
export function modelFiles(
  access: S3AccessProvider,
  model: ModelCreate,
  directory: string,
): Observable<FetchedModel> {
  return defer(() => {
    const dirs: ServingDirectories = {
      model: join(directory, 'model'),
      code: model.codeUrl ? join(directory, 'code') : undefined,
    };
    const prepare$ = defer(async () => {
      await rm(directory, { recursive: true, force: true });
      await mkdir(dirs.model, { recursive: true });
    }).pipe(ignoreElements());
    const model$ = model.modelPath ? fetchInto(access, model.modelPath, dirs.model, 'modelPath') : EMPTY;
    const code$ =
      model.codeUrl && dirs.code
        ? fetchInto(access, model.codeUrl, dirs.code, 'codeUrl')
        : model.gitInfo
          ? throwError(
              () =>
                new Error('gitInfo is not supported by the local platform: upload the code and give codeUrl'),
            )
          : EMPTY;
    return concat(prepare$, model$, code$).pipe(
      toArray(),
      map((notes) => ({ dirs, notes })),
    );
  });
}

/**
 * {@link modelFiles} as a promise: rejects with `signal`'s reason once it aborts
 * (the download is cancelled then).
 */
export function fetchModelFiles(
  access: S3AccessProvider,
  model: ModelCreate,
  directory: string,
  signal: AbortSignal,
): Promise<FetchedModel> {
  return lastValueFrom(modelFiles(access, model, directory).pipe(abortWith(signal)));
}
