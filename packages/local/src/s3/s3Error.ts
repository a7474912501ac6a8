/**
 * The embedded S3 guard's refusals, answered the way S3 does: an HTTP status and an
 * `<Error><Code>…</Code><Message>…</Message></Error>` XML body, so every S3 client
 * reports them by `Code`.
 * @module
 */
import { ModelMakerError } from 'modelmaker';

/** A request the embedded S3 refuses: `status` and S3 `code` (e.g. 400 `InvalidArgument`). */
export class S3RequestError extends ModelMakerError {
  readonly _tag = 'S3RequestError' as const;
  override readonly name = 'S3RequestError';
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    cause?: unknown,
  ) {
    super(`${status} ${code}: ${detail}`, { reason: code, cause });
  }
}

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The S3 XML error document of `error` for `resource` (the request path). */
export function s3ErrorXml(error: S3RequestError, resource: string, requestId: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<Error><Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.detail)}</Message>` +
    `<Resource>${escapeXml(resource)}</Resource><RequestId>${escapeXml(requestId)}</RequestId></Error>`
  );
}
