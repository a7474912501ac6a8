/**
 * Training parameters (the seed's `Estimator(...)` and `fit(...)` arguments, in
 * camelCase) validated and turned into a `POST /v1/train` body, before any network call.
 *
 * Decisions where the seed is silent or disagrees with the contract:
 * - `trainInstanceCount` and `volumeSize` are integers in 1..10 (the seed's table says
 *   "<10", its text "at most 10"; the contract says 1..10).
 * - `inputs` and `outputPath` must be `s3://bucket/key`: the contract says so and the
 *   SDK moves data through S3. `initModel` and `inputFiles[].path` accept any
 *   `scheme://…` address, since the seed's examples are `docker://sd`; an `s3:` one must
 *   still be a valid S3 address.
 * - `inputs` is required for PRESET_ALGORITHM and BASIC_FRAMEWORK (contract) and
 *   optional for CUSTOM (the seed's CUSTOM example fits with `inputs=None`).
 * - `codeDir` or `gitInfo` is required for BASIC_FRAMEWORK only: the seed's CUSTOM table
 *   also says "one of the two", but its CUSTOM example (image + command) has neither, and
 *   the contract requires it for BASIC_FRAMEWORK alone. Both at once is a problem.
 * - A parameter that belongs to another framework type (`algorithm` on a CUSTOM job,
 *   `userImageUrl` on BASIC_FRAMEWORK, `codeDir` on PRESET_ALGORITHM…) is a problem
 *   rather than silently dropped. So is `customResource` outside PERSONAL_POOL.
 *   With PERSONAL_POOL, `trainInstanceType` is optional and sent when given.
 * - `bootType` belongs to BASIC_FRAMEWORK, beside the `bootFile` it starts (the seed's
 *   tables do not list it; the contract leaves it unmarked).
 * - `resourcePoolType`, `bootType` and `flowInput` are sent only when given (the
 *   platform's defaults are PUBLIC_POOL, NORMAL and 0).
 * - `maxRuntime` is a positive integer of seconds, with no upper bound.
 * - `hyperparameters` and `env` names must be unique; `env` names are POSIX names.
 * - `userCommandArgs` is one string passed through as `args` (the platform splits it
 *   like a POSIX shell); an unclosed quote in it is a problem.
 * @module
 */
import type * as E from 'fp-ts/lib/Either.js';
import { MAX_INSTANCE_COUNT, MAX_VOLUME_SIZE, MIN_INSTANCE_COUNT, MIN_VOLUME_SIZE } from '../../defaults.js';
import type { ValidationError } from '../../errors.js';
import type { MonitorSpec } from '../monitors.js';
import type { TrainCreate } from '../training.js';
import { type CodeSource, codeSource, type GitInfo } from './code.js';
import { monitors } from './monitoring.js';
import { hyperparameters as hyperparameterList, type NameValue, nameValues } from './pairs.js';
import {
  type CustomResource,
  customResource,
  DEFAULT_RESOURCE_POOL_TYPE,
  RESOURCE_POOL_TYPES,
  type ResourcePoolType,
  type WireCustomResource,
} from './resources.js';
import {
  conclude,
  defined,
  flag,
  forTypes,
  integer,
  isAbsent,
  list,
  noDuplicates,
  oneOf,
  type Problems,
  parameters,
  positiveInteger,
  record,
  s3Path,
  text,
  unused,
  uri,
} from './rules.js';

/** The three kinds of training job. */
export const TRAIN_FRAMEWORK_TYPES = ['PRESET_ALGORITHM', 'BASIC_FRAMEWORK', 'CUSTOM'] as const;
/** A kind of training job. */
export type TrainFrameworkType = (typeof TRAIN_FRAMEWORK_TYPES)[number];

/** How a BASIC_FRAMEWORK job's processes are started; NORMAL is the platform's default. */
export const BOOT_TYPES = ['NORMAL', 'HOROVOD'] as const;
/** How a job's processes are started. */
export type BootType = (typeof BOOT_TYPES)[number];

/** A file made available to the job: a name and an address such as `s3://…` or `docker://…`. */
export interface InputFile {
  readonly name: string;
  readonly path: string;
}

/**
 * A training job as the user describes it (seed name in brackets). Which fields are
 * required depends on `frameworkType`: see {@link toTrainCreate}.
 */
