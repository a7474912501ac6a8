/**
 * Logging: a four-method {@link Logger} users can supply, levels as in the Python SDK
 * (`MODELMAKER_LEVEL` 10/20/30/40 = debug/info/warning/error, default info), and a
 * wrapper that filters by level and redacts every message and field at every level.
 * @module
 */
import { DEFAULT_LOG_LEVEL } from '../defaults.js';
import { readEnv } from './env.js';
import { redact } from './redact.js';

/** Where the SDK writes its log. Any object with these four methods will do (pino, winston, console). */
export interface Logger {
  debug(message: string, fields?: object): void;
  info(message: string, fields?: object): void;
  warn(message: string, fields?: object): void;
  error(message: string, fields?: object): void;
}

/** Numeric levels of Python's `logging`, as `MODELMAKER_LEVEL` takes them. */
export const LogLevel = { debug: 10, info: 20, warning: 30, error: 40 } as const;
/** A numeric log threshold: messages below it are dropped. */
export type LogLevel = number;

const NAMES: Readonly<Record<string, number>> = {
  debug: LogLevel.debug,
  info: LogLevel.info,
  warn: LogLevel.warning,
  warning: LogLevel.warning,
  error: LogLevel.error,
};

/**
 * A level from `10`, `'20'`, `'debug'`, `'WARNING'`…; `undefined` for anything else
 * (so a typo in `MODELMAKER_LEVEL` falls back to the default instead of silencing logs).
 */
export function parseLogLevel(value: string | number | undefined): LogLevel | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  const text = value.trim().toLowerCase();
  if (text === '') return undefined;
  if (/^\d+$/.test(text)) return Number(text);
  return NAMES[text];
}

/** The level from `MODELMAKER_LEVEL`, else {@link DEFAULT_LOG_LEVEL} (info). */
export function levelFromEnv(): LogLevel {
  return parseLogLevel(readEnv('MODELMAKER_LEVEL')) ?? DEFAULT_LOG_LEVEL;
}

function line(level: string, message: string, fields?: object): string {
  const extra = fields === undefined || Object.keys(fields).length === 0 ? '' : ` ${safeJson(fields)}`;
  return `[modelmaker] ${level} ${message}${extra}`;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

/** The default logger: one line per message on the console (`console.debug/info/warn/error`). */
export const consoleLogger: Logger = {
  debug: (message, fields) => console.debug(line('DEBUG', message, fields)),
  info: (message, fields) => console.info(line('INFO', message, fields)),
  warn: (message, fields) => console.warn(line('WARNING', message, fields)),
  error: (message, fields) => console.error(line('ERROR', message, fields)),
};

/** A logger that drops everything. */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** Where lines go; default {@link consoleLogger}. */
  readonly logger?: Logger | undefined;
  /** Threshold; default from `MODELMAKER_LEVEL`, else info. */
  readonly level?: LogLevel | undefined;
  /** Secret values to scrub from text wherever they appear (read at each call, so later additions count). */
  readonly secrets?: Iterable<string> | undefined;
}

/** A {@link Logger} that also tells whether a level is on (to skip building debug fields). */
export interface SdkLogger extends Logger {
  readonly level: LogLevel;
  enabled(level: LogLevel): boolean;
  /** Logs a warning the first time `key` is seen by this logger, never again. */
  warnOnce(key: string, message: string, fields?: object): void;
}

/**
 * Wraps a logger with a level filter and redaction ({@link redact}) of the message
 * and fields, so a user-supplied logger never sees a password, token or S3 secret.
 */
export function createLogger(options: LoggerOptions = {}): SdkLogger {
  const target = options.logger ?? consoleLogger;
  const level = options.level ?? levelFromEnv();
  const secrets = options.secrets ?? [];
  const warned = new Set<string>();
  const emit =
    (at: number, method: keyof Logger) =>
    (message: string, fields?: object): void => {
      if (at < level) return;
      const text = redact(message, secrets);
      try {
        if (fields === undefined) target[method](text);
        else target[method](text, redact(fields, secrets) as object);
      } catch {
        // A failing user logger must not break (or hang) the call that logs.
      }
    };
  const warn = emit(LogLevel.warning, 'warn');
  return {
    level,
    enabled: (at) => at >= level,
    debug: emit(LogLevel.debug, 'debug'),
    info: emit(LogLevel.info, 'info'),
    warn,
    error: emit(LogLevel.error, 'error'),
    warnOnce(key, message, fields) {
      if (warned.has(key)) return;
      warned.add(key);
      warn(message, fields);
    },
  };
}
