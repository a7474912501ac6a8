/**
 * Finding a container engine for CUSTOM jobs: `docker`, then `podman`, whichever
 * answers `info` (a CLI without a reachable daemon does not count).
 * @module
 */
import { execFile } from 'node:child_process';
import { CONTAINER_ENGINE_PROBE_TIMEOUT_MS } from '../defaults.js';

/** The engines tried, in order. */
export const CONTAINER_ENGINES = ['docker', 'podman'] as const;

function answers(engine: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    execFile(engine, ['info'], { timeout: timeoutMs }, (error) => resolve(!error));
  });
}

let detected: Promise<string | null> | undefined;

/**
 * The first engine of {@link CONTAINER_ENGINES} that answers `info` within
 * `timeoutMs`, or null. Asked once per process, then remembered.
 */
export function detectContainerEngine(timeoutMs = CONTAINER_ENGINE_PROBE_TIMEOUT_MS): Promise<string | null> {
  detected ??= (async () => {
    for (const engine of CONTAINER_ENGINES) if (await answers(engine, timeoutMs)) return engine;
    return null;
  })();
  return detected;
}
