/**
 * The program's own error in the tail of a failed job's log: what a `TrainingFailed`
 * message quotes, so a script that throws ends with `Error: boom`, not with the
 * runtime's closing banner (`Node.js v20.20.2`).
 * @module
 */
import type { LogLine } from '../codecs/training.js';

/**
 * A line that states an error the way runtimes print one: `Error: boom`,
 * `TypeError: x is not a function`, `Error [ERR_MODULE_NOT_FOUND]: Cannot find …`
 * (Node), `ValueError: bad label`, `module.CustomError: …`,
 * `KeyboardInterrupt` (Python), `Uncaught Error: …`, `error: …`, `Exception in thread …`.
 */
const ERROR_LINE =
  /^\s*(?:Uncaught\s+)?(?:[A-Za-z_$][\w$]*\.)*[A-Za-z_$]*(?:Error|Exception|Interrupt|Exit)\b(?:\s*\[[^\]]*\])?(?::|$)|^\s*(?:error|fatal|panic):\s|^Exception in thread /;

/** The runtime's closing banner (Node prints it after an uncaught error), never the error itself. */
const BANNER = /^Node\.js v\d+\.\d+\.\d+$/;

/** True for a line that looks like the statement of an error (see {@link programError}). */
export function isErrorLine(content: string): boolean {
  return ERROR_LINE.test(content);
}

/**
 * The program's error among the last lines of a failed job: the first error-looking line
 * of its stderr (`Error: boom` in Node's trace, `ValueError: bad label` after a Python
 * traceback); else the first error-looking line of any stream; else the last non-blank
 * stderr line that is not a runtime banner; else `undefined`. Lines without a `stream`
 * (a server that does not say) count as either.
 *
 * @example
 * ```ts
 * programError([{ id: 7, content: 'Error: boom', stream: 'stderr' }, { id: 8, content: 'Node.js v20.20.2', stream: 'stderr' }]);
 * // 'Error: boom'
 * ```
 */
export function programError(lines: readonly LogLine[]): string | undefined {
  const stderr = lines.filter((line) => line.stream === undefined || line.stream === 'stderr');
  const found =
    stderr.find((line) => isErrorLine(line.content)) ?? lines.find((line) => isErrorLine(line.content));
  if (found !== undefined) return found.content.trim();
  const last = stderr.findLast((line) => line.content.trim() !== '' && !BANNER.test(line.content.trim()));
  return last?.content.trim();
}