export interface TrainParams {
  /** [job_name] The job's unique name. */
  readonly jobName: string;
  /** [framework_type] PRESET_ALGORITHM, BASIC_FRAMEWORK or CUSTOM. */
  readonly frameworkType: TrainFrameworkType;
  /** [train_instance_type] A TRAIN machine id from the catalog; required in PUBLIC_POOL. */
  readonly trainInstanceType?: number;
  /** [train_instance_count] Machines, 1..10. */
  readonly trainInstanceCount: number;
  /** [volume_size] Extra volume, 1..10. */
  readonly volumeSize: number;
  /** [resource_pool_type] PUBLIC_POOL (default) or PERSONAL_POOL. */
  readonly resourcePoolType?: ResourcePoolType;
  /** [custom_resource] The machine specification, with PERSONAL_POOL only (and required there). */
  readonly customResource?: CustomResource;
  /** [max_runtime] Seconds, a positive integer. */
  readonly maxRuntime?: number;
  /** [description] */
  readonly description?: string;
  /** [inputs] (fit argument) The training data, `s3://…`; required except for CUSTOM. */
  readonly inputs?: string | null;
  /** [output_path] Where the job's output goes, `s3://…`. */
  readonly outputPath: string;
  /** [hyperparameters] `[{ name, value }]`; a number stays a number on the wire, a boolean becomes text. */
  readonly hyperparameters?: readonly NameValue[];
  /** [monitors] Metrics read from log lines: group 1 of `regular` (or the first number it matches) is the value. */
  readonly monitors?: readonly MonitorSpec[];
  /** [algorithm] PRESET_ALGORITHM (required): a preset algorithm id. */
  readonly algorithm?: number;
  /** [init_model] PRESET_ALGORITHM: the model to start from, an address such as `s3://…`. */
  readonly initModel?: string;
  /** [framework] BASIC_FRAMEWORK (required): a TRAIN framework id. */
  readonly framework?: number;
  /** [code_dir] BASIC_FRAMEWORK, CUSTOM: `s3://…`, or a local directory the SDK uploads. */
  readonly codeDir?: string;
  /** [code_version] BASIC_FRAMEWORK, CUSTOM. */
  readonly codeVersion?: string;
  /** [git_info] BASIC_FRAMEWORK, CUSTOM: the code from a git repository instead of `codeDir`. */
  readonly gitInfo?: GitInfo;
  /** [boot_file] BASIC_FRAMEWORK (required): the script to run, e.g. `train.py`. */
  readonly bootFile?: string;
  /** [boot_type] BASIC_FRAMEWORK: NORMAL (default) or HOROVOD. */
  readonly bootType?: BootType;
  /** [input_files] `[{ name, path }]`. */
  readonly inputFiles?: readonly InputFile[];
  /** [user_image_url] CUSTOM (required): the image to run. */
  readonly userImageUrl?: string;
  /** [user_command] CUSTOM: the command, e.g. `/bin/bash`. */
  readonly userCommand?: string;
  /** [user_command_args] CUSTOM: the arguments as one string. */
  readonly userCommandArgs?: string;
  /** [env] CUSTOM: environment variables `[{ name, value }]`. */
  readonly env?: readonly NameValue[];
  /** [flow_input] Whether the data is streamed in; sent as 0/1. */
  readonly flowInput?: boolean | 0 | 1;
}

/** A validated training request: the wire body, and a local code directory still to upload. */
export interface TrainRequest {
  /** The `POST /v1/train` body. Without `codeUrl` while `localCodeDir` is set. */
  readonly body: TrainCreate;
  /** A local `codeDir`: upload it, then send the body with `codeUrl` set to where it went. */
  readonly localCodeDir?: string;
}

const KNOWN: readonly (keyof TrainParams)[] = [
  'jobName',
  'frameworkType',
  'trainInstanceType',
  'trainInstanceCount',
  'volumeSize',
  'resourcePoolType',
  'customResource',
  'maxRuntime',
  'description',
  'inputs',
  'outputPath',
  'hyperparameters',
  'monitors',
  'algorithm',
  'initModel',
  'framework',
  'codeDir',
  'codeVersion',
  'gitInfo',
  'bootFile',
  'bootType',
  'inputFiles',
  'userImageUrl',
  'userCommand',
  'userCommandArgs',
  'env',
  'flowInput',
];

/** The quote left open at the end of `args` read as a POSIX shell would, if any. */
function unclosedQuote(args: string): '"' | "'" | undefined {
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < args.length; i++) {
    const c = args[i];
    if (quote === "'") {
      if (c === "'") quote = undefined;
    } else if (c === '\\') {
      i++;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
    } else if (c === '"' || c === "'") {
      quote = c;
    }
  }
  return quote;
}

