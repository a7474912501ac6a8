/**
 * What process each serving instance of a model version runs, by model type. Every
 * instance gets `PORT` (its own loopback port) and `MODELMAKER_MODEL_DIR` (where
 * `modelPath` was downloaded; empty when the model has none), plus
 * `MODELMAKER_CODE_DIR` when `codeUrl` was downloaded, the service model's `envs`
 * and the host's environment (the platform's variables win):
 *
 * - PRESET_MODEL: the built-in predictor server (`predictorServer.ts`) on the
 *   model's `model.json`, working directory the model dir.
 * - BASIC_FRAMEWORK: the PREDICT framework's interpreter (`node` → the running
 *   Node.js, `python3` → `python3` from the PATH) on `startup`, a file inside the
 *   code, working directory the code dir. The model's own server must answer
 *   `POST /ModelMaker/predict` on `PORT` (on 127.0.0.1).
 * - CUSTOM: **extension** — when the service model's `envs` hold
 *   {@link HOST_COMMAND_VARIABLE} (`MODELMAKER_HOST_COMMAND`), that command line
 *   runs on the host (split into words as a POSIX shell would, no shell, no
 *   expansion; working directory the code dir when `codeUrl` was given, else the
 *   model dir), and must serve on `PORT` like a BASIC_FRAMEWORK boot file. Without
 *   it, the image (`mirrorUrl`) runs in a container engine (`docker`/`podman`
 *   answering `info`): `run --rm`, the port published on 127.0.0.1, the model and
 *   code dirs mounted read-only at the same paths, the variables passed with
 *   `--env`, readiness checked over HTTP. With neither, the deploy fails with a
 *   reason that says so.
 * @module
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { ModelCreate } from 'modelmaker';
import { ModelMakerError } from 'modelmaker';
import { findPredictFramework, findPresetModel } from '../catalog.js';
import { splitWords } from '../runner/launch.js';
import { predictorServerCommand } from './predictorCommand.js';
import type { ProbeKind } from './probe.js';

/** The service model env var holding a host command for a CUSTOM model (extension; see the module doc). */
export const HOST_COMMAND_VARIABLE = 'MODELMAKER_HOST_COMMAND';

/** A model version that cannot be served as given (unknown framework, missing boot file, no way to run CUSTOM). */
export class ServingPlanError extends ModelMakerError {
  readonly _tag = 'ServingPlanError' as const;
  override readonly name = 'ServingPlanError';
  constructor(message: string) {
    super(message, { reason: 'plan' });
  }
}

/** Where a model version's files were downloaded for serving. */
export interface ServingDirectories {
  /** `modelPath`'s files (empty when the model has none). */
  readonly model: string;
  /** `codeUrl`'s files, when the model has code. */
  readonly code: string | undefined;
}

/** The process of one instance. */
export interface ServingCommand {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  /** Called when the instance is killed (e.g. to remove its container). */
  readonly onKill?: () => void;
}

/** How a model version's instances are started and probed. */
export interface ServingPlan {
  /** Lines for the service log (what runs, where). */
  readonly notes: readonly string[];
  readonly probe: ProbeKind;
  /** The process of instance `index` on `port`, given its full environment (`PORT` included). */
  instance(index: number, port: number, env: Readonly<Record<string, string>>): ServingCommand;
}

async function insideFile(directory: string, path: string, field: string): Promise<string> {
  const full = resolve(directory, path);
  const rel = relative(directory, full);
  if (isAbsolute(path) || rel === '' || rel.split(sep)[0] === '..') {
    throw new ServingPlanError(`${field} must be a path inside the code, got ${JSON.stringify(path)}`);
  }
  const info = await stat(full).catch(() => undefined);
  if (!info?.isFile())
    throw new ServingPlanError(`${field} ${JSON.stringify(path)} is not a file in the code`);
  return full;
}

