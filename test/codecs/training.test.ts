import * as E from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import { describe, expect, it } from 'vitest';
import {
  decode,
  isTerminalTrainStatus,
  KNOWN_TRAIN_STATUSES,
  LogPage,
  LogQuery,
  logCursorOf,
  logInstantOf,
  PerformanceMonitor,
  ResourceMonitor,
  TERMINAL_TRAIN_STATUSES,
  TrainCreate,
  TrainJobDetail,
  TrainJobList,
  TrainOutput,
  TrainVersionDetail,
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

const minimalCreate = { name: 'job', type: 'CUSTOM', output: 's3://bucket/out/' };

describe('TrainJobList', () => {
  it('names the bad nested id exactly: trainTasks[3].id: expected number, got "x"', () => {
    const tasks = [1, 2, 3].map((id) => ({ id, name: `j${id}` }));
    const result = decode(TrainJobList, { trainTasks: [...tasks, { id: 'x', name: 'j4' }] });
    expect(E.isLeft(result) && result.left.problems).toEqual(['trainTasks[3].id: expected number, got "x"']);
    expect(E.isLeft(result) && result.left.message).toContain('trainTasks[3].id: expected number, got "x"');
  });

  it('tolerates unknown fields at every level', () => {
    const decoded = ok(TrainJobList, {
      trainTasks: [{ id: 1, name: 'a', projectId: 9, owner: { id: 3 } }],
      total: 1,
      page: 0,
    });
    expect(decoded.trainTasks[0]).toMatchObject({ id: 1, name: 'a' });
  });

  it('requires the platform fields id and name', () => {
    expect(problems(TrainJobList, { trainTasks: [{ id: 1 }] })).toEqual([
      'trainTasks[0].name: expected string, got undefined',
    ]);
    expect(problems(TrainJobList, {})).toEqual([
      expect.stringMatching(/^trainTasks: expected Array<.*>, got undefined$/),
    ]);
  });
});

describe('training statuses', () => {
  it('decode a status outside the known list as an open string', () => {
    expect(ok(TrainVersionDetail, { status: 'QUEUED' }).status).toBe('QUEUED');
  });

  it('treat unknown statuses as non-terminal and exactly the four terminal ones as terminal', () => {
    expect(isTerminalTrainStatus('QUEUED')).toBe(false);
    expect(KNOWN_TRAIN_STATUSES.filter(isTerminalTrainStatus)).toEqual([
      'FINISH',
      'STARTING_FAIL',
      'TRAINING_FAIL',
      'STOPPED',
    ]);
    expect([...TERMINAL_TRAIN_STATUSES].sort()).toEqual([
      'FINISH',
      'STARTING_FAIL',
      'STOPPED',
      'TRAINING_FAIL',
    ]);
  });
});

describe('TrainVersionDetail', () => {
  it('requires only status; extension fields may be absent or null', () => {
    const decoded = ok(TrainVersionDetail, {
      status: 'TRAINING',
      reason: null,
      finishedAt: null,
      exitCode: null,
      gitInfo: null,
    });
    expect(decoded).toEqual({ status: 'TRAINING' });
    expect(problems(TrainVersionDetail, { id: 3 })).toEqual(['status: expected TrainStatus, got undefined']);
  });

  it('decodes the extension fields and flags in both forms', () => {
    const decoded = ok(TrainVersionDetail, {
      status: 'FINISH',
      id: 7,
      jobId: 3,
      exitCode: 0,
      isFlowInput: 1,
      gitInfo: { branch: 'main' },
      parameters: [{ name: 'epochs', value: 3 }],
    });
    expect(decoded).toMatchObject({
      id: 7,
      jobId: 3,
      exitCode: 0,
      isFlowInput: true,
      gitInfo: { branch: 'main' },
    });
    expect(ok(TrainVersionDetail, { status: 'FINISH', isFlowInput: false }).isFlowInput).toBe(false);
  });
});

describe('TrainJobDetail', () => {
  it('decodes a detail without versions to versions: []', () => {
    expect(ok(TrainJobDetail, { id: 3, name: 'job' })).toEqual({ id: 3, name: 'job', versions: [] });
  });

  it('keeps the versions with their open statuses', () => {
    const decoded = ok(TrainJobDetail, { versions: [{ id: 5, status: 'WEIRD' }] });
    expect(decoded.versions).toEqual([{ id: 5, status: 'WEIRD' }]);
  });
});

describe('TrainCreate (request validation)', () => {
  it('accepts the minimal body: name, type and output', () => {
    expect(ok(TrainCreate, minimalCreate)).toEqual(minimalCreate);
  });

  it('names each bad wire field in its error', () => {
    const lines = problems(TrainCreate, {
      name: '',
      type: 'SOMETHING',
      output: '/local/out',
      instance: 11,
      volumeSize: 0,
      resourceId: 'r',
      parameters: [{ name: 'lr', value: true }],
      gitInfo: { username: 'u', password: 'p' },
      customResource: { cpu: 4, memory: 8, gpuModel: 'T4', gpuCount: -1 },
      startupType: 'MPI',
      isFlowInput: 2,
    });
    expect(lines).toEqual([
      'name: expected a non-empty string, got ""',
      'type: expected TrainType, got "SOMETHING"',
      'output: expected an s3://bucket/key address, got "/local/out"',
      'resourceId: expected number, got "r"',
      'instance: expected an integer in 1..10, got 11',
      'volumeSize: expected an integer in 1..10, got 0',
      'customResource.gpuCount: expected a non-negative integer, got -1',
      'parameters[0].value: expected (string | number), got true',
      'gitInfo.branch: expected string, got undefined',
      'startupType: expected StartupType, got "MPI"',
      'isFlowInput: expected 0 | 1 | boolean, got 2',
    ]);
  });

  it('reports a missing required field by its wire name', () => {
    expect(problems(TrainCreate, { name: 'job', type: 'CUSTOM' })).toEqual([
      'output: expected string, got undefined',
    ]);
    expect(problems(TrainCreate, 'body')).toEqual(['(root): expected TrainCreate, got "body"']);
  });

  it('treats null optional fields (Python None) as absent and strips unknown fields', () => {
    const decoded = ok(TrainCreate, { ...minimalCreate, modeUrl: null, dataUrl: null, projectId: 5 });
    expect(decoded).toEqual(minimalCreate);
    expect(Object.keys(decoded)).not.toContain('projectId');
  });

  it('decodes isFlowInput 0/1/true/false to a boolean and encodes it as 0/1', () => {
    expect(ok(TrainCreate, { ...minimalCreate, isFlowInput: 1 }).isFlowInput).toBe(true);
    expect(ok(TrainCreate, { ...minimalCreate, isFlowInput: false }).isFlowInput).toBe(false);
    expect(TrainCreate.encode({ ...ok(TrainCreate, minimalCreate), isFlowInput: true })).toEqual({
      ...minimalCreate,
      isFlowInput: 1,
    });
  });

  it('accepts every field of the contract table', () => {
    const full = {
      ...minimalCreate,
      type: 'BASIC_FRAMEWORK',
      resourceId: 500050,
      instance: 2,
      volumeSize: 1,
      resourcePoolType: 'PERSONAL_POOL',
      customResource: { cpu: 4, memory: '8Gi', gpuModel: 'T4', gpuCount: 1, shareGpu: 0, requestCpu: 2 },
      maxRuntime: 86400,
      description: 'd',
      dataUrl: 's3://bucket/data/',
      parameters: [{ name: 'epochs', value: '3' }],
      monitors: [{ name: 'loss', regular: 'loss=(\\S+)', sample: 'loss=0.1' }],
      algorithmId: 500000,
      modeUrl: 'docker://init',
      frameworkId: 500100,
      codeUrl: 's3://bucket/code/',
      codeVersion: 'v1',
      gitInfo: { username: 'u', password: 'p', branch: 'main', url: 'https://git/x.git' },
      startup: 'train.py',
      startupType: 'HOROVOD',
      inputFiles: [{ name: 'f', path: 'docker://sd' }],
      mirrorUrl: 'registry/img:1',
      command: '/bin/bash',
      args: "-c 'echo hi'",
      envs: [{ name: 'A', value: 'b' }],
      isFlowInput: 0,
    };
    const decoded = ok(TrainCreate, full);
    expect(decoded).toEqual({
      ...full,
      customResource: { ...full.customResource, shareGpu: false },
      isFlowInput: false,
    });
  });
});

describe('logs', () => {
  it('LogPage decodes lines with optional fields absent or null and hasMore in both forms', () => {
    const page = ok(LogPage, {
      logs: [
        { id: 0, content: 'a' },
        { id: 1, content: 'b', time: null, instance: 1, stream: 'stderr' },
      ],
      hasMore: 1,
    });
    expect(page).toEqual({
      logs: [
        { id: 0, content: 'a' },
        { id: 1, content: 'b', instance: 1, stream: 'stderr' },
      ],
      hasMore: true,
    });
    expect(ok(LogPage, { logs: [], hasMore: false }).hasMore).toBe(false);
    expect(LogPage.encode({ logs: [], hasMore: true })).toEqual({ logs: [], hasMore: 1 });
  });

  it('LogLine ids start at 0 and may not be negative', () => {
    expect(problems(LogPage, { logs: [{ id: -1, content: 'x' }] })).toEqual([
      'logs[0].id: expected a non-negative integer, got -1',
    ]);
  });

  it('LogQuery decodes the query strings and encodes back to strings', () => {
    expect(ok(LogQuery, { lastId: '5', wait: '2.5', limit: '100' })).toEqual({
      lastId: 5,
      wait: 2.5,
      limit: 100,
    });
    expect(ok(LogQuery, { lastId: '0' })).toEqual({ lastId: 0 });
    expect(LogQuery.encode({ lastId: 5, wait: 2 })).toEqual({ lastId: '5', wait: '2' });
    expect(problems(LogQuery, { lastId: 'x' })).toEqual(['lastId: expected a non-negative integer, got "x"']);
  });

  it('LogQuery carries one cursor: lastId, or lastTime + lastNan (default 0)', () => {
    expect(logCursorOf(ok(LogQuery, { wait: '1' }))).toEqual({
      problem: expect.stringMatching(/^lastId: required/),
    });
    expect(logCursorOf(ok(LogQuery, { lastId: '4' }))).toEqual({ cursor: { kind: 'id', fromId: 4 } });
    expect(logCursorOf(ok(LogQuery, { lastTime: '1714557600', lastNan: '250000000' }))).toEqual({
      cursor: { kind: 'time', after: { seconds: 1714557600, nanos: 250000000 } },
    });
    expect(logCursorOf(ok(LogQuery, { lastTime: '5' }))).toEqual({
      cursor: { kind: 'time', after: { seconds: 5, nanos: 0 } },
    });
    expect(logCursorOf({ lastId: 1, lastTime: 5 })).toEqual({
      problem: expect.stringMatching(/^lastTime: /),
    });
    expect(logCursorOf({ lastNan: 5 })).toEqual({ problem: expect.stringMatching(/^lastNan: /) });
    expect(problems(LogQuery, { lastTime: '5', lastNan: '1000000000' })).toEqual([
      'lastNan: expected nanoseconds within a second (an integer in 0..999999999), got "1000000000"',
    ]);
    expect(LogQuery.encode({ lastTime: 5, lastNan: 7 })).toEqual({ lastTime: '5', lastNan: '7' });
  });

  it("logInstantOf reads a line's instant from its ISO or numeric time and its nanTime", () => {
    expect(logInstantOf({ time: '2024-05-01T10:00:00.250Z' })).toEqual({
      seconds: 1714557600,
      nanos: 250_000_000,
    });
    expect(logInstantOf({ time: '2024-05-01T10:00:00.250Z', nanTime: 250_123_456 })).toEqual({
      seconds: 1714557600,
      nanos: 250_123_456,
    });
    expect(logInstantOf({ time: 1714557600, nanTime: '17' })).toEqual({ seconds: 1714557600, nanos: 17 });
    expect(logInstantOf({ time: 'yesterday' })).toBeUndefined();
    expect(logInstantOf({})).toBeUndefined();
  });
});

describe('monitors and output (lenient extension shapes)', () => {
  it('ResourceMonitor and PerformanceMonitor decode a body without their list to []', () => {
    expect(ok(ResourceMonitor, {})).toEqual({ samples: [] });
    expect(ok(ResourceMonitor, { samples: null })).toEqual({ samples: [] });
    expect(ok(PerformanceMonitor, { metrics: [{ name: 'loss' }] })).toEqual({
      metrics: [{ name: 'loss', points: [] }],
    });
  });

  it('keep the samples and points a server sends', () => {
    const sample = { time: '2024-01-01T00:00:00Z', instance: 0, cpu: 0.5, memory: 1024, gpu: null };
    expect(ok(ResourceMonitor, { samples: [sample] })).toEqual({
      samples: [{ time: '2024-01-01T00:00:00Z', instance: 0, cpu: 0.5, memory: 1024 }],
    });
    expect(
      ok(PerformanceMonitor, { metrics: [{ name: 'loss', points: [{ time: 1, value: 0.3, step: 2 }] }] }),
    ).toEqual({ metrics: [{ name: 'loss', points: [{ time: 1, value: 0.3, step: 2 }] }] });
  });

  it('TrainOutput requires output and defaults files to []', () => {
    expect(ok(TrainOutput, { output: 's3://b/o/' })).toEqual({ output: 's3://b/o/', files: [] });
    expect(problems(TrainOutput, { files: [] })).toEqual(['output: expected string, got undefined']);
  });
});
