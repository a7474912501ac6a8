/**
 * The order S3 lists keys in: lexicographic over the keys' UTF-8 bytes, which is
 * Unicode code point order. JavaScript's `<` compares UTF-16 code units instead,
 * which puts astral characters (surrogate pairs, U+D800–U+DFFF) before U+E000–U+FFFF.
 * @module
 */

/** First UTF-16 surrogate code unit. */
const SURROGATE_FIRST = 0xd800;
/** Last UTF-16 surrogate code unit. */
const SURROGATE_LAST = 0xdfff;
/** Lifts a surrogate above every BMP code unit, as its code point (≥ U+10000) is. */
const SURROGATE_LIFT = 0x10000;

function rank(unit: number): number {
  return unit >= SURROGATE_FIRST && unit <= SURROGATE_LAST ? unit + SURROGATE_LIFT : unit;
}

/**
 * Compares two keys in S3's listing order: negative when `a` comes first, 0 when
 * equal, positive otherwise. A key sorts before every longer key it is a prefix of.
 */
export function compareKeys(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return rank(x) - rank(y);
  }
  return a.length - b.length;
}
