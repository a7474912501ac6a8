import { once } from 'node:events';
import { createReadStream, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { destroyWhenUnread } from '../../src/s3/unreadBodies.js';

const root = mkdtempSync(join(tmpdir(), 'mm-unread-'));
const file = join(root, 'object.bin');
writeFileSync(file, Buffer.alloc(64 * 1024, 1));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const openFiles = () => readdirSync('/proc/self/fd').length;

describe('destroyWhenUnread: a body nobody reads is closed', () => {
  it('destroys a file stream never read or piped, closing its descriptor', async () => {
    const before = openFiles();
    const body = destroyWhenUnread(createReadStream(file), 30);
    await once(body, 'open');
    expect(openFiles()).toBe(before + 1);
    await once(body, 'close');
    expect(body.destroyed).toBe(true);
    expect(openFiles()).toBe(before);
  });

  it('leaves alone a body that is piped, even when its reader is slow to take the bytes', async () => {
    const body = destroyWhenUnread(createReadStream(file, { highWaterMark: 1024 }), 30);
    const slow = new PassThrough({ highWaterMark: 1 });
    body.pipe(slow);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(body.destroyed).toBe(false);
    let bytes = 0;
    for await (const chunk of slow) bytes += (chunk as Buffer).length;
    expect(bytes).toBe(64 * 1024);
  });
});
