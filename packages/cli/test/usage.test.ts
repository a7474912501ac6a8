import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliEnv, runCli } from './support.js';

// No platform: every failure here happens before any request.
const dir = mkdtempSync(join(tmpdir(), 'mm-cli-usage-'));
const env = cliEnv(dir, join(dir, 'no-such-config.json'));

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function specFile(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const BAD_SPEC = {
  job_name: 'bad',
  framework_type: 'BASIC_FRAMEWORK',
  framework: 500101,
  code_dir: 's3://modelmaker/code/',
  boot_file: 'train.mjs',
  inputs: 's3://modelmaker/data/',
  train_instance_type: 500050,
  train_instance_count: 11,
  volume_size: 1,
  git_info: { username: 'me', password: 'hunter2-secret', branch: 'main' },
};

describe('usage errors', () => {
  it('a bad spec file gives one line naming each field as written, exit status 2, and no secret', async () => {
    const path = specFile('bad.json', JSON.stringify(BAD_SPEC));
    const [plain, debug] = await Promise.all([
      runCli(['train', path], env),
      runCli(['--debug', 'train', path], env),
    ]);
    expect(plain.code).toBe(2);
    expect(plain.stdout).toBe('');
    const lines = plain.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^error: .*bad\.json: invalid parameters: /);
    expect(lines[0]).toContain('train_instance_count: expected an integer in 1..10, got 11');
    expect(lines[0]).toContain('output_path: required');
    expect(lines[0]).toContain('git_info: give either code_dir or git_info, not both');
    expect(plain.stderr).not.toContain('hunter2-secret');

    // --debug adds the tag, the stack and the cause (the SDK's ValidationError, camelCase names).
    expect(debug.code).toBe(2);
    expect(debug.stderr.split('\n')[0]).toBe(lines[0]);
    expect(debug.stderr).toContain('[debug] tag: SpecError');
    expect(debug.stderr).toMatch(/\[debug\] caused by ValidationError: .*trainInstanceCount/);
    expect(debug.stderr).not.toContain('hunter2-secret');
  });

  it('a spec file that is not JSON, an unknown seed name, and a bad id are usage errors too (exit status 2)', async () => {
    const notJson = specFile('broken.json', '{ "job_name": ');
    const typo = specFile(
      'typo.json',
      JSON.stringify({ ...BAD_SPEC, train_instance_count: 1, trian_instance_type: 1 }),
    );
    const [broken, unknown, badId] = await Promise.all([
      runCli(['train', notJson], env),
      runCli(['train', typo, '--output', 's3://modelmaker/out/'], env),
      runCli(['jobs', 'logs', 'twelve'], env),
    ]);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/^error: spec file .*broken\.json is not JSON/);
    expect(broken.stderr.trimEnd().split('\n')).toHaveLength(1);

    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('and flags: invalid parameters: ');
    expect(unknown.stderr).toContain(
      'trian_instance_type: unknown parameter (did you mean train_instance_type?)',
    );

    expect(badId.code).toBe(2);
    expect(badId.stderr).toContain(
      "error: command-argument value 'twelve' is invalid for argument 'versionId'",
    );
  });
});
