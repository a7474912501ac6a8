/**
 * The session's {@link S3AccessProvider}: temporary S3 credentials and the endpoint
 * from `GET /v1/account/auth-access`, fetched on first need, cached, refetched on
 * `refresh()` (one request however many callers ask at once).
 * @module
 */
import type { AuthAccess } from '../codecs/auth.js';
import { SharedFlight } from './kernel/sharedFlight.js';
import type { S3Access, S3AccessProvider } from './storage/access.js';

const HAS_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

/** `url` with `protocol://` in front when it has no scheme, without a trailing slash. */
export function s3EndpointUrl(url: string, protocol: 'http' | 'https'): string {
  const trimmed = url.trim().replace(/\/+$/, '');
  return HAS_SCHEME.test(trimmed) ? trimmed : `${protocol}://${trimmed}`;
}

/** What the provider needs besides the HTTP call. */
export interface S3AccessSettings {
  readonly s3Protocol: 'http' | 'https';
  /** Static keys from the options or config file; when both are set they replace the temporary ones. */
  readonly accessKey?: string | undefined;
  readonly secretKey?: string | undefined;
}

/** The {@link S3Access} of an auth-access answer. */
export function toS3Access(access: AuthAccess, settings: S3AccessSettings): S3Access {
  const useStatic = Boolean(settings.accessKey) && Boolean(settings.secretKey);
  return {
    accessKeyId: useStatic ? settings.accessKey! : access.s3.ak,
    secretAccessKey: useStatic ? settings.secretKey! : access.s3.sk,
    endpoint: s3EndpointUrl(access.s3.url, settings.s3Protocol),
    region: access.s3.region,
  };
}

/**
 * A cached, single-flight provider over `load`. A failed load is not cached. A
 * caller's `signal` stops that caller waiting; the request itself is shared, and
 * aborted once every caller waiting for it has gone (see `SharedFlight`).
 */
export class CachedS3Access implements S3AccessProvider {
  #cached: S3Access | undefined;
  readonly #flight: SharedFlight<S3Access>;

  constructor(load: (signal: AbortSignal) => Promise<S3Access>) {
    this.#flight = new SharedFlight((signal) =>
      load(signal).then((access) => {
        this.#cached = access;
        return access;
      }),
    );
  }

  /** The cached credentials, fetching them the first time. */
  get(signal?: AbortSignal): Promise<S3Access> {
    if (this.#cached !== undefined) return Promise.resolve(this.#cached);
    return this.#flight.join(signal);
  }

  /** New credentials from the platform (joins a fetch already under way). */
  refresh(signal?: AbortSignal): Promise<S3Access> {
    return this.#flight.join(signal);
  }
}
