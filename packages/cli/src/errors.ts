/**
 * Failures of the command line: the tagged errors it adds (`UsageError`,
 * `SpecError`, `RefusedError`), the exit status of any failure, and how a failure is printed —
 * one line with the tagged error's message, the detail (tag, stack, causes) only
 * with `--debug`.
 * @module
 */
import { CommanderError } from 'commander';
import { type FieldProblem, hasTag, isModelMakerError, ModelMakerError } from 'modelmaker';
import { EXIT, type ExitCode, exitCodeOfTrainStatus } from './exitCodes.js';
import { jsonText, type Output, oneLine, styleOf } from './output.js';

/** The command line was used wrongly: a bad value, a missing file, conflicting options. Exit status 2. */
export class UsageError extends ModelMakerError {
  readonly _tag = 'UsageError' as const;
  override readonly name = 'UsageError';
}

/**
 * The command would do what the user did not clearly ask for — delete a running
 * service, download nothing — and did nothing. The message says the way forward. Exit status 1.
 */
export class RefusedError extends ModelMakerError {
  readonly _tag = 'RefusedError' as const;
  override readonly name = 'RefusedError';
}

/**
 * A spec file (or the flags beside it) describes invalid parameters. The message
 * names the file and each field as the user wrote it (`train_instance_count`,
 * `--instance-count`). Exit status 2.
 */
export class SpecError extends ModelMakerError {
  readonly _tag = 'SpecError' as const;
  override readonly name = 'SpecError';
  constructor(
    /** Where the parameters came from: the file, `flags`, or `file and flags`. */
    readonly source: string,
    readonly problems: readonly FieldProblem[],
    cause?: unknown,
  ) {
    super(
      `${source}: invalid parameters: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`,
      cause === undefined ? {} : { cause },
    );
  }
}

/**
 * The exit status of a failure: 2 for usage and validation errors (and commander's);
 * for a job or service that ended badly (`TrainingFailed`, `ServiceFailed`) the status
 * its outcome maps to (3 failed, 4 stopped); 1 for the rest.
 */
export function exitCodeOf(error: unknown): ExitCode {
  if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
  if (hasTag(error, 'UsageError') || hasTag(error, 'SpecError') || hasTag(error, 'ValidationError')) {
    return EXIT.USAGE;
  }
  if (hasTag(error, 'TrainingFailed'))
    return exitCodeOfTrainStatus((error as { status?: string }).status ?? '');
  if (hasTag(error, 'ServiceFailed')) return EXIT.FAILED;
  return EXIT.ERROR;
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/** The chain of causes below `error`, each as `Tag: message`. */
function causes(error: unknown): string[] {
  const out: string[] = [];
  let current = error instanceof Error ? error.cause : undefined;
  for (let depth = 0; current !== undefined && depth < 10; depth++) {
    const tag = isModelMakerError(current) ? current._tag : current instanceof Error ? current.name : 'cause';
    out.push(`${tag}: ${messageOf(current)}`);
    current = current instanceof Error ? current.cause : undefined;
  }
  return out;
}

/**
 * Prints a failure on `err`: one line, `error: <message>` (neutralised, newlines
 * folded), or with `json` one JSON object `{ type: "error", tag, message, problems?,
 * exitCode }`. With `debug`, the tag, the stack and every cause follow.
 */
export function reportError(
  err: Output,
  error: unknown,
  options: { readonly json: boolean; readonly debug: boolean },
): void {
  const code = exitCodeOf(error);
  const tag = isModelMakerError(error) ? error._tag : error instanceof Error ? error.name : 'Error';
  const message = oneLine(messageOf(error).trim());
  if (options.json) {
    const problems = (error as { problems?: unknown }).problems;
    err.line(jsonText({ type: 'error', tag, message, ...(problems ? { problems } : {}), exitCode: code }));
  } else {
    err.line(`${styleOf(err).red('error:')} ${message}`);
  }
  if (!options.debug) return;
  err.line(`[debug] tag: ${tag}`);
  if (error instanceof Error && error.stack) {
    for (const line of error.stack.split('\n').slice(1)) err.line(`[debug] ${oneLine(line)}`);
  }
  for (const cause of causes(error)) err.line(`[debug] caused by ${oneLine(cause)}`);
}
