import * as E from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import { describe, expect, it } from 'vitest';
import {
  decode,
  ModelCreate,
  ModelDetail,
  ModelList,
  ModelVersionCreated,
  ModelVersionDetail,
} from '../../src/codecs/index.js';

function ok<A, O>(codec: t.Type<A, O, unknown>, value: unknown): A {
  const result = decode(codec, value);
  if (E.isLeft(result)) throw new Error(result.left.message);
  return result.right;
}

function problems<A, O>(codec: t.Type<A, O, unknown>, value: unknown): readonly string[] {
  const result = decode(codec, value);
  if (E.isRight(result)) throw new Error(`decoded unexpectedly: ${JSON.stringify(result.right)}`);
  return result.left.problems;
}

const minimal = { name: 'm', type: 'CUSTOM', version: '1.1.3' };

describe('ModelCreate (request validation)', () => {
  it('requires name, type and version, naming each missing field', () => {
    expect(ok(ModelCreate, minimal)).toEqual(minimal);
    expect(problems(ModelCreate, { name: 'm', type: 'PRESET_ALGORITHM' })).toEqual([
      'type: expected ModelType, got "PRESET_ALGORITHM"',
      'version: expected string, got undefined',
    ]);
  });

  it('checks ids and s3 paths and accepts every contract field', () => {
    expect(problems(ModelCreate, { ...minimal, frameworkId: 0, modelPath: 'out/' })).toEqual([
      'frameworkId: expected a positive integer, got 0',
      'modelPath: expected an s3://bucket/key address, got "out/"',
    ]);
    const full = {
      ...minimal,
      type: 'BASIC_FRAMEWORK',
      presetModelId: 500200,
      frameworkId: 500150,
      modelPath: 's3://aiteam/model/',
      codeUrl: 's3://aiteam/code/',
      gitInfo: { username: 'u', password: 'p', branch: 'main' },
      startup: 'predict.py',
      callSpecs: { input: ['x'] },
      mirrorUrl: 'registry/img',
      description: 'd',
    };
    expect(ok(ModelCreate, full)).toEqual(full);
  });

  it('accepts gitInfo as one object or as the list the seed documents, kept as given', () => {
    const git = { username: 'u', password: 'p', branch: 'main' };
    expect(ok(ModelCreate, { ...minimal, gitInfo: [git] }).gitInfo).toEqual([git]);
    expect(problems(ModelCreate, { ...minimal, gitInfo: [{ username: 'u', password: 'p' }] })).toEqual([
      'gitInfo[0].branch: expected string, got undefined',
    ]);
  });

  it('treats null optional fields as absent and strips unknown fields', () => {
    expect(ok(ModelCreate, { ...minimal, modelPath: null, callSpecs: null, extra: 1 })).toEqual(minimal);
  });
});

describe('model responses', () => {
  it('ModelVersionCreated needs versionId; id is optional', () => {
    expect(ok(ModelVersionCreated, { versionId: 4 })).toEqual({ versionId: 4 });
    expect(ok(ModelVersionCreated, { versionId: 4, id: 2 })).toEqual({ versionId: 4, id: 2 });
    expect(problems(ModelVersionCreated, { id: 2 })).toEqual(['versionId: expected number, got undefined']);
  });

  it('ModelList requires id and name and tolerates unknown fields', () => {
    expect(ok(ModelList, { models: [{ id: 1, name: 'm', extra: true }] }).models[0]).toMatchObject({
      id: 1,
      name: 'm',
    });
    expect(
      problems(ModelList, {
        models: [
          { id: 1, name: 'm' },
          { id: 'x', name: 'n' },
        ],
      }),
    ).toEqual(['models[1].id: expected number, got "x"']);
  });

  it('ModelDetail decodes leniently: versions default to [], unknown types and statuses pass', () => {
    expect(ok(ModelDetail, { id: 1 })).toEqual({ id: 1, versions: [] });
    expect(ok(ModelDetail, { versions: [{ id: 2, type: 'ONNX', status: 'BUILDING' }] }).versions).toEqual([
      { id: 2, type: 'ONNX', status: 'BUILDING' },
    ]);
    expect(ok(ModelVersionDetail, { version: '1.0', modelPath: null })).toEqual({ version: '1.0' });
  });
});
