import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { RESTARTED_REASON } from '../../src/store/recovery.js';
import { Api, isRunning, nodeJob, s3Of, startTestPlatform, tempDir, waitUntil } from './helpers.js';

const CHILD = fileURLToPath(new URL('./fixtures/platform-child.ts', import.meta.url));

interface ChildInfo {
  baseUrl: string;
  username: string;
  password: string;
  s3: { endpoint: string; bucket: string; accessKeyId: string; secretAccessKey: string; region: string };
}

/** Starts a platform in a child process and resolves with what it printed once ready. */
async function startChild(dataDir: string): Promise<{ child: ChildProcess; info: ChildInfo }> {
  const child = spawn(
    process.execPath,
    ['--conditions=modelmaker-source', '--import', 'tsx', CHILD, dataDir],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      // The killed child cannot clean its temp files: keep them inside the test's dir.
      env: {
        ...process.env,
        TMPDIR: mkdirSync(join(dataDir, 'tmp'), { recursive: true }) ?? join(dataDir, 'tmp'),
      },
    },
  );
  const lines = createInterface({ input: child.stdout! });
  const [line] = (await Promise.race([
    once(lines, 'line'),
    once(child, 'exit').then(([code]) => {
      throw new Error(`platform child exited with ${code}`);
    }),
  ])) as [string];
  return { child, info: JSON.parse(line) as ChildInfo };
}

describe('crash recovery', () => {
  it('after a SIGKILL mid-job: state intact, the version failed with a reason, its logs readable, no training process left', async () => {
    const dir = tempDir();
    const { child, info } = await startChild(dir.path);
    let trainingPid: number | undefined;
    try {
      const api = new Api(info.baseUrl, info.username, info.password);
      await api.login();
      const s3 = s3Of(info);
      // Prints a few lines, then stays silent: it never hits the broken pipe, so only recovery can end it.
      const script = `console.log('pid=' + process.pid); for (let i = 0; i < 5; i++) console.log('line ' + i); setInterval(() => {}, 1000);`;
      const body = await nodeJob(s3, info, 'doomed', script);
      s3.destroy();
      const { id: jobId, versionId } = (await api.ok('POST', '/v1/train', body)).json;
      const logs = await waitUntil(async () => {
        const all = await api.allLogs(versionId);
        return all.some((l) => l.content === 'line 4') && all;
      });
      trainingPid = Number(logs.find((l) => l.content.startsWith('pid='))!.content.slice(4));
      expect(isRunning(trainingPid)).toBe(true);

      child.kill('SIGKILL');
      await once(child, 'exit');
      // Still alive: what ends it below is the restart's recovery, not the crash.
      expect(isRunning(trainingPid)).toBe(true);

      const restarted = await startTestPlatform({ dataDir: dir.path });
      try {
        const { api: again } = restarted;
        const version = (await again.ok('GET', `/v1/train/version/${versionId}`)).json;
        expect(version).toMatchObject({ status: 'TRAINING_FAIL', reason: RESTARTED_REASON, jobId });
        expect(version.finishedAt).toEqual(expect.any(String));
        const after = await again.allLogs(versionId);
        expect(after.slice(0, logs.length)).toEqual(logs);
        expect((await again.ok('GET', '/v1/train')).json.trainTasks).toEqual([
          expect.objectContaining({ id: jobId, name: 'doomed', status: 'TRAINING_FAIL' }),
        ]);
        await waitUntil(() => !isRunning(trainingPid!), 2000);
      } finally {
        await restarted.close();
      }
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      if (trainingPid !== undefined && isRunning(trainingPid)) process.kill(trainingPid, 'SIGKILL');
      dir.remove();
    }
  });
});
