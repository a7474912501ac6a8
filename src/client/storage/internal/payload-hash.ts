/**
 * The body's SHA-256, hashed once. A whole-object `PutObject` of storage carries its
 * content's SHA-256 as metadata (`x-amz-meta-sha256`, see `send.ts`); signing it, the AWS
 * SDK would hash the body again for `x-amz-content-sha256`. The middleware here sets that
 * header from the metadata instead, so the signer takes it as it is. The store checks
 * `x-amz-content-sha256` against the bytes it receives (S3 and the embedded store do),
 * so the SHA-256 stored with the object is now checked against its bytes too.
 * @module
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { SHA256_METADATA_KEY } from '../../../defaults.js';

/** The signed payload-hash header. */
const PAYLOAD_HASH_HEADER = 'x-amz-content-sha256';
/** The middleware's name in the client's stack (added once). */
const MIDDLEWARE_NAME = 'modelmakerPayloadHashFromMetadata';
/** A hex SHA-256. */
const HEX_SHA256 = /^[0-9a-f]{64}$/;

interface PutInput {
  readonly Body?: unknown;
  readonly Metadata?: Readonly<Record<string, string>>;
}

/** The body's SHA-256 from its metadata, for a body the SDK would hash itself (bytes in memory). */
function knownPayloadHash(commandName: string | undefined, input: PutInput): string | undefined {
  if (commandName !== 'PutObjectCommand' || !(input.Body instanceof Uint8Array)) return undefined;
  const sha256 = input.Metadata?.[SHA256_METADATA_KEY];
  return sha256 !== undefined && HEX_SHA256.test(sha256) ? sha256 : undefined;
}

/**
 * Adds to `client` (once) the middleware that signs a `PutObject` of bytes in memory
 * with the SHA-256 its `sha256` metadata gives (see the module comment). Returns `client`.
 *
 * @example
 * ```ts
 * const s3 = usePayloadHashFromMetadata(createS3Client(access));
 * await s3.send(new PutObjectCommand({ Bucket, Key, Body: bytes, Metadata: { sha256: hexOf(bytes) } }));
 * ```
 */
export function usePayloadHashFromMetadata(client: S3Client): S3Client {
  client.middlewareStack.add(
    (next, context) => (args) => {
      const sha256 = knownPayloadHash(context.commandName, args.input as PutInput);
      const request = args.request as { headers?: Record<string, string> } | undefined;
      if (sha256 !== undefined && request?.headers && request.headers[PAYLOAD_HASH_HEADER] === undefined) {
        request.headers[PAYLOAD_HASH_HEADER] = sha256;
      }
      return next(args);
    },
    // The build step runs after the request is serialized and before it is signed.
    { step: 'build', name: MIDDLEWARE_NAME, override: true },
  );
  return client;
}
