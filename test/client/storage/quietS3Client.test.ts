/**
 * The SDK's S3 clients print nothing of their own: no AWS SDK Node-version notice (an
 * 8-line warning on Node below 22, about SDK versions this package does not use) and no
 * "non-retryable streaming request" line when an upload fails — without the user
 * setting anything. Checked in child processes (the notice is once per process).
 */
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { quietS3Client } from '../../../src/client/storage/quietS3Client.js';

const run = promisify(execFile);
const ROOT = new URL('../../../', import.meta.url);
const NODE_MAJOR = Number(process.versions.node.split('.')[0]);
/** The Node major below which the AWS SDK prints its notice. */
const AWS_NOTICE_BELOW = 22;

/** Runs `code` as an ES module in a fresh Node with the sources, without the AWS SDK's switch. */
async function stderrOf(code: string): Promise<string> {
  const env = { ...process.env };
  delete env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED;
  delete env.NODE_OPTIONS;
  const { stderr } = await run(
    process.execPath,
    ['--conditions=modelmaker-source', '--import', 'tsx', '--input-type=module', '-e', code],
    { cwd: ROOT, env },
  );
  return stderr;
}

describe('quietS3Client', () => {
  it('makes a client without the Node-version notice, and leaves the switch as it was', async () => {
    const stderr = await stderrOf(`
      import { quietS3Client } from 'modelmaker/storage';
      quietS3Client({ region: 'us-east-1' });
      console.error('switch after: ' + process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED);
    `);
    expect(stderr.trim()).toBe('switch after: undefined');
  }, 30_000);

  it(`a plain S3Client does print the notice, on Node below ${AWS_NOTICE_BELOW} (${process.version} here)`, async () => {
    const stderr = await stderrOf(`
      import { S3Client } from '@aws-sdk/client-s3';
      new S3Client({ region: 'us-east-1' });
    `);
    if (NODE_MAJOR < AWS_NOTICE_BELOW) expect(stderr).toMatch(/NodeVersionSupportWarning/);
    else expect(stderr).toBe('');
  }, 30_000);

  describe('a streamed upload that fails', () => {
    let server: Server;
    let endpoint: string;
    beforeAll(async () => {
      // answers every request by closing the connection: the upload fails
      server = createServer((request) => request.socket.destroy());
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('fails without a word on the console', async () => {
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
      try {
        const client = quietS3Client({
          endpoint,
          region: 'us-east-1',
          forcePathStyle: true,
          credentials: { accessKeyId: 'k', secretAccessKey: 's' },
          maxAttempts: 1,
        });
        const body = Readable.from([Buffer.from('model bytes')]);
        const put = new PutObjectCommand({
          Bucket: 'missing',
          Key: 'out/model.json',
          Body: body,
          ContentLength: 11,
        });
        await expect(client.send(put)).rejects.toBeDefined();
        client.destroy();
        expect(warn).not.toHaveBeenCalled();
      } finally {
        warn.mockRestore();
      }
    });
  });
});
