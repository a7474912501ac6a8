/**
 * An `S3Client` that prints nothing of its own: what the SDK's S3 clients (storage's,
 * and the local platform's) are built with, so a user's script shows only its output.
 * @module
 */
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';

/** The AWS SDK's switch for its "versions published after … will require node >=22" notice. */
const NODE_VERSION_NOTICE_SWITCH = 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED';

const noop = (): void => undefined;

/**
 * A silent logger. With none, the AWS SDK writes to the console whenever a streamed upload
 * fails ("An error was encountered in a non-retryable streaming request."), a failure
 * the caller reports itself with its cause.
 */
export const SILENT_S3_LOGGER = { trace: noop, debug: noop, info: noop, warn: noop, error: noop };

/**
 * `new S3Client(config)` without the console output the AWS SDK adds on its own:
 *
 * - the 8-line `NodeVersionSupportWarning` it emits when the first client of a process
 *   is made on Node.js below 22 — about SDK versions *published after January 2027*,
 *   which this package's pinned versions are not; the SDK's own switch
 *   (`AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true`) is set only while the
 *   client is constructed and restored at once, so users need not set it. The SDK
 *   warns once per process: after this, clients the user makes do not warn either;
 * - its log lines (`logger` defaults to {@link SILENT_S3_LOGGER}; give one to see them).
 *
 * @example
 * ```ts
 * const s3 = quietS3Client({ endpoint: 'http://127.0.0.1:9949', region: 'us-east-1', forcePathStyle: true });
 * ```
 */
export function quietS3Client(config: S3ClientConfig): S3Client {
  const create = () => new S3Client({ logger: SILENT_S3_LOGGER, ...config });
  const env = globalThis.process?.env;
  if (env === undefined) return create();
  const before = env[NODE_VERSION_NOTICE_SWITCH];
  try {
    env[NODE_VERSION_NOTICE_SWITCH] = 'true';
  } catch {
    return create(); // an environment that cannot be written (a runtime without the permission)
  }
  try {
    return create();
  } finally {
    if (before === undefined) delete env[NODE_VERSION_NOTICE_SWITCH];
    else env[NODE_VERSION_NOTICE_SWITCH] = before;
  }
}
