import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NODE_FRAMEWORK, SMALL_MACHINE, startTestPlatform } from './helpers.js';

let env: Awaited<ReturnType<typeof startTestPlatform>>;
let db: Database.Database;
const unexpected: unknown[] = [];

beforeAll(async () => {
  env = await startTestPlatform({ onError: (error) => unexpected.push(error) });
  db = new Database(join(env.platform.dataDir, 'modelmaker.db'), { readonly: true });
});

afterAll(async () => {
  db?.close();
  await env?.close();
});

const valid = {
  name: 'ok',
  type: 'BASIC_FRAMEWORK',
  frameworkId: NODE_FRAMEWORK,
  resourceId: SMALL_MACHINE,
  codeUrl: 's3://modelmaker/code/',
  dataUrl: 's3://modelmaker/data/',
  startup: 'train.js',
  output: 's3://modelmaker/out/',
};
const without = (field: keyof typeof valid) =>
  Object.fromEntries(Object.entries(valid).filter(([k]) => k !== field));

type Case = [
  title: string,
  method: string,
  path: string,
  body: unknown,
  status: number,
  errorCode: number,
  message?: RegExp,
];

const cases: Case[] = [
  ['an empty body', 'POST', '/v1/train', {}, 400, 4000, /name: /],
  ['no output', 'POST', '/v1/train', without('output'), 400, 4000, /output: /],
  [
    'an output that is not s3://',
    'POST',
    '/v1/train',
    { ...valid, output: '/tmp/out' },
    400,
    4000,
    /output: /,
  ],
  ['a count of the wrong type', 'POST', '/v1/train', { ...valid, instance: 'two' }, 400, 4000, /instance: /],
  ['a count out of range', 'POST', '/v1/train', { ...valid, instance: 11 }, 400, 4000, /instance: /],
  ['an unknown type', 'POST', '/v1/train', { ...valid, type: 'MAGIC' }, 400, 4000, /type: /],
  ['no dataUrl for BASIC_FRAMEWORK', 'POST', '/v1/train', without('dataUrl'), 400, 4000, /dataUrl: required/],
  ['no startup for BASIC_FRAMEWORK', 'POST', '/v1/train', without('startup'), 400, 4000, /startup: required/],
  ['neither codeUrl nor gitInfo', 'POST', '/v1/train', without('codeUrl'), 400, 4000, /codeUrl: /],
  ['an unknown frameworkId', 'POST', '/v1/train', { ...valid, frameworkId: 999 }, 400, 4000, /frameworkId: /],
  ['an unknown resourceId', 'POST', '/v1/train', { ...valid, resourceId: 999 }, 400, 4000, /resourceId: /],
  [
    'no resourceId in the public pool',
    'POST',
    '/v1/train',
    without('resourceId'),
    400,
    4000,
    /resourceId: required/,
  ],
  [
    'a personal pool without customResource',
    'POST',
    '/v1/train',
    { ...valid, resourcePoolType: 'PERSONAL_POOL' },
    400,
    4000,
    /customResource: required/,
  ],
  [
    'an unknown algorithmId',
    'POST',
    '/v1/train',
    { ...valid, type: 'PRESET_ALGORITHM', algorithmId: 999 },
    400,
    4000,
    /algorithmId: /,
  ],
  [
    'CUSTOM without mirrorUrl',
    'POST',
    '/v1/train',
    { ...valid, type: 'CUSTOM' },
    400,
    4000,
    /mirrorUrl: required/,
  ],
  [
    'a monitor that does not compile',
    'POST',
    '/v1/train',
    { ...valid, monitors: [{ name: 'loss', regular: '(' }] },
    400,
    4000,
    /monitors\[0\]\.regular: /,
  ],
  [
    'a monitor whose sample it reads no number from',
    'POST',
    '/v1/train',
    { ...valid, monitors: [{ name: 'Loss', regular: 'loss=\\d+', sample: 'acc=20' }] },
    400,
    4000,
    /monitors\[0\]\.sample: the expression does not match this sample line/,
  ],
  [
    'a monitor with a Python-only construct',
    'POST',
    '/v1/train',
    { ...valid, monitors: [{ name: 'Loss', regular: '(?i)loss=(\\d+)' }] },
    400,
    4000,
    /monitors\[0\]\.regular: the inline flags \(\?i\) is Python-only/,
  ],
  [
    'a boot file the framework cannot run (the seed: framework=500100 runs train.py)',
    'POST',
    '/v1/train',
    { ...valid, frameworkId: 500100, startup: 'train.mjs' },
    400,
    4000,
    /startup \(bootFile\): framework 500100 \(python3\) runs \.py files, got "train\.mjs"/,
  ],
  [
    'an envs name with "=" (it would override a platform variable)',
    'POST',
    '/v1/train',
    { ...valid, envs: [{ name: 'MODELMAKER_OUTPUT_DIR=/tmp/elsewhere', value: 'x' }] },
    400,
    4000,
    /envs\[0\]\.name: expected an environment variable name without "=" or NUL/,
  ],
  [
    'an empty envs name',
    'POST',
    '/v1/train',
    { ...valid, envs: [{ name: '', value: 'x' }] },
    400,
    4000,
    /envs\[0\]\.name: /,
  ],
  ['a body that is not JSON', 'POST', '/v1/train', '{"name":', 400, 4000, /body: /],
  ['a huge body', 'POST', '/v1/train', { ...valid, description: 'x'.repeat(2 * 1024 * 1024) }, 413, 4000],
  ['a version of an unknown job', 'POST', '/v1/train/999/version', valid, 404, 4004],
  ['an unknown job', 'GET', '/v1/train/999', undefined, 404, 4004],
  ['an unknown version', 'GET', '/v1/train/version/999', undefined, 404, 4004],
  ['the log of an unknown version', 'GET', '/v1/train/version/999/log?lastId=0', undefined, 404, 4004],
  [
    'the samples of an unknown version',
    'GET',
    '/v1/train/version/999/resource-monitor',
    undefined,
    404,
    4004,
  ],
  [
    'the metrics of an unknown version',
    'GET',
    '/v1/train/version/999/performance-monitor',
    undefined,
    404,
    4004,
  ],
  ['the output of an unknown version', 'GET', '/v1/train/version/999/output', undefined, 404, 4004],
  ['stopping an unknown version', 'POST', '/v1/train/999/stop', {}, 404, 4004],
  ['deleting an unknown version', 'DELETE', '/v1/train/version/999', undefined, 404, 4004],
  ['deleting an unknown job', 'DELETE', '/v1/train/999', undefined, 404, 4004],
  ['a negative lastId', 'GET', '/v1/train/version/1/log?lastId=-1', undefined, 400, 4000, /lastId: /],
  ['a log request without lastId', 'GET', '/v1/train/version/1/log', undefined, 400, 4000, /lastId: /],
  [
    'a wait that is not a number',
    'GET',
    '/v1/train/version/1/log?lastId=0&wait=soon',
    undefined,
    400,
    4000,
    /wait: /,
  ],
  ['an id that is not a number', 'GET', '/v1/train/version/abc', undefined, 400, 4000, /versionId: /],
  ['an unknown route', 'GET', '/v1/nowhere', undefined, 404, 4004],
  [
    'a malformed percent-escape in the path',
    'GET',
    '/v1/train/version/%E0%A4%A',
    undefined,
    400,
    4000,
    /path: malformed percent-encoding/,
  ],
  ['a stray % in the path', 'GET', '/v1/train/%zz', undefined, 400, 4000, /path: malformed percent-encoding/],
  ['a token request without username', 'POST', '/v1/auth-token', { password: 'x' }, 400, 4000, /username: /],
];

describe('bad input', () => {
  it.each(cases)(
    '%s → %s %s answers %i / %i',
    async (_title, method, path, body, status, errorCode, message) => {
      const answer = await env.api.call(method, path, body);
      expect(answer.status).toBe(status);
      expect(answer.json.errorCode).toBe(errorCode);
      expect(typeof answer.json.message).toBe('string');
      if (message) expect(answer.json.message).toMatch(message);
    },
  );

  it('reports none of them as an unexpected error (no 500, no stack trace in the log)', () => {
    expect(unexpected).toEqual([]);
  });

  it('creates no rows for any of them', () => {
    for (const table of ['train_jobs', 'train_versions', 'train_logs', 'train_status_history']) {
      expect((db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n).toBe(0);
    }
  });

  it('names every problem at once', async () => {
    const answer = await env.api.call('POST', '/v1/train', { ...without('dataUrl'), frameworkId: 999 });
    expect(answer.json.message).toMatch(/dataUrl: required/);
    expect(answer.json.message).toMatch(/frameworkId: /);
  });

  it('never answers with true, false or null', () => {
    for (const text of env.api.texts) expect(text).not.toMatch(/\btrue\b|\bfalse\b|\bnull\b/);
  });
});
