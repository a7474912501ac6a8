/**
 * `modelmaker catalog machines|frameworks|algorithms|models`: what the platform
 * offers — machine specs (the ids `train_instance_type` and `resourceId` take),
 * basic frameworks, preset algorithms and preset models.
 * @module
 */
import { Command, Option } from 'commander';
import type { Env } from 'modelmaker';
import { listFrameworks, listPresetAlgorithms, listPresetModels, listResources } from 'modelmaker';
import { lastValueFrom } from 'rxjs';
import { action, type Context, EXIT } from './context.js';
import type { ExitCode } from './exitCodes.js';
import { formatBytes, printList } from './output.js';

interface EnvOptions {
  readonly env: Env;
}

function envOption(fallback: Env): Option {
  return new Option('--env <env>', 'where the entries are used')
    .choices(['TRAIN', 'DEVELOPMENT', 'PREDICT'])
    .default(fallback);
}

/** `memory` as the platform sends it: bytes (a number) shown in binary units, anything else as is. */
function memoryText(memory: string | number | undefined): string | undefined {
  return typeof memory === 'number' ? formatBytes(memory) : memory;
}

async function machines(context: Context, options: EnvOptions): Promise<ExitCode> {
  const session = await context.session();
  const { resources } = await lastValueFrom(listResources(session, options.env));
  printList(
    context.out,
    context.json,
    resources,
    ['ID', 'NAME', 'CPU', 'MEMORY', 'GPU', 'GPU MODEL'],
    (r) => [r.id, r.name, r.cpu, memoryText(r.memory), r.gpu, r.gpuModel],
  );
  return EXIT.OK;
}

async function frameworks(context: Context, options: EnvOptions): Promise<ExitCode> {
  const session = await context.session();
  const { frameWorks } = await lastValueFrom(listFrameworks(session, options.env));
  printList(context.out, context.json, frameWorks, ['ID', 'NAME', 'DESCRIPTION'], (f) => [
    f.id,
    f.name,
    f.description,
  ]);
  return EXIT.OK;
}

async function algorithms(context: Context): Promise<ExitCode> {
  const session = await context.session();
  const { presetAlgorithms } = await lastValueFrom(listPresetAlgorithms(session));
  printList(context.out, context.json, presetAlgorithms, ['ID', 'NAME', 'DESCRIPTION'], (a) => [
    a.id,
    a.name,
    a.description,
  ]);
  return EXIT.OK;
}

async function models(context: Context): Promise<ExitCode> {
  const session = await context.session();
  const { presetModels } = await lastValueFrom(listPresetModels(session));
  printList(context.out, context.json, presetModels, ['ID', 'NAME', 'DESCRIPTION'], (m) => [
    m.id,
    m.name,
    m.description,
  ]);
  return EXIT.OK;
}

/** The `catalog` command group. */
export function catalogCommand(): Command {
  return new Command('catalog')
    .description('list machine specs, frameworks, preset algorithms and preset models')
    .addCommand(
      new Command('machines')
        .description('machine specs: an id is a train_instance_type / resourceId')
        .addOption(envOption('TRAIN'))
        .action(action(machines)),
    )
    .addCommand(
      new Command('frameworks')
        .description('basic frameworks: TRAIN ones train (framework), PREDICT ones serve (model_framework)')
        .addOption(envOption('TRAIN'))
        .action(action(frameworks)),
    )
    .addCommand(
      new Command('algorithms')
        .description('preset algorithms (algorithm, with framework_type PRESET_ALGORITHM)')
        .action(action(algorithms)),
    )
    .addCommand(
      new Command('models')
        .description('preset models (model_framework, with model_framework_type PRESET_MODEL)')
        .action(action(models)),
    );
}
