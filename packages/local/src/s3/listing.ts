/**
 * One page of an S3 object listing, computed from the store: the semantics shared by
 * ListObjects (V1) and ListObjectsV2 — prefix, delimiter roll-up into common prefixes,
 * a position to resume after, and a page size that counts keys and common prefixes
 * together, in S3's key order.
 * @module
 */
import { stat } from 'node:fs/promises';
import { compareKeys } from './keyOrder.js';
import { S3RequestError } from './s3Error.js';
import { type ObjectInfo, readObjectInfo, walkKeys } from './storeLayout.js';

/** How many objects' sizes and ETags are read at once. */
const INFO_CONCURRENCY = 16;

/** Which page to list. */
export interface ListRange {
  /** Only keys starting with it (`''`: all). */
  readonly prefix: string;
  /** Rolls keys up into common prefixes at its first occurrence after `prefix` (`''`: none). */
  readonly delimiter: string;
  /**
   * Resume after this key or common prefix (marker, start-after, or a continuation
   * token's position): keys and common prefixes up to it are not listed again — also
   * keys after it that roll up into a common prefix that sorts before it.
   */
  readonly after?: string;
  /** The most keys plus common prefixes in the page; `0` gives an empty, untruncated page. */
  readonly maxKeys: number;
}

/** A listed object. */
export interface ListedObject extends ObjectInfo {
  readonly key: string;
}

/** One page of a listing. */
export interface ListPage {
  readonly contents: readonly ListedObject[];
  readonly commonPrefixes: readonly string[];
  /** More keys or common prefixes follow the page. */
  readonly isTruncated: boolean;
  /** The page's last key or common prefix, whichever sorts last: where the next page resumes. */
  readonly last?: string;
}

async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  f: (item: T) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      out[index] = await f(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** The common prefix `key` rolls up into: through the first `delimiter` after `prefix`. */
function commonPrefixOf(key: string, prefix: string, delimiter: string): string | undefined {
  if (delimiter === '' || !key.startsWith(prefix)) return undefined;
  const at = key.indexOf(delimiter, prefix.length);
  return at < 0 ? undefined : key.slice(0, at + delimiter.length);
}

/**
 * Lists one page of the bucket stored in `bucketDirectory`.
 * Fails with `S3RequestError` 404 `NoSuchBucket` when the bucket does not exist.
 */
export async function listPage(bucketDirectory: string, range: ListRange): Promise<ListPage> {
  const bucket = await stat(bucketDirectory).catch(() => undefined);
  if (!bucket?.isDirectory()) {
    throw new S3RequestError(404, 'NoSuchBucket', 'The specified bucket does not exist');
  }
  if (range.maxKeys <= 0) return { contents: [], commonPrefixes: [], isTruncated: false };

  const { prefix, delimiter, after } = range;
  // Keys after `after` that roll up into its own common prefix are never listed (that
  // prefix sorts before them): skip its subtree from the start.
  let skip = after === undefined ? undefined : commonPrefixOf(after, prefix, delimiter);
  const objects: Array<{ key: string; file: string }> = [];
  const commonPrefixes: string[] = [];
  let count = 0;
  let last: string | undefined;
  let isTruncated = false;
  for await (const stored of walkKeys(bucketDirectory, { prefix, after, skip: () => skip })) {
    const commonPrefix = commonPrefixOf(stored.key, prefix, delimiter);
    if (commonPrefix !== undefined) {
      // Every later key of this common prefix is skipped: it is answered once, or not at
      // all when it sorts before the resume position (it was answered on an earlier page).
      skip = commonPrefix;
      if (after !== undefined && compareKeys(commonPrefix, after) <= 0) continue;
    }
    if (count === range.maxKeys) {
      isTruncated = true;
      break;
    }
    count++;
    if (commonPrefix === undefined) {
      objects.push(stored);
      last = stored.key;
    } else {
      commonPrefixes.push(commonPrefix);
      last = commonPrefix;
    }
  }

  const infos = await mapBounded(objects, INFO_CONCURRENCY, (o) => readObjectInfo(o.file));
  const contents: ListedObject[] = [];
  objects.forEach((o, i) => {
    const info = infos[i];
    // Deleted since the walk: left out, and the page still resumes after it.
    if (info !== undefined) contents.push({ key: o.key, ...info });
  });
  return { contents, commonPrefixes, isTruncated, ...(last === undefined ? {} : { last }) };
}
