/**
 * What is at an `s3://` address of the embedded S3, as model validation asks it:
 * an address names either one object (its exact key) or a "folder" (every object
 * under `key/`), the way the platform's downloads read it. Asked with the SDK's
 * storage listing, one key per question.
 * @module
 */
import * as E from 'fp-ts/lib/Either.js';
import { abortWith, formatS3Uri, parseS3Uri } from 'modelmaker';
import { listObjects, type ObjectInfo, type S3AccessProvider, StorageError } from 'modelmaker/storage';
import { catchError, EMPTY, firstValueFrom, take, throwError } from 'rxjs';

/** What an address names. */
export type S3Target =
  | { readonly kind: 'object' }
  | { readonly kind: 'prefix' }
  | { readonly kind: 'nothing' };

/**
 * The first object (in key order) whose key starts with `key`, or undefined (also for
 * a missing bucket). Rejects with `signal`'s reason once it aborts (the listing is cancelled).
 */
function firstUnder(
  access: S3AccessProvider,
  bucket: string,
  key: string,
  signal: AbortSignal | undefined,
): Promise<ObjectInfo | undefined> {
  const first$ = listObjects(access, formatS3Uri({ bucket, key }), { pageSize: 1 }).pipe(
    take(1),
    catchError((error: unknown) =>
      error instanceof StorageError && error.reason === 'NoSuchBucket' ? EMPTY : throwError(() => error),
    ),
    abortWith<ObjectInfo>(signal),
  );
  return firstValueFrom(first$, { defaultValue: undefined });
}

/**
 * Looks at `uri`: `prefix` when at least one object lies under `key/` (or the bucket
 * root for an empty key), `object` when an object has exactly that key, else `nothing`
 * (also for an address that does not parse or a missing bucket). An exact key is found
 * as the first key of a listing from it: keys are listed in order, and a key comes
 * before every longer key it starts.
 */
export async function s3Target(
  access: S3AccessProvider,
  uri: string,
  signal?: AbortSignal,
): Promise<S3Target> {
  const location = parseS3Uri(uri);
  if (E.isLeft(location)) return { kind: 'nothing' };
  const { bucket, key } = location.right;
  const prefix = key === '' || key.endsWith('/') ? key : `${key}/`;
  if (await firstUnder(access, bucket, prefix, signal)) return { kind: 'prefix' };
  if (key !== '' && !key.endsWith('/') && (await firstUnder(access, bucket, key, signal))?.key === key) {
    return { kind: 'object' };
  }
  return { kind: 'nothing' };
}

/** The address of `file` inside the folder `uri` (a `/` is assumed after it). */
export function inside(uri: string, file: string): string {
  return uri.endsWith('/') ? `${uri}${file}` : `${uri}/${file}`;
}
