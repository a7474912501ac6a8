/**
 * `monitors` turn log lines into metric points: each monitor is `{ name, regular }`,
 * a regular expression whose capture group 1 is the value. Pure functions shared by
 * the SDK (`metricsFromLogs`) and the local platform (performance monitor).
 * @module
 */
import * as E from 'fp-ts/lib/Either.js';
import { type FieldProblem, ValidationError } from '../errors.js';

/** A monitor as the wire carries it. */
export interface MonitorSpec {
  readonly name: string;
  readonly regular: string;
  readonly sample?: string | undefined;
}

/** A monitor whose expression compiled. */
export interface CompiledMonitor {
  readonly name: string;
  readonly pattern: RegExp;
}

/** One value read from one log line. */
export interface MonitorMatch {
  readonly name: string;
  readonly value: number;
}

/**
 * Compiles monitors up front, so a bad expression is a {@link ValidationError}
 * naming `monitors[i].regular` before any job is created.
 */
export function compileMonitors(
  monitors: readonly MonitorSpec[],
  field = 'monitors',
): E.Either<ValidationError, CompiledMonitor[]> {
  const problems: FieldProblem[] = [];
  const compiled: CompiledMonitor[] = [];
  monitors.forEach((monitor, i) => {
    if (typeof monitor.name !== 'string' || monitor.name === '') {
      problems.push({ field: `${field}[${i}].name`, message: 'expected a non-empty string' });
    }
    try {
      compiled.push({ name: monitor.name, pattern: new RegExp(monitor.regular) });
    } catch (cause) {
      problems.push({
        field: `${field}[${i}].regular`,
        message: `expected a valid regular expression (${(cause as Error).message})`,
      });
    }
  });
  return problems.length > 0 ? E.left(new ValidationError(problems)) : E.right(compiled);
}

/** The values the monitors find in one line: group 1 of each matching monitor, when it parses as a number. */
export function applyMonitors(monitors: readonly CompiledMonitor[], line: string): MonitorMatch[] {
  const matches: MonitorMatch[] = [];
  for (const monitor of monitors) {
    const found = monitor.pattern.exec(line);
    if (found?.[1] === undefined) continue;
    const value = Number(found[1].trim());
    if (Number.isFinite(value)) matches.push({ name: monitor.name, value });
  }
  return matches;
}
