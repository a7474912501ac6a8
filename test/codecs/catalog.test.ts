import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import {
  decode,
  EnvParams,
  FrameworkList,
  PresetAlgorithmList,
  PresetModelList,
  ResourceList,
} from '../../src/codecs/index.js';

describe('catalog', () => {
  it('ResourceList keeps machine spec fields as given, absent or null', () => {
    const body = { resources: [{ id: 500050, name: 'small', cpu: 4, memory: '8Gi', gpu: null, extra: 1 }] };
    expect(decode(ResourceList, body)).toEqual(
      E.right({ resources: [{ id: 500050, name: 'small', cpu: 4, memory: '8Gi', extra: 1 }] }),
    );
  });

  it('FrameworkList reads frameWorks with a capital W, and nothing else', () => {
    expect(decode(FrameworkList, { frameWorks: [{ id: 1, name: 'tf' }] })).toEqual(
      E.right({ frameWorks: [{ id: 1, name: 'tf' }] }),
    );
    const wrong = decode(FrameworkList, { frameworks: [] });
    expect(E.isLeft(wrong) && wrong.left.problems[0]).toMatch(/^frameWorks: expected /);
  });

  it('preset lists require id and name', () => {
    expect(E.isRight(decode(PresetAlgorithmList, { presetAlgorithms: [{ id: 1, name: 'xgb' }] }))).toBe(true);
    const bad = decode(PresetModelList, { presetModels: [{ id: 1 }] });
    expect(E.isLeft(bad) && bad.left.problems).toEqual([
      'presetModels[0].name: expected string, got undefined',
    ]);
  });

  it('EnvParams accepts only TRAIN, DEVELOPMENT and PREDICT', () => {
    for (const env of ['TRAIN', 'DEVELOPMENT', 'PREDICT'])
      expect(decode(EnvParams, { env })).toEqual(E.right({ env }));
    expect(E.isLeft(decode(EnvParams, { env: 'train' }))).toBe(true);
  });
});
