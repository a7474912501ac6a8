/**
 * `modelmaker train [spec.json] [flags]`: creates a training job (or a new version
 * of the job with that name) from a JSON spec file using the seed's parameter names
 * (`job_name`, `framework_type`, `train_instance_type`… or their camelCase forms),
 * flags, or both (flags win). A local `code_dir` is uploaded first, with a progress
 * bar. With `--watch` the live view follows and the exit status mirrors the job.
 * @module
 */
import { Command, Option } from 'commander';
import * as E from 'fp-ts/lib/Either.js';
import {
  fit,
  hasTag,
  TRAIN_FRAMEWORK_TYPES,
  type TrainParams,
  toTrainCreate,
  type ValidationError,
} from 'modelmaker';
import { action, type Context, EXIT } from './context.js';
import { UsageError } from './errors.js';
import type { ExitCode } from './exitCodes.js';
import { collect } from './ids.js';
import { runUntilInterrupted } from './interrupt.js';
import { jsonText, oneLine } from './output.js';
import { transferDisplay } from './progress.js';
import {
  collectPairs,
  gather,
  numberish,
  readSpecFile,
  resolveLocal,
  TRAIN_SEED_NAMES,
  toSpecError,
} from './spec.js';
import { runWatch } from './watch/run.js';

type Pairs = Array<{ name: string; value: string }>;

/** Options of `train`, as parsed. */
interface TrainOptions {
  readonly name?: string;
  readonly frameworkType?: string;
  readonly instanceType?: string;
  readonly instanceCount?: string;
  readonly volumeSize?: string;
  readonly inputs?: string;
  readonly output?: string;
  readonly algorithm?: string;
  readonly framework?: string;
  readonly codeDir?: string;
  readonly bootFile?: string;
  readonly image?: string;
  readonly command?: string;
  readonly args?: string;
  readonly maxRuntime?: string;
  readonly description?: string;
  readonly hyperparameter?: Pairs;
  readonly env?: Pairs;
  readonly monitor?: Pairs;
  readonly watch?: boolean;
  readonly stop?: boolean;
  readonly ignore?: string[];
}

const num = (value: string | undefined) => (value === undefined ? undefined : numberish(value));

/** The flags as SDK parameters, each with its flag name for messages. */
function trainFlags(options: TrainOptions) {
  return {
    jobName: { value: options.name, flag: '--name' },
    frameworkType: { value: options.frameworkType, flag: '--framework-type' },
    trainInstanceType: { value: num(options.instanceType), flag: '--instance-type' },
    trainInstanceCount: { value: num(options.instanceCount), flag: '--instance-count' },
    volumeSize: { value: num(options.volumeSize), flag: '--volume-size' },
    inputs: { value: options.inputs, flag: '--inputs' },
    outputPath: { value: options.output, flag: '--output' },
    algorithm: { value: num(options.algorithm), flag: '--algorithm' },
    framework: { value: num(options.framework), flag: '--framework' },
    codeDir: { value: options.codeDir, flag: '--code-dir' },
    bootFile: { value: options.bootFile, flag: '--boot-file' },
    userImageUrl: { value: options.image, flag: '--image' },
    userCommand: { value: options.command, flag: '--command' },
    userCommandArgs: { value: options.args, flag: '--args' },
    maxRuntime: { value: num(options.maxRuntime), flag: '--max-runtime' },
    description: { value: options.description, flag: '--description' },
    hyperparameters: { value: options.hyperparameter, flag: '--hyperparameter' },
    env: { value: options.env, flag: '--env' },
    monitors: {
      value: options.monitor?.map(({ name, value }) => ({ name, regular: value })),
      flag: '--monitor',
    },
  };
}