function commandArgs(problems: Problems, field: string, value: unknown): string | undefined {
  const args = text(problems, field, value, { nonEmpty: false });
  const quote = args === undefined ? undefined : unclosedQuote(args);
  if (quote !== undefined) {
    problems.push({
      field,
      message: `expected arguments as a shell would read them: a ${quote} quote is not closed`,
    });
    return undefined;
  }
  return args;
}

function inputFiles(problems: Problems, field: string, value: unknown): InputFile[] | undefined {
  const entries = list(problems, field, value);
  if (entries === undefined) return undefined;
  const before = problems.length;
  const out: InputFile[] = [];
  const names = entries.map((entry, i) => {
    const at = `${field}[${i}]`;
    const fields = record(problems, at, entry, ['name', 'path'], { required: true, shape: '{ name, path }' });
    if (fields === undefined) return undefined;
    const name = text(problems, `${at}.name`, fields.name, { required: true });
    const path = uri(problems, `${at}.path`, fields.path, { required: true });
    if (name !== undefined && path !== undefined) out.push({ name, path });
    return name;
  });
  noDuplicates(problems, field, 'name', names);
  return problems.length === before ? out : undefined;
}

/**
 * Validates training parameters and builds the `POST /v1/train` body. Every problem is
 * listed at once, each naming its parameter (`trainInstanceCount`, `gitInfo.branch`,
 * `monitors[0].regular`); no secret value appears in a message.
 *
 * Always: `jobName`, `frameworkType`, `trainInstanceCount`, `volumeSize`, `outputPath`;
 * `trainInstanceType` in PUBLIC_POOL, `customResource` in PERSONAL_POOL.
 * PRESET_ALGORITHM: `algorithm`, `inputs`. BASIC_FRAMEWORK: `framework`, `bootFile`,
 * `inputs`, `codeDir` or `gitInfo`. CUSTOM: `userImageUrl`.
 *
 * @returns `Right({ body, localCodeDir? })`, or `Left(ValidationError)`.
 * @example
 * ```ts
 * const request = toTrainCreate({ jobName: 'iris', frameworkType: 'CUSTOM', userImageUrl: 'registry/iris:1',
 *   trainInstanceType: 500050, trainInstanceCount: 1, volumeSize: 1, outputPath: 's3://bucket/out/' });
 * if (E.isLeft(request)) for (const p of request.left.problems) console.error(`${p.field}: ${p.message}`);
 * ```
 */
