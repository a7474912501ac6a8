/**
 * What process each instance of a training version runs, by job type:
 *
 * - BASIC_FRAMEWORK: the framework's interpreter (`node` → the running Node.js,
 *   `python3` → `python3` from the PATH) on `startup`, a path inside the code,
 *   with the code directory as working directory.
 * - CUSTOM: `command` and `args`, each split into words as a POSIX shell would
 *   (quotes respected; no variable, glob or tilde expansion: `$HOME` and `*.txt` stay
 *   literal; shell operators such as `|` or `>` are refused — there is no shell).
 *   The image (`mirrorUrl`) is recorded in the log. With a container engine the words
 *   run in that image (`<engine> run --rm`, the work directory mounted at the same
 *   path, the platform's variables passed with `-e`); without one they run on the host.
 * - PRESET_ALGORITHM: the preset algorithm's training entry (see `algorithms/entry.ts`).
 * @module
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { ModelMakerError } from 'modelmaker';
import { parse } from 'shell-quote';
import { presetTrainingCommand } from '../algorithms/entry.js';
import { findPresetAlgorithm, findTrainFramework } from '../catalog.js';
import type { RunDirectories } from './environment.js';
import type { TrainingRun } from './types.js';

/** A job that cannot be started as given (unknown framework, missing boot file, bad command). */
export class LaunchError extends ModelMakerError {
  readonly _tag = 'LaunchError' as const;
  override readonly name = 'LaunchError';
  constructor(message: string) {
    super(message, { reason: 'launch' });
  }
}

/** The process of one instance. */
export interface InstanceCommand {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  /** Called when the instance is killed. */
  readonly onKill?: () => void;
}

/** How a version's instances are started. */
export interface LaunchPlan {
  /** Lines for the log before the instances start (what runs, where). */
  readonly notes: readonly string[];
  /** The process of instance `rank`, given its full environment and the platform's own variables. */
  instance(
    rank: number,
    env: Readonly<Record<string, string>>,
    platformVariables: readonly string[],
  ): InstanceCommand;
}

/** Splits a command line into words like a POSIX shell, without expanding anything. */
export function splitWords(text: string, field: string): string[] {
  const words: string[] = [];
  for (const entry of parse(text, (name) => `$${name}`)) {
    if (typeof entry === 'string') words.push(entry);
    else if ('comment' in entry) break;
    else if (entry.op === 'glob') words.push(entry.pattern);
    else {
      throw new LaunchError(
        `${field}: contains the shell operator ${entry.op}: commands run without a shell here`,
      );
    }
  }
  return words;
}

/**
 * `path` inside `directory`, checked to be a file there. Failures lead with the body's
 * field and say what it is (`startup: the boot file "x.mjs" is not a file in the code`),
 * the one form an SDK maps back to its own parameter name.
 */
async function insideFile(directory: string, path: string, field: string, what: string): Promise<string> {
  const full = resolve(directory, path);
  const rel = relative(directory, full);
  if (isAbsolute(path) || rel === '' || rel.split(sep)[0] === '..') {
    throw new LaunchError(
      `${field}: the ${what} must be a path inside the code, got ${JSON.stringify(path)}`,
    );
  }
  const info = await stat(full).catch(() => undefined);
  if (!info?.isFile())
    throw new LaunchError(`${field}: the ${what} ${JSON.stringify(path)} is not a file in the code`);
  return full;
}

function host(command: string, args: readonly string[], cwd: string): LaunchPlan['instance'] {
  return (_rank, env) => ({ command, args, cwd, env });
}

/**
 * Plans how the version's instances start. `engine` is the container engine to use
 * for CUSTOM jobs, or null for none.
 *
 * @throws LaunchError when the job cannot be started as given.
 */
export async function planLaunch(
  run: TrainingRun,
  dirs: RunDirectories,
  engine: string | null,
): Promise<LaunchPlan> {
  const body = run.body;
  switch (body.type) {
    case 'BASIC_FRAMEWORK': {
      const framework = body.frameworkId === undefined ? undefined : findTrainFramework(body.frameworkId);
      if (!framework)
        throw new LaunchError(`frameworkId: ${body.frameworkId} is not a TRAIN framework of this platform`);
      if (!body.startup) throw new LaunchError('startup: the boot file is required for BASIC_FRAMEWORK');
      const file = await insideFile(dirs.code, body.startup, 'startup', 'boot file');
      const notes = [`running ${body.startup} with ${framework.name} (${framework.interpreter})`];
      if (body.startupType === 'HOROVOD')
        notes.push('startupType HOROVOD runs each instance as a plain process here');
      return { notes, instance: host(framework.interpreter, [file], dirs.code) };
    }
    case 'PRESET_ALGORITHM': {
      const algorithm = body.algorithmId === undefined ? undefined : findPresetAlgorithm(body.algorithmId);
      if (!algorithm)
        throw new LaunchError(`algorithmId: ${body.algorithmId} is not a preset algorithm of this platform`);
      const { command, args } = await presetTrainingCommand(algorithm.algorithm);
      return {
        notes: [`running preset algorithm ${algorithm.name}`],
        instance: host(command, args, dirs.work),
      };
    }
    case 'CUSTOM': {
      const words = [...splitWords(body.command ?? '', 'command'), ...splitWords(body.args ?? '', 'args')];
      if (words.length === 0) throw new LaunchError('CUSTOM needs a command (command, and args)');
      const image = body.mirrorUrl ?? '';
      const cwd = body.codeUrl || body.gitInfo ? dirs.code : dirs.work;
      if (engine === null) {
        return {
          notes: [`image ${image} recorded; no container engine found: running ${words[0]} on the host`],
          instance: host(words[0]!, words.slice(1), cwd),
        };
      }
      return {
        notes: [`image ${image}: running ${words[0]} in a ${engine} container`],
        instance: (rank, env, platformVariables) => {
          const name = `modelmaker-${run.versionId}-${rank}-${randomBytes(4).toString('hex')}`;
          const passed = [
            ...new Set([...platformVariables, ...(body.envs ?? []).map((e) => e.name), 'PYTHONUNBUFFERED']),
          ];
          return {
            command: engine,
            args: [
              'run',
              '--rm',
              '--name',
              name,
              '--workdir',
              cwd,
              '--volume',
              `${dirs.work}:${dirs.work}`,
              ...passed.flatMap((v) => ['--env', v]),
              image,
              ...words,
            ],
            cwd: dirs.work,
            env,
            onKill: () => execFile(engine, ['rm', '--force', name], () => {}),
          };
        },
      };
    }
  }
}
