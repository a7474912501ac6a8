/**
 * What storage needs to reach S3: temporary credentials and the endpoint, as the
 * platform hands them out from `GET /v1/account/auth-access`.
 * @module
 */

/** Credentials and endpoint for the platform's S3 store (path-style addressing). */
export interface S3Access {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** Endpoint URL with its scheme, e.g. `http://127.0.0.1:9000`. */
  readonly endpoint: string;
  readonly region: string;
  /** Session token, when the platform hands one out. */
  readonly sessionToken?: string | undefined;
}

/**
 * Supplies {@link S3Access}. `get` may return a cached value; `refresh` fetches new
 * credentials (storage calls it once when S3 answers expired/denied, then goes on).
 */
export interface S3AccessProvider {
  get(signal?: AbortSignal): Promise<S3Access>;
  refresh(signal?: AbortSignal): Promise<S3Access>;
}

/** A provider that always hands out the same credentials (tests, fixed keys). */
export function staticS3Access(access: S3Access): S3AccessProvider {
  return { get: async () => access, refresh: async () => access };
}
