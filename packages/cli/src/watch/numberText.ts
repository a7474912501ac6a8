/**
 * Numbers as `jobs watch` prints them: short, exponent notation for the very large
 * and very small.
 * @module
 */

/** Values this large (in magnitude) or larger are printed with an exponent. */
const EXPONENT_FROM = 1e5;
/** Values this small (in magnitude, and not 0) or smaller are printed with an exponent. */
const EXPONENT_BELOW = 1e-3;
/** Significant digits of a plain number. */
const PRECISION = 5;
/** Digits after the point of a number with an exponent. */
const EXPONENT_FRACTION_DIGITS = 3;

/** `0.3333`, `12`, `1.235e+5`: short, trailing zeros dropped. */
export function numberText(value: number): string {
  if (value === 0) return '0';
  const abs = Math.abs(value);
  return abs >= EXPONENT_FROM || abs < EXPONENT_BELOW
    ? value.toExponential(EXPONENT_FRACTION_DIGITS)
    : value.toPrecision(PRECISION).replace(/\.?0+$/, '');
}
