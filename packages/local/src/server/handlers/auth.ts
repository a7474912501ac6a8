/**
 * `POST /v1/auth-token` (throttled: 429 after repeated failures) and
 * `GET /v1/account/auth-access` (temporary S3 keys that expire with the token).
 * @module
 */
import { ERROR_CODES } from 'modelmaker';
import type { TokenIssuer } from '../../iam.js';
import { LoginThrottledError } from '../../loginThrottle.js';
import { HttpProblem } from '../problem.js';
import type { Handlers } from '../router.js';

/** Where the embedded S3 is, for `auth-access` (the keys are the token's temporary ones). */
export interface S3Credentials {
  /** Endpoint URL with scheme, e.g. `http://127.0.0.1:4568`. */
  readonly endpoint: string;
  readonly region: string;
}

/** Handlers of the auth endpoints. */
export function authHandlers(
  tokens: TokenIssuer,
  s3: S3Credentials,
): Pick<Handlers, 'authToken' | 'authAccess'> {
  return {
    async authToken({ body, remoteAddress }) {
      let issued: Awaited<ReturnType<TokenIssuer['issue']>>;
      try {
        issued = await tokens.issue(body.username, body.password, remoteAddress);
      } catch (error) {
        if (error instanceof LoginThrottledError) {
          throw new HttpProblem(429, ERROR_CODES.TOO_MANY_ATTEMPTS, error.message);
        }
        throw error;
      }
      if (!issued) throw new HttpProblem(401, ERROR_CODES.BAD_CREDENTIALS, 'wrong username or password');
      return issued;
    },
    authAccess({ token }) {
      const key = tokens.s3Access(token);
      if (!key) throw new HttpProblem(401, ERROR_CODES.TOKEN_EXPIRED, 'token expired');
      return {
        s3: { ak: key.accessKeyId, sk: key.secretAccessKey, url: s3.endpoint, region: s3.region },
        // No image registry here: CUSTOM images are run with a local engine (or on the host).
        mirror: { auth: '', url: '' },
      };
    },
  };
}
