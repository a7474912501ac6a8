/**
 * `modelmaker models ls|info|create|rm`: registered models and their versions.
 * `create` takes a JSON spec file with the seed's `create_model` parameter names
 * (`model_name`, `model_version`, `model_framework_type`…), flags, or both; with
 * `--from-job <versionId>` the finished training version supplies what is left out,
 * as the seed's Estimator does (name, output path, kind, serving framework).
 * @module
 */
import { Command, Option } from 'commander';
import {
  createModel,
  deleteModel,
  deleteModelVersion,
  finishedVersion,
  getModel,
  getModelVersion,
  hasTag,
  listModels,
  MODEL_FRAMEWORK_TYPES,
  type ModelParams,
  type ModelSource,
  type RegisteredModel,
  redact,
  type TrainingNotFinished,
  type ValidationError,
} from 'modelmaker';
import { lastValueFrom } from 'rxjs';
import { action, type Context, EXIT } from './context.js';
import { UsageError } from './errors.js';
import type { ExitCode } from './exitCodes.js';
import { collect, id } from './ids.js';
import { runUntilInterrupted } from './interrupt.js';
import { formatTime, jsonText, oneLine, printDetail, printList } from './output.js';
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
    printDetail(
      context.out,
      context.json,
      redact(await lastValueFrom(getModelVersion(session, target))) as Record<string, unknown>,
    );
    return EXIT.OK;
  }
  const model = await lastValueFrom(getModel(session, target));
  if (context.json) {
    context.out.line(jsonText(redact(model)));
    return EXIT.OK;
  }
  const { versions, ...fields } = model;
  printDetail(context.out, false, { ...fields, createdAt: formatTime(fields.createdAt) || undefined });
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
  readonly ignore?: string[];
}

/**
 * What the finished training version `versionId` gives a model (name, kind, framework,
 * output, image), read from the platform. Fails with `UsageError` when the version has
 * not finished, or its detail does not say its name, kind and output.
 */
async function finishedJob(context: Context, versionId: number): Promise<ModelSource> {
  const session = await context.session();
  try {
    return await lastValueFrom(finishedVersion(session, versionId));
  } catch (error) {
    if (hasTag(error, 'TrainingNotFinished')) {
      const { status } = error as TrainingNotFinished;
      throw new UsageError(`--from-job: training version ${versionId} is ${oneLine(status)}, not FINISH`, {
        cause: error,
      });
    }
    if (hasTag(error, 'DecodeError')) {
      // e.g. a platform whose version detail does not say the job's name, kind or output
      throw new UsageError(`--from-job: ${error.message}; give the model parameters instead`, {
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
  const source = options.fromJob === undefined ? undefined : await finishedJob(context, options.fromJob);
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
  if (context.json) {
    context.out.line(
      jsonText({ type: 'created', modelId, versionId, name: body.name, version: body.version }),
    );
  } else {
    context.out.line(
      `registered model ${oneLine(body.name)} (id ${modelId}) version ${oneLine(body.version)}: model version id ${versionId}`,
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
          '--from-job <versionId>',
          'a finished training version: defaults for name, path, kind, framework',
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
  modelmaker models create --from-job 12 --model-version 1.0.0 --code-dir ./serve --boot-file serve.mjs
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
