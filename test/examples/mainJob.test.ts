/**
 * The README's main job, minus its `npm install`: `npm start` in the repository on a clean
 * machine's terms (see `support.ts`: no config, no MODELMAKER_* settings, an empty HOME)
 * runs the quickstart against an embedded platform, printing live logs, the metric, the
 * service's address and the predictions, and exits 0 in under a minute with nothing left
 * running.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IRIS_SPECIES, printedPredictions, start } from './support.js';

/** The budget for the main job. */
const MAIN_JOB_BUDGET_MS = 60_000;

describe('the main job (npm start)', () => {
  it(
    'runs the quickstart end to end with no configuration and prints predictions',
    async () => {
      const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
      const result = await start(npm, ['start'], { timeoutMs: MAIN_JOB_BUDGET_MS + 10_000 }).done;
      const out = result.stdout.map((line) => line.text);

      expect(result.code, result.transcript).toBe(0);
      expect(result.elapsedMs).toBeLessThan(MAIN_JOB_BUDGET_MS);
      expect(
        out.some((line) => /started a local ModelMaker platform at http:\/\/127\.0\.0\.1:\d+$/.test(line)),
      ).toBe(true);
      expect(out.some((line) => /^ {2}\| epoch=\d+ accuracy=[0-9.]+$/.test(line))).toBe(true);
      expect(out.some((line) => /metric accuracy = [0-9.]+$/.test(line))).toBe(true);
      expect(out.some((line) => /is serving at http:\/\/127\.0\.0\.1:\d+$/.test(line))).toBe(true);
      expect(printedPredictions(result)).toEqual({ predictions: IRIS_SPECIES });
      expect(out.at(-1)).toMatch(/ done$/);
      // nothing but the example's own output: no AWS SDK notice, no warning of any kind
      // (npm's own notice of a newer npm aside: it is npm's, and comes when the registry says so)
      const stderr = result.stderr.map((line) => line.text).filter((text) => !text.startsWith('npm notice'));
      expect(stderr).toEqual([]);
      expect(result.leftovers).toEqual([]);
    },
    MAIN_JOB_BUDGET_MS + 20_000,
  );

  it('with a config file naming a platform that is not running: one clear error naming the file, exit 1', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const baseUrl = `http://127.0.0.1:${port}`;
    let config = '';
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const result = await start(npm, ['start'], {
      home: async (home) => {
        config = join(home, '.modelmaker', 'config.json');
        await mkdir(join(home, '.modelmaker'), { mode: 0o700 });
        const profile = { iam_config: { base_url: baseUrl, username: 'modelmaker', password: 'secret' } };
        await writeFile(config, JSON.stringify(profile), { mode: 0o600 });
      },
    }).done;
    const stderr = result.stderr.map((line) => line.text).filter((text) => !/^npm (notice|error)/.test(text));
    expect(result.code, result.transcript).toBe(1);
    expect(stderr).toEqual([
      `error: the ModelMaker platform configured in ${config} does not answer at ${baseUrl} (connection refused). ` +
        'Start it (npx modelmaker local, if that command wrote the file), or remove that file ' +
        '(or set MODELMAKER_CONFIG to another config file) so that openSession() starts an embedded local platform.',
    ]);
    expect(
      result.stdout.map((line) => line.text).filter((text) => text.trim() !== '' && !text.startsWith('>')),
    ).toEqual([]);
    expect(result.transcript).not.toContain('secret');
  }, 60_000);
});
