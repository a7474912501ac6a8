/**
 * A local platform in a child process (`fixtures/platform-child.ts`), for tests that
 * kill it or fill its disk: started on a data dir, its address and credentials read
 * from the first line it prints, its later health reports collected.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { compiledNodeArgs } from '../../../../test/support/compiledEntry.js';
import type { HealthReport } from '../../src/health.js';

const CHILD = fileURLToPath(new URL('./fixtures/platform-child.ts', import.meta.url));

/** What the child prints once ready. */
export interface ChildInfo {
  baseUrl: string;
  username: string;
  password: string;
  s3: { endpoint: string; bucket: string; accessKeyId: string; secretAccessKey: string; region: string };
  pid: number;
}

/** A started child platform. */
export interface ChildPlatform {
  readonly child: ChildProcess;
  readonly info: ChildInfo;
  /** Every health report it printed, oldest first. */
  readonly health: HealthReport[];
  /** True until the process exited. */
  alive(): boolean;
  /** SIGKILLs it when still alive, and waits for its exit. */
  kill(): Promise<void>;
}

/**
 * Starts a platform on `dataDir` in a child process and resolves once it is ready.
 * `tmpDir` is its temporary directory (default `<dataDir>/tmp`: a killed child cannot
 * clean up there). `env` is added to its environment; `platform` (JSON-able) is merged
 * into its `startLocalPlatform` options.
 */
export async function startChild(
  dataDir: string,
  options: { env?: Record<string, string>; tmpDir?: string; platform?: Record<string, unknown> } = {},
): Promise<ChildPlatform> {
  const tmpDir = options.tmpDir ?? join(dataDir, 'tmp');
  mkdirSync(tmpDir, { recursive: true });
  const child = spawn(
    process.execPath,
    [...(await compiledNodeArgs(CHILD)), dataDir, JSON.stringify(options.platform ?? {})],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, TMPDIR: tmpDir, ...options.env },
    },
  );
  const health: HealthReport[] = [];
  const lines = createInterface({ input: child.stdout! });
  const [line] = (await Promise.race([
    once(lines, 'line'),
    once(child, 'exit').then(([code]) => {
      throw new Error(`platform child exited with ${code}`);
    }),
  ])) as [string];
  lines.on('line', (text) => {
    const parsed = JSON.parse(text) as { health?: HealthReport };
    if (parsed.health) health.push(parsed.health);
  });
  const alive = () => child.exitCode === null && child.signalCode === null;
  return {
    child,
    info: JSON.parse(line) as ChildInfo,
    health,
    alive,
    async kill() {
      if (!alive()) return;
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    },
  };
}
