import { chmod, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadConfigFile, locateConfigFile, writeConfigFile } from '../../src/client/config.js';
import { Session, type SessionOptions } from '../../src/client/session.js';
import type { ValidationError } from '../../src/errors.js';
import { captureLogger } from './support.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'modelmaker-config-'));
});

afterEach(async () => {
  vi.unstubAllEnvs();
  await rm(dir, { recursive: true, force: true });
});

const fileConfig = {
  iam_config: {
    username: 'file-user',
    password: 'file-password-123',
    host_base: 'https://mmr.example.com:9948/mmr',
    region: 'js01',
    bucket: 'file-bucket',
    verify_ssl: 1,
    s3_protocol: 'https',
  },
};

async function writeJson(path: string, value: unknown, mode = 0o600): Promise<void> {
  await writeFile(path, JSON.stringify(value));
  await chmod(path, mode);
}

const modeOf = async (path: string): Promise<number> => (await stat(path)).mode & 0o777;

describe('loading', () => {
  it('reads the file named by MODELMAKER_CONFIG', async () => {
    const path = join(dir, 'config.json');
    await writeJson(path, fileConfig);
    vi.stubEnv('MODELMAKER_CONFIG', path);
    const settings = await new Session().resolved();
    expect(settings).toMatchObject({
      baseUrl: 'https://js01mmr.example.com:9948/mmr',
      username: 'file-user',
      password: 'file-password-123',
      bucket: 'file-bucket',
      verifySsl: true,
      s3Protocol: 'https',
      configPath: path,
    });
  });

  it('lets explicit options override the file, field by field', async () => {
    const path = join(dir, 'config.json');
    await writeJson(path, fileConfig);
    vi.stubEnv('MODELMAKER_CONFIG', path);
    const settings = await new Session({ username: 'opt-user', region: 'bj02', verifySsl: false }).resolved();
    expect(settings).toMatchObject({
      username: 'opt-user',
      password: 'file-password-123',
      baseUrl: 'https://bj02mmr.example.com:9948/mmr',
      verifySsl: false,
    });
    const explicit = await new Session({ baseUrl: 'http://127.0.0.1:8080/' }).resolved();
    expect(explicit.baseUrl).toBe('http://127.0.0.1:8080');
  });

  it('prefers the configPath option over MODELMAKER_CONFIG', async () => {
    const path = join(dir, 'other.json');
    await writeJson(path, { iam_config: { base_url: 'http://localhost:9999' } });
    vi.stubEnv('MODELMAKER_CONFIG', join(dir, 'missing.json'));
    await expect(new Session({ configPath: path }).resolved()).resolves.toMatchObject({
      baseUrl: 'http://localhost:9999',
    });
  });

  it('warns when the file is readable by group or others, and not when it is 0600', async () => {
    const path = join(dir, 'config.json');
    await writeJson(path, fileConfig, 0o644);
    const logger = captureLogger();
    await loadConfigFile({ path, required: true }, logger);
    expect(logger.entries.filter((e) => e.level === 'warn').map((e) => e.message)).toEqual([
      expect.stringContaining('readable by group or others (mode 644)'),
    ]);
    await chmod(path, 0o600);
    const quiet = captureLogger();
    await loadConfigFile({ path, required: true }, quiet);
    expect(quiet.entries).toEqual([]);
  });

  it('skips a missing default file but rejects a missing explicit one', async () => {
    await expect(loadConfigFile({ path: join(dir, 'nope.json'), required: false })).resolves.toBeUndefined();
    await expect(loadConfigFile({ path: join(dir, 'nope.json'), required: true })).rejects.toMatchObject({
      _tag: 'ValidationError',
    });
  });

  it('rejects a malformed file with DecodeError naming the file and the path', async () => {
    const path = join(dir, 'config.json');
    await writeJson(path, { iam_config: { verify_ssl: 'maybe' } });
    const error = await loadConfigFile({ path, required: true }).catch((e: unknown) => e);
    expect(error).toMatchObject({ _tag: 'DecodeError' });
    expect((error as Error).message).toContain(path);
    expect((error as Error).message).toContain('iam_config.verify_ssl');
    await writeFile(path, '{ not json');
    await expect(loadConfigFile({ path, required: true })).rejects.toMatchObject({ _tag: 'DecodeError' });
  });

  it('locates ~/.modelmaker/config.json by default, optional', async () => {
    vi.stubEnv('MODELMAKER_CONFIG', '');
    const location = await locateConfigFile();
    expect(location?.path).toMatch(/\.modelmaker[/\\]config\.json$/);
    expect(location?.required).toBe(false);
    await expect(locateConfigFile(false)).resolves.toBeUndefined();
  });
});

