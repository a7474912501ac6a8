import * as E from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import { FrameworkList, PresetAlgorithmList, PresetModelList, ResourceList } from 'modelmaker';
import { describe, expect, it } from 'vitest';
import { PRESET_ALGORITHM_NAMES } from '../../src/algorithms/names.js';
import {
  bootFileProblem,
  FRAMEWORK_IDS,
  findPredictFramework,
  findPresetAlgorithm,
  findPresetModel,
  findTrainFramework,
  frameworkList,
  presetAlgorithmList,
  presetModelList,
  resourceList,
  resourceSpec,
} from '../../src/catalog.js';

function decodes<C extends t.Mixed>(codec: C, value: unknown): t.TypeOf<C> {
  const result = codec.decode(value);
  if (E.isLeft(result)) throw new Error(`does not decode: ${JSON.stringify(value)}`);
  return result.right;
}

describe('local catalog', () => {
  it('serves wire shapes the catalog codecs decode, with no JSON true, false or null', () => {
    const bodies = [
      ...(['TRAIN', 'DEVELOPMENT', 'PREDICT'] as const).flatMap((env) => [
        decodes(ResourceList, resourceList(env)),
        decodes(FrameworkList, frameworkList(env)),
      ]),
      decodes(PresetAlgorithmList, presetAlgorithmList()),
      decodes(PresetModelList, presetModelList()),
    ];
    for (const body of bodies) expect(JSON.stringify(body)).not.toMatch(/\b(true|false|null)\b/);
  });

  it('gives cpu in cores, memory in bytes and no GPU, with ids unique across environments', () => {
    const all = (['TRAIN', 'DEVELOPMENT', 'PREDICT'] as const).flatMap((env) => resourceList(env).resources);
    expect(new Set(all.map((r) => r.id)).size).toBe(all.length);
    for (const r of all) {
      expect(r.id).toBeGreaterThanOrEqual(500000);
      expect(r.memory).toBeGreaterThanOrEqual(1024 ** 3);
      expect(r.gpu).toBe(0);
      expect(resourceSpec(r.id)).toMatchObject({ id: r.id, cpu: r.cpu, memory: r.memory });
    }
    expect(resourceSpec(500050)?.env).toBe('TRAIN');
    expect(resourceSpec(1)).toBeUndefined();
  });

  it('pairs each TRAIN framework with a PREDICT framework of the same name and another id', () => {
    const train = frameworkList('TRAIN').frameWorks;
    const predict = frameworkList('PREDICT').frameWorks;
    expect(train.map((f) => f.name).sort()).toEqual(['node', 'python3']);
    expect(predict.map((f) => f.name).sort()).toEqual(['node', 'python3']);
    for (const f of train) {
      const twin = predict.find((p) => p.name === f.name)!;
      expect(twin.id).not.toBe(f.id);
      expect(findTrainFramework(f.id)?.name).toBe(f.name);
      expect(findPredictFramework(twin.id)?.name).toBe(f.name);
      expect(findPredictFramework(f.id)).toBeUndefined();
    }
    expect(findTrainFramework(FRAMEWORK_IDS.trainNode)?.interpreter).toBe(process.execPath);
  });

  it("means what the seed's examples use the ids for: 500100 trains train.py, 500150 serves predict.py", () => {
    // framework=500100 with boot_file="train.py"; model_framework=500150 with model_boot_file="predict.py"
    const train = findTrainFramework(500100)!;
    const predict = findPredictFramework(500150)!;
    expect(train).toMatchObject({ name: 'python3', env: 'TRAIN' });
    expect(predict).toMatchObject({ name: 'python3', env: 'PREDICT' });
    expect(bootFileProblem(train, 'train.py')).toBeUndefined();
    expect(bootFileProblem(predict, 'predict.py')).toBeUndefined();
    // train_instance_type=500550 / 500050 (TRAIN), resourceId=500151 (PREDICT), algorithm=500000
    expect(resourceSpec(500550)?.env).toBe('TRAIN');
    expect(resourceSpec(500151)?.env).toBe('PREDICT');
    expect(findPresetAlgorithm(500000)).toBeDefined();
  });

  it('has ids distinct across machines, frameworks and presets; a preset model has its algorithm’s id (the contract)', () => {
    const ids = [
      ...(['TRAIN', 'DEVELOPMENT', 'PREDICT'] as const).flatMap((env) =>
        resourceList(env).resources.map((r) => r.id),
      ),
      ...(['TRAIN', 'PREDICT'] as const).flatMap((env) => frameworkList(env).frameWorks.map((f) => f.id)),
      ...presetAlgorithmList().presetAlgorithms.map((a) => a.id),
    ];
    expect(new Set(ids).size).toBe(ids.length);
    // model_framework=500000 is "its preset model": the preset model of algorithm=500000
    const models = presetModelList().presetModels;
    for (const a of presetAlgorithmList().presetAlgorithms) {
      expect(models.find((m) => m.id === a.id)?.name).toBe(a.name);
    }
    expect(findPresetModel(500000)?.algorithm).toBe(findPresetAlgorithm(500000)?.algorithm);
  });

  it('names a boot file a framework cannot run, and leaves one without an extension to the interpreter', () => {
    const python = findTrainFramework(FRAMEWORK_IDS.trainPython)!;
    const node = findTrainFramework(FRAMEWORK_IDS.trainNode)!;
    expect(bootFileProblem(python, 'src/train.mjs')).toBe(
      `framework ${FRAMEWORK_IDS.trainPython} (python3) runs .py files, got "src/train.mjs"`,
    );
    expect(bootFileProblem(node, 'train.py')).toMatch(/runs \.js \.mjs \.cjs files/);
    expect(bootFileProblem(node, 'bin/train.MJS')).toBeUndefined();
    expect(bootFileProblem(python, 'train')).toBeUndefined();
  });

  it('pairs each preset algorithm with a preset model of the same name', () => {
    const algorithms = presetAlgorithmList().presetAlgorithms;
    const models = presetModelList().presetModels;
    expect(algorithms.map((a) => a.name).sort()).toEqual([...PRESET_ALGORITHM_NAMES].sort());
    for (const a of algorithms) {
      const model = models.find((m) => m.name === a.name)!;
      expect(findPresetModel(model.id)?.algorithm).toBe(a.name);
      expect(findPresetAlgorithm(a.id)?.algorithm).toBe(a.name);
    }
    expect(findPresetAlgorithm(500000)?.name).toBe('linear-regression');
  });
});
