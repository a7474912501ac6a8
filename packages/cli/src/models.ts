/**
 * `modelmaker models ls|info|create|rm`: registered models and their versions.
 * `create` takes a JSON spec file with the seed's `create_model` parameter names
 * (`model_name`, `model_version`, `model_framework_type`…), flags, or both; with
 * `--from-job <jobId>` (the job's latest FINISHED version) or `--from-version
 * <versionId>` (that training version) the finished training version supplies what is
 * left out, as the seed's Estimator does (name, output path, kind, serving framework).
 * @module
 */
import { Command, Option } from 'commander';
import {
  createModel,
  deleteModel,
  deleteModelVersion,
  ERROR_CODES,
  finishedVersion,
  getModel,
  getModelVersion,
  getTrain,
  getTrainVersion,
  hasTag,
  isErrorCode,
  listModels,
  MODEL_FRAMEWORK_TYPES,
  type ModelParams,
  type ModelSource,
  type RegisteredModel,
  redact,
  type TrainingNotFinished,
  type TrainJobDetail,
  type TrainVersionSummary,
  type ValidationError,
} from 'modelmaker';
import { lastValueFrom } from 'rxjs';
import { action, type Context, EXIT } from './context.js';
import { UsageError } from './errors.js';
import type { ExitCode } from './exitCodes.js';
import { collect, id } from './ids.js';
import { runUntilInterrupted } from './interrupt.js';
import { formatTime, jsonText, localTimes, oneLine, printDetail, printList, toEpochMs } from './output.js';
import { transferDisplay } from './progress.js';
import { gather, MODEL_SEED_NAMES, numberish, readSpecFile, resolveLocal, toSpecError } from './spec.js';

async function ls(context: Context): Promise<ExitCode> {
  const session = await context.session();
  const { models } = await lastValueFrom(listModels(session));
  printList(
    context.out,
    context.json,
    models,
    ['ID', 'NAME', 'TYPE', 'LATEST VERSION', 'CREATED'],
    (m) => [m.id, m.name, m.type, m.latestVersionId, formatTime(m.createdAt)],
    '(no models)',
  );
  return EXIT.OK;
}

interface ByVersion {
  readonly versionId?: number;
}

function modelOrVersion(
  modelId: number | undefined,
  options: ByVersion,
  what: string,
): ['model' | 'version', number] {
  if (modelId !== undefined && options.versionId !== undefined) {
    throw new UsageError(`${what}: give a model id or --version-id, not both`);
  }
  if (options.versionId !== undefined) return ['version', options.versionId];
  if (modelId !== undefined) return ['model', modelId];
  throw new UsageError(`${what}: give a model id or --version-id <id>`);
}

async function info(context: Context, options: ByVersion, modelId?: number): Promise<ExitCode> {
  const [kind, target] = modelOrVersion(modelId, options, 'models info');
  const session = await context.session();
  if (kind === 'version') {
    const detail = redact(await lastValueFrom(getModelVersion(session, target))) as Record<string, unknown>;
    printDetail(context.out, context.json, context.json ? detail : localTimes(detail));
    return EXIT.OK;
  }
  const model = await lastValueFrom(getModel(session, target));
  if (context.json) {
    context.out.line(jsonText(redact(model)));
    return EXIT.OK;
  }
  const { versions, ...fields } = model;
  printDetail(context.out, false, localTimes(fields));
  context.out.line();
  printList(
    context.out,
    false,
    versions,
    ['VERSION ID', 'VERSION', 'TYPE', 'STATUS', 'MODEL PATH', 'CREATED'],
    (v) => [v.id, v.version, v.type, v.status, v.modelPath, formatTime(v.createdAt)],
    '(no versions)',
  );
  return EXIT.OK;
}

/** Options of `models create`, as parsed. */
interface CreateOptions {
  readonly name?: string;
  readonly modelVersion?: string;
  readonly type?: string;
  readonly framework?: string;
  readonly path?: string;
  readonly codeDir?: string;
  readonly bootFile?: string;
  readonly image?: string;
  readonly description?: string;
  readonly fromJob?: number;
  readonly fromVersion?: number;
  readonly ignore?: string[];
}

/** The training version a model comes from, and the flag that named it (for messages). */
interface TrainingOrigin {
  readonly versionId: number;
  readonly flag: '--from-job' | '--from-version';
}

/** The newest of `versions` that FINISHED (by creation time, then id), if any. */
export function latestFinished(versions: readonly TrainVersionSummary[]): TrainVersionSummary | undefined {
  const created = (v: TrainVersionSummary) => toEpochMs(v.createdAt) ?? Number.NEGATIVE_INFINITY;
  return versions
    .filter((v) => v.status === 'FINISH')
    .reduce<TrainVersionSummary | undefined>(
      (best, v) =>
        best === undefined || created(v) > created(best) || (created(v) === created(best) && v.id > best.id)
          ? v
          : best,
      undefined,
    );
}