describe('writeConfigFile', () => {
  const config = {
    iam_config: { username: 'u', password: 'written-secret', base_url: 'http://localhost:1' },
  };

  it('writes mode 0600 in a directory it creates with mode 0700, leaving no temporary file', async () => {
    const target = join(dir, 'nested', '.modelmaker', 'config.json');
    await writeConfigFile(target, config);
    expect(await modeOf(target)).toBe(0o600);
    expect(await modeOf(join(dir, 'nested', '.modelmaker'))).toBe(0o700);
    expect(JSON.parse(await readFile(target, 'utf8'))).toEqual(config);
    expect(await readdir(join(dir, 'nested', '.modelmaker'))).toEqual(['config.json']);
  });

  it('refuses to overwrite an existing file unless told to', async () => {
    const target = join(dir, 'config.json');
    await writeFile(target, 'original');
    await expect(writeConfigFile(target, config)).rejects.toMatchObject({ _tag: 'ValidationError' });
    expect(await readFile(target, 'utf8')).toBe('original');
    expect(await readdir(dir)).toEqual(['config.json']);
    await writeConfigFile(target, config, { overwrite: true });
    expect(JSON.parse(await readFile(target, 'utf8'))).toEqual(config);
    expect(await modeOf(target)).toBe(0o600);
  });

  it('rejects a config that does not match the codec, writing nothing', async () => {
    const target = join(dir, 'config.json');
    const bad = { iam_config: { username: 42 } } as unknown as typeof config;
    await expect(writeConfigFile(target, bad)).rejects.toMatchObject({ _tag: 'ValidationError' });
    expect(await readdir(dir)).toEqual([]);
  });

  it('writes a file a session can read back', async () => {
    const target = join(dir, 'config.json');
    await writeConfigFile(target, config);
    await expect(new Session({ configPath: target }).resolved()).resolves.toMatchObject({
      username: 'u',
      baseUrl: 'http://localhost:1',
    });
  });
});

describe('as the Python SDK (session.py)', () => {
  /** The Python package's config template, with its placeholder S3 keys. */
  const template = (baseFields: Record<string, unknown>) => ({
    iam_config: {
      username: 'alice',
      password: 'alice-password',
      region: 'js01',
      verify_ssl: true,
      s3_protocol: 'http',
      bucket: 'aiteam',
      access_Key: 'ak',
      access_Key_Secret: 'sk',
      ...baseFields,
    },
  });

  it('ignores the config file access_Key / access_Key_Secret: S3 keys come from auth-access', async () => {
    const path = join(dir, 'config.json');
    await writeJson(path, template({ base_url: 'http://127.0.0.1:8080' }));
    const settings = await new Session({ configPath: path }).resolved();
    expect(settings.accessKey).toBeUndefined();
    expect(settings.secretKey).toBeUndefined();
    // Explicit options still give static keys.
    const explicit = await new Session({ configPath: path, accessKey: 'AK', secretKey: 'SK' }).resolved();
    expect(explicit).toMatchObject({ accessKey: 'AK', secretKey: 'SK' });
  });

  it('defaults to host_base https://mmr.wangsucloud.com:9948/mmr and region js01 → https://js01mmr…', async () => {
    const bare = await new Session({ username: 'u', password: 'p', configPath: false }).resolved();
    expect(bare.baseUrl).toBe('https://js01mmr.wangsucloud.com:9948/mmr');
    const regionOnly = await new Session({
      username: 'u',
      password: 'p',
      region: 'bj02',
      configPath: false,
    }).resolved();
    expect(regionOnly.baseUrl).toBe('https://bj02mmr.wangsucloud.com:9948/mmr');
    // a host_base without a region gets js01, as in the Python SDK
    const path = join(dir, 'config.json');
    await writeJson(path, { iam_config: { host_base: 'https://mmr.example.com:9948/mmr' } });
    expect((await new Session({ configPath: path }).resolved()).baseUrl).toBe(
      'https://js01mmr.example.com:9948/mmr',
    );
  });

  it('applies no default to a session with a base URL (options, or base_url as a local profile has)', async () => {
    const option = await new Session({ baseUrl: 'http://127.0.0.1:4010', configPath: false }).resolved();
    expect(option).toMatchObject({ baseUrl: 'http://127.0.0.1:4010' });
    expect(option.hostBase).toBeUndefined();
    expect(option.region).toBeUndefined();
    const path = join(dir, 'config.json');
    await writeJson(path, {
      iam_config: { base_url: 'http://localhost:4010', host_base: 'http://localhost:4010' },
    });
    expect((await new Session({ configPath: path }).resolved()).baseUrl).toBe('http://localhost:4010');
  });

  it('names a snake_case option with the one it meant: new Session({ host_base })', async () => {
    const snake = {
      host_base: 'https://mmr.example.com/mmr',
      username: 'u',
      password: 'p',
    } as unknown as SessionOptions;
    const error = await new Session(snake).resolved().catch((e: unknown) => e);
    expect(error).toMatchObject({ _tag: 'ValidationError' });
    expect((error as ValidationError).problems).toEqual([
      { field: 'host_base', message: 'unknown parameter (did you mean hostBase?)' },
    ]);
  });
});
