/**
 * The runner's S3 transfers: fetching a job's data and code into its work directory
 * and uploading its output directory. Small and sequential on purpose — the runner
 * talks to the embedded S3 on the loopback — and independent of the SDK's storage
 * module. Every call takes an AbortSignal (a stopped or unsubscribed run aborts it).
 * @module
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, stat } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { isLeft } from 'fp-ts/lib/Either.js';
import { ModelMakerError, parseS3Uri, type S3Location } from 'modelmaker';

/** A transfer the runner could not do: bad address, nothing there, unsafe key, S3 error. */
export class TransferError extends ModelMakerError {
  readonly _tag = 'TransferError' as const;
  override readonly name = 'TransferError';
  constructor(message: string, cause?: unknown) {
    super(message, { reason: 'transfer', cause });
  }
}

/** Files and bytes moved. */
export interface TransferCount {
  readonly files: number;
  readonly bytes: number;
}

function locate(uri: string, field: string): S3Location {
  const parsed = parseS3Uri(uri, field);
  if (isLeft(parsed)) throw new TransferError(parsed.left.message);
  return parsed.right;
}

async function listKeys(
  s3: S3Client,
  bucket: string,
  prefix: string,
  signal: AbortSignal,
): Promise<Array<{ key: string; size: number }>> {
  const keys: Array<{ key: string; size: number }> = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
      {
        abortSignal: signal,
      },
    );
    for (const item of page.Contents ?? [])
      if (item.Key !== undefined) keys.push({ key: item.Key, size: item.Size ?? 0 });
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys;
}

/** A relative path that stays inside its directory, or undefined. */
function safeRelative(path: string): string | undefined {
  const parts = path.split('/');
  if (path === '' || path.startsWith('/') || parts.some((p) => p === '..' || p === '.' || p.includes('\\')))
    return undefined;
  return parts.join(sep);
}

async function fetchObject(
  s3: S3Client,
  bucket: string,
  key: string,
  file: string,
  signal: AbortSignal,
): Promise<void> {
  const answer = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
  await mkdir(dirname(file), { recursive: true });
  await pipeline(answer.Body as Readable, createWriteStream(file), { signal });
}

/**
 * Downloads `uri` into `directory`: an object (by its exact key) lands as
 * `directory/<its file name>`; otherwise `uri` is a prefix (a `/` is assumed after it)
 * and everything under it lands at its relative path.
 *
 * @throws TransferError when nothing is there, a key would leave `directory`, or S3 fails.
 */
export async function downloadS3(
  s3: S3Client,
  uri: string,
  directory: string,
  signal: AbortSignal,
  field = 'uri',
): Promise<TransferCount> {
  const { bucket, key } = locate(uri, field);
  await mkdir(directory, { recursive: true });
  try {
    if (key !== '' && !key.endsWith('/')) {
      const exact = (await listKeys(s3, bucket, key, signal)).find((k) => k.key === key);
      if (exact) {
        await fetchObject(s3, bucket, key, join(directory, key.slice(key.lastIndexOf('/') + 1)), signal);
        return { files: 1, bytes: exact.size };
      }
    }
    const prefix = key === '' || key.endsWith('/') ? key : `${key}/`;
    const objects = (await listKeys(s3, bucket, prefix, signal)).filter((k) => !k.key.endsWith('/'));
    if (objects.length === 0) throw new TransferError(`nothing found at ${uri}`);
    let bytes = 0;
    for (const object of objects) {
      const rel = safeRelative(object.key.slice(prefix.length));
      if (rel === undefined)
        throw new TransferError(`object key ${JSON.stringify(object.key)} would leave the work directory`);
      await fetchObject(s3, bucket, object.key, join(directory, rel), signal);
      bytes += object.size;
    }
    return { files: objects.length, bytes };
  } catch (error) {
    if (error instanceof TransferError || signal.aborted) throw error;
    throw new TransferError(`cannot download ${uri}: ${(error as Error).message}`, error);
  }
}

async function filesUnder(directory: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(path)));
    else if (entry.isFile()) out.push(path);
  }
  return out.sort();
}

/**
 * Uploads every file under `directory` to the prefix `uri` (a `/` is assumed after
 * it), keys being the files' relative paths with `/` separators.
 *
 * @throws TransferError when S3 fails.
 */
export async function uploadDirectory(
  s3: S3Client,
  directory: string,
  uri: string,
  signal: AbortSignal,
  field = 'output',
): Promise<TransferCount> {
  const { bucket, key } = locate(uri, field);
  const prefix = key === '' || key.endsWith('/') ? key : `${key}/`;
  let bytes = 0;
  const files = await filesUnder(directory);
  try {
    for (const file of files) {
      const size = (await stat(file)).size;
      const name = relative(directory, file).split(sep).join('/');
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: prefix + name,
          Body: createReadStream(file),
          ContentLength: size,
        }),
        { abortSignal: signal },
      );
      bytes += size;
    }
  } catch (error) {
    if (signal.aborted) throw error;
    throw new TransferError(`cannot upload the output to ${uri}: ${(error as Error).message}`, error);
  }
  return { files: files.length, bytes };
}
