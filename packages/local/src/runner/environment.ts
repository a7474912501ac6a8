/**
 * The environment of a training process, as the contract's "What a training process
 * sees" says: the host's environment, then the job's `envs`, then the platform's
 * variables (which win, so a job cannot point `MODELMAKER_OUTPUT_DIR` elsewhere):
 * `MODELMAKER_DATA_DIR`, `MODELMAKER_OUTPUT_DIR`, `MODELMAKER_CODE_DIR`,
 * `MODELMAKER_HYPERPARAMETERS` (a JSON object of the `parameters`, values as given),
 * `MM_HP_<NAME>` per hyperparameter (name upper-cased, other characters than
 * `A-Z0-9_` replaced by `_`), `MODELMAKER_INSTANCE_RANK` (0-based),
 * `MODELMAKER_INSTANCE_COUNT`, and `MODELMAKER_INIT_MODEL_DIR` when `modeUrl` was
 * downloaded (extension). `PYTHONUNBUFFERED=1` is set unless given, so Python's
 * prints reach the log as they happen.
 *
 * The host's variables that configure the platform itself — the external S3's
 * `MODELMAKER_S3_*`, its secret keys among them (`externalS3.ts`) — are left out:
 * they are the platform's, not the job's.
 * @module
 */
import { EXTERNAL_S3_ENV } from '../externalS3.js';

/** Host variables a training or serving process never inherits (the platform's own configuration). */
const PLATFORM_ONLY_VARIABLES: ReadonlySet<string> = new Set(Object.values(EXTERNAL_S3_ENV));

/** A `{ name, value }` pair as the wire carries it. */
export interface NameValuePair {
  readonly name: string;
  readonly value: string | number;
}

/** The directories of a run. */
export interface RunDirectories {
  readonly work: string;
  readonly data: string;
  readonly code: string;
  readonly output: string;
  /** Where `modeUrl` was downloaded, when it was. */
  readonly initModel?: string | undefined;
}

/** `MM_HP_<NAME>` for a hyperparameter name. */
export function hyperparameterVariable(name: string): string {
  return `MM_HP_${name.toUpperCase().replace(/[^A-Z0-9_]/g, '_')}`;
}

/** The variables the platform sets (without the host's environment). */
export function platformVariables(
  dirs: RunDirectories,
  parameters: readonly NameValuePair[],
  rank: number,
  count: number,
): Record<string, string> {
  const hyperparameters = Object.fromEntries(parameters.map((p) => [p.name, p.value]));
  const vars: Record<string, string> = {
    MODELMAKER_DATA_DIR: dirs.data,
    MODELMAKER_OUTPUT_DIR: dirs.output,
    MODELMAKER_CODE_DIR: dirs.code,
    MODELMAKER_HYPERPARAMETERS: JSON.stringify(hyperparameters),
    MODELMAKER_INSTANCE_RANK: String(rank),
    MODELMAKER_INSTANCE_COUNT: String(count),
  };
  if (dirs.initModel !== undefined) vars.MODELMAKER_INIT_MODEL_DIR = dirs.initModel;
  for (const p of parameters) vars[hyperparameterVariable(p.name)] = String(p.value);
  return vars;
}

/** True for a name an environment entry can carry: not empty, no `=` (it would end the name), no NUL. */
export function isEnvironmentName(name: string): boolean {
  return name !== '' && !/[=\0]/.test(name);
}

/**
 * The whole environment of one instance: host (without the platform's own
 * configuration, see the module doc), then `envs`, then the platform's variables. An `envs` name with `=` or NUL is left out: submits refuse them (the
 * `EnvVar` codec), so only a version stored before that check can carry one, and it
 * would reach the process as another variable's assignment, ahead of the platform's.
 */
export function trainingEnvironment(
  host: NodeJS.ProcessEnv,
  envs: readonly NameValuePair[],
  platform: Readonly<Record<string, string>>,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(host)) {
    if (value !== undefined && !PLATFORM_ONLY_VARIABLES.has(name)) env[name] = value;
  }
  env.PYTHONUNBUFFERED ??= '1';
  for (const e of envs) if (isEnvironmentName(e.name)) env[e.name] = String(e.value);
  return Object.assign(env, platform);
}