export function toTrainCreate(params: TrainParams): E.Either<ValidationError, TrainRequest> {
  const problems: Problems = [];
  const p = parameters(problems, params, KNOWN);

  const name = text(problems, 'jobName', p.jobName, { required: true });
  const type = oneOf(problems, 'frameworkType', p.frameworkType, TRAIN_FRAMEWORK_TYPES, { required: true });
  const scope = (
    usedWith: readonly TrainFrameworkType[],
    requiredWith: readonly TrainFrameworkType[] = [],
  ) => ({
    typeField: 'frameworkType',
    type,
    usedWith,
    requiredWith,
  });

  // Hardware: the seed's "all required" rows, as the contract refines them per pool.
  const poolGiven = oneOf(problems, 'resourcePoolType', p.resourcePoolType, RESOURCE_POOL_TYPES);
  const pool = isAbsent(p.resourcePoolType) ? DEFAULT_RESOURCE_POOL_TYPE : poolGiven;
  const resourceId = positiveInteger(problems, 'trainInstanceType', p.trainInstanceType, {
    required: pool === 'PUBLIC_POOL',
    because: 'with resourcePoolType PUBLIC_POOL (the default)',
  });
  const instance = integer(problems, 'trainInstanceCount', p.trainInstanceCount, {
    required: true,
    min: MIN_INSTANCE_COUNT,
    max: MAX_INSTANCE_COUNT,
  });
  const volumeSize = integer(problems, 'volumeSize', p.volumeSize, {
    required: true,
    min: MIN_VOLUME_SIZE,
    max: MAX_VOLUME_SIZE,
  });
  let custom: WireCustomResource | undefined;
  if (pool === 'PUBLIC_POOL') {
    unused(problems, 'customResource', p.customResource, 'resourcePoolType', ['PERSONAL_POOL']);
  } else {
    custom = customResource(problems, 'customResource', p.customResource, {
      required: pool === 'PERSONAL_POOL',
      because: 'with resourcePoolType PERSONAL_POOL',
    });
  }

  // Every framework type.
  const maxRuntime = positiveInteger(problems, 'maxRuntime', p.maxRuntime);
  const description = text(problems, 'description', p.description, { nonEmpty: false });
  const dataUrl = s3Path(problems, 'inputs', p.inputs, {
    required: type === 'PRESET_ALGORITHM' || type === 'BASIC_FRAMEWORK',
    because: `with frameworkType ${type}`,
  });
  const output = s3Path(problems, 'outputPath', p.outputPath, { required: true });
  const hyperparameters = hyperparameterList(problems, 'hyperparameters', p.hyperparameters);
  const monitorSpecs = monitors(problems, 'monitors', p.monitors);
  const files = inputFiles(problems, 'inputFiles', p.inputFiles);
  const isFlowInput = flag(problems, 'flowInput', p.flowInput);

  // PRESET_ALGORITHM.
  const algorithmId = forTypes(
    problems,
    scope(['PRESET_ALGORITHM'], ['PRESET_ALGORITHM']),
    'algorithm',
    p.algorithm,
    (presence) => positiveInteger(problems, 'algorithm', p.algorithm, presence),
  );
  const modeUrl = forTypes(problems, scope(['PRESET_ALGORITHM']), 'initModel', p.initModel, () =>
    uri(problems, 'initModel', p.initModel),
  );

  // BASIC_FRAMEWORK.
  const basic = scope(['BASIC_FRAMEWORK'], ['BASIC_FRAMEWORK']);
  const frameworkId = forTypes(problems, basic, 'framework', p.framework, (presence) =>
    positiveInteger(problems, 'framework', p.framework, presence),
  );
  const startup = forTypes(problems, basic, 'bootFile', p.bootFile, (presence) =>
    text(problems, 'bootFile', p.bootFile, presence),
  );
  const startupType = forTypes(problems, scope(['BASIC_FRAMEWORK']), 'bootType', p.bootType, () =>
    oneOf(problems, 'bootType', p.bootType, BOOT_TYPES),
  );

  // Code: BASIC_FRAMEWORK (required) and CUSTOM (optional).
  const withCode = scope(['BASIC_FRAMEWORK', 'CUSTOM']);
  let code: CodeSource | undefined;
  if (type === 'PRESET_ALGORITHM') {
    unused(problems, 'codeDir', p.codeDir, 'frameworkType', withCode.usedWith);
    unused(problems, 'gitInfo', p.gitInfo, 'frameworkType', withCode.usedWith);
  } else {
    code = codeSource(
      problems,
      { field: 'codeDir', value: p.codeDir },
      { field: 'gitInfo', value: p.gitInfo },
      type === 'BASIC_FRAMEWORK' ? { because: 'with frameworkType BASIC_FRAMEWORK' } : undefined,
    );
  }
  const codeVersion = forTypes(problems, withCode, 'codeVersion', p.codeVersion, (presence) =>
    text(problems, 'codeVersion', p.codeVersion, presence),
  );

  // CUSTOM.
  const customOnly = scope(['CUSTOM'], ['CUSTOM']);
  const mirrorUrl = forTypes(problems, customOnly, 'userImageUrl', p.userImageUrl, (presence) =>
    text(problems, 'userImageUrl', p.userImageUrl, presence),
  );
  if (mirrorUrl !== undefined && /\s/.test(mirrorUrl)) {
    problems.push({ field: 'userImageUrl', message: 'expected an image reference, without spaces' });
  }
  const command = forTypes(problems, customOnly, 'userCommand', p.userCommand, () =>
    text(problems, 'userCommand', p.userCommand),
  );
  const args = forTypes(problems, customOnly, 'userCommandArgs', p.userCommandArgs, () =>
    commandArgs(problems, 'userCommandArgs', p.userCommandArgs),
  );
  const envs = forTypes(problems, customOnly, 'env', p.env, () =>
    nameValues(problems, 'env', p.env, { envNames: true }),
  );

  return conclude(problems, (): TrainRequest => {
    const body: TrainCreate = defined({
      name: name!,
      type: type!,
      resourceId,
      instance: instance!,
      volumeSize: volumeSize!,
      resourcePoolType: poolGiven,
      customResource: custom,
      maxRuntime,
      description,
      dataUrl,
      output: output!,
      parameters: hyperparameters,
      monitors: monitorSpecs,
      algorithmId,
      modeUrl,
      frameworkId,
      codeUrl: code?.codeUrl,
      codeVersion,
      gitInfo: code?.gitInfo,
      startup,
      startupType,
      inputFiles: files,
      mirrorUrl,
      command,
      args,
      envs,
      isFlowInput,
    });
    const localCodeDir = code?.localCodeDir;
    return localCodeDir === undefined ? { body } : { body, localCodeDir };
  });
}
