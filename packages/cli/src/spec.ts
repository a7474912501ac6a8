/**
 * Spec files and flags → the SDK's parameter objects. A spec file is a JSON object
 * using the seed's parameter names (`job_name`, `train_instance_count`,
 * `model_mirrorUrl`, `service_models`…) or their camelCase forms (`jobName`); both
 * map to the same parameter. Flags override the file. Validation problems are
 * reported with the names the user wrote: the spec key, or the flag.
 * @module
 */
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { InvalidArgumentError } from 'commander';
import type { FieldProblem, ValidationError } from 'modelmaker';
import { SpecError, UsageError } from './errors.js';

/** Seed (snake_case) name → SDK (camelCase) name, for `train`. */
export const TRAIN_SEED_NAMES: Readonly<Record<string, string>> = {
  job_name: 'jobName',
  framework_type: 'frameworkType',
  train_instance_type: 'trainInstanceType',
  train_instance_count: 'trainInstanceCount',
  volume_size: 'volumeSize',
  resource_pool_type: 'resourcePoolType',
  custom_resource: 'customResource',
  max_runtime: 'maxRuntime',
  description: 'description',
  inputs: 'inputs',
  output_path: 'outputPath',
  hyperparameters: 'hyperparameters',
  monitors: 'monitors',
  algorithm: 'algorithm',
  init_model: 'initModel',
  framework: 'framework',
  code_dir: 'codeDir',
  code_version: 'codeVersion',
  git_info: 'gitInfo',
  boot_file: 'bootFile',
  boot_type: 'bootType',
  input_files: 'inputFiles',
  user_image_url: 'userImageUrl',
  user_command: 'userCommand',
  user_command_args: 'userCommandArgs',
  env: 'env',
  flow_input: 'flowInput',
};

/** Seed name → SDK name, for `models create`. */
export const MODEL_SEED_NAMES: Readonly<Record<string, string>> = {
  model_name: 'modelName',
  model_version: 'modelVersion',
  model_framework_type: 'modelFrameworkType',
  model_framework: 'modelFramework',
  model_path: 'modelPath',
  model_code_dir: 'modelCodeDir',
  model_git_info: 'modelGitInfo',
  model_boot_file: 'modelBootFile',
  model_call_specs: 'modelCallSpecs',
  model_mirrorUrl: 'modelMirrorUrl',
  model_mirror_url: 'modelMirrorUrl',
  model_description: 'modelDescription',
};

/** Seed name → SDK name, for `services deploy` (service model entries keep their wire names, as in the seed). */
export const DEPLOY_SEED_NAMES: Readonly<Record<string, string>> = {
  service_name: 'serviceName',
  service_type: 'serviceType',
  service_models: 'serviceModels',
};

/** Parameters gathered from a spec file and flags, with the name each was given under. */
export interface Gathered {
  /** SDK (camelCase) name → value. */
  readonly params: Record<string, unknown>;
  /** SDK name → how the user wrote it (`train_instance_count`, `--instance-count`). */
  readonly labels: ReadonlyMap<string, string>;
  /** SDK name → the flag that sets it, for every flag of the command. */
  readonly flagNames: ReadonlyMap<string, string>;
  /** How to name a parameter the user did not write: as the seed does (snake_case), or camelCase. */
  readonly style: 'seed' | 'camel';
  /** Where they came from, for messages: the file, `flags`, or `<file> and flags`. */
  readonly source: string;
  /** The directory relative local paths of the spec file are resolved against. */
  readonly baseDir: string;
}

/**
 * Reads a spec file: `-` reads stdin. Fails with `UsageError` when it cannot be read,
 * is not JSON, or is not a JSON object.
 */
export async function readSpecFile(path: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = path === '-' ? await readStdin() : await readFile(path, 'utf8');
  } catch (cause) {
    const code = (cause as { code?: string }).code ?? String(cause);
    throw new UsageError(`cannot read spec file ${path}: ${code}`, { cause });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new UsageError(`spec file ${path} is not JSON: ${(cause as Error).message}`, { cause });
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new UsageError(`spec file ${path} must hold one JSON object of parameters`);
  }
  return json as Record<string, unknown>;
}

/** All of stdin as text. */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Maps a spec object's keys to SDK names with `seedNames` (camelCase keys are kept),
 * then lays `flags` (SDK name → `{ value, flag }`, undefined values ignored) over it.
 * A parameter given twice in the file (`job_name` and `jobName`) fails with `SpecError`.
 */
