/**
 * Options shared by the feed bridges (`toAsyncIterable`, `toReadableStream`).
 * @module
 */
import { DEFAULT_FEED_BUFFER, DEFAULT_FEED_HIGH_WATER_FRACTION } from '../defaults.js';
import { type FieldProblem, ValidationError } from '../errors.js';
import type { Demand } from './demand.js';

/** What a bridge does with a value that arrives while its buffer is full. */
export type OverflowPolicy = 'error' | 'drop-oldest' | 'drop-newest';

/** The overflow policies, for validation and documentation. */
export const OVERFLOW_POLICIES: readonly OverflowPolicy[] = ['error', 'drop-oldest', 'drop-newest'];

/** Options of the feed bridges. Every field has a default. */
export interface FeedOptions<T> {
  /** Most values held for a consumer that has not read them yet. Default {@link DEFAULT_FEED_BUFFER}. */
  readonly buffer?: number | undefined;
  /**
   * A value arriving while `buffer` values wait: `'error'` (default) stops the
   * source and, after the buffered values, fails with a `FeedOverflowError`;
   * `'drop-oldest'` drops the oldest waiting value; `'drop-newest'` drops the
   * arriving one. Nothing is dropped silently: see `onDrop`.
   */
  readonly overflow?: OverflowPolicy | undefined;
  /** Called with each value a drop policy drops. Default: none. */
  readonly onDrop?: ((value: T) => void) | undefined;
  /**
   * The consumer's demand, for backpressure: paused when `highWater` values
   * wait, resumed as they are read. Pass the same `Demand` to `withDemand` for
   * the source the stream polls, and the polling follows the reader.
   */
  readonly demand?: Demand | undefined;
  /**
   * Values waiting at which `demand` is paused. Default `buffer` ×
   * {@link DEFAULT_FEED_HIGH_WATER_FRACTION}. Keep `buffer − highWater` at least
   * one page (`limit`) of the stream, since a request already sent still answers.
   */
  readonly highWater?: number | undefined;
}

/** {@link FeedOptions} with the defaults filled in. */
export interface ResolvedFeedOptions<T> {
  readonly buffer: number;
  readonly overflow: OverflowPolicy;
  readonly onDrop: ((value: T) => void) | undefined;
  readonly demand: Demand | undefined;
  readonly highWater: number;
}

/** Fills the defaults of `options` (not mutated); throws a `ValidationError` naming each bad field. */
export function resolveFeedOptions<T>(options: FeedOptions<T>): ResolvedFeedOptions<T> {
  const buffer = options.buffer ?? DEFAULT_FEED_BUFFER;
  const overflow = options.overflow ?? 'error';
  const highWater = options.highWater ?? Math.max(1, Math.ceil(buffer * DEFAULT_FEED_HIGH_WATER_FRACTION));
  const problems: FieldProblem[] = [];
  if (!(Number.isSafeInteger(buffer) && buffer >= 1)) {
    problems.push({ field: 'buffer', message: `expected a whole number, 1 or more, got ${String(buffer)}` });
  }
  if (!OVERFLOW_POLICIES.includes(overflow)) {
    problems.push({
      field: 'overflow',
      message: `expected one of ${OVERFLOW_POLICIES.map((p) => `'${p}'`).join(', ')}, got ${JSON.stringify(overflow)}`,
    });
  }
  if (!(Number.isSafeInteger(highWater) && highWater >= 1 && highWater <= buffer)) {
    problems.push({
      field: 'highWater',
      message: `expected a whole number from 1 to buffer (${String(buffer)}), got ${String(highWater)}`,
    });
  }
  if (problems.length > 0) throw new ValidationError(problems);
  return { buffer, overflow, onDrop: options.onDrop, demand: options.demand, highWater };
}
