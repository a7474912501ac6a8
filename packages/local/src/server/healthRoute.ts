/**
 * `GET /v1/health`, an extension route of the local platform (not in the contract's
 * table, so the router never sees it): `{ status: "ok" | "degraded", faults }`. The
 * status is public (a liveness probe needs no token); the faults — which name
 * versions, objects and error codes — are listed only for a valid `Auth-Token`:
 * `faults: [{ component, reason, since }]` (`since` ISO 8601).
 * @module
 */
import type { PlatformHealth } from '../health.js';
import type { TokenCheck } from '../iam.js';
import { type RequestListener, sendJson } from './router.js';

/** The path of the health route. */
export const HEALTH_PATH = '/v1/health';

/** Answers `GET /v1/health` and passes every other request to `next`. */
export function withHealthRoute(
  next: RequestListener,
  health: PlatformHealth,
  checkToken: (token: string | undefined) => TokenCheck,
): RequestListener {
  return (request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (path !== HEALTH_PATH || (request.method !== 'GET' && request.method !== 'HEAD')) {
      next(request, response);
      return;
    }
    request.resume();
    const report = health.report();
    const header = request.headers['auth-token'];
    const authorized = checkToken(Array.isArray(header) ? header[0] : header).ok;
    sendJson(response, 200, {
      status: report.status,
      ...(authorized
        ? {
            faults: report.faults.map((fault) => ({
              component: fault.component,
              reason: fault.reason,
              since: new Date(fault.since).toISOString(),
            })),
          }
        : {}),
    });
  };
}
