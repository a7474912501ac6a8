/**
 * The progress of an S3 transfer: a cli-progress bar on stderr when stderr is a
 * terminal, a plain progress line every few seconds elsewhere, and with `--json`
 * every transfer event as one NDJSON line on stdout.
 * @module
 */
import cliProgress from 'cli-progress';
import type { TransferEvent, TransferSummary } from 'modelmaker/storage';
import type { Context } from './context.js';
import { PLAIN_PROGRESS_EVERY_MS } from './defaults.js';
import { formatBytes, formatDuration, jsonText, oneLine } from './output.js';

/** Shows the events of one transfer. */
export interface TransferDisplay {
  /** Shows one event. */
  next(event: TransferEvent): void;
  /** Ends the display (removes the bar); safe to call twice. */
  stop(): void;
  /** The summary, once it has been shown. */
  summary(): TransferSummary | undefined;
}

function percent(done: number, total: number): number {
  return total === 0 ? 100 : Math.floor((done / total) * 100);
}

/**
 * A display for a transfer named `label` (e.g. `upload ./code`). `now` is the clock
 * of the plain-line throttle.
 */
export function transferDisplay(
  context: Context,
  label: string,
  now: () => number = Date.now,
): TransferDisplay {
  let summary: TransferSummary | undefined;
  const name = oneLine(label);
  if (context.json) {
    return {
      next: (event) => {
        if (event.type === 'summary') summary = event;
        context.out.line(jsonText(event));
      },
      stop: () => {},
      summary: () => summary,
    };
  }
  if (context.err.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream: process.stderr,
        format: `${name} [{bar}] {percentage}% | {done}/{size} | {files} | {rate}/s`,
        hideCursor: true,
        clearOnComplete: true,
        barsize: 24,
      },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    const stop = () => {
      if (started) bar.stop();
      started = false;
    };
    return {
      next: (event) => {
        if (event.type === 'summary') {
          summary = event;
          stop();
          return;
        }
        if (event.type !== 'progress') return;
        const payload = {
          done: formatBytes(event.bytesDone),
          size: formatBytes(event.bytesTotal),
          files: `${event.filesDone}/${event.filesTotal} files`,
          rate: formatBytes(Math.round(event.rate)),
        };
        // The bar counts bytes; an empty transfer still shows 100%.
        const total = Math.max(event.bytesTotal, 1);
        const value = event.bytesTotal === 0 ? 1 : event.bytesDone;
        if (!started) {
          bar.start(total, value, payload);
          started = true;
        } else {
          bar.setTotal(total);
          bar.update(value, payload);
        }
      },
      stop,
      summary: () => summary,
    };
  }
  let last = Number.NEGATIVE_INFINITY;
  return {
    next: (event) => {
      if (event.type === 'summary') {
        summary = event;
        return;
      }
      if (event.type !== 'progress') return;
      const finished = event.filesDone === event.filesTotal && event.bytesDone === event.bytesTotal;
      if (!finished && now() - last < PLAIN_PROGRESS_EVERY_MS) return;
      last = now();
      context.err.line(
        `${name}: ${percent(event.bytesDone, event.bytesTotal)}% ${formatBytes(event.bytesDone)}/${formatBytes(event.bytesTotal)}, ${event.filesDone}/${event.filesTotal} files`,
      );
    },
    stop: () => {},
    summary: () => summary,
  };
}

/** One line about a finished transfer: `3 files sent (1.2 KiB), 1 unchanged, in 0s`. */
export function describeSummary(summary: TransferSummary): string {
  const verb = summary.direction === 'upload' ? 'sent' : 'received';
  const parts = [
    `${summary.filesSent} file${summary.filesSent === 1 ? '' : 's'} ${verb} (${formatBytes(summary.bytesSent)})`,
  ];
  if (summary.filesSkipped > 0) parts.push(`${summary.filesSkipped} unchanged`);
  if (summary.partsReused > 0) parts.push(`${summary.partsReused} parts resumed`);
  if (summary.leftOut.length > 0)
    parts.push(`${summary.leftOut.length} left out (links leading out, special files)`);
  if (summary.sizeOnly.length > 0) parts.push(`${summary.sizeOnly.length} checked by size only`);
  return `${parts.join(', ')}, in ${formatDuration(summary.elapsedMs)}`;
}
