/**
 * `POST /v1/auth-token` and `GET /v1/account/auth-access`.
 * @module
 */
import { ERROR_CODES } from 'modelmaker';
import type { TokenIssuer } from '../../iam.js';
import { HttpProblem } from '../problem.js';
import type { Handlers } from '../router.js';

/** What the embedded S3 hands out through `auth-access`. */
export interface S3Credentials {
  /** Endpoint URL with scheme, e.g. `http://127.0.0.1:4568`. */
  readonly endpoint: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly region: string;
}

/** Handlers of the auth endpoints. */
export function authHandlers(
  tokens: TokenIssuer,
  s3: S3Credentials,
): Pick<Handlers, 'authToken' | 'authAccess'> {
  return {
    async authToken({ body }) {
      const issued = await tokens.issue(body.username, body.password);
      if (!issued) throw new HttpProblem(401, ERROR_CODES.BAD_CREDENTIALS, 'wrong username or password');
      return issued;
    },
    authAccess() {
      return {
        s3: { ak: s3.accessKeyId, sk: s3.secretAccessKey, url: s3.endpoint, region: s3.region },
        // No image registry here: CUSTOM images are run with a local engine (or on the host).
        mirror: { auth: '', url: '' },
      };
    },
  };
}
