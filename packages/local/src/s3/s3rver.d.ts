/**
 * The part of s3rver 3.7.1 (CommonJS, untyped) the embedded S3 uses.
 * @module
 */
declare module 's3rver' {
  import type { Server } from 'node:http';

  /** Constructor options (see s3rver's README). */
  export interface S3rverOptions {
    directory?: string;
    silent?: boolean;
    vhostBuckets?: boolean;
    resetOnClose?: boolean;
    allowMismatchedSignatures?: boolean;
    configureBuckets?: Array<{ name: string; configs?: Array<string | Buffer> }>;
  }

  /** A Koa app serving the S3 API from a directory. */
  export default class S3rver {
    constructor(options?: S3rverOptions);
    /** The store its routes use (replaceable, with `context.store`, before listening). */
    store: unknown;
    /** Koa's prototype of every request context. */
    readonly context: { store: unknown };
    /** Creates the buckets of `configureBuckets`. */
    configureBuckets(): Promise<unknown>;
    /** Starts an HTTP server with these `server.listen` arguments. */
    listen(path: string): Promise<Server>;
  }
}
