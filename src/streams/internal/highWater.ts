/**
 * New items of a series the server sends whole each time, found with a
 * high-water mark instead of a set of everything seen, so memory stays constant.
 * @module
 */
import type { Timestamp } from '../../codecs/common.js';

/** The highest order seen in a series and how many items carried it. */
export interface Mark {
  readonly key: Timestamp;
  readonly count: number;
}

/**
 * Orders two keys: numbers as numbers, timestamps as instants when both parse
 * (ISO text or epoch numbers), other text as text.
 */
export function compareKeys(a: Timestamp, b: Timestamp): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const x = typeof a === 'number' ? a : Date.parse(a);
  const y = typeof b === 'number' ? b : Date.parse(b);
  if (Number.isFinite(x) && Number.isFinite(y)) return x - y;
  const s = String(a);
  const t = String(b);
  return s < t ? -1 : s > t ? 1 : 0;
}

/** The items of `items` not seen under `mark`, and the mark that covers them all. */
export interface Fresh<P> {
  readonly fresh: P[];
  readonly mark: Mark | undefined;
}

/**
 * The items past the mark: a key above `mark.key`, or equal to it beyond the
 * `mark.count` first such items. An item whose key is below the mark is old
 * (a series that goes back in time loses those points: documented by callers).
 */
export function freshSince<P>(
  items: readonly P[],
  mark: Mark | undefined,
  keyOf: (item: P) => Timestamp,
): Fresh<P> {
  const fresh: P[] = [];
  let atMark = 0;
  let top: Timestamp | undefined;
  let atTop = 0;
  for (const item of items) {
    const key = keyOf(item);
    const vsMark = mark === undefined ? 1 : compareKeys(key, mark.key);
    if (vsMark > 0 || (vsMark === 0 && ++atMark > (mark?.count ?? 0))) fresh.push(item);
    const vsTop = top === undefined ? 1 : compareKeys(key, top);
    if (vsTop > 0) {
      top = key;
      atTop = 1;
    } else if (vsTop === 0) atTop++;
  }
  if (top === undefined) return { fresh, mark };
  const vs = mark === undefined ? 1 : compareKeys(top, mark.key);
  if (vs < 0) return { fresh, mark };
  return { fresh, mark: { key: top, count: vs === 0 ? Math.max(atTop, mark?.count ?? 0) : atTop } };
}
