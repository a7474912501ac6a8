/**
 * examples/preset-algorithm.ts, run as a user would (see `support.ts`): the preset
 * logistic regression trains with live logs and its accuracy metric, is served by the
 * preset model of the same name, predicts iris species, and leaves nothing behind.
 */
import { describe, expect, it } from 'vitest';
import { IRIS_SPECIES, printedPredictions, startExample } from './support.js';

describe('examples/preset-algorithm.ts', () => {
  it('trains the preset logistic regression, serves it as the preset model and predicts iris species', async () => {
    const result = await (await startExample('preset-algorithm.ts')).done;
    const out = result.stdout.map((line) => line.text);

    expect(result.code, result.transcript).toBe(0);
    expect(out.some((line) => /preset algorithm logistic-regression is 500001/.test(line))).toBe(true);
    expect(out.filter((line) => /^ {2}\| epoch=\d+ loss=[0-9.]+ accuracy=[0-9.]+$/.test(line))).toHaveLength(
      12,
    );
    const accuracy = out.flatMap((line) => /metric accuracy = ([0-9.]+)$/.exec(line)?.[1] ?? []).map(Number);
    expect(accuracy).toHaveLength(12);
    expect(Math.max(...accuracy)).toBeGreaterThan(0.85);
    expect(out.some((line) => /registered: PRESET_MODEL 500001$/.test(line))).toBe(true);
    expect(out.some((line) => /is serving at http:\/\/127\.0\.0\.1:\d+$/.test(line))).toBe(true);
    expect(printedPredictions(result)).toEqual({ predictions: IRIS_SPECIES });
    for (const what of ['service', 'model', 'training job']) {
      expect(out.some((line) => line.includes(`deleted ${what} `))).toBe(true);
    }
    expect(out.at(-1)).toMatch(/ done$/);
    expect(result.stderr.map((line) => line.text).join('\n')).toBe('');
    expect(result.leftovers).toEqual([]);
  }, 60_000);
});
