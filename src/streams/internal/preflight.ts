/**
 * What `fit` and `createModel` check before they upload or submit anything, so a
 * mistake visible from here fails at once as a `ValidationError` naming the
 * parameter, rather than after an upload or a whole training run:
 *
 * - `bootFile` (`modelBootFile`) is a file of the local `codeDir` (`modelCodeDir`) that
 *   the upload takes along — checked before anything is uploaded;
 * - the bucket of `outputPath` exists (one `HEAD` of the bucket) — else the job would
 *   train and then fail to store its output;
 * - something is at `inputs` (the object, or objects below it as a folder).
 *
 * The S3 checks are best effort: only a store that says "no such bucket" or lists
 * nothing fails them; a refusal, an error, or no answer within
 * `DEFAULT_PREFLIGHT_TIMEOUT_MS` lets the request go on (the platform decides), with
 * a debug line. The storage module (Node) is loaded only when there is something to check.
 * @module
 */
import * as E from 'fp-ts/lib/Either.js';
import {
  asyncScheduler,
  defer,
  EMPTY,
  from,
  ignoreElements,
  map,
  Observable,
  of,
  type SchedulerLike,
  switchMap,
  timeout,
} from 'rxjs';
import type { Logger } from '../../client/logger.js';
import type { StorageAccess } from '../../client/sessionStorage.js';
import type { ModelCreate } from '../../codecs/models.js';
import { parseS3Uri } from '../../codecs/s3uri.js';
import type { TrainCreate } from '../../codecs/training.js';
import { DEFAULT_PREFLIGHT_TIMEOUT_MS } from '../../defaults.js';
import { type FieldProblem, ValidationError } from '../../errors.js';

/** What the checks need of a session: its S3 access and a logger. */
export interface PreflightSession extends StorageAccess {
  readonly logger: Logger;
}

/** Options of the checks. */
export interface PreflightOptions {
  /** The upload's `ignore` patterns (a boot file they leave out is a problem). */
  readonly ignore?: readonly string[] | undefined;
  /** Clock of the S3 checks' time limit. Default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike | undefined;
  /** Time limit of the S3 checks, in ms. Default {@link DEFAULT_PREFLIGHT_TIMEOUT_MS}. */
  readonly timeoutMs?: number | undefined;
}

type Storage = typeof import('../../client/storage/index.js');

/** A boot file to find in a local code directory, with the parameters that name them. */
interface LocalFileCheck {
  readonly directory: string;
  readonly file: string;
  readonly field: string;
  readonly directoryField: string;
}

/** The boot file check of a request whose code is uploaded from `localCodeDir`, if any. */
function localBootFile(
  localCodeDir: string | undefined,
  bootFile: string | undefined,
  fields: Pick<LocalFileCheck, 'field' | 'directoryField'>,
): LocalFileCheck | undefined {
  return localCodeDir !== undefined && bootFile !== undefined
    ? { directory: localCodeDir, file: bootFile, ...fields }
    : undefined;
}

/** An S3 check: what it asks the store, and the problem when the store says no. */
interface StoreCheck {
  readonly what: string;
  readonly ask: (storage: Storage, signal: AbortSignal) => Promise<'present' | 'absent' | 'unknown'>;
  readonly problem: FieldProblem;
}

/** The promise of `run` as a cold Observable that aborts it on unsubscribe. */
function abortable<T>(run: (signal: AbortSignal) => Promise<T>): Observable<T> {
  return new Observable<T>((subscriber) => {
    const controller = new AbortController();
    run(controller.signal).then(
      (value) => {
        subscriber.next(value);
        subscriber.complete();
      },
      (error: unknown) => subscriber.error(error),
    );
    return () => controller.abort();
  });
}