export function gather(
  spec: Readonly<Record<string, unknown>> | undefined,
  file: string | undefined,
  seedNames: Readonly<Record<string, string>>,
  flags: Readonly<Record<string, { readonly value: unknown; readonly flag: string }>>,
): Gathered {
  const params: Record<string, unknown> = {};
  const labels = new Map<string, string>();
  const twice: FieldProblem[] = [];
  let seedKeys = 0;
  for (const [key, value] of Object.entries(spec ?? {})) {
    const name = seedNames[key] ?? key;
    if (seedNames[key] !== undefined && key.includes('_')) seedKeys++;
    const earlier = labels.get(name);
    if (earlier !== undefined) {
      twice.push({ field: key, message: `the same parameter as ${earlier}; give it once` });
      continue;
    }
    params[name] = value;
    labels.set(name, key);
  }
  const flagNames = new Map<string, string>();
  let flagged = false;
  for (const [name, { value, flag }] of Object.entries(flags)) {
    flagNames.set(name, flag);
    if (value === undefined) continue;
    params[name] = value;
    labels.set(name, flag);
    flagged = true;
  }
  const source = file === undefined ? 'flags' : flagged ? `${file} and flags` : file;
  if (twice.length > 0) throw new SpecError(source, twice);
  const baseDir = file === undefined || file === '-' ? process.cwd() : dirname(resolve(file));
  const style = file === undefined || seedKeys > 0 ? 'seed' : 'camel';
  return { params, labels, flagNames, style, source, baseDir };
}

/** Edit distance of two short names (insertions, deletions, substitutions, transpositions). */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [
    i,
    ...Array<number>(b.length).fill(0),
  ]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/** Most edits for a "did you mean" suggestion. */
const SUGGESTION_DISTANCE = 2;

/**
 * The SDK's `ValidationError` as a {@link SpecError} naming every parameter as the user
 * wrote it — in field paths (`serviceModels[0].weight` → `service_models[0].weight`) and
 * inside messages ("give either codeDir or gitInfo" → "give either code_dir or
 * git_info"; only compound names there, since `framework` or `inputs` in a message,
 * "no TRAIN framework 999", are words). A parameter the user did not write is named by its flag when only flags
 * were given, else in the spec's style (seed snake_case or camelCase). An unknown key
 * close to a parameter's name gets a "did you mean" hint.
 */
export function toSpecError(
  error: ValidationError,
  gathered: Gathered,
  seedNames: Readonly<Record<string, string>>,
): SpecError {
  const seedOf = new Map<string, string>();
  for (const [seed, sdk] of Object.entries(seedNames)) if (!seedOf.has(sdk)) seedOf.set(sdk, seed);
  const nameOf = (sdk: string): string => {
    const label = gathered.labels.get(sdk);
    if (label !== undefined) return label;
    const flag = gathered.flagNames.get(sdk);
    if (gathered.source === 'flags' && flag !== undefined) return flag;
    return gathered.style === 'seed' ? (seedOf.get(sdk) ?? sdk) : sdk;
  };
  const known = [...seedOf.keys()];
  // only compound names are taken for mentions: `framework`, `inputs` or `env` in a message are words
  const mentions = new RegExp(`\\b(${known.filter((sdk) => /[A-Z]/.test(sdk)).join('|')})\\b`, 'g');
  const problems = error.problems.map((problem): FieldProblem => {
    const root = /^[^.[]+/.exec(problem.field)?.[0] ?? problem.field;
    const field = seedOf.has(root) ? nameOf(root) + problem.field.slice(root.length) : problem.field;
    let message = problem.message.replace(mentions, (sdk) => nameOf(sdk));
    if (message === 'unknown parameter') {
      const candidates = gathered.style === 'seed' ? known.map((sdk) => seedOf.get(sdk)!) : known;
      const near = candidates
        .map((candidate) => ({ candidate, d: distance(field.toLowerCase(), candidate.toLowerCase()) }))
        .sort((a, b) => a.d - b.d)[0];
      if (near !== undefined && near.d <= SUGGESTION_DISTANCE)
        message = `unknown parameter (did you mean ${near.candidate}?)`;
    }
    return { field, message };
  });
  return new SpecError(gathered.source, problems, error);
}

/**
 * A local path from the spec file, resolved against the spec file's directory (flags:
 * the working directory); `s3://…` and other addresses are returned unchanged.
 */
export function resolveLocal(path: string, gathered: Gathered, name: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(path) || isAbsolute(path)) return path;
  const fromFlag = gathered.labels.get(name)?.startsWith('--') === true;
  return resolve(fromFlag ? process.cwd() : gathered.baseDir, path);
}

/** A flag value as a number when it reads as one, else as given (so validation names the field and the kind). */
export function numberish(value: string): number | string {
  return /^-?\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : value;
}

/** Collects repeated `NAME=VALUE` flags into `[{ name, value }]`. */
export function collectPairs(
  value: string,
  previous: Array<{ name: string; value: string }> | undefined,
): Array<{ name: string; value: string }> {
  const at = value.indexOf('=');
  if (at <= 0) throw new InvalidArgumentError('expected NAME=VALUE');
  return [...(previous ?? []), { name: value.slice(0, at), value: value.slice(at + 1) }];
}
