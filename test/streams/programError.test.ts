import { describe, expect, it } from 'vitest';
import type { LogLine } from '../../src/codecs/training.js';
import { TrainingFailed } from '../../src/streams/failures.js';
import { programError } from '../../src/streams/programError.js';

const lines = (stream: 'stdout' | 'stderr' | undefined, ...contents: string[]): LogLine[] =>
  contents.map((content, id) => (stream === undefined ? { id, content } : { id, content, stream }));

/** What Node 20 prints on stderr for an uncaught `throw new Error('boom')` in an ES module. */
const NODE_TRACE = [
  'file:///tmp/code/train.mjs:2',
  "throw new Error('boom');",
  '^',
  '',
  'Error: boom',
  '    at file:///tmp/code/train.mjs:2:7',
  '    at ModuleJob.run (node:internal/modules/esm/module_job:234:25)',
  '',
  'Node.js v20.20.2',
];

describe('programError', () => {
  it("finds Node's error line, not its closing banner", () => {
    expect(programError([...lines('stdout', 'loading'), ...lines('stderr', ...NODE_TRACE)])).toBe(
      'Error: boom',
    );
  });

  it('finds Node errors with a code and subclasses', () => {
    expect(
      programError(
        lines(
          'stderr',
          'node:internal/x:1',
          "Error [ERR_MODULE_NOT_FOUND]: Cannot find package 'ml'",
          'Node.js v22.1.0',
        ),
      ),
    ).toBe("Error [ERR_MODULE_NOT_FOUND]: Cannot find package 'ml'");
    expect(programError(lines('stderr', 'TypeError: x.map is not a function'))).toBe(
      'TypeError: x.map is not a function',
    );
  });

  it("finds Python's exception after its traceback, dotted names included", () => {
    const trace = [
      'Traceback (most recent call last):',
      '  File "train.py", line 3, in <module>',
      "    raise ValueError('bad label')",
    ];
    expect(programError(lines('stderr', ...trace, 'ValueError: bad label'))).toBe('ValueError: bad label');
    expect(programError(lines('stderr', ...trace, 'sklearn.exceptions.NotFittedError: not fitted'))).toBe(
      'sklearn.exceptions.NotFittedError: not fitted',
    );
    expect(programError(lines('stderr', ...trace, 'KeyboardInterrupt'))).toBe('KeyboardInterrupt');
  });

  it('prefers stderr, counts lines without a stream, else falls back to the last stderr line', () => {
    expect(
      programError([...lines('stdout', 'Error: in a progress message'), ...lines('stderr', 'Error: real')]),
    ).toBe('Error: real');
    expect(programError(lines(undefined, 'step 1', 'RuntimeError: CUDA out of memory'))).toBe(
      'RuntimeError: CUDA out of memory',
    );
    expect(programError(lines('stderr', 'could not open the data', '', 'Node.js v20.20.2'))).toBe(
      'could not open the data',
    );
    expect(programError(lines('stdout', 'epoch=1', 'done'))).toBeUndefined();
  });
});

describe('TrainingFailed', () => {
  const failure = (status: string, reason: string, contents: readonly string[]) =>
    new TrainingFailed({
      jobId: 1,
      versionId: 2,
      detail: { status, reason, exitCode: 1 },
      lastLines: lines('stderr', ...contents),
    });

  it("ends its message with the program's error, without repeating the exit code", () => {
    const error = failure('TRAINING_FAIL', 'instance 0 exited with code 1', NODE_TRACE);
    expect(error.message).toBe(
      "training version 2 ended TRAINING_FAIL: instance 0 exited with code 1; the program's error: Error: boom",
    );
    expect(error.programError).toBe('Error: boom');
  });

  it('names the exit code when the reason does not; quotes nothing for a stop or a failed start', () => {
    expect(failure('TRAINING_FAIL', 'maxRuntime exceeded', []).message).toBe(
      'training version 2 ended TRAINING_FAIL: maxRuntime exceeded (exit code 1)',
    );
    expect(failure('STOPPED', 'stopped by the user', ['KeyboardInterrupt']).programError).toBeUndefined();
    expect(failure('STARTING_FAIL', 'nothing found at s3://b/data/', ['Error: x']).message).not.toMatch(
      /program/,
    );
  });

  it('names the parameter a failed start is about, where the reason leads with its wire field; keeps the reason', () => {
    const error = failure('STARTING_FAIL', 'dataUrl: nothing found at s3://b/data/', []);
    expect(error.message).toBe(
      'training version 2 ended STARTING_FAIL: inputs: nothing found at s3://b/data/ (exit code 1)',
    );
    expect(error.detail.reason).toBe('dataUrl: nothing found at s3://b/data/');
    expect(
      failure('STARTING_FAIL', 'startup: the boot file "x.mjs" is not a file in the code', []).message,
    ).toBe(
      'training version 2 ended STARTING_FAIL: bootFile: the boot file "x.mjs" is not a file in the code (exit code 1)',
    );
  });
});
