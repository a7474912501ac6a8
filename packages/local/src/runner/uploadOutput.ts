/**
 * Phase 3 of a training run, finish: upload the output directory to `output` (one
 * note line); the run ends FINISH with exit code 0, or TRAINING_FAIL when the upload
 * fails.
 * @module
 */
import { catchError, concatMap, type Observable, of } from 'rxjs';
import { endRun, type LastPhaseEvent } from './phase.js';
import { describeBytes, noteEvent, type RunContext } from './runContext.js';
import { uploadDirectory } from './transfer.js';
import { failed } from './verdict.js';

/** The finish phase (see the module doc). */
export function uploadOutput(context: RunContext): Observable<LastPhaseEvent> {
  const { body, dirs, deps } = context;
  return uploadDirectory(deps.s3, dirs.output, body.output, 'output', { stateDir: deps.uploadStateDir }).pipe(
    concatMap((sent) => [
      noteEvent(context, `output: ${sent.files} file(s), ${describeBytes(sent.bytes)} to ${body.output}`),
      endRun({ kind: 'finished' }),
    ]),
    catchError((error: unknown) => of(endRun(failed('TRAINING_FAIL', (error as Error).message)))),
  );
}
