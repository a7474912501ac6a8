/**
 * `jobs watch`: a training version's status, elapsed time, resource usage per
 * instance, log tail and a line chart of each monitored metric. Three renderings of
 * one event stream (`watchEvents`):
 *
 * - a live view on a terminal, redrawn in place (`LiveView`) at the pace of
 *   `liveStates`, each frame sized to the terminal (`renderFrame`);
 * - plain lines elsewhere (`PlainWatch`): log lines as they come, `[watch] …` lines
 *   for the rest;
 * - NDJSON with `--json` (`jsonWatch`): one event per line, flushed as it happens.
 *
 * The stream completes once the job has ended and every log line, metric point and
 * sample is in.
 * @module
 */
import type { Caller } from 'modelmaker';
import { asyncScheduler, type SchedulerLike, tap } from 'rxjs';
import type { Context } from '../context.js';
import { type ExitCode, exitCodeOfTrainStatus } from '../exitCodes.js';
import { afterJobInterrupt, type RunEnd, runUntilInterrupted } from '../interrupt.js';
import { formatDuration, jsonText, oneLine, styleOf } from '../output.js';
import { type WatchStatusEvent, watchEvents } from './events.js';
import { elapsedMs, renderFrame } from './frame.js';
import { liveStates } from './liveStates.js';
import { LiveView } from './liveView.js';
import { jsonWatch, PlainWatch } from './plain.js';
import type { WatchState } from './state.js';

/** Options of {@link runWatch}. */
export interface RunWatchOptions {
  /** Stop the job on Ctrl-C (`--stop`); default: leave it running. */
  readonly stop?: boolean | undefined;
  /** The clock of the redraws and the elapsed time. Default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike | undefined;
}

/**
 * Watches a training version until it ends, rendering as the context asks (live view
 * on a terminal, plain lines, or NDJSON ending with `{ type: "end", status, exitCode }`).
 * Resolves with the exit status mirroring the final status (see
 * `exitCodeOfTrainStatus`), or 130 after Ctrl-C.
 */
export async function runWatch(
  context: Context,
  session: Caller,
  versionId: number,
  options: RunWatchOptions = {},
): Promise<ExitCode> {
  const scheduler = options.scheduler ?? asyncScheduler;
  const now = () => scheduler.now();
  let final: WatchStatusEvent | undefined;
  const events = watchEvents(session, versionId).pipe(
    tap((event) => {
      if (event.type === 'status') final = event;
    }),
  );
  let end: RunEnd;
  if (context.json) {
    end = await runUntilInterrupted(events, jsonWatch(context.out));
  } else if (context.out.isTTY) {
    const live = new LiveView(context.out);
    const style = styleOf(context.out);
    let last: WatchState | undefined;
    const draw = (state: WatchState) => {
      last = state;
      live.draw(
        renderFrame(state, { columns: context.out.columns(), rows: context.out.rows(), now: now(), style }),
      );
    };
    const onResize = () => {
      live.reset();
      if (last !== undefined) draw(last);
    };
    process.stdout.on('resize', onResize);
    try {
      end = await runUntilInterrupted(liveStates(events, versionId, scheduler), draw);
      if (last !== undefined) draw(last);
    } finally {
      process.stdout.removeListener('resize', onResize);
      live.close();
    }
  } else {
    const plain = new PlainWatch(context.out, now);
    end = await runUntilInterrupted(events, (event) => plain.next(event));
  }
  if (end === 'interrupted') return afterJobInterrupt(context.err, session, versionId, options.stop === true);

  const status = final?.status ?? 'UNKNOWN';
  const code = exitCodeOfTrainStatus(status);
  if (context.json) {
    context.out.line(jsonText({ type: 'end', versionId, status, exitCode: code }));
  } else if (!context.out.isTTY) {
    const elapsed = elapsedMs(final, now());
    context.out.line(
      `[watch] version ${versionId} ended ${oneLine(status)}${elapsed === undefined ? '' : ` after ${formatDuration(elapsed)}`}`,
    );
  }
  return code;
}
