/**
 * The internals of s3rver 3.7.1 (CommonJS, untyped) the durable store builds on: its
 * filesystem store (subclassed), its object model (for the metadata it keeps) and its
 * error type (what its Koa app turns into an S3 XML error).
 * @module
 */
declare module 's3rver/lib/stores/filesystem.js' {
  import type { Readable } from 'node:stream';

  /** What s3rver's controllers hand the store to write. */
  export interface S3rverObject {
    readonly bucket: string;
    readonly key: string;
    readonly content: Readable | Buffer | null;
    readonly metadata: Record<string, string>;
  }

  /** s3rver's store over a directory: one directory per bucket, keys as paths. */
  export default class FilesystemStore {
    constructor(rootDirectory: string);
    readonly rootDirectory: string;
    static encodeKeyPath(key: string): string;
    static decodeKeyPath(keyPath: string): string;
    getBucketPath(bucket: string): string;
    getResourcePath(bucket: string, key: string | undefined, resource: string): string;
    getMetadata(bucket: string, key: string): Promise<Record<string, string | number>>;
    putMetadata(bucket: string, key: string, metadata: Record<string, string>, md5?: string): Promise<void>;
    listBuckets(): Promise<unknown[]>;
    getBucket(bucket: string): Promise<unknown>;
    putBucket(bucket: string): Promise<unknown>;
    deleteBucket(bucket: string): Promise<unknown>;
    existsObject(bucket: string, key: string): Promise<boolean>;
    getObject(bucket: string, key: string, options?: { start?: number; end?: number }): Promise<unknown>;
    putObject(object: S3rverObject): Promise<{ size: number; md5: string }>;
    copyObject(
      srcBucket: string,
      srcKey: string,
      destBucket: string,
      destKey: string,
      replacementMetadata: Record<string, string> | null,
    ): Promise<Record<string, string | number>>;
    deleteObject(bucket: string, key: string): Promise<void>;
    putPart(
      bucket: string,
      uploadId: string,
      partNumber: string | number,
      content: Readable,
    ): Promise<{ size: number; md5: string }>;
    initiateUpload(
      bucket: string,
      key: string,
      uploadId: string,
      metadata: Record<string, unknown>,
    ): Promise<void>;
    putObjectMultipart(
      bucket: string,
      uploadId: string,
      parts: ReadonlyArray<{ readonly number: number; readonly etag: string }>,
    ): Promise<{ size: number; md5: string }>;
    putSubresource(bucket: string, key: string | undefined, resource: unknown): Promise<void>;
  }
}

declare module 's3rver/lib/models/object.js' {
  import type { Readable } from 'node:stream';

  /** An object as s3rver's controllers pass it around. */
  export default class S3Object {
    constructor(bucket: string, key: string, content: Readable | null, metadata: Record<string, unknown>);
    readonly bucket: string;
    readonly key: string;
    readonly content: Readable | null;
    readonly metadata: Record<string, string>;
    range?: { start: number; end: number };
    /** The headers s3rver stores besides `x-amz-meta-*`. */
    static readonly ALLOWED_METADATA: readonly string[];
  }
}

declare module 's3rver/lib/models/error.js' {
  /** An S3 error answer: `code` and `message` in the XML body, `status` the HTTP status. */
  export default class S3Error extends Error {
    constructor(code: string, message?: string, detail?: Record<string, unknown>);
    /** s3rver's `InternalError` for any other error (its message shown only when `expose` is set). */
    static fromError(error: unknown): S3Error;
    readonly code: string;
    status: number;
    expose: boolean;
    /** The S3 XML error document. */
    toXML(): string;
  }
}
