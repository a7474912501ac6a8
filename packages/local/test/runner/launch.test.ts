import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  hyperparameterVariable,
  platformVariables,
  trainingEnvironment,
} from '../../src/runner/environment.js';
import { splitWords } from '../../src/runner/launch.js';

describe('splitWords', () => {
  it('splits like a POSIX shell: quotes and escapes respected, nothing expanded', () => {
    expect(splitWords(`python -u "my script.py" --name='a b' \\"x\\" $HOME ~/data *.csv`, 'args')).toEqual([
      'python',
      '-u',
      'my script.py',
      '--name=a b',
      '"x"',
      '$HOME',
      '~/data',
      '*.csv',
    ]);
    expect(splitWords('', 'args')).toEqual([]);
    expect(splitWords('train # the rest is a comment', 'args')).toEqual(['train']);
  });

  it('refuses shell operators, naming the field', () => {
    for (const text of ['a | b', 'a && b', 'a > out', 'a; b'])
      expect(() => splitWords(text, 'args')).toThrow(/^args: contains the shell operator/);
  });
});

describe('training environment', () => {
  it('names hyperparameter variables MM_HP_<NAME> in upper case with other characters as _', () => {
    expect(hyperparameterVariable('learning-rate')).toBe('MM_HP_LEARNING_RATE');
    expect(hyperparameterVariable('k')).toBe('MM_HP_K');
  });

  it("never hands a job the platform's own external S3 configuration (its secret keys) from the host's environment", () => {
    const env = trainingEnvironment(
      {
        PATH: '/bin',
        MODELMAKER_S3_ENDPOINT: 'http://minio:9000',
        MODELMAKER_S3_ACCESS_KEY_ID: 'PLATFORMKEY',
        MODELMAKER_S3_SECRET_ACCESS_KEY: 'platform-secret',
        MODELMAKER_S3_CLIENT_SECRET_ACCESS_KEY: 'client-secret',
      },
      [],
      { MODELMAKER_OUTPUT_DIR: '/w/output' },
    );
    expect(env).toEqual({ PATH: '/bin', PYTHONUNBUFFERED: '1', MODELMAKER_OUTPUT_DIR: '/w/output' });
  });

  it('leaves out an envs name with "=" or NUL, which a process would read as another variable', async () => {
    const platform = { MODELMAKER_OUTPUT_DIR: '/w/output' };
    const env = trainingEnvironment(
      { PATH: process.env.PATH },
      [
        { name: 'MODELMAKER_OUTPUT_DIR=/tmp/elsewhere', value: 'x' },
        { name: 'A\0B', value: 'y' },
        { name: 'FINE', value: 'z' },
      ],
      platform,
    );
    expect(Object.keys(env).filter((name) => /[=\0]/.test(name))).toEqual([]);
    expect(env).toMatchObject({ FINE: 'z', MODELMAKER_OUTPUT_DIR: '/w/output' });
    // What the process really sees.
    const seen = execFileSync(
      process.execPath,
      ['-e', 'process.stdout.write(process.env.MODELMAKER_OUTPUT_DIR)'],
      {
        env,
      },
    ).toString();
    expect(seen).toBe('/w/output');
  });

  it('layers host, then envs, then the platform variables; sets PYTHONUNBUFFERED unless given', () => {
    const platform = platformVariables(
      { work: '/w', data: '/w/data', code: '/w/code', output: '/w/output' },
      [{ name: 'epochs', value: 3 }],
      1,
      2,
    );
    const env = trainingEnvironment(
      { PATH: '/bin', KEEP: 'host' },
      [
        { name: 'MODELMAKER_DATA_DIR', value: '/x' },
        { name: 'KEEP', value: 'job' },
      ],
      platform,
    );
    expect(env).toMatchObject({
      PATH: '/bin',
      KEEP: 'job',
      PYTHONUNBUFFERED: '1',
      MODELMAKER_DATA_DIR: '/w/data',
      MODELMAKER_HYPERPARAMETERS: '{"epochs":3}',
      MM_HP_EPOCHS: '3',
      MODELMAKER_INSTANCE_RANK: '1',
      MODELMAKER_INSTANCE_COUNT: '2',
    });
    expect(trainingEnvironment({ PYTHONUNBUFFERED: '0' }, [], platform).PYTHONUNBUFFERED).toBe('0');
  });
});
