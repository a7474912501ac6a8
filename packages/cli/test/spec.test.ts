import * as E from 'fp-ts/lib/Either.js';
import { hasTag, type TrainParams, toTrainCreate } from 'modelmaker';
import { describe, expect, it } from 'vitest';
import { gather, TRAIN_SEED_NAMES, toSpecError } from '../src/spec.js';

const FLAGS = {
  jobName: { value: undefined, flag: '--name' },
  trainInstanceCount: { value: undefined, flag: '--instance-count' },
  outputPath: { value: undefined, flag: '--output' },
};

function problemsOf(gathered: ReturnType<typeof gather>): string {
  const checked = toTrainCreate(gathered.params as unknown as TrainParams);
  if (E.isRight(checked)) throw new Error('expected problems');
  return toSpecError(checked.left, gathered, TRAIN_SEED_NAMES).message;
}

describe('spec files', () => {
  it('map seed names and camelCase names to the same parameters; flags win', () => {
    const gathered = gather(
      { job_name: 'a', trainInstanceCount: 2, volume_size: 1 },
      'job.json',
      TRAIN_SEED_NAMES,
      { ...FLAGS, jobName: { value: 'b', flag: '--name' } },
    );
    expect(gathered.params).toEqual({ jobName: 'b', trainInstanceCount: 2, volumeSize: 1 });
    expect(gathered.labels.get('jobName')).toBe('--name');
    expect(gathered.labels.get('volumeSize')).toBe('volume_size');
    expect(gathered.source).toBe('job.json and flags');
  });

  it('refuse a parameter given under both names', () => {
    try {
      gather({ job_name: 'a', jobName: 'b' }, 'job.json', TRAIN_SEED_NAMES, FLAGS);
      expect.unreachable();
    } catch (error) {
      expect(hasTag(error, 'SpecError')).toBe(true);
      expect((error as Error).message).toBe(
        'job.json: invalid parameters: jobName: the same parameter as job_name; give it once',
      );
    }
  });

  it('name problems as written: seed names for a seed-style file, flags for flags, camelCase for a camelCase file', () => {
    const seed = problemsOf(
      gather({ job_name: 'a', train_instance_count: 0 }, 'job.json', TRAIN_SEED_NAMES, FLAGS),
    );
    expect(seed).toContain('train_instance_count: expected an integer in 1..10, got 0');
    expect(seed).toContain('framework_type: required');
    expect(seed).toContain('output_path: required');

    const flags = problemsOf(
      gather(undefined, undefined, TRAIN_SEED_NAMES, {
        ...FLAGS,
        trainInstanceCount: { value: 11, flag: '--instance-count' },
      }),
    );
    expect(flags).toMatch(/^flags: invalid parameters: /);
    expect(flags).toContain('--instance-count: expected an integer in 1..10, got 11');
    expect(flags).toContain('--output: required');

    const camel = problemsOf(
      gather({ jobName: 'a', trainInstanceCount: 0 }, 'job.json', TRAIN_SEED_NAMES, FLAGS),
    );
    expect(camel).toContain('trainInstanceCount: expected an integer');
    expect(camel).toContain('outputPath: required');
  });

  it('suggest the seed name closest to an unknown key', () => {
    const message = problemsOf(
      gather({ job_name: 'a', boot_fiel: 'x' }, 'job.json', TRAIN_SEED_NAMES, FLAGS),
    );
    expect(message).toContain('boot_fiel: unknown parameter (did you mean boot_file?)');
  });
});
