/**
 * What is at an `s3://` address of the embedded S3, as model validation asks it:
 * an address names either one object (its exact key) or a "folder" (every object
 * under `key/`), the way the runner's downloads read it.
 * @module
 */
import { HeadObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import * as E from 'fp-ts/lib/Either.js';
import { parseS3Uri } from 'modelmaker';

/** What an address names. */
export type S3Target =
  | { readonly kind: 'object' }
  | { readonly kind: 'prefix' }
  | { readonly kind: 'nothing' };

/** Whether at least one object lies under `prefix` (one key asked for: existence, not a listing). */
async function anyUnder(
  s3: S3Client,
  bucket: string,
  prefix: string,
  signal: AbortSignal | undefined,
): Promise<boolean> {
  try {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, MaxKeys: 1 }), {
      abortSignal: signal,
    });
    return (page.KeyCount ?? page.Contents?.length ?? 0) > 0;
  } catch (error) {
    if ((error as { name?: string }).name === 'NoSuchBucket') return false;
    throw error;
  }
}

/** Whether an object has exactly `key`. */
async function objectExists(
  s3: S3Client,
  bucket: string,
  key: string,
  signal: AbortSignal | undefined,
): Promise<boolean> {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
    return true;
  } catch (error) {
    const name = (error as { name?: string }).name;
    if (name === 'NotFound' || name === 'NoSuchKey' || name === 'NoSuchBucket') return false;
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
  if (await anyUnder(s3, bucket, prefix, signal)) return { kind: 'prefix' };
  if (key !== '' && !key.endsWith('/') && (await objectExists(s3, bucket, key, signal))) {
    return { kind: 'object' };
  }
  return { kind: 'nothing' };
}

/** The address of `file` inside the folder `uri` (a `/` is assumed after it). */
export function inside(uri: string, file: string): string {
  return uri.endsWith('/') ? `${uri}${file}` : `${uri}/${file}`;
}
