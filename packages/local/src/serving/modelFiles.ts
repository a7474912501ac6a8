/**
 * A model version's files for serving: `modelPath` downloaded into `model/` and the
 * code into `code/` of a directory the service owns
 * (`<dataDir>/serving/<serviceId>/<modelVersionId>/`): `codeUrl` downloaded by the
 * SDK's storage (see `runner/transfer.ts`), or else the model's `gitInfo` cloned
 * (shallow, one branch; see `runner/gitClone.ts` — the seed's `model_git_info` is a
 * list of one repository: its first entry is used). With both, `codeUrl` is used and a
 * note says so. Fetched once per deploy of the version and shared read-only by its
 * instances (restarts included); removed when the service stops.
 * @module
 */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { abortWith, type ModelCreate } from 'modelmaker';
import type { S3AccessProvider } from 'modelmaker/storage';
import { concat, defer, EMPTY, ignoreElements, lastValueFrom, map, type Observable, of, toArray } from 'rxjs';
import { cloneRepository, describeClone, type GitCloneOptions, type GitSource } from '../runner/gitClone.js';
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

/** The model's repository: `gitInfo`, or the first of a list. */
function repositoryOf(model: ModelCreate): GitSource | undefined {
  const git = model.gitInfo;
  return Array.isArray(git) ? git[0] : git;
}

/** Fetches the model's code into `directory`: `codeUrl`, or its repository cloned; nothing when it has neither. */
function fetchCode(
  access: S3AccessProvider,
  model: ModelCreate,
  directory: string,
  git: GitCloneOptions,
): Observable<string> {
  const repository = repositoryOf(model);
  if (model.codeUrl) {
    const code$ = fetchInto(access, model.codeUrl, directory, 'codeUrl');
    return repository ? concat(code$, of('gitInfo: not used, the code comes from codeUrl')) : code$;
  }
  if (!repository) return EMPTY;
  return cloneRepository(repository, directory, 'gitInfo', git).pipe(
    map((cloned) => describeClone('gitInfo', cloned)),
  );
}

/**
 * Fetches a model version's files into `directory` (emptied first). Cold: unsubscribing aborts.
 *
 * Fails with TransferError when an address holds nothing or S3 fails; GitCloneError when the clone fails.
 */
export function modelFiles(
  access: S3AccessProvider,
  model: ModelCreate,
  directory: string,
  git: GitCloneOptions = {},
): Observable<FetchedModel> {
  return defer(() => {
    const hasCode = model.codeUrl !== undefined || repositoryOf(model) !== undefined;
    const dirs: ServingDirectories = {
      model: join(directory, 'model'),
      code: hasCode ? join(directory, 'code') : undefined,
    };
    const prepare$ = defer(async () => {
      await rm(directory, { recursive: true, force: true });
      await mkdir(dirs.model, { recursive: true });
      if (dirs.code) await mkdir(dirs.code, { recursive: true });
    }).pipe(ignoreElements());
    const model$ = model.modelPath ? fetchInto(access, model.modelPath, dirs.model, 'modelPath') : EMPTY;
    const code$ = dirs.code ? fetchCode(access, model, dirs.code, git) : EMPTY;
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
  git: GitCloneOptions = {},
): Promise<FetchedModel> {
  return lastValueFrom(modelFiles(access, model, directory, git).pipe(abortWith(signal)));
}
