/**
 * What an interrupted multipart upload leaves behind so a re-run can go on: a small
 * JSON file per (endpoint, bucket, key, local file) under the OS temp directory
 * (`<tmpdir>/modelmaker-uploads/<sha256>.json`), holding the upload id, the file's
 * size and modification time, the part size, the SHA-256 when it was known before the
 * first part (it then went into the upload's metadata), and each stored part's number,
 * size, ETag and MD5. A part is recorded only after S3 accepted it; a resumed upload
 * keeps a part only when the file's bytes there still have its MD5. The file goes away
 * when the upload completes. A state file that does not decode is treated as absent
 * (it is a cache); one of version 1 (an older SDK: it identified the file by SHA-256)
 * is never resumed, only abandoned.
 * @module
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isRight } from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';

/** One part S3 has stored. */
export const StoredPart = t.type({
  partNumber: t.number,
  size: t.number,
  etag: t.string,
  /** MD5 (base64) of the local bytes sent, checked against the file on resume. */
  md5: t.string,
});
export type StoredPart = t.TypeOf<typeof StoredPart>;

/** The state of one multipart upload. */
export const UploadState = t.intersection([
  t.type({
    /** 2 (this SDK); 1 (an older one: abandoned, never resumed). */
    version: t.union([t.literal(1), t.literal(2)]),
    endpoint: t.string,
    bucket: t.string,
    key: t.string,
    uploadId: t.string,
    size: t.number,
    partSize: t.number,
    parts: t.array(StoredPart),
  }),
  t.partial({
    /** The local file's modification time (ms) when the upload was created. */
    mtimeMs: t.number,
    /** The file's SHA-256 (hex), when it was known before the first part and is in the upload's metadata. */
    sha256: t.string,
  }),
]);
export type UploadState = t.TypeOf<typeof UploadState>;

/** The directory state files go to when no `stateDir` is given. */
export function defaultStateDir(): string {
  return join(tmpdir(), 'modelmaker-uploads');
}

/**
 * The state file of one upload. Writes are serialized and atomic (temporary file,
 * then rename), so a killed process leaves the last complete state.
 */
export class UploadStateFile {
  readonly path: string;
  #chain: Promise<void> = Promise.resolve();

  constructor(
    directory: string,
    identity: { endpoint: string; bucket: string; key: string; localPath: string },
  ) {
    const id = createHash('sha256')
      .update(JSON.stringify([identity.endpoint, identity.bucket, identity.key, identity.localPath]))
      .digest('hex');
    this.path = join(directory, `${id}.json`);
  }

  /** The stored state, or `undefined` when there is none (or it does not decode). */
  async load(): Promise<UploadState | undefined> {
    const text = await readFile(this.path, 'utf8').catch(() => undefined);
    if (text === undefined) return undefined;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return undefined;
    }
    const decoded = UploadState.decode(value);
    return isRight(decoded) ? decoded.right : undefined;
  }

  /** Writes `state` (after any write already queued). */
  save(state: UploadState): Promise<void> {
    const snapshot = JSON.stringify(state);
    const next = this.#chain.then(async () => {
      await mkdir(join(this.path, '..'), { recursive: true });
      const temp = `${this.path}.${randomBytes(6).toString('hex')}.tmp`;
      await writeFile(temp, snapshot);
      await rename(temp, this.path);
    });
    this.#chain = next.catch(() => undefined);
    return next;
  }

  /** Removes the state (after any write already queued). */
  remove(): Promise<void> {
    const next = this.#chain.then(() => rm(this.path, { force: true }));
    this.#chain = next.catch(() => undefined);
    return next;
  }
}
