import { describe, expect, it } from 'vitest';
import { inferModelType } from '../../src/api/model.js';

describe('Model.createModel without modelFrameworkType (as the seed example writes it)', () => {
  it('infers CUSTOM from an image, BASIC_FRAMEWORK from code or a boot file, else PRESET_MODEL', () => {
    expect(inferModelType({ modelMirrorUrl: 'registry/x:1', modelPath: 's3://b/m/' })).toBe('CUSTOM');
    expect(inferModelType({ modelFramework: 500150, modelBootFile: 'predict.py' })).toBe('BASIC_FRAMEWORK');
    expect(inferModelType({ modelCodeDir: 's3://b/code/' })).toBe('BASIC_FRAMEWORK');
    expect(inferModelType({ modelFramework: 500201, modelPath: 's3://b/out/' })).toBe('PRESET_MODEL');
  });
});
