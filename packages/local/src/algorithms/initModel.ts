/**
 * Warm starts of the preset algorithms. A job's initial model (the SDK's `initModel`,
 * the seed's `init_model`, `modeUrl` on the wire) is downloaded by the runner into the
 * directory `MODELMAKER_INIT_MODEL_DIR` names; for a preset algorithm it is the
 * output of an earlier training of the same algorithm: its `model.json` (the folder
 * holding it, or the object itself). How each algorithm starts from it:
 *
 * - `logistic-regression`: from its weights and feature scaling, so the gradient
 *   passes continue where that training stopped (its classes are kept: the new data's
 *   labels must be among them);
 * - `kmeans`: from its centroids (`k` is theirs);
 * - `random-forest`: its trees are kept and `trees` new ones grown beside them (same
 *   task and classes);
 * - `linear-regression`: solved exactly, so there is nothing to continue: the model is
 *   checked (same features) and the log says it is not used.
 *
 * An initial model of another algorithm, or with other features or label, fails the
 * job (exit 2) with a message naming what differs.
 * @module
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PresetInputError } from './dataset.js';
import { PRESET_MODEL_FORMAT, type PresetModelFile } from './modelFile.js';
import type { PresetAlgorithmName } from './names.js';

/** The file a preset training writes and a warm start reads. */
export const INIT_MODEL_FILE = 'model.json';

/** The `model.json` at the top of `directory`, else the first one below it (sorted), else undefined. */
async function findModelFile(directory: string): Promise<string | undefined> {
  const entries = (await readdir(directory, { withFileTypes: true })).sort((a, b) =>
    a.name < b.name ? -1 : 1,
  );
  if (entries.some((e) => e.isFile() && e.name === INIT_MODEL_FILE)) return join(directory, INIT_MODEL_FILE);
  for (const entry of entries) {
    if (!entry.isDirectory()) continue;
    const found = await findModelFile(join(directory, entry.name));
    if (found) return found;
  }
  return undefined;
}

/** An initial model read from disk, and where it was. */
export interface InitModel {
  readonly path: string;
  readonly model: PresetModelFile;
}

/**
 * Reads the initial model from `directory` (`MODELMAKER_INIT_MODEL_DIR`).
 *
 * @throws PresetInputError when it holds no `model.json`, or one that is not a preset model.
 */
export async function readInitModel(directory: string): Promise<InitModel> {
  const path = await findModelFile(directory).catch(() => undefined);
  if (!path) {
    throw new PresetInputError(
      `the initial model (initModel, in MODELMAKER_INIT_MODEL_DIR) holds no ${INIT_MODEL_FILE}: give the output folder of an earlier training of this preset algorithm`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch {
    throw new PresetInputError(`the initial model's ${INIT_MODEL_FILE} is not JSON`);
  }
  const model = parsed as Partial<PresetModelFile> | null;
  if (typeof model !== 'object' || model === null || model.format !== PRESET_MODEL_FORMAT) {
    throw new PresetInputError(
      `the initial model's ${INIT_MODEL_FILE} is not a preset model (format must be ${PRESET_MODEL_FORMAT})`,
    );
  }
  return { path, model: model as PresetModelFile };
}

/**
 * Checks that `init` can start a training of `algorithm` on data with `features` and
 * `label`.
 *
 * @throws PresetInputError naming what differs.
 */
export function checkInitModel(
  init: PresetModelFile,
  algorithm: PresetAlgorithmName,
  data: { readonly features: readonly string[]; readonly label: string | undefined },
): void {
  if (init.algorithm !== algorithm) {
    throw new PresetInputError(
      `the initial model was trained by ${init.algorithm}, not ${algorithm}: a warm start needs the same algorithm`,
    );
  }
  if (init.features.join('\u0000') !== data.features.join('\u0000')) {
    throw new PresetInputError(
      `the initial model's features (${init.features.join(', ')}) differ from the data's (${data.features.join(', ')})`,
    );
  }
  if ((init.label ?? '') !== (data.label ?? '')) {
    throw new PresetInputError(
      `the initial model predicts ${init.label ?? 'no label'}, the data's label is ${data.label ?? 'none'}`,
    );
  }
}

/**
 * The classes of a warm-started classifier: the initial model's, in its order (class
 * ids must keep their meaning).
 *
 * @throws PresetInputError when a label of the data is not one of them.
 */
export function initClasses(
  init: PresetModelFile,
  y: ReadonlyArray<number | string>,
): Array<number | string> {
  const classes = [...(init.classes ?? [])];
  const known = new Set(classes.map(String));
  const unknown = [...new Set(y.map(String))].filter((label) => !known.has(label));
  if (unknown.length > 0) {
    throw new PresetInputError(
      `label value(s) ${unknown.join(', ')} are not classes of the initial model (${classes.join(', ')})`,
    );
  }
  return classes;
}
