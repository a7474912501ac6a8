/**
 * A second, independent S3 endpoint for the external-S3 tests: a plain s3rver in its
 * own process (`fixtures/plain-s3rver.mjs`) on a temp dir, with the buckets and key
 * pairs asked for — nothing of the platform's embedded store (no guard, no durable
 * store). `stop` ends it and removes its dir.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { tempDir } from './helpers.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/plain-s3rver.mjs', import.meta.url));

/** A running plain S3 endpoint. */
export interface PlainS3 {
  readonly endpoint: string;
  /** Where it keeps its objects (s3rver's own layout). */
  readonly directory: string;
  stop(): Promise<void>;
}

/** Starts one with `buckets` and the key pairs `keys` (`[accessKeyId, secretAccessKey]`). */
export async function startPlainS3(buckets: string[], keys: Array<[string, string]>): Promise<PlainS3> {
  const dir = tempDir('mm-plain-s3-');
  const child = spawn(
    process.execPath,
    ['--openssl-legacy-provider', FIXTURE, dir.path, JSON.stringify({ buckets, keys })],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const [line] = (await Promise.race([
    once(createInterface({ input: child.stdout! }), 'line'),
    once(child, 'exit').then(([code]) => {
      throw new Error(`plain s3rver exited with ${code}`);
    }),
  ])) as [string];
  const { endpoint } = JSON.parse(line) as { endpoint: string };
  return {
    endpoint,
    directory: dir.path,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = once(child, 'exit');
        child.kill('SIGTERM');
        await exited;
      }
      dir.remove();
    },
  };
}
