/**
 * The training process of a PRESET_ALGORITHM job: `node main.js <algorithm>` (or
 * `node --import tsx main.ts <algorithm>` from sources). It reads the environment
 * "What a training process sees" describes: the CSV in `MODELMAKER_DATA_DIR`
 * (hyperparameter `file`, a path relative to it, or else the first `*.csv` found),
 * `MODELMAKER_HYPERPARAMETERS`, and the initial model of a warm start in
 * `MODELMAKER_INIT_MODEL_DIR` when set (see `initModel.ts`); prints progress lines to stdout; writes `model.json`
 * and `metrics.json` to `MODELMAKER_OUTPUT_DIR`. Only rank 0 trains (the others
 * exit 0 at once). Exit codes: 0 done, 2 unusable input, 1 anything else.
 *
 * Running this module runs the training: it is an entry point, never imported.
 * @module
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { PresetInputError, parseCsv } from './dataset.js';
import { parseHyperparameters, textParam } from './hyperparameters.js';
import { readInitModel } from './initModel.js';
import { isPresetAlgorithmName } from './names.js';
import { trainPreset } from './train.js';

/** Exit code for unusable input (data, hyperparameters, algorithm name). */
const EXIT_INPUT = 2;

async function findCsv(directory: string): Promise<string | undefined> {
  const entries = (await readdir(directory, { withFileTypes: true })).sort((a, b) =>
    a.name < b.name ? -1 : 1,
  );
  for (const entry of entries) {
    if (entry.isFile() && entry.name.toLowerCase().endsWith('.csv')) return join(directory, entry.name);
  }
  for (const entry of entries) {
    if (entry.isDirectory()) {
      const found = await findCsv(join(directory, entry.name));
      if (found) return found;
    }
  }
  return undefined;
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new PresetInputError(`${name} is not set`);
  return value;
}

async function main(): Promise<void> {
  const algorithm = process.argv[2] ?? '';
  if (!isPresetAlgorithmName(algorithm))
    throw new PresetInputError(`unknown preset algorithm ${JSON.stringify(algorithm)}`);
  const rank = Number(process.env.MODELMAKER_INSTANCE_RANK ?? '0');
  if (rank !== 0) {
    console.log(`preset algorithm ${algorithm} trains on instance 0; instance ${rank} has nothing to do`);
    return;
  }
  const dataDir = resolve(required('MODELMAKER_DATA_DIR'));
  const outputDir = resolve(required('MODELMAKER_OUTPUT_DIR'));
  const hp = parseHyperparameters(process.env.MODELMAKER_HYPERPARAMETERS);
  const named = textParam(hp, 'file');
  const file = named ? resolve(dataDir, named) : await findCsv(dataDir);
  if (!file || (named && relative(dataDir, file).split(sep)[0] === '..')) {
    throw new PresetInputError(
      named ? `file ${named} is outside the data directory` : `no .csv file in ${dataDir}`,
    );
  }
  const initDir = process.env.MODELMAKER_INIT_MODEL_DIR;
  const init = initDir ? await readInitModel(resolve(initDir)) : undefined;
  console.log(`${algorithm}: training on ${relative(dataDir, file)}`);
  if (init && initDir) {
    console.log(`${algorithm}: warm start from the initial model ${relative(resolve(initDir), init.path)}`);
  }
  const result = trainPreset(
    algorithm,
    parseCsv(await readFile(file, 'utf8')),
    hp,
    (line) => console.log(line),
    init?.model,
  );
  await mkdir(outputDir, { recursive: true });
  await writeFile(join(outputDir, 'model.json'), `${JSON.stringify(result.model)}\n`);
  await writeFile(
    join(outputDir, 'metrics.json'),
    `${JSON.stringify({ algorithm, ...result.metrics }, null, 2)}\n`,
  );
  console.log(
    `${algorithm}: done ${Object.entries(result.metrics)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')}`,
  );
}

main().catch((error: unknown) => {
  const input = error instanceof PresetInputError;
  console.error(input ? `error: ${(error as Error).message}` : error);
  process.exitCode = input ? EXIT_INPUT : 1;
});
