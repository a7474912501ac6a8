/**
 * `download`: an object or everything below a prefix into a local directory, as a
 * stream of transfer events.
 * @module
 */
import { mkdir, realpath } from 'node:fs/promises';
import * as E from 'fp-ts/lib/Either.js';
import {
  asyncScheduler,
  concat,
  concatMap,
  defer,
  EMPTY,
  from,
  ignoreElements,
  map,
  merge,
  mergeMap,
  type Observable,
  of,
  switchMap,
  throwError,
} from 'rxjs';
import { parseS3Uri } from '../../codecs/s3uri.js';
import {
  DEFAULT_DOWNLOAD_KEPT_LISTING_KEYS,
  DEFAULT_PROGRESS_STEP_BYTES,
  DEFAULT_STORAGE_CONCURRENCY,
} from '../../defaults.js';
import { fromAbortable } from '../kernel/abortable.js';
import type { S3AccessProvider } from './access.js';
import { UnsafePathError } from './errors.js';
import type { TransferEvent } from './events.js';
import { type S3Caller, withCaller } from './internal/caller.js';
import { type SmallFileDigests, withDigests } from './internal/digest-pool.js';
import { type Delta, ProgressTracker } from './internal/progress.js';
import { receiveObject } from './internal/receive.js';
import { eachListingPage, headRemote, type RemoteHead, type RemoteObject } from './internal/remote.js';
import { asStorageError } from './internal/s3-errors.js';
import { ensureDirectoryInside, keySegments, type SafeKey } from './internal/safe-path.js';
import type { TransferOptions } from './options.js';

/** Options of `download` (from the storage module, loaded lazily by the session helpers). */
export interface DownloadOptions extends TransferOptions {
  /**
   * What to do with keys that would land outside the target directory (`..`, absolute
   * paths, drive letters, backslashes, NUL): `error` (default) fails with
   * `UnsafePathError` before anything is written; `skip` leaves them out and lists them
   * in the summary's `rejectedKeys`.
   */
  readonly onUnsafeKey?: 'error' | 'skip' | undefined;
  /**
   * A listing of at most this many objects is kept from the first pass for the second
   * (one listing instead of two); a longer one is listed again, page by page, never held
   * whole. Default {@link DEFAULT_DOWNLOAD_KEPT_LISTING_KEYS} (10,000: about 3 MB).
   */
  readonly keptListingKeys?: number | undefined;
}

/** An object to fetch, with its checked local place. */
interface Planned {
  readonly object: RemoteObject;
  readonly head: RemoteHead | undefined;
  readonly safe: SafeKey;
}

/** What a first pass over the listing found: totals, and the keys refused (skip mode). */
interface Survey {
  readonly files: number;
  readonly bytes: number;
  /**
   * The listing's pages, when it held at most `keptListingKeys` objects: the second pass transfers from them instead of listing again.
   */
  readonly pages: (readonly RemoteObject[])[] | undefined;
  readonly rejectedKeys: readonly string[];
}

/** What to download: one object (the URI names one), or everything below `prefix`. */
type Target =
  | { readonly kind: 'object'; readonly prefix: string; readonly head: RemoteHead }
  | { readonly kind: 'prefix'; readonly prefix: string };

function targetOf(caller: S3Caller, bucket: string, key: string): Observable<Target> {
  if (key === '' || key.endsWith('/')) return of({ kind: 'prefix', prefix: key });
  return headRemote(caller, bucket, key).pipe(
    map(
      (head): Target =>
        head
          ? { kind: 'object', prefix: key.slice(0, key.lastIndexOf('/') + 1), head }
          : { kind: 'prefix', prefix: `${key}/` },
    ),
  );
}

/** Each object of `objects` with its local place; an unsafe key fails (`error`) or is set aside (`skip`). */
function plan(
  objects: readonly RemoteObject[],
  prefix: string,
  head: RemoteHead | undefined,
  onUnsafe: 'error' | 'skip',
  rejected: (key: string) => void,
): Planned[] {
  const planned: Planned[] = [];
  for (const object of objects) {
    const safe = keySegments(object.key, prefix);
    if (typeof safe === 'string') {
      if (onUnsafe === 'error') throw new UnsafePathError(object.key, safe);
      rejected(object.key);
    } else if (safe.segments.length > 0) {
      planned.push({ object, head, safe });
    }
  }
  return planned;
}

