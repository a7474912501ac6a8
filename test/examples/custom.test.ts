/**
 * examples/custom.ts, run as a user would (see `support.ts`): the CUSTOM job runs its
 * command on data from S3 with live logs and metrics, the CUSTOM model is served through
 * `MODELMAKER_HOST_COMMAND`, predicts iris species, and nothing is left behind.
 */
import { describe, expect, it } from 'vitest';
import { IRIS_SPECIES, printedPredictions, startExample } from './support.js';

describe('examples/custom.ts', () => {
  it('trains with a command in a recorded image, serves the CUSTOM model on the host and predicts', async () => {
    const result = await (await startExample('custom.ts')).done;
    const out = result.stdout.map((line) => line.text);

    expect(result.code, result.transcript).toBe(0);
    expect(out.some((line) => line.includes('image node:20-alpine recorded'))).toBe(true);
    expect(out.filter((line) => /^ {2}\| epoch=\d+ loss=[0-9.]+ accuracy=[0-9.]+$/.test(line))).toHaveLength(
      10,
    );
    const metric = (name: string) =>
      out.flatMap((line) => new RegExp(`metric ${name} = ([0-9.]+)$`).exec(line)?.[1] ?? []).map(Number);
    expect(metric('accuracy')).toHaveLength(10);
    expect(metric('loss')).toHaveLength(10);
    expect(metric('loss').at(-1)).toBeLessThan(metric('loss')[0]!);
    expect(out.some((line) => /output at s3:\/\/\S+: model\.json$/.test(line))).toBe(true);
    expect(out.some((line) => /registered \(CUSTOM, image node:20-alpine\)$/.test(line))).toBe(true);
    expect(printedPredictions(result)).toEqual({ predictions: IRIS_SPECIES });
    for (const what of ['service', 'model', 'training job']) {
      expect(out.some((line) => line.includes(`deleted ${what} `))).toBe(true);
    }
    expect(out.at(-1)).toMatch(/ done$/);
    expect(result.stderr.map((line) => line.text).join('\n')).toBe('');
    expect(result.leftovers).toEqual([]);
  }, 60_000);
});
