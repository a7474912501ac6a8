/**
 * The call options of the reads a poll makes through a session.
 * @module
 */
import type { CallOptions } from '../../client/endpointCall.js';

/**
 * One attempt per read: the polling engine is the one layer that retries a poll's
 * reads (at most `maxFailures` sends per read, see "Attempts per read" on `poll`),
 * so the transport must not retry them as well.
 */
export const POLL_READ: CallOptions = Object.freeze({ maxAttempts: 1 });
