import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger, LogLevel, levelFromEnv, parseLogLevel } from '../../src/client/logger.js';
import { captureLogger } from './support.js';

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('levels', () => {
  it('reads MODELMAKER_LEVEL as the Python SDK does, default info', () => {
    vi.stubEnv('MODELMAKER_LEVEL', '10');
    expect(levelFromEnv()).toBe(LogLevel.debug);
    vi.stubEnv('MODELMAKER_LEVEL', '40');
    expect(levelFromEnv()).toBe(LogLevel.error);
    vi.stubEnv('MODELMAKER_LEVEL', 'nonsense');
    expect(levelFromEnv()).toBe(LogLevel.info);
    vi.stubEnv('MODELMAKER_LEVEL', '');
    expect(levelFromEnv()).toBe(LogLevel.info);
  });

  it('parses numbers and names', () => {
    expect(parseLogLevel('debug')).toBe(10);
    expect(parseLogLevel('WARNING')).toBe(30);
    expect(parseLogLevel('warn')).toBe(30);
    expect(parseLogLevel(40)).toBe(40);
    expect(parseLogLevel(undefined)).toBeUndefined();
  });

  it.each([
    [10, ['debug', 'info', 'warn', 'error']],
    [20, ['info', 'warn', 'error']],
    [30, ['warn', 'error']],
    [40, ['error']],
  ])('at level %i passes %j', (level, expected) => {
    const target = captureLogger();
    const logger = createLogger({ logger: target, level });
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.error('e');
    expect(target.entries.map((e) => e.level)).toEqual(expected);
  });
});

describe('redaction at every level', () => {
  it.each([10, 20, 30, 40])('redacts messages and fields at level %i', (level) => {
    const target = captureLogger();
    const logger = createLogger({ logger: target, level, secrets: ['known-secret-1'] });
    const fields = { headers: { 'Auth-Token': 'abc' }, body: { gitInfo: { password: 'gp' } } };
    logger.error('leaked known-secret-1', fields);
    expect(target.entries).toEqual([
      {
        level: 'error',
        message: 'leaked ***',
        fields: { headers: { 'Auth-Token': '***' }, body: { gitInfo: { password: '***' } } },
      },
    ]);
    expect(fields.headers['Auth-Token']).toBe('abc');
  });
});

describe('warnOnce', () => {
  it('warns once per key', () => {
    const target = captureLogger();
    const logger = createLogger({ logger: target, level: 20 });
    logger.warnOnce('a', 'first');
    logger.warnOnce('a', 'again');
    logger.warnOnce('b', 'other');
    expect(target.entries.map((e) => e.message)).toEqual(['first', 'other']);
  });
});

describe('a failing user logger', () => {
  it('is ignored rather than breaking the code that logs', () => {
    const logger = createLogger({
      logger: {
        debug: () => {
          throw new Error('broken');
        },
        info: () => {},
        warn: () => {},
        error: () => {},
      },
      level: 10,
    });
    expect(() => logger.debug('x', { a: 1 })).not.toThrow();
  });
});
