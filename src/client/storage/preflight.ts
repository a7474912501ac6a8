/**
 * Checks made before a job is uploaded or submitted, so a mistake the SDK can see
 * from here is reported at once, naming the parameter, instead of after an upload or
 * a whole training run: the boot file is a file of the local code directory (and not
 * left out of its upload), the output's bucket exists, the training data is there.
 *
 * Each S3 check answers `present`, `absent` or `unknown`: only a store that says "no
 * such bucket" or lists nothing is `absent`; anything else it answers (access denied,
 * an error, no answer) is `unknown`, and the caller goes on — the platform decides.
 * Node-only (file system, AWS SDK): loaded with the rest of storage.
 * @module
 */
import { stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import {
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  type S3Client,
} from '@aws-sdk/client-s3';
import { DEFAULT_UPLOAD_IGNORE } from '../../defaults.js';
import type { S3AccessProvider } from './access.js';
import { createS3Client } from './client.js';
import { ignoreMatcher } from './internal/ignore.js';

/** What a store said about a bucket or an address. */
export type Presence = 'present' | 'absent' | 'unknown';

/** HTTP status of an S3 answer saying there is no such bucket, key or listing. */
const NOT_FOUND_STATUS = 404;

interface S3ErrorShape {
  readonly name?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: unknown };
}

function saysNotFound(error: unknown, names: readonly string[]): boolean {
  const shape = (typeof error === 'object' && error !== null ? error : {}) as S3ErrorShape;
  return (
    shape.$metadata?.httpStatusCode === NOT_FOUND_STATUS ||
    (typeof shape.name === 'string' && names.includes(shape.name))
  );
}

async function withClient<T>(
  provider: S3AccessProvider,
  signal: AbortSignal | undefined,
  use: (client: S3Client) => Promise<T>,
): Promise<T> {
  const client = createS3Client(await provider.get(signal));
  try {
    return await use(client);
  } finally {
    client.destroy();
  }
}

/**
 * Whether `bucket` exists: one `HEAD` of the bucket. `absent` only on the store's
 * 404 / `NoSuchBucket`; a refusal (403) or a failure is `unknown`.
 */
export async function bucketPresence(
  provider: S3AccessProvider,
  bucket: string,
  signal?: AbortSignal,
): Promise<Presence> {
  try {
    return await withClient(provider, signal, async (client): Promise<Presence> => {
      await client.send(new HeadBucketCommand({ Bucket: bucket }), { abortSignal: signal });
      return 'present';
    });
  } catch (error) {
    return saysNotFound(error, ['NotFound', 'NoSuchBucket']) ? 'absent' : 'unknown';
  }
}

/**
 * Whether anything is at `key` of `bucket` as a platform reads an address: the object
 * `key`, or objects below `key/` (a folder). At most two calls (`HEAD` of the object,
 * then a listing of one key). `absent` when the bucket does not exist or both say
 * nothing is there; `unknown` when the store refuses or fails.
 */
export async function addressPresence(
  provider: S3AccessProvider,
  bucket: string,
  key: string,
  signal?: AbortSignal,
): Promise<Presence> {
  try {
    return await withClient(provider, signal, async (client): Promise<Presence> => {
      if (key !== '' && !key.endsWith('/')) {
        try {
          await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
          return 'present';
        } catch (error) {
          if (!saysNotFound(error, ['NotFound', 'NoSuchKey'])) throw error;
        }
      }
      const prefix = key === '' || key.endsWith('/') ? key : `${key}/`;
      const listed = await client.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, MaxKeys: 1 }),
        {
          abortSignal: signal,
        },
      );
      return (listed.KeyCount ?? listed.Contents?.length ?? 0) > 0 ? 'present' : 'absent';
    });
  } catch (error) {
    return saysNotFound(error, ['NoSuchBucket']) ? 'absent' : 'unknown';
  }
}

/**
 * Why `file` (a path relative to the local directory `directory`, such as a boot file)
 * cannot be run from that directory once uploaded, or `undefined` when it can: it
 * leaves the directory, is not a file there, or the upload leaves it out (`ignore`
 * patterns, beside `DEFAULT_UPLOAD_IGNORE`). The text names `directoryField`.
 *
 * @example
 * ```ts
 * await localFileProblem('./code', 'nope.mjs', 'codeDir')
 * // '"nope.mjs" is not in codeDir ./code'
 * ```
 */
export async function localFileProblem(
  directory: string,
  file: string,
  directoryField: string,
  ignore: readonly string[] = [],
): Promise<string | undefined> {
  const root = resolve(directory);
  const full = resolve(root, file);
  const inside = relative(root, full);
  const where = `${directoryField} ${directory}`;
  if (isAbsolute(file) || inside === '' || inside.split(sep)[0] === '..') {
    return `expected a path inside ${where}, got ${JSON.stringify(file)}`;
  }
  const info = await stat(full).catch(() => undefined);
  if (info === undefined) return `${JSON.stringify(file)} is not in ${where}`;
  if (!info.isFile()) return `${JSON.stringify(file)} is a directory of ${where}, not a file`;
  const matches = ignoreMatcher([...DEFAULT_UPLOAD_IGNORE, ...ignore]);
  const steps = inside.split(sep);
  for (let depth = 1; depth <= steps.length; depth++) {
    const path = steps.slice(0, depth).join('/');
    if (matches(path, depth < steps.length)) {
      return `${JSON.stringify(file)} is in ${where}, but the upload leaves ${JSON.stringify(path)} out (ignore patterns)`;
    }
  }
  return undefined;
}