function checks(
  session: PreflightSession,
  local: LocalFileCheck | undefined,
  store: readonly StoreCheck[],
  options: PreflightOptions,
): Observable<never> {
  if (local === undefined && store.length === 0) return EMPTY;
  const scheduler = options.scheduler ?? asyncScheduler;
  const limit = options.timeoutMs ?? DEFAULT_PREFLIGHT_TIMEOUT_MS;
  return defer(() => import('../../client/storage/index.js')).pipe(
    switchMap((storage) => {
      const localProblem$ = from(
        local === undefined
          ? Promise.resolve(undefined)
          : storage.localFileProblem(local.directory, local.file, local.directoryField, options.ignore),
      ).pipe(
        map((message): FieldProblem[] =>
          message === undefined || local === undefined ? [] : [{ field: local.field, message }],
        ),
      );
      const store$ = abortable(async (signal) => {
        const answers = await Promise.all(store.map((check) => check.ask(storage, signal)));
        return store.flatMap((check, i) => {
          if (answers[i] === 'unknown')
            session.logger.debug(`could not tell whether ${check.what}; going on (the platform decides)`);
          return answers[i] === 'absent' ? [check.problem] : [];
        });
      }).pipe(
        timeout({
          first: limit,
          scheduler,
          with: () => {
            session.logger.debug(
              `no answer from S3 in ${limit} ms to ${store.map((c) => c.what).join(', ')}`,
            );
            return of([]);
          },
        }),
      );
      return localProblem$.pipe(
        // a missing boot file is reported without waiting for the store
        switchMap((problems) => (problems.length > 0 || store.length === 0 ? of(problems) : store$)),
      );
    }),
    map((problems) => {
      if (problems.length > 0) throw new ValidationError(problems);
    }),
    ignoreElements(),
  );
}

/** The S3 checks of a training body: its output bucket, its data. */
function trainStoreChecks(session: PreflightSession, body: TrainCreate): StoreCheck[] {
  const out: StoreCheck[] = [];
  const output = parseS3Uri(body.output, 'outputPath');
  if (E.isRight(output)) {
    const { bucket } = output.right;
    out.push({
      what: `the bucket ${bucket} of outputPath exists`,
      ask: (storage, signal) => storage.bucketPresence(session.s3Access(), bucket, signal),
      problem: {
        field: 'outputPath',
        message: `the bucket ${JSON.stringify(bucket)} does not exist, so the output of ${body.output} could not be stored`,
      },
    });
  }
  const dataUrl = body.dataUrl;
  const data = dataUrl === undefined ? undefined : parseS3Uri(dataUrl, 'inputs');
  if (dataUrl !== undefined && data !== undefined && E.isRight(data)) {
    const { bucket, key } = data.right;
    out.push({
      what: `something is at inputs ${dataUrl}`,
      ask: (storage, signal) => storage.addressPresence(session.s3Access(), bucket, key, signal),
      problem: { field: 'inputs', message: `nothing found at ${dataUrl}` },
    });
  }
  return out;
}

/**
 * The checks of a training request (see the module doc): fails with a
 * `ValidationError` listing what is wrong, else completes without a value.
 */
export function trainPreflight(
  session: PreflightSession,
  request: { readonly body: TrainCreate; readonly localCodeDir?: string | undefined },
  options: PreflightOptions = {},
): Observable<never> {
  return defer(() => {
    const { body, localCodeDir } = request;
    const local = localBootFile(localCodeDir, body.startup, { field: 'bootFile', directoryField: 'codeDir' });
    return checks(session, local, trainStoreChecks(session, body), options);
  });
}

/**
 * The checks of a model request: its `modelBootFile` is a file of the local
 * `modelCodeDir` the upload takes along. Fails with a `ValidationError`, else completes.
 */
export function modelPreflight(
  session: PreflightSession,
  request: { readonly body: ModelCreate; readonly localCodeDir?: string | undefined },
  options: PreflightOptions = {},
): Observable<never> {
  return defer(() => {
    const { body, localCodeDir } = request;
    const local = localBootFile(localCodeDir, body.startup, {
      field: 'modelBootFile',
      directoryField: 'modelCodeDir',
    });
    return checks(session, local, [], options);
  });
}
