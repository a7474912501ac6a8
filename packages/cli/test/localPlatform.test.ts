import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { Api, isRunning, nodeJob, s3Of, tempDir, waitUntil } from '../../local/test/platform/helpers.js';
import { startPlainS3 } from '../../local/test/platform/plainS3.js';
import { smallDisk } from '../../local/test/platform/smallDisk.js';
import { externalS3Of, startFromCli } from '../src/local.js';
import { cliNodeArgs } from './support.js';

/** Fakes a full disk inside the CLI's process where no tmpfs can be mounted (a no-op otherwise). */
const DISK_FAULTS = fileURLToPath(
  new URL('../../local/test/platform/fixtures/diskFaults.ts', import.meta.url),
);

interface Run {
  readonly child: ChildProcess;
  stdout: string;
  stderr: string;
  readonly exited: Promise<number | null>;
}

async function runCli(args: string[], dir: string, env: Record<string, string> = {}): Promise<Run> {
  const child = spawn(process.execPath, [...(await cliNodeArgs([DISK_FAULTS])), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, HOME: dir, MODELMAKER_CONFIG: '', ...env },
  });
  const run: Run = {
    child,
    stdout: '',
    stderr: '',
    exited: once(child, 'exit').then(([code]) => code as number | null),
  };
  child.stdout!.on('data', (chunk: Buffer) => {
    run.stdout += chunk.toString();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    run.stderr += chunk.toString();
  });
  return run;
}

function field(output: string, name: string): string {
  const match = new RegExp(`${name}:\\s+(\\S+)`).exec(output);
  if (!match) throw new Error(`no ${name} in ${output}`);
  return match[1]!;
}

