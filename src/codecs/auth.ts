/**
 * `POST /v1/auth-token` and `GET /v1/account/auth-access`: a token for `Auth-Token`,
 * and the temporary S3 credentials and endpoint.
 * @module
 */
import * as t from 'io-ts';
import { NonEmptyString, optionalFields, strict } from './common.js';

/**
 * The body of `POST /v1/auth-token`. Also what the local platform validates with:
 * `username` must be non-empty; an empty password is left to the credential check.
 */
export const AuthTokenRequest = strict(
  t.type({ username: NonEmptyString, password: t.string }),
  'AuthTokenRequest',
);
/** `{ username, password }`. */
export type AuthTokenRequest = t.TypeOf<typeof AuthTokenRequest>;

/** `{ token }`; extension `expiresIn` (seconds), used to refresh before expiry. */
export const AuthTokenResponse = t.intersection([
  t.type({ token: t.string }),
  optionalFields({ expiresIn: t.number }),
]);
/** `{ token, expiresIn? }`. */
export type AuthTokenResponse = t.TypeOf<typeof AuthTokenResponse>;

/**
 * Temporary S3 credentials. `url` may lack a scheme: the session prefixes
 * `s3_protocol` (default `http`) then.
 */
export const S3Access = t.type({ ak: t.string, sk: t.string, url: t.string, region: t.string });
/** `{ ak, sk, url, region }`. */
export type S3Access = t.TypeOf<typeof S3Access>;

/**
 * The image registry access. The SDK never uses it (it is for pulling user images on
 * the platform), so it is decoded leniently: both fields may be absent.
 */
export const MirrorAccess = optionalFields({ auth: t.string, url: t.string });
/** `{ auth?, url? }`. */
export type MirrorAccess = t.TypeOf<typeof MirrorAccess>;

/**
 * `{ s3: { ak, sk, url, region }, mirror: { auth, url } }`. `s3` is required (storage
 * needs every field); `mirror` may be absent or partial (see {@link MirrorAccess}).
 */
export const AuthAccess = t.intersection([
  t.type({ s3: S3Access }),
  optionalFields({ mirror: MirrorAccess }),
]);
/** `{ s3, mirror? }`. */
export type AuthAccess = t.TypeOf<typeof AuthAccess>;