/** How many versions of each status, for a message: `7 TRAINING, 5 TRAINING_FAIL`. */
function statusCounts(versions: readonly TrainVersionSummary[]): string {
  const counts = new Map<string, number[]>();
  for (const v of versions) {
    const status = v.status ?? 'UNKNOWN';
    counts.set(status, [...(counts.get(status) ?? []), v.id]);
  }
  return [...counts].map(([status, ids]) => `${ids.join(', ')} ${oneLine(status)}`).join('; ');
}

/**
 * The training version `--from-job <jobId>` (its latest FINISHED version) or
 * `--from-version <versionId>` names, or `undefined` with neither. Fails with
 * `UsageError` when both are given, or the job has no FINISHED version, or there is
 * no such job (saying so when the number is a training version's id).
 */
async function trainingOrigin(context: Context, options: CreateOptions): Promise<TrainingOrigin | undefined> {
  const { fromJob, fromVersion } = options;
  if (fromJob !== undefined && fromVersion !== undefined) {
    throw new UsageError('give --from-job <jobId> or --from-version <versionId>, not both');
  }
  if (fromVersion !== undefined) return { versionId: fromVersion, flag: '--from-version' };
  if (fromJob === undefined) return undefined;
  const session = await context.session();
  let job: TrainJobDetail;
  try {
    job = await lastValueFrom(getTrain(session, fromJob));
  } catch (error) {
    if (!isErrorCode(error, ERROR_CODES.NOT_FOUND)) throw error;
    const isVersion = await lastValueFrom(getTrainVersion(session, fromJob)).then(
      () => true,
      () => false,
    );
    throw new UsageError(
      `--from-job: there is no training job ${fromJob}` +
        (isVersion ? `; ${fromJob} is a training version: give --from-version ${fromJob}` : ''),
      { cause: error },
    );
  }
  const latest = latestFinished(job.versions);
  if (latest === undefined) {
    const name = job.name === undefined ? '' : ` (${oneLine(job.name)})`;
    throw new UsageError(
      job.versions.length === 0
        ? `--from-job: training job ${fromJob}${name} has no versions`
        : `--from-job: training job ${fromJob}${name} has no FINISHED version (versions ${statusCounts(job.versions)})`,
    );
  }
  return { versionId: latest.id, flag: '--from-job' };
}

/**
 * What the finished training version gives a model (name, kind, framework, output,
 * image), read from the platform. Fails with `UsageError` naming the flag when the
 * version has not finished, or its detail does not say its name, kind and output.
 */
async function finishedJob(context: Context, origin: TrainingOrigin): Promise<ModelSource> {
  const { versionId, flag } = origin;
  const session = await context.session();
  try {
    return await lastValueFrom(finishedVersion(session, versionId));
  } catch (error) {
    if (hasTag(error, 'TrainingNotFinished')) {
      const { status } = error as TrainingNotFinished;
      throw new UsageError(`${flag}: training version ${versionId} is ${oneLine(status)}, not FINISH`, {
        cause: error,
      });
    }
    if (isErrorCode(error, ERROR_CODES.NOT_FOUND)) {
      throw new UsageError(`${flag}: there is no training version ${versionId}`, { cause: error });
    }
    if (hasTag(error, 'DecodeError')) {
      // e.g. a platform whose version detail does not say the job's name, kind or output
      throw new UsageError(`${flag}: ${error.message}; give the model parameters instead`, {
        cause: error,
      });
    }
    throw error;
  }
}