/**
 * Plans how a model version's instances run. `envs` are the service model's;
 * `engine` is the container engine for CUSTOM images, or null for none.
 *
 * @throws ServingPlanError when the model version cannot be served as given.
 */
export async function planServing(
  model: ModelCreate,
  dirs: ServingDirectories,
  envs: readonly { readonly name: string; readonly value: string | number }[],
  engine: () => Promise<string | null>,
): Promise<ServingPlan> {
  const host =
    (command: string, args: readonly string[], cwd: string): ServingPlan['instance'] =>
    (_index, _port, env) => ({ command, args, cwd, env });
  switch (model.type) {
    case 'PRESET_MODEL': {
      const preset = model.presetModelId === undefined ? undefined : findPresetModel(model.presetModelId);
      if (!preset)
        throw new ServingPlanError(`presetModelId ${model.presetModelId} is not a preset model here`);
      const { command, args } = await predictorServerCommand();
      return {
        notes: [`serving preset model ${preset.name} with the built-in predictor`],
        probe: 'tcp',
        instance: host(command, args, dirs.model),
      };
    }
    case 'BASIC_FRAMEWORK': {
      const framework = model.frameworkId === undefined ? undefined : findPredictFramework(model.frameworkId);
      if (!framework) {
        throw new ServingPlanError(
          `frameworkId ${model.frameworkId} is not a PREDICT framework of this platform`,
        );
      }
      if (!model.startup)
        throw new ServingPlanError('startup (the boot file) is required for BASIC_FRAMEWORK');
      if (!dirs.code) throw new ServingPlanError('codeUrl is required for BASIC_FRAMEWORK');
      const file = await insideFile(dirs.code, model.startup, 'startup');
      return {
        notes: [`running ${model.startup} with ${framework.name} (${framework.interpreter})`],
        probe: 'tcp',
        instance: host(framework.interpreter, [file], dirs.code),
      };
    }
    case 'CUSTOM': {
      const image = model.mirrorUrl ?? '';
      const cwd = dirs.code ?? dirs.model;
      const hostCommand = envs.find((e) => e.name === HOST_COMMAND_VARIABLE);
      if (hostCommand !== undefined) {
        const words = splitWords(String(hostCommand.value), HOST_COMMAND_VARIABLE);
        if (words.length === 0) throw new ServingPlanError(`${HOST_COMMAND_VARIABLE} is empty`);
        return {
          notes: [`image ${image} recorded; running ${HOST_COMMAND_VARIABLE} (${words[0]}) on the host`],
          probe: 'tcp',
          instance: host(words[0]!, words.slice(1), cwd),
        };
      }
      const found = await engine();
      if (found === null) {
        throw new ServingPlanError(
          `CUSTOM model image ${image} needs a container engine (docker or podman answering "info"), ` +
            `and none was found; to run the model's server on the host instead, give the service model ` +
            `the env ${HOST_COMMAND_VARIABLE} with its command line`,
        );
      }
      const mounts = [dirs.model, ...(dirs.code ? [dirs.code] : [])];
      return {
        notes: [`image ${image}: running in a ${found} container`],
        probe: 'http',
        instance: (index, port, env) => {
          const name = `modelmaker-serve-${index}-${randomBytes(4).toString('hex')}`;
          const passed = ['PORT', 'MODELMAKER_MODEL_DIR', 'MODELMAKER_CODE_DIR', ...envs.map((e) => e.name)];
          return {
            command: found,
            args: [
              'run',
              '--rm',
              '--name',
              name,
              '--publish',
              `127.0.0.1:${port}:${port}`,
              '--workdir',
              cwd,
              ...mounts.flatMap((dir) => ['--volume', `${dir}:${dir}:ro`]),
              ...[...new Set(passed)].filter((v) => env[v] !== undefined).flatMap((v) => ['--env', v]),
              image,
            ],
            cwd,
            env,
            onKill: () => execFile(found, ['rm', '--force', name], () => {}),
          };
        },
      };
    }
  }
}
