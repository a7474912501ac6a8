import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client } from '../../../../src/client/storage/index.js';
import { usePayloadHashFromMetadata } from '../../../../src/client/storage/internal/payload-hash.js';

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

describe('usePayloadHashFromMetadata', () => {
  /** The `x-amz-content-sha256` of each request the server got. */
  const seen: string[] = [];
  let server: http.Server;
  let client: S3Client;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      seen.push(String(req.headers['x-amz-content-sha256']));
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { etag: '"0"', 'content-length': 0 });
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    client = usePayloadHashFromMetadata(
      createS3Client({
        endpoint: `http://127.0.0.1:${port}`,
        region: 'us-east-1',
        accessKeyId: 'AKTEST',
        secretAccessKey: 'secret',
      }),
    );
  });

  afterAll(async () => {
    client?.destroy();
    await new Promise((resolve) => server?.close(resolve));
  });

  const put = (Body: Buffer | Readable, Metadata?: Record<string, string>, length?: number) =>
    client.send(new PutObjectCommand({ Bucket: 'b', Key: 'k', Body, Metadata, ContentLength: length }));

  it('signs a PutObject of bytes with the SHA-256 of its sha256 metadata, not one it computes', async () => {
    const body = Buffer.from('hashed once');
    // A value that is not the body's hash shows which one was sent (a store refuses it: the stored SHA-256 is checked).
    const claimed = sha256(Buffer.from('something else'));
    seen.length = 0;
    await put(body, { sha256: claimed });
    await put(body, { sha256: sha256(body) });
    expect(seen).toEqual([claimed, sha256(body)]);
  });

  it('leaves the SDK to hash a body without (valid) sha256 metadata, and a stream alone', async () => {
    const body = Buffer.from('hashed by the SDK');
    seen.length = 0;
    await put(body);
    await put(body, { sha256: 'not-hex' });
    await put(Readable.from([body]), { sha256: sha256(body) }, body.length);
    expect(seen.slice(0, 2)).toEqual([sha256(body), sha256(body)]);
    expect(seen[2]).not.toBe(sha256(body));
  });
});
