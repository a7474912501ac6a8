/**
 * Training metrics shared by the preset algorithms.
 * @module
 */

/** Fraction of predictions equal to the truth. */
export function accuracy(
  truth: ReadonlyArray<number | string>,
  predicted: ReadonlyArray<number | string>,
): number {
  let right = 0;
  truth.forEach((t, i) => {
    if (t === predicted[i]) right += 1;
  });
  return truth.length === 0 ? 0 : right / truth.length;
}

/** Mean squared error. */
export function meanSquaredError(truth: readonly number[], predicted: readonly number[]): number {
  return truth.reduce((s, t, i) => s + (t - predicted[i]!) ** 2, 0) / Math.max(1, truth.length);
}

/** Coefficient of determination (1 for a perfect fit; 0 for a constant target predicted exactly). */
export function r2(truth: readonly number[], predicted: readonly number[]): number {
  const mean = truth.reduce((s, t) => s + t, 0) / Math.max(1, truth.length);
  const total = truth.reduce((s, t) => s + (t - mean) ** 2, 0);
  const residual = truth.reduce((s, t, i) => s + (t - predicted[i]!) ** 2, 0);
  return total === 0 ? (residual === 0 ? 1 : 0) : 1 - residual / total;
}
