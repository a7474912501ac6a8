/**
 * Ctrl-C for streaming commands: the first SIGINT ends the stream (unsubscribing,
 * which aborts the requests in flight) and hands control back to the command, which
 * says what it left behind and exits 130; a second SIGINT while it does so exits at once.
 * @module
 */

import type { Caller } from 'modelmaker';
import { stopTrain } from 'modelmaker';
import { lastValueFrom, type Observable } from 'rxjs';
import { EXIT, type ExitCode } from './exitCodes.js';
import type { Output } from './output.js';

/** How a run of a stream ended. */
export type RunEnd = 'completed' | 'interrupted';

/**
 * Subscribes to `stream`, handing each value to `next`, until it completes
 * (`'completed'`), fails (the promise rejects with its error) or SIGINT arrives
 * (`'interrupted'`: the subscription is closed first). While it runs, SIGINT does not
 * kill the process; afterwards a second SIGINT exits with 130 at once.
 */
export function runUntilInterrupted<T>(stream: Observable<T>, next: (value: T) => void): Promise<RunEnd> {
  return new Promise<RunEnd>((resolve, reject) => {
    const onSigint = () => {
      subscription.unsubscribe();
      process.once('SIGINT', () => process.exit(EXIT.INTERRUPTED));
      resolve('interrupted');
    };
    process.once('SIGINT', onSigint);
    const subscription = stream.subscribe({
      next,
      error: (error: unknown) => {
        process.removeListener('SIGINT', onSigint);
        reject(error);
      },
      complete: () => {
        process.removeListener('SIGINT', onSigint);
        resolve('completed');
      },
    });
  });
}

/**
 * What Ctrl-C leaves behind on a training version: with `stop`, the version is
 * stopped (`POST /v1/train/{versionId}/stop`); without, it keeps running. Either way
 * stderr says so. Resolves with exit status 130.
 */
export async function afterJobInterrupt(
  err: Output,
  session: Caller,
  versionId: number,
  stop: boolean,
): Promise<ExitCode> {
  if (stop) {
    err.line(`interrupted: stopping job version ${versionId} (--stop)…`);
    await lastValueFrom(stopTrain(session, versionId));
    err.line(`interrupted: job version ${versionId} is stopping`);
  } else {
    err.line(
      `interrupted: job version ${versionId} is still running; stop it with: modelmaker jobs stop ${versionId}`,
    );
  }
  return EXIT.INTERRUPTED;
}