async function train(context: Context, options: TrainOptions, specPath?: string): Promise<ExitCode> {
  const flags = trainFlags(options);
  const anyFlag = Object.values(flags).some((flag) => flag.value !== undefined);
  if (specPath === undefined && !anyFlag) {
    throw new UsageError('train needs a spec file or flags (see modelmaker train --help)');
  }
  const spec = specPath === undefined ? undefined : await readSpecFile(specPath);
  const gathered = gather(spec, specPath, TRAIN_SEED_NAMES, flags);
  if (typeof gathered.params.codeDir === 'string') {
    gathered.params.codeDir = resolveLocal(gathered.params.codeDir, gathered, 'codeDir');
  }
  const params = gathered.params as unknown as TrainParams;
  // Checked here too (fit checks again) so problems name the spec keys and flags the user wrote.
  const checked = toTrainCreate(params);
  if (E.isLeft(checked)) throw toSpecError(checked.left, gathered, TRAIN_SEED_NAMES);

  const session = await context.session();
  const display = transferDisplay(context, `upload ${String(params.codeDir)}`);
  let created: { jobId: number; versionId: number } | undefined;
  let end: Awaited<ReturnType<typeof runUntilInterrupted>>;
  try {
    end = await runUntilInterrupted(
      fit(session, params, { wait: false, upload: { ignore: options.ignore } }),
      (event) => {
        if (event.type === 'upload') {
          if (context.json) context.out.line(jsonText(event));
          else display.next(event.event);
        } else if (event.type === 'created') {
          created = { jobId: event.jobId, versionId: event.versionId };
        }
      },
    );
  } catch (error) {
    // the SDK's checks before upload and the platform's refusal, named as the user wrote them
    if (hasTag(error, 'ValidationError'))
      throw toSpecError(error as ValidationError, gathered, TRAIN_SEED_NAMES);
    throw error;
  } finally {
    display.stop();
  }
  if (created === undefined) {
    if (end === 'interrupted') {
      context.err.line('interrupted: no job was created');
      return EXIT.INTERRUPTED;
    }
    throw new UsageError('the platform did not report the created job');
  }
  if (context.json) {
    context.out.line(jsonText({ type: 'created', jobName: params.jobName, ...created }));
  } else {
    context.out.line(
      `created job ${oneLine(String(params.jobName))} (id ${created.jobId}), version ${created.versionId}`,
    );
    if (!options.watch) context.err.line(`follow it with: modelmaker jobs watch ${created.versionId}`);
  }
  if (!options.watch) return EXIT.OK;
  return runWatch(context, session, created.versionId, { stop: options.stop });
}

/** The `train` command. */
export function trainCommand(): Command {
  return new Command('train')
    .description(
      'create a training job (or a new version of it) from a JSON spec file with the seed parameter names, and/or flags',
    )
    .argument('[spec]', 'JSON spec file (- for stdin); relative local paths in it are relative to the file')
    .option('-n, --name <name>', 'job_name')
    .addOption(new Option('--framework-type <type>', 'framework_type').choices(TRAIN_FRAMEWORK_TYPES))
    .option('--instance-type <id>', 'train_instance_type: a TRAIN machine id (catalog machines)')
    .option('--instance-count <n>', 'train_instance_count, 1..10')
    .option('--volume-size <n>', 'volume_size, 1..10')
    .option('--inputs <s3uri>', 'inputs: the training data')
    .option('--output <s3uri>', 'output_path')
    .option('--algorithm <id>', 'algorithm (PRESET_ALGORITHM; catalog algorithms)')
    .option('--framework <id>', 'framework (BASIC_FRAMEWORK; catalog frameworks)')
    .option('--code-dir <dir|s3uri>', 'code_dir: a local directory is uploaded first')
    .option('--boot-file <file>', 'boot_file (BASIC_FRAMEWORK)')
    .option('--image <url>', 'user_image_url (CUSTOM)')
    .option('--command <command>', 'user_command (CUSTOM)')
    .option('--args <args>', 'user_command_args (CUSTOM)')
    .option('--max-runtime <seconds>', 'max_runtime')
    .option('--description <text>', 'description')
    .option('-H, --hyperparameter <name=value>', 'a hyperparameter (repeatable)', collectPairs)
    .option('-e, --env <name=value>', 'an environment variable, CUSTOM (repeatable)', collectPairs)
    .option(
      '-m, --monitor <name=regex>',
      'a metric read from log lines; group 1 is the value (repeatable)',
      collectPairs,
    )
    .option(
      '--ignore <pattern>',
      'leave matching paths of a local code dir out of the upload (repeatable)',
      collect,
    )
    .option('-w, --watch', 'follow the job in the live view; the exit status mirrors it')
    .option('--stop', 'with --watch: on Ctrl-C, stop the job too')
    .addHelpText(
      'after',
      `
Spec file (seed parameter names; camelCase works too):
  {
    "job_name": "iris",
    "framework_type": "BASIC_FRAMEWORK",
    "framework": 500101,
    "code_dir": "./code",
    "boot_file": "train.mjs",
    "inputs": "s3://modelmaker/datasets/iris/",
    "output_path": "s3://modelmaker/jobs/iris/output/",
    "train_instance_type": 500050,
    "train_instance_count": 1,
    "volume_size": 1,
    "hyperparameters": [{ "name": "epochs", "value": "10" }],
    "monitors": [{ "name": "loss", "regular": "loss=([0-9.]+)" }]
  }

Examples:
  modelmaker train job.json --watch
  modelmaker train job.json --name iris-2 -H epochs=20`,
    )
    .action(action(train));
}
