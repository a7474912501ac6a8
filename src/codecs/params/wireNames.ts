/**
 * Wire field → the parameter the user wrote, for each body the parameter codecs build
 * (`toTrainCreate`, `toModelCreate`, `toServiceCreate`), and the translation of a
 * platform's answer from one to the other.
 *
 * Where the translation happens: the platform speaks the wire contract — its 400s name
 * the body's fields (`frameworkId: no TRAIN framework 999`), which is right for a raw
 * HTTP client, who wrote that body. The SDK built the body from the seed's parameters,
 * so it maps the answer back: a 400 whose message is a list of `field: message`
 * problems, every field one of the body's, becomes a `ValidationError` naming the
 * user's parameters (`framework: no TRAIN framework 999`), the server's `ApiError` as
 * its `cause`. The same table names the field a failed version's reason starts with
 * (`dataUrl: nothing found at …` → `inputs: nothing found at …`).
 *
 * The tables are typed against both sides, so a wire field added to a body without an
 * entry here, or an entry naming no parameter, does not compile.
 * @module
 */
import type { FieldProblem } from '../../errors.js';
import type { ModelCreate } from '../models.js';
import type { ServiceCreate } from '../services.js';
import type { TrainCreate } from '../training.js';
import type { DeployParams } from './deploy.js';
import type { ModelParams } from './model.js';
import type { TrainParams } from './train.js';

/** Wire field → parameter name, for one kind of body. */
export type WireNames = Readonly<Record<string, string>>;

/** `POST /v1/train` (and a new version of a job): wire field → `TrainParams` name. */
export const TRAIN_WIRE_NAMES = {
  name: 'jobName',
  type: 'frameworkType',
  output: 'outputPath',
  resourceId: 'trainInstanceType',
  instance: 'trainInstanceCount',
  volumeSize: 'volumeSize',
  resourcePoolType: 'resourcePoolType',
  customResource: 'customResource',
  maxRuntime: 'maxRuntime',
  description: 'description',
  dataUrl: 'inputs',
  parameters: 'hyperparameters',
  monitors: 'monitors',
  algorithmId: 'algorithm',
  modeUrl: 'initModel',
  frameworkId: 'framework',
  codeUrl: 'codeDir',
  codeVersion: 'codeVersion',
  gitInfo: 'gitInfo',
  startup: 'bootFile',
  startupType: 'bootType',
  inputFiles: 'inputFiles',
  mirrorUrl: 'userImageUrl',
  command: 'userCommand',
  args: 'userCommandArgs',
  envs: 'env',
  isFlowInput: 'flowInput',
} as const satisfies Record<keyof TrainCreate, keyof TrainParams>;

/** `POST /v1/model` (and a new version of a model): wire field → `ModelParams` name. */
export const MODEL_WIRE_NAMES = {
  name: 'modelName',
  type: 'modelFrameworkType',
  version: 'modelVersion',
  presetModelId: 'modelFramework',
  frameworkId: 'modelFramework',
  modelPath: 'modelPath',
  codeUrl: 'modelCodeDir',
  gitInfo: 'modelGitInfo',
  startup: 'modelBootFile',
  callSpecs: 'modelCallSpecs',
  mirrorUrl: 'modelMirrorUrl',
  description: 'modelDescription',
} as const satisfies Record<keyof ModelCreate, keyof ModelParams>;

/** `POST /v1/service`: wire field → `DeployParams` name (service model entries keep their wire names, as in the seed). */
export const SERVICE_WIRE_NAMES = {
  name: 'serviceName',
  type: 'serviceType',
  serviceModels: 'serviceModels',
} as const satisfies Record<keyof ServiceCreate, keyof DeployParams>;

/** A field path: a name, then `[i]` or `.name` steps (`serviceModels[0].resourceId`). */
const FIELD_PATH = String.raw`[A-Za-z_]\w*(?:\[\d+\]|\.[A-Za-z_]\w*)*`;
/** One problem of a list: `field: message`. */
const PROBLEM = new RegExp(`^(${FIELD_PATH}): ([\\s\\S]*)$`);
/** Where a list of problems is cut: `; ` before the next `field: `. */
const NEXT_PROBLEM = new RegExp(`; (?=${FIELD_PATH}: )`);
/** The frameworkType values a message may name after the wire's `type`. */
const TYPE_MENTION = /\btype (PRESET_ALGORITHM|BASIC_FRAMEWORK|CUSTOM|PRESET_MODEL|ONLINE_SERVICE)\b/g;

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Wire names also rewritten where a message mentions them (`codeUrl or gitInfo
 * required`): those that are not everyday words, so `name`, `output` or `instance` in
 * prose are left alone.
 */
function mentionPattern(names: WireNames): RegExp | undefined {
  const mentioned = Object.entries(names)
    .filter(([wire, seed]) => wire !== seed && (/[A-Z]/.test(wire) || wire === 'startup' || wire === 'envs'))
    .map(([wire]) => escapeRegex(wire));
  return mentioned.length === 0 ? undefined : new RegExp(`\\b(${mentioned.join('|')})\\b`, 'g');
}

/** `path` (`parameters[1].value`) with its first name mapped (`hyperparameters[1].value`), or undefined when unknown. */
function seedPath(path: string, names: WireNames): string | undefined {
  const root = /^[A-Za-z_]\w*/.exec(path)![0];
  const seed = Object.hasOwn(names, root) ? names[root] : undefined;
  return seed === undefined ? undefined : seed + path.slice(root.length);
}

/** `message` with the wire names it mentions replaced by the parameters' names (see the module doc). */
export function seedWording(message: string, names: WireNames): string {
  const mentions = mentionPattern(names);
  const typeName = names.type;
  let out = mentions === undefined ? message : message.replace(mentions, (wire) => names[wire] ?? wire);
  if (typeName !== undefined && typeName !== 'type') out = out.replace(TYPE_MENTION, `${typeName} $1`);
  return out;
}

/**
 * A platform's validation message (`frameworkId: no TRAIN framework 999; resourceId: no
 * TRAIN resource 7`) as problems naming the user's parameters (`framework`,
 * `trainInstanceType`), or `undefined` when it is not such a list or names a field
 * the body does not have (then nothing is translated: the message is left as the
 * server wrote it).
 *
 * @example
 * ```ts
 * seedProblems('startup: required with type BASIC_FRAMEWORK', TRAIN_WIRE_NAMES)
 * // [{ field: 'bootFile', message: 'required with frameworkType BASIC_FRAMEWORK' }]
 * ```
 */
export function seedProblems(message: string, names: WireNames): FieldProblem[] | undefined {
  const problems: FieldProblem[] = [];
  for (const part of message.trim().split(NEXT_PROBLEM)) {
    const match = PROBLEM.exec(part);
    if (match === null) return undefined;
    const field = seedPath(match[1]!, names);
    if (field === undefined) return undefined;
    problems.push({ field, message: seedWording(match[2]!, names) });
  }
  return problems.length === 0 ? undefined : problems;
}

/**
 * A reason that starts with a wire field (`dataUrl: nothing found at s3://…`) with that
 * field, and the wire names it mentions, named as the user's parameters (`inputs:
 * nothing found at s3://…`); any other reason unchanged.
 */
export function seedReason(reason: string, names: WireNames): string {
  const match = PROBLEM.exec(reason);
  if (match === null) return reason;
  const field = seedPath(match[1]!, names);
  return field === undefined ? reason : `${field}: ${seedWording(match[2]!, names)}`;
}
