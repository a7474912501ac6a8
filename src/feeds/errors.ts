/**
 * Failures of the feed bridges.
 * @module
 */
import { ModelMakerError } from '../errors.js';

/**
 * A consumer fell behind by more than the bridge's `buffer` with the `'error'`
 * overflow policy. The values buffered before it are still delivered; then this
 * error. Give the bridge a `Demand` (see `withDemand`) so the source waits for
 * the consumer, a larger `buffer`, or a `'drop-oldest'` / `'drop-newest'` policy.
 */
export class FeedOverflowError extends ModelMakerError {
  readonly _tag = 'FeedOverflowError' as const;
  override readonly name = 'FeedOverflowError';
  constructor(readonly buffer: number) {
    super(
      `the consumer fell more than ${buffer} values behind (buffer full, overflow 'error'): pace the source with a Demand, or raise buffer, or choose overflow 'drop-oldest' or 'drop-newest'`,
    );
  }
}