/**
 * The first pass over a listing: every key checked and the totals counted, page by
 * page, keeping nothing but counters (and the refused keys in skip mode).
 */
function survey(
  caller: S3Caller,
  bucket: string,
  prefix: string,
  onUnsafe: 'error' | 'skip',
  keptListingKeys: number,
): Observable<Survey> {
  return defer(() => {
    let files = 0;
    let bytes = 0;
    let kept = 0;
    let pages: (readonly RemoteObject[])[] | undefined = [];
    const rejectedKeys: string[] = [];
    return eachListingPage(caller, bucket, prefix, (objects) =>
      defer(() => {
        kept += objects.length;
        if (pages && kept <= keptListingKeys) pages.push(objects);
        else pages = undefined;
        for (const entry of plan(objects, prefix, undefined, onUnsafe, (key) => rejectedKeys.push(key))) {
          if (entry.safe.directory) continue;
          files += 1;
          bytes += entry.object.size;
        }
        return EMPTY;
      }),
    ).pipe(ignoreElements(), (done) =>
      concat(
        done,
        defer(() => of({ files, bytes, rejectedKeys, pages })),
      ),
    );
  });
}

/** Each page of the listing: the pages the first pass kept, or (when it kept none) a new listing. */
function forEachPage<T>(
  kept: (readonly RemoteObject[])[] | undefined,
  caller: S3Caller,
  bucket: string,
  prefix: string,
  consume: (objects: readonly RemoteObject[]) => Observable<T>,
): Observable<T> {
  return kept ? from(kept).pipe(concatMap(consume)) : eachListingPage(caller, bucket, prefix, consume);
}

/**
 * Downloads `s3Uri` into the directory `localDir` (created if missing). When the URI
 * names an object, that file lands as `localDir/<base name>`; otherwise every object
 * below `<key>/` lands at `localDir/<rest of its key>`, and `dir/` marker objects become
 * (empty) directories.
 *
 * **Streams the listing.** A first pass over the listing checks every key and counts the
 * totals (so progress knows them from the start), a second one fetches each page's
 * objects. A listing of up to `keptListingKeys` (default 10,000) objects is
 * kept from the first pass for the second (one listing); a longer one is listed again,
 * page by page, never held whole: a million keys cost a page of memory. A listing that
 * does not advance fails with `PagingError`.
 *
 * Keys are mapped only to paths inside `localDir`, checked against its real path
 * (`localDir` may itself be a symlink): unsafe keys fail the transfer before anything is
 * written (the first pass), or are skipped (`onUnsafeKey`). Each file is written to a
 * temporary name in its directory, checked (its size against the size listed; SHA-256
 * when the object has `x-amz-meta-sha256`), then renamed: a check that fails is an
 * `IntegrityError` naming the key, and no file is left. Objects without that metadata
 * are checked by size only: listed in the summary's `sizeOnly` and said in its `warnings`.
 * A local file that already holds the object's content is not fetched again: same size,
 * and its MD5 is the ETag the listing showed (no request per file), or else its SHA-256 is
 * the object's `sha256` metadata (`HeadObject`, where the ETag cannot tell).
 *
 * Cold: each subscription runs the download (`share()` it to feed several consumers);
 * unsubscribing aborts the requests in flight and removes temporary files; so do the
 * deadline and the minimum-throughput guard (`deadlineMs`, `minBytesPerSecond`).
 * Emits progress, one `file` event per file, and a `summary`, then completes.
 * Fails with `ValidationError`, `UnsafePathError`, `IntegrityError`, `StorageError`,
 * `PagingError`, `TimeoutError`.
 *
 * @example
 * ```ts
 * download(access, 's3://modelmaker/jobs/42/output/', './output').subscribe(console.log);
 * ```
 */
