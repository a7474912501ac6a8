/**
 * `modelmaker feed prometheus` as a real process against a local platform: a
 * scrape of running jobs parses as the Prometheus text format and carries the
 * values the jobs printed (through the platform's performance monitor), with
 * job, version and status labels; a job's series go when it ends; Ctrl-C and
 * SIGTERM end the feed with exit status 0.
 */

import { stopTrain } from 'modelmaker';
import parsePrometheusTextFormat, { type PrometheusFamily } from 'parse-prometheus-text-format';
import { lastValueFrom } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  spawnCli,
  startStepsJob,
  startTestPlatform,
  type TestPlatform,
  waitForStatus,
  waitUntil,
} from './support.js';

let test: TestPlatform;
let first: number;
let second: number;

beforeAll(async () => {
  test = await startTestPlatform();
  // Each prints step=1..4 loss=1/step (the last: loss=0.2500), then sleeps: running until stopped.
  [first, second] = await Promise.all([
    startStepsJob(test, 'scraped-a', { STEPS: 4, EVERY: 10, SLEEP: 120_000 }),
    startStepsJob(test, 'scraped-b', { STEPS: 2, EVERY: 10, SLEEP: 120_000 }),
  ]);
});

afterAll(async () => {
  await test?.close();
});

async function scrape(url: string): Promise<{ families: PrometheusFamily[]; contentType: string | null }> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  return {
    families: parsePrometheusTextFormat(await response.text()),
    contentType: response.headers.get('content-type'),
  };
}

function samples(families: PrometheusFamily[], name: string) {
  return families.find((f) => f.name === name)?.metrics ?? [];
}

describe('modelmaker feed prometheus', () => {
  it("serves every running job's monitor values, status and resources, and drops a job once it ends", async () => {
    const run = await spawnCli(['feed', 'prometheus', '--port', '0', '--discovery', '1'], test.env);
    try {
      const url = await waitUntil(
        () => /at (http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(run.output.stderr)?.[1],
      );
      const lossOf = (families: PrometheusFamily[], versionId: number) =>
        samples(families, 'modelmaker_training_metric_loss').find(
          (s) => s.labels?.version_id === String(versionId),
        );

      // both jobs have printed their last loss line (1/4 and 1/2)
      const { families, contentType } = await waitUntil(async () => {
        const scraped = await scrape(url);
        return lossOf(scraped.families, first)?.value === '0.25' &&
          lossOf(scraped.families, second)?.value === '0.5'
          ? scraped
          : undefined;
      });
      expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
      expect(families.find((f) => f.name === 'modelmaker_training_metric_loss')?.type).toBe('GAUGE');
      expect(lossOf(families, first)?.labels).toEqual({
        job_id: expect.stringMatching(/^\d+$/),
        job_name: 'scraped-a',
        version_id: String(first),
        metric: 'loss',
      });
      const current = samples(families, 'modelmaker_training_status').filter((s) => s.value === '1');
      expect(current.map((s) => [s.labels?.job_name, s.labels?.status]).sort()).toEqual([
        ['scraped-a', 'TRAINING'],
        ['scraped-b', 'TRAINING'],
      ]);
      expect(samples(families, 'modelmaker_feed_versions')[0]?.value).toBe('2');

      // the first job ends: its series go, the other's stay
      await lastValueFrom(stopTrain(test.session, first));
      await waitForStatus(test, first, ['STOPPED']);
      const after = await waitUntil(async () => {
        const scraped = await scrape(url);
        return lossOf(scraped.families, first) === undefined ? scraped.families : undefined;
      });
      expect(lossOf(after, second)?.value).toBe('0.5');
      expect(
        samples(after, 'modelmaker_training_status').some((s) => s.labels?.version_id === String(first)),
      ).toBe(false);

      expect((await fetch(url.replace('/metrics', '/other'))).status).toBe(404);
      run.child.kill('SIGINT');
      expect(await run.exited).toBe(0);
      expect(run.output.stderr).toContain('SIGINT: stopped serving metrics');
    } finally {
      run.child.kill('SIGKILL');
    }
  }, 60_000);

  it('ends with exit status 0 on SIGTERM, and refuses a port out of range as a usage error', async () => {
    const run = await spawnCli(['feed', 'prometheus', '--port', '0', '--json'], test.env);
    const listening = await waitUntil(() =>
      run.output.stdout.split('\n').find((line) => line.includes('listening')),
    );
    expect(JSON.parse(listening)).toMatchObject({
      type: 'listening',
      url: expect.stringMatching(/\/metrics$/),
    });
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);

    const bad = await spawnCli(['feed', 'prometheus', '--port', '70000'], test.env);
    expect(await bad.exited).toBe(2);
    expect(bad.output.stderr).toContain('expected a port from 0 to 65535');
  }, 30_000);
});