async function create(context: Context, options: CreateOptions, specPath?: string): Promise<ExitCode> {
  const flags = {
    modelName: { value: options.name, flag: '--name' },
    modelVersion: { value: options.modelVersion, flag: '--model-version' },
    modelFrameworkType: { value: options.type, flag: '--type' },
    modelFramework: {
      value: options.framework === undefined ? undefined : numberish(options.framework),
      flag: '--framework',
    },
    modelPath: { value: options.path, flag: '--path' },
    modelCodeDir: { value: options.codeDir, flag: '--code-dir' },
    modelBootFile: { value: options.bootFile, flag: '--boot-file' },
    modelMirrorUrl: { value: options.image, flag: '--image' },
    modelDescription: { value: options.description, flag: '--description' },
  };
  const anyFlag = Object.values(flags).some((flag) => flag.value !== undefined);
  if (specPath === undefined && !anyFlag) {
    throw new UsageError('models create needs a spec file or flags (see modelmaker models create --help)');
  }
  const spec = specPath === undefined ? undefined : await readSpecFile(specPath);
  const gathered = gather(spec, specPath, MODEL_SEED_NAMES, flags);
  if (typeof gathered.params.modelCodeDir === 'string') {
    gathered.params.modelCodeDir = resolveLocal(gathered.params.modelCodeDir, gathered, 'modelCodeDir');
  }
  const origin = await trainingOrigin(context, options);
  const source = origin === undefined ? undefined : await finishedJob(context, origin);
  const session = await context.session();
  const display = transferDisplay(context, `upload ${String(gathered.params.modelCodeDir)}`);
  let registered: RegisteredModel | undefined;
  let end: Awaited<ReturnType<typeof runUntilInterrupted>>;
  try {
    end = await runUntilInterrupted(
      createModel(session, gathered.params as Partial<ModelParams>, source, {
        upload: { ignore: options.ignore },
        onUpload: (event) =>
          context.json ? context.out.line(jsonText({ type: 'upload', event })) : display.next(event),
      }),
      (model) => {
        registered = model;
      },
    );
  } catch (error) {
    if (hasTag(error, 'ValidationError'))
      throw toSpecError(error as ValidationError, gathered, MODEL_SEED_NAMES);
    throw error;
  } finally {
    display.stop();
  }
  if (end === 'interrupted' || registered === undefined) {
    context.err.line('interrupted: no model version was registered');
    return EXIT.INTERRUPTED;
  }
  const { modelId, versionId, body } = registered;
  const trainingVersionId = origin?.versionId;
  if (context.json) {
    context.out.line(
      jsonText({
        type: 'created',
        modelId,
        versionId,
        name: body.name,
        version: body.version,
        ...(trainingVersionId === undefined ? {} : { trainingVersionId }),
      }),
    );
  } else {
    const from = trainingVersionId === undefined ? '' : ` from training version ${trainingVersionId}`;
    context.out.line(
      `registered model ${oneLine(body.name)} (id ${modelId}) version ${oneLine(body.version)}${from}: model version id ${versionId}`,
    );
  }
  return EXIT.OK;
}

async function rm(context: Context, options: ByVersion, modelId?: number): Promise<ExitCode> {
  const [kind, target] = modelOrVersion(modelId, options, 'models rm');
  const session = await context.session();
  await lastValueFrom(kind === 'model' ? deleteModel(session, target) : deleteModelVersion(session, target));
  if (context.json)
    context.out.line(jsonText({ type: 'deleted', [kind === 'model' ? 'modelId' : 'versionId']: target }));
  else
    context.out.line(
      `deleted ${kind === 'model' ? `model ${target} and its versions` : `model version ${target}`}`,
    );
  return EXIT.OK;
}

/** The `models` command group. */
export function modelsCommand(): Command {
  const byVersion = (command: Command) =>
    command.option('--version-id <id>', 'a model version id instead of a model id', id);
  return new Command('models')
    .description('registered models and their versions')
    .addCommand(new Command('ls').description('list models').action(action(ls)))
    .addCommand(
      byVersion(
        new Command('info')
          .description('show a model and its versions, or one version with --version-id')
          .argument('[modelId]', 'model id', id),
      ).action(action(info)),
    )
    .addCommand(
      new Command('create')
        .description('register a model version from a JSON spec file (seed parameter names) and/or flags')
        .argument('[spec]', 'JSON spec file (- for stdin)')
        .option(
          '--from-job <jobId>',
          'a training job: its latest FINISHED version gives the defaults for name, path, kind, framework',
          id,
        )
        .option(
          '--from-version <versionId>',
          'a FINISHED training version (modelmaker jobs info <jobId> lists them), instead of --from-job',
          id,
        )
        .option('-n, --name <name>', 'model_name')
        .option('--model-version <version>', 'model_version, e.g. 1.0.0')
        .addOption(new Option('--type <type>', 'model_framework_type').choices(MODEL_FRAMEWORK_TYPES))
        .option('--framework <id>', 'model_framework: a preset model or PREDICT framework id')
        .option('--path <s3uri>', 'model_path: the model files')
        .option(
          '--code-dir <dir|s3uri>',
          'model_code_dir (BASIC_FRAMEWORK): a local directory is uploaded first',
        )
        .option('--boot-file <file>', 'model_boot_file (BASIC_FRAMEWORK)')
        .option('--image <url>', 'model_mirrorUrl (CUSTOM)')
        .option('--description <text>', 'model_description')
        .option(
          '--ignore <pattern>',
          'leave matching paths of a local code dir out of the upload (repeatable)',
          collect,
        )
        .addHelpText(
          'after',
          `
Examples:
  modelmaker models create --from-job 3 --model-version 1.0.0 --code-dir ./serve --boot-file serve.mjs
  modelmaker models create --from-version 12 --model-version 1.0.1 --code-dir ./serve --boot-file serve.mjs
  modelmaker models create model.json   # {"model_name": "iris", "model_version": "1.0.0", ...}`,
        )
        .action(action(create)),
    )
    .addCommand(
      byVersion(
        new Command('rm')
          .description('delete a model with all its versions, or one version with --version-id')
          .argument('[modelId]', 'model id', id),
      ).action(action(rm)),
    );
}
