/**
 * Shared by the platform tests: a platform on a temp data dir, a plain-fetch API
 * client that logs in, an S3 client for the embedded S3, and small waits.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { FRAMEWORK_IDS } from '../../src/catalog.js';
import { type LocalPlatform, type LocalPlatformOptions, startLocalPlatform } from '../../src/platform.js';

/** The node TRAIN framework and the smallest TRAIN machine of the local catalog. */
export const NODE_FRAMEWORK = FRAMEWORK_IDS.trainNode;
export const SMALL_MACHINE = 500050;

/** A fresh temp dir and its removal. */
export function tempDir(prefix = 'mm-platform-'): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** One answer: status, raw text and parsed JSON. */
export interface Answer {
  readonly status: number;
  readonly text: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON fields
  readonly json: any;
}

/** A plain-fetch client of the REST contract, as any non-SDK client would be. */
export class Api {
  token = '';
  /** Every response text received, for the "no true/false/null" check. */
  readonly texts: string[] = [];

  constructor(
    readonly baseUrl: string,
    readonly username: string,
    readonly password: string,
  ) {}

  async login(): Promise<string> {
    const answer = await this.call('POST', '/v1/auth-token', {
      username: this.username,
      password: this.password,
    });
    if (answer.status !== 200) throw new Error(`login failed: ${answer.text}`);
    this.token = answer.json.token;
    return this.token;
  }

  async call(method: string, path: string, body?: unknown, init: RequestInit = {}): Promise<Answer> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(this.token ? { 'auth-token': this.token } : {}) },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      ...init,
    });
    const text = await response.text();
    this.texts.push(text);
    return { status: response.status, text, json: text === '' ? undefined : JSON.parse(text) };
  }

  async ok(method: string, path: string, body?: unknown): Promise<Answer> {
    const answer = await this.call(method, path, body);
    // A 200 may carry an error body (the platform answers 1002/1003/102009/101009 so).
    if (answer.status !== 200 || answer.json?.errorCode !== undefined)
      throw new Error(`${method} ${path}: ${answer.status} ${answer.text}`);
    return answer;
  }

  /** Polls the version until its status is one of `statuses`. */
  async waitForStatus(versionId: number, statuses: readonly string[], timeoutMs = 20_000): Promise<Answer> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const answer = await this.ok('GET', `/v1/train/version/${versionId}`);
      if (statuses.includes(answer.json.status)) return answer;
      if (Date.now() > deadline)
        throw new Error(`version ${versionId} still ${answer.json.status}: ${answer.text}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Every log line of a version (paging). */
  async allLogs(
    versionId: number,
  ): Promise<
    Array<{ id: number; content: string; time: string; nanTime: number; stream?: string; instance?: number }>
  > {
    const lines = [];
    for (let lastId = 0; ; ) {
      const page = await this.ok('GET', `/v1/train/version/${versionId}/log?lastId=${lastId}&limit=10000`);
      lines.push(...page.json.logs);
      if (!page.json.hasMore) return lines;
      lastId = lines.at(-1)!.id + 1;
    }
  }
}

/** An S3 client of the embedded S3, configured as the tests' instructions say. */
export function s3Of(platform: Pick<LocalPlatform, 's3'>): S3Client {
  return new S3Client({
    endpoint: platform.s3.endpoint,
    region: platform.s3.region,
    forcePathStyle: true,
    credentials: { accessKeyId: platform.s3.accessKeyId, secretAccessKey: platform.s3.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/** Puts one object in the default bucket; returns its `s3://` address. */
export async function put(
  s3: S3Client,
  platform: Pick<LocalPlatform, 's3'>,
  key: string,
  body: string,
): Promise<string> {
  await s3.send(new PutObjectCommand({ Bucket: platform.s3.bucket, Key: key, Body: body }));
  return `s3://${platform.s3.bucket}/${key}`;
}

/**
 * Starts a multipart upload of `key` and uploads `count` parts of `partBytes` (part `n`
 * all bytes `n`); returns the command that completes it (the store then makes the parts the object).
 */
export async function uploadParts(
  s3: S3Client,
  bucket: string,
  key: string,
  count: number,
  partBytes: number,
): Promise<CompleteMultipartUploadCommand> {
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
  const parts = [];
  for (let number = 1; number <= count; number++) {
    const part = await s3.send(
      new UploadPartCommand({
        Bucket: bucket,
        Key: key,
        UploadId,
        PartNumber: number,
        Body: Buffer.alloc(partBytes, number),
      }),
    );
    parts.push({ PartNumber: number, ETag: part.ETag });
  }
  return new CompleteMultipartUploadCommand({
    Bucket: bucket,
    Key: key,
    UploadId,
    MultipartUpload: { Parts: parts },
  });
}

/** A platform on a temp dir, logged in; `close` also removes the dir. */
export async function startTestPlatform(options: LocalPlatformOptions = {}) {
  const dir = options.dataDir === undefined ? tempDir() : undefined;
  const platform = await startLocalPlatform({
    onError: () => {},
    ...options,
    dataDir: options.dataDir ?? dir!.path,
  });
  const api = new Api(platform.baseUrl, platform.username, platform.password);
  await api.login();
  const s3 = s3Of(platform);
  return {
    platform,
    api,
    s3,
    async close() {
      s3.destroy();
      await platform.close();
      dir?.remove();
    },
  };
}

/** Uploads `script` as `train.js` and a small CSV; returns a BASIC_FRAMEWORK TrainCreate for them. */
export async function nodeJob(
  s3: S3Client,
  platform: Pick<LocalPlatform, 's3'>,
  name: string,
  script: string,
  extra: Record<string, unknown> = {},
): Promise<Record<string, unknown>> {
  const codeUrl = await put(s3, platform, `jobs/${name}/code/train.js`, script);
  const dataUrl = await put(s3, platform, `jobs/${name}/data/data.csv`, 'x,y\n1,2\n3,4\n');
  return {
    name,
    type: 'BASIC_FRAMEWORK',
    frameworkId: NODE_FRAMEWORK,
    resourceId: SMALL_MACHINE,
    codeUrl: codeUrl.replace(/train\.js$/, ''),
    dataUrl,
    startup: 'train.js',
    output: `s3://${platform.s3.bucket}/jobs/${name}/output/`,
    ...extra,
  };
}

/** True while `pid` is a live process (a zombie counts as gone). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return process.platform !== 'linux';
  }
}

/** Calls `probe` every 50 ms until it returns a value (not undefined/false/0), or fails after `timeoutMs`. */
export async function waitUntil<T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false && value !== 0) return value as T;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
