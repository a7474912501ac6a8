/**
 * examples/pipeline.ts, run as a user would (see `support.ts`): one shared training job
 * feeds both the log view and the train → model → service pipeline, whose Predictor
 * answers; nothing is left behind.
 */
import { describe, expect, it } from 'vitest';
import { IRIS_SPECIES, printedPredictions, startExample } from './support.js';

describe('examples/pipeline.ts', () => {
  it('streams the log of the one job the pipeline trains, registers, deploys and predicts with', async () => {
    const result = await (await startExample('pipeline.ts')).done;
    const out = result.stdout.map((line) => line.text);
    const index = (pattern: RegExp) => out.findIndex((line) => pattern.test(line));

    expect(result.code, result.transcript).toBe(0);
    // One job: created once, its log seen by the log view before the pipeline's model exists.
    expect(out.filter((line) => /version \d+ created$/.test(line))).toHaveLength(1);
    expect(out.filter((line) => line.includes('[log view] training job'))).toHaveLength(1);
    expect(index(/^ {2}\| epoch=1 trees=25 accuracy=/)).toBeGreaterThan(-1);
    expect(index(/^ {2}\| epoch=1 trees=25 accuracy=/)).toBeLessThan(
      index(/sdk: model pipeline-iris-\d+ \(\d+\)/),
    );
    expect(index(/\[log view\] status FINISH$/)).toBeLessThan(
      index(/sdk: service pipeline-iris-\d+: \d+ created/),
    );
    expect(
      out.some((line) => /\[pipeline\] service \d+ is running at http:\/\/127\.0\.0\.1:\d+$/.test(line)),
    ).toBe(true);
    expect(printedPredictions(result)).toEqual({ predictions: IRIS_SPECIES });
    for (const what of ['service', 'model', 'training job']) {
      expect(out.some((line) => line.includes(`deleted ${what} `))).toBe(true);
    }
    expect(out.at(-1)).toMatch(/ done$/);
    expect(result.stderr.map((line) => line.text).join('\n')).toBe('');
    expect(result.leftovers).toEqual([]);
  }, 60_000);
});
