/**
 * Issue 12, item 17: what would only fail after training — an output address no object
 * can have, an output bucket that does not exist, a boot file missing from the code — is
 * refused at submit with a 400 naming the field (the SDK's parameter name, then the wire
 * field), and nothing is created.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeJob, put, startTestPlatform } from './helpers.js';

let env: Awaited<ReturnType<typeof startTestPlatform>>;
let job: Record<string, unknown>;

beforeAll(async () => {
  env = await startTestPlatform();
  job = await nodeJob(env.s3, env.platform, 'checked', "console.log('trained')");
});

afterAll(async () => {
  await env?.close();
});

const bucket = () => env.platform.s3.bucket;

describe('submit-time checks of storage addresses', () => {
  it.each([
    [
      'an output with a .. segment',
      () => ({ output: `s3://${bucket()}/jobs/x/../../escape/` }),
      /outputPath \(output\): .*"\.\." path segments/,
    ],
    [
      'an output with //',
      () => ({ output: `s3://${bucket()}/jobs//out/` }),
      /outputPath \(output\): .*empty path segment/,
    ],
    [
      'an output bucket that does not exist',
      () => ({ output: 's3://no-such-bucket/out/' }),
      /outputPath \(output\): bucket no-such-bucket does not exist/,
    ],
    [
      'a boot file missing from the code',
      () => ({ startup: 'main.js' }),
      /bootFile \(startup\): no main\.js in s3:\/\/.*\/jobs\/checked\/code\//,
    ],
    [
      'a boot file outside the code',
      () => ({ startup: '../train.js' }),
      /bootFile \(startup\): expected a path inside the code/,
    ],
    [
      'code that is not there',
      () => ({ codeUrl: `s3://${bucket()}/nothing/here/` }),
      /codeDir \(codeUrl\): nothing found at s3:\/\/.*\/nothing\/here\//,
    ],
    [
      'inputs with a .. segment',
      () => ({ dataUrl: `s3://${bucket()}/../data.csv` }),
      /inputs \(dataUrl\): .*"\.\." path segments/,
    ],
    [
      'an input file with a .. segment',
      () => ({ inputFiles: [{ name: 'train.csv', path: `s3://${bucket()}/data/../../x.csv` }] }),
      /inputFiles\[0\]\.path: .*"\.\." path segments/,
    ],
  ])('refuses %s with a 400 naming the field, creating nothing', async (_title, change, message) => {
    const { api } = env;
    const before = (await api.ok('GET', '/v1/train')).json.trainTasks.length;
    const answer = await api.call('POST', '/v1/train', { ...job, name: 'refused', ...change() });
    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({ errorCode: 4000, message: expect.stringMatching(message) });
    expect((await api.ok('GET', '/v1/train')).json.trainTasks.length).toBe(before);
  });

  it('checks a new version of a job the same way', async () => {
    const { api } = env;
    const { id } = (await api.ok('POST', '/v1/train', { ...job, name: 'versioned' })).json;
    const answer = await api.call('POST', `/v1/train/${id}/version`, {
      ...job,
      output: 's3://no-such-bucket/out/',
    });
    expect(answer.status).toBe(400);
    expect(answer.json.message).toMatch(/outputPath \(output\): bucket no-such-bucket does not exist/);
    expect((await api.ok('GET', `/v1/train/${id}`)).json.versions).toHaveLength(1);
  });

  it('accepts code given as the boot file itself (one object), and the job finishes', async () => {
    const { api, s3, platform } = env;
    const codeUrl = await put(s3, platform, 'single/train.js', "console.log('single file')");
    const { versionId } = (
      await api.ok('POST', '/v1/train', { ...job, name: 'single', codeUrl, startup: 'train.js' })
    ).json;
    const done = await api.waitForStatus(versionId, ['FINISH', 'TRAINING_FAIL', 'STARTING_FAIL'], 60_000);
    expect(done.json).toMatchObject({ status: 'FINISH' });
    expect((await api.allLogs(versionId)).map((line) => line.content)).toContain('single file');
    const wrong = await api.call('POST', '/v1/train', {
      ...job,
      name: 'single-wrong',
      codeUrl,
      startup: 'main.js',
    });
    expect(wrong.status).toBe(400);
    expect(wrong.json.message).toMatch(
      /bootFile \(startup\): .*train\.js is one file, not a folder holding main\.js/,
    );
  });
});
