import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { decode, ERROR_CODES, ErrorBody, isErrorBody, toErrorBody } from '../../src/codecs/index.js';

describe('ErrorBody', () => {
  it('has the contract codes', () => {
    expect(ERROR_CODES).toEqual({
      BAD_CREDENTIALS: 1001,
      TOKEN_INVALID: 1002,
      TOKEN_EXPIRED: 1003,
      MISSING_TOKEN: 1004,
      MODEL_EXISTS: 101009,
      JOB_EXISTS: 102009,
      VALIDATION: 4000,
      NOT_FOUND: 4004,
      CONFLICT: 4009,
      TOO_MANY_ATTEMPTS: 4029,
      INTERNAL: 5000,
    });
  });

  it('decodes errorCode with or without a message, tolerating other fields', () => {
    expect(decode(ErrorBody, { errorCode: 102009 })).toEqual(E.right({ errorCode: 102009 }));
    expect(decode(ErrorBody, { errorCode: 1003, message: 'expired', data: 1 })).toEqual(
      E.right({ errorCode: 1003, message: 'expired', data: 1 }),
    );
  });

  it('isErrorBody finds a non-zero integer errorCode in any JSON body', () => {
    expect(isErrorBody({ errorCode: 1002, message: 'bad token' })).toBe(true);
    expect(isErrorBody({ errorCode: 4004, trainTasks: [] })).toBe(true);
    expect(isErrorBody({ errorCode: 0, trainTasks: [] })).toBe(false);
    expect(isErrorBody({ errorCode: '1002' })).toBe(false);
    expect(isErrorBody({ trainTasks: [] })).toBe(false);
    expect(isErrorBody([{ errorCode: 1002 }])).toBe(false);
    expect(isErrorBody(null)).toBe(false);
  });

  it('toErrorBody reads a null message as absent', () => {
    expect(toErrorBody({ errorCode: 5000, message: null })).toEqual({ errorCode: 5000 });
    expect(toErrorBody({ id: 1 })).toBeUndefined();
  });
});
