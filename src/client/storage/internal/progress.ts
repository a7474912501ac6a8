/**
 * Folds what the file workers report into {@link TransferEvent}s.
 * @module
 */
import type {
  FileTransferred,
  LeftOut,
  TransferDirection,
  TransferEvent,
  TransferProgress,
  TransferSummary,
} from '../events.js';

/** What a file worker reports. */
export type Delta =
  /** `bytes` of `file` moved (`moved`) or found unchanged, e.g. reused parts (`!moved`). */
  | { readonly kind: 'bytes'; readonly file: string; readonly bytes: number; readonly moved: boolean }
  /** A file is done. */
  | { readonly kind: 'file'; readonly event: FileTransferred }
  /** A directory marker was created. */
  | { readonly kind: 'directory' };

/** Extra lists for the summary. */
export interface SummaryLists {
  readonly sizeOnly?: readonly string[];
  readonly leftOut?: readonly LeftOut[];
  readonly rejectedKeys?: readonly string[];
}

/** The summary's warnings: what a caller must not overlook. */
function warningsOf(lists: SummaryLists): string[] {
  const warnings: string[] = [];
  const sizeOnly = lists.sizeOnly?.length ?? 0;
  if (sizeOnly > 0) {
    warnings.push(
      `${sizeOnly} ${sizeOnly === 1 ? 'file was' : 'files were'} checked by size only, content NOT verified: ` +
        `the object${sizeOnly === 1 ? ' has' : 's have'} no sha256 metadata (not written by upload); see sizeOnly`,
    );
  }
  const rejected = lists.rejectedKeys?.length ?? 0;
  if (rejected > 0) {
    warnings.push(
      `${rejected} ${rejected === 1 ? 'key was' : 'keys were'} skipped as unsafe (would land outside the target); see rejectedKeys`,
    );
  }
  return warnings;
}

/**
 * Keeps the counters of one transfer. Progress is emitted when at least
 * `stepBytes` accumulated since the last one, and after each file, so a 1 GiB
 * file gives about a thousand events at the 1 MiB default, not one per chunk.
 */
export class ProgressTracker {
  readonly #direction: TransferDirection;
  readonly #filesTotal: number;
  readonly #bytesTotal: number;
  readonly #now: () => number;
  readonly #stepBytes: number;
  readonly #started: number;
  readonly #perFile = new Map<string, number>();
  #bytesDone = 0;
  #bytesMoved = 0;
  #filesDone = 0;
  #filesSent = 0;
  #filesSkipped = 0;
  #bytesSkipped = 0;
  #partsReused = 0;
  #directories = 0;
  #lastEmitted = 0;
  #current: string | undefined;

  constructor(
    direction: TransferDirection,
    totals: { readonly files: number; readonly bytes: number },
    now: () => number,
    stepBytes: number,
  ) {
    this.#direction = direction;
    this.#filesTotal = totals.files;
    this.#bytesTotal = totals.bytes;
    this.#now = now;
    this.#stepBytes = Math.max(1, stepBytes);
    this.#started = now();
  }

  /** The first event: nothing done yet, totals known. */
  start(): TransferProgress {
    return this.#progress();
  }

  /** Applies one delta; returns the events it makes (possibly none). */
  apply(delta: Delta): TransferEvent[] {
    switch (delta.kind) {
      case 'bytes': {
        this.#perFile.set(delta.file, (this.#perFile.get(delta.file) ?? 0) + delta.bytes);
        this.#bytesDone += delta.bytes;
        if (delta.moved) this.#bytesMoved += delta.bytes;
        else this.#bytesSkipped += delta.bytes;
        this.#current = delta.file;
        if (this.#bytesDone - this.#lastEmitted < this.#stepBytes) return [];
        return [this.#progress()];
      }
      case 'directory':
        this.#directories += 1;
        return [];
      case 'file': {
        const { event } = delta;
        // Whatever of the file was not reported as bytes (a skipped file) counts as done now.
        const counted = this.#perFile.get(event.file) ?? 0;
        this.#perFile.delete(event.file);
        const rest = Math.max(0, event.bytes - counted);
        this.#bytesDone += rest;
        this.#filesDone += 1;
        if (event.action === 'skipped') {
          this.#filesSkipped += 1;
          this.#bytesSkipped += rest;
        } else {
          this.#filesSent += 1;
          this.#bytesMoved += rest;
        }
        this.#partsReused += event.partsReused;
        this.#current = event.file;
        return [event, this.#progress()];
      }
    }
  }

  /** The summary; `lists` fill its lists. */
  summary(lists: SummaryLists = {}): TransferSummary {
    const elapsedMs = Math.max(0, this.#now() - this.#started);
    return {
      type: 'summary',
      direction: this.#direction,
      filesTotal: this.#filesTotal,
      filesSent: this.#filesSent,
      filesSkipped: this.#filesSkipped,
      bytesTotal: this.#bytesTotal,
      bytesSent: this.#bytesMoved,
      bytesSkipped: this.#bytesSkipped,
      partsReused: this.#partsReused,
      directories: this.#directories,
      elapsedMs,
      rate: elapsedMs > 0 ? (this.#bytesMoved * 1000) / elapsedMs : 0,
      sizeOnly: lists.sizeOnly ?? [],
      leftOut: lists.leftOut ?? [],
      rejectedKeys: lists.rejectedKeys ?? [],
      warnings: warningsOf(lists),
    };
  }

  #progress(): TransferProgress {
    this.#lastEmitted = this.#bytesDone;
    const elapsedMs = this.#now() - this.#started;
    return {
      type: 'progress',
      direction: this.#direction,
      bytesDone: Math.min(this.#bytesDone, this.#bytesTotal),
      bytesTotal: this.#bytesTotal,
      filesDone: this.#filesDone,
      filesTotal: this.#filesTotal,
      file: this.#current,
      rate: elapsedMs > 0 ? (this.#bytesMoved * 1000) / elapsedMs : 0,
    };
  }
}