describe('modelmaker local', () => {
  it('prints the URLs and credentials, writes a 0600 profile, and stops every training process on SIGINT', async () => {
    const dir = tempDir('mm-cli-');
    const config = join(dir.path, 'profile', 'config.json');
    const run = await runCli(
      [
        'local',
        '--port',
        '0',
        '--s3-port',
        '0',
        '--data-dir',
        join(dir.path, 'data'),
        '--write-config',
        config,
      ],
      dir.path,
    );
    try {
      await waitUntil(() => run.stdout.includes('Press Ctrl+C'), 20_000);
      const baseUrl = field(run.stdout, 'base URL');
      expect(baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(field(run.stdout, 'S3')).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const username = field(run.stdout, 'username');
      const password = field(run.stdout, 'password');
      expect(Number(/ready in (\d+) ms/.exec(run.stdout)![1])).toBeLessThan(1000);

      expect(statSync(config).mode & 0o777).toBe(0o600);
      expect(statSync(join(dir.path, 'profile')).mode & 0o777).toBe(0o700);
      const profile = JSON.parse(readFileSync(config, 'utf8'));
      expect(profile.iam_config).toMatchObject({
        username,
        password,
        base_url: baseUrl,
        host_base: baseUrl,
        bucket: 'modelmaker',
      });

      const api = new Api(baseUrl, username, password);
      await api.login();
      const access = (await api.ok('GET', '/v1/account/auth-access')).json.s3;
      const platformS3 = {
        s3: {
          endpoint: access.url,
          region: access.region,
          accessKeyId: access.ak,
          secretAccessKey: access.sk,
          bucket: 'modelmaker',
        },
      };
      const s3 = s3Of(platformS3);
      const body = await nodeJob(
        s3,
        platformS3,
        'cli',
        `console.log('pid=' + process.pid); setInterval(() => {}, 1000);`,
      );
      s3.destroy();
      const { versionId } = (await api.ok('POST', '/v1/train', body)).json;
      const pid = await waitUntil(async () => {
        const line = (await api.allLogs(versionId)).find((l) => l.content.startsWith('pid='));
        return line && Number(line.content.slice(4));
      });
      expect(isRunning(pid)).toBe(true);

      run.child.kill('SIGINT');
      expect(await run.exited).toBe(0);
      expect(run.stdout).toContain('Stopped.');
      expect(isRunning(pid)).toBe(false);
    } finally {
      if (run.child.exitCode === null) run.child.kill('SIGKILL');
      dir.remove();
    }
  });

  it('refuses to overwrite an existing config file without --force, and replaces it with --force', async () => {
    const dir = tempDir('mm-cli-');
    const config = join(dir.path, 'config.json');
    const mine = '{"iam_config":{"username":"mine"}}\n';
    writeFileSync(config, mine);
    const options = {
      port: 0,
      s3Port: 0,
      host: '127.0.0.1',
      dataDir: join(dir.path, 'data'),
      writeConfig: config,
    };
    const io = { out: '', err: '' };
    const capture = {
      out: (text: string) => {
        io.out += text;
      },
      err: (text: string) => {
        io.err += text;
      },
    };
    try {
      expect(await startFromCli(options, capture)).toBeUndefined();
      expect(io.err).toMatch(/exists.*--force/);
      expect(io.out).toBe('');
      expect(readFileSync(config, 'utf8')).toBe(mine);

      const platform = await startFromCli({ ...options, force: true }, capture);
      expect(platform).toBeDefined();
      await platform!.close();
      expect(JSON.parse(readFileSync(config, 'utf8')).iam_config.base_url).toBe(field(io.out, 'base URL'));
      expect(statSync(config).mode & 0o777).toBe(0o600);
    } finally {
      dir.remove();
    }
  });

  it('says on stderr when the platform becomes degraded, and why, and when it is healthy again', async () => {
    const disk = smallDisk(64 * 1024 * 1024);
    const dir = tempDir('mm-cli-');
    const config = join(dir.path, 'config.json');
    const run = await runCli(
      [
        'local',
        '--port',
        '0',
        '--s3-port',
        '0',
        '--data-dir',
        join(disk.path, 'data'),
        '--write-config',
        config,
      ],
      dir.path,
      disk.env,
    );
    try {
      await waitUntil(() => run.stdout.includes('Press Ctrl+C'), 20_000);
      // S3 keys as both SDKs get them: from auth-access (the profile holds none)
      const profile = JSON.parse(readFileSync(config, 'utf8')).iam_config;
      const api = new Api(profile.base_url, profile.username, profile.password);
      await api.login();
      const access = (await api.ok('GET', '/v1/account/auth-access')).json.s3;
      const s3 = s3Of({
        s3: {
          endpoint: field(run.stdout, 'S3'),
          region: access.region,
          bucket: 'modelmaker',
          accessKeyId: access.ak,
          secretAccessKey: access.sk,
        },
      });
      const put = (key: string) =>
        s3.send(
          new PutObjectCommand({ Bucket: 'modelmaker', Key: key, Body: Buffer.alloc(4 * 1024 * 1024, 1) }),
        );
      disk.fill(1024 * 1024);
      await expect(put('too/big.bin')).rejects.toMatchObject({ $metadata: { httpStatusCode: 507 } });
      await waitUntil(() => run.stderr.includes('modelmaker local: degraded:'));
      expect(run.stderr).toContain(
        'modelmaker local: degraded: disk full while receiving modelmaker/too/big.bin (ENOSPC)\n',
      );
      disk.free();
      await put('fits/now.bin');
      await waitUntil(() => run.stderr.includes('modelmaker local: healthy again\n'));
      s3.destroy();
      run.child.kill('SIGINT');
      expect(await run.exited).toBe(0);
    } finally {
      if (run.child.exitCode === null) run.child.kill('SIGKILL');
      await disk.release();
      dir.remove();
    }
  });

  it('uses an external S3 from flags and the environment (secrets only from env or a file), and says what is missing', async () => {
    const keys = { id: 'CLIPLATFORMKEY', secret: 'cli-platform-secret-3e8f1a' };
    const store = await startPlainS3(['team'], [[keys.id, keys.secret]]);
    const dir = tempDir('mm-cli-');
    const flags = ['--s3-endpoint', store.endpoint, '--s3-bucket', 'team', '--s3-access-key-id', keys.id];
    const base = ['local', '--port', '0', '--data-dir', join(dir.path, 'data')];
    const run = await runCli([...base, ...flags], dir.path, { MODELMAKER_S3_SECRET_ACCESS_KEY: keys.secret });
    try {
      await waitUntil(() => run.stdout.includes('Press Ctrl+C'), 20_000);
      expect(run.stdout).toContain(`  S3:        ${store.endpoint} (bucket team, path-style, external)\n`);
      const api = new Api(
        field(run.stdout, 'base URL'),
        field(run.stdout, 'username'),
        field(run.stdout, 'password'),
      );
      await api.login();
      expect((await api.ok('GET', '/v1/account/auth-access')).json.s3).toMatchObject({
        ak: keys.id,
        url: store.endpoint,
      });
      run.child.kill('SIGINT');
      expect(await run.exited).toBe(0);
      expect(run.stdout + run.stderr).not.toContain(keys.secret);

      // No secret anywhere: the start stops, naming where the secret comes from.
      const io = { out: '', err: '' };
      const capture = {
        out: (text: string) => {
          io.out += text;
        },
        err: (text: string) => {
          io.err += text;
        },
      };
      const noSecret = await externalS3Of(
        { s3Endpoint: store.endpoint, s3Bucket: 'team', s3AccessKeyId: keys.id },
        {},
      );
      const options = { port: 0, s3Port: 0, host: '127.0.0.1', dataDir: join(dir.path, 'data') };
      expect(await startFromCli({ ...options, externalS3: noSecret }, capture)).toBeUndefined();
      expect(io.err).toBe(
        'modelmaker local: cannot start: external S3: secretAccessKey: required (--s3-secret-access-key-file or MODELMAKER_S3_SECRET_ACCESS_KEY)\n',
      );
      // From a file, or the environment alone.
      const secretFile = join(dir.path, 'secret');
      writeFileSync(secretFile, `${keys.secret}\n`, { mode: 0o600 });
      expect(
        await externalS3Of(
          { s3Endpoint: store.endpoint, s3SecretAccessKeyFile: secretFile },
          {
            MODELMAKER_S3_BUCKET: 'team',
            MODELMAKER_S3_ACCESS_KEY_ID: keys.id,
          },
        ),
      ).toEqual({
        endpoint: store.endpoint,
        bucket: 'team',
        accessKeyId: keys.id,
        secretAccessKey: keys.secret,
      });
      await expect(externalS3Of({ s3Bucket: 'team' }, {})).rejects.toThrow(
        '--s3-bucket needs --s3-endpoint (or MODELMAKER_S3_ENDPOINT)',
      );
      expect(await externalS3Of({}, {})).toBeUndefined();
    } finally {
      if (run.child.exitCode === null) run.child.kill('SIGKILL');
      await store.stop();
      dir.remove();
    }
  }, 60_000);
});