export function download(
  access: S3AccessProvider,
  s3Uri: string,
  localDir: string,
  options: DownloadOptions = {},
): Observable<TransferEvent> {
  return defer(() => {
    const target = parseS3Uri(s3Uri, 's3Uri');
    if (E.isLeft(target)) return throwError(() => target.left);
    const { bucket, key } = target.right;
    const scheduler = options.scheduler ?? asyncScheduler;
    const concurrency = options.concurrency ?? DEFAULT_STORAGE_CONCURRENCY;
    const onUnsafe = options.onUnsafeKey ?? 'error';
    const keptListingKeys = options.keptListingKeys ?? DEFAULT_DOWNLOAD_KEPT_LISTING_KEYS;
    const stepBytes = options.progressStepBytes ?? DEFAULT_PROGRESS_STEP_BYTES;

    /** Fetches the planned entries: directories made, files fetched, `concurrency` at a time. */
    const fetchAll = (
      caller: S3Caller,
      digests: SmallFileDigests,
      root: string,
      planned: readonly Planned[],
    ): Observable<Delta> =>
      merge(
        from(planned.filter((entry) => entry.safe.directory)).pipe(
          mergeMap(
            (entry) =>
              defer(() => ensureDirectoryInside(root, entry.safe.segments, entry.object.key)).pipe(
                asStorageError('mkdir', root),
                map((): Delta => ({ kind: 'directory' })),
              ),
            concurrency,
          ),
        ),
        from(planned.filter((entry) => !entry.safe.directory)).pipe(
          mergeMap((entry) => fetchPlanned(caller, digests, bucket, root, entry), concurrency),
        ),
      );
    const run = (
      caller: S3Caller,
      digests: SmallFileDigests,
      root: string,
      goal: Target,
    ): Observable<TransferEvent> => {
      const totals$: Observable<Survey> =
        goal.kind === 'object'
          ? defer(() => {
              const rejectedKeys: string[] = [];
              const files = plan([goal.head], goal.prefix, goal.head, onUnsafe, (k) => rejectedKeys.push(k));
              return of({
                files: files.length,
                bytes: files.length * goal.head.size,
                rejectedKeys,
                pages: undefined,
              });
            })
          : survey(caller, bucket, goal.prefix, onUnsafe, keptListingKeys);
      return totals$.pipe(
        switchMap((totals) => {
          const tracker = new ProgressTracker('download', totals, () => scheduler.now(), stepBytes);
          const sizeOnly: string[] = [];
          // The second pass skips what the first refused; a key turned unsafe in between still fails.
          const deltas$ =
            goal.kind === 'object'
              ? defer(() =>
                  fetchAll(
                    caller,
                    digests,
                    root,
                    plan([goal.head], goal.prefix, goal.head, onUnsafe, () => undefined),
                  ),
                )
              : forEachPage(totals.pages, caller, bucket, goal.prefix, (objects) =>
                  defer(() =>
                    fetchAll(
                      caller,
                      digests,
                      root,
                      plan(objects, goal.prefix, undefined, onUnsafe, () => undefined),
                    ),
                  ),
                );
          return concat(
            of(tracker.start()),
            deltas$.pipe(
              concatMap((delta) => {
                if (delta.kind === 'file' && delta.event.verified === 'size') sizeOnly.push(delta.event.uri);
                return tracker.apply(delta);
              }),
            ),
            defer(() => of(tracker.summary({ sizeOnly, rejectedKeys: totals.rejectedKeys }))),
          );
        }),
      );
    };

    return withCaller(
      access,
      options,
      (caller) =>
        withDigests((digests) =>
          fromAbortable(async () => {
            await mkdir(localDir, { recursive: true });
            return realpath(localDir);
          }).pipe(
            asStorageError('mkdir', localDir),
            switchMap((root) =>
              targetOf(caller, bucket, key).pipe(switchMap((goal) => run(caller, digests, root, goal))),
            ),
          ),
        ),
      { method: 'download', url: s3Uri },
    );
  });
}

function fetchPlanned(
  caller: S3Caller,
  digests: SmallFileDigests,
  bucket: string,
  root: string,
  entry: Planned,
): Observable<Delta> {
  const segments = entry.safe.segments;
  const name = segments[segments.length - 1] ?? '';
  return defer(() => ensureDirectoryInside(root, segments.slice(0, -1), entry.object.key)).pipe(
    asStorageError('mkdir', root),
    switchMap((directory) =>
      receiveObject(
        caller,
        bucket,
        {
          key: entry.object.key,
          directory,
          name,
          relative: segments.join('/'),
          size: entry.object.size,
          etag: entry.object.etag,
          head: entry.head,
        },
        digests,
      ),
    ),
  );
}
