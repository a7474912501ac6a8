/**
 * What is at an `s3://` address of the embedded S3, as model validation asks it:
 * an address names either one object (its exact key) or a "folder" (every object
 * under `key/`), the way the runner's downloads read it.
 * @module
 */
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import * as E from 'fp-ts/lib/Either.js';
import { parseS3Uri } from '../../codecs/s3uri.js';

/** What an address names. */
export type S3Target =
  | { readonly kind: 'object' }
  | { readonly kind: 'prefix' }
  | { readonly kind: 'nothing' };

/**
 * Keys under `prefix` (one page). No `MaxKeys`: the embedded S3 (s3rver 3.7.1) fails
 * truncated version-2 listings (its continuation tokens use DES, which OpenSSL 3 lacks).
 */
async function keysUnder(
  s3: S3Client,
  bucket: string,
  prefix: string,
  signal: AbortSignal | undefined,
): Promise<string[]> {
  try {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }), {
      abortSignal: signal,
    });
    return (page.Contents ?? []).flatMap((object) => (object.Key === undefined ? [] : [object.Key]));
  } catch (error) {
    if ((error as { name?: string }).name === 'NoSuchBucket') return [];
    throw error;
  }
}

/**
 * Looks at `uri`: `prefix` when at least one object lies under `key/` (or the bucket
 * root for an empty key), `object` when an object has exactly that key, else `nothing`
 * (also for an address that does not parse or a missing bucket).
 */
export async function s3Target(s3: S3Client, uri: string, signal?: AbortSignal): Promise<S3Target> {
  const location = parseS3Uri(uri);
  if (E.isLeft(location)) return { kind: 'nothing' };
  const { bucket, key } = location.right;
  const prefix = key === '' || key.endsWith('/') ? key : `${key}/`;
  if ((await keysUnder(s3, bucket, prefix, signal)).length > 0) return { kind: 'prefix' };
  if (key !== '' && !key.endsWith('/') && (await keysUnder(s3, bucket, key, signal)).includes(key)) {
    return { kind: 'object' };
  }
  return { kind: 'nothing' };
}

/** The address of `file` inside the folder `uri` (a `/` is assumed after it). */
export function inside(uri: string, file: string): string {
  return uri.endsWith('/') ? `${uri}${file}` : `${uri}/${file}`;
}
