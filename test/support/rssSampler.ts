/**
 * This process's resident set size sampled while some work runs: the size before it
 * (after a GC when `--expose-gc` gave one) and the largest sample seen. Shared by the
 * hostile-server test and its benchmark (`bench/hostile.ts`).
 */

/** How often the sampler reads the RSS, in ms. */
export const RSS_SAMPLE_MS = 5;

/** A running RSS sampler. */
export interface RssSampler {
  /** RSS when sampling started, in bytes. */
  readonly before: number;
  /** Stops sampling; the largest RSS sampled, in bytes (at least `before`). */
  stop(): number;
}

/**
 * Collects garbage if it can, then samples the RSS every `RSS_SAMPLE_MS` until `stop()`.
 *
 * @example
 * const rss = sampleRss();
 * await work();
 * const growth = rss.stop() - rss.before;
 */
export function sampleRss(): RssSampler {
  global.gc?.();
  const before = process.memoryUsage().rss;
  let peak = before;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, RSS_SAMPLE_MS);
  return {
    before,
    stop() {
      clearInterval(sampler);
      return peak;
    },
  };
}
