/**
 * What `upload`, `download` and `downloadFile` emit: progress, one event per
 * finished file, and a final summary.
 * @module
 */

/** Which way a transfer goes. */
export type TransferDirection = 'upload' | 'download';

/**
 * Where a transfer stands. `bytesDone` counts bytes sent or received plus the bytes
 * of files (and multipart parts) found unchanged, so it ends at `bytesTotal`; both
 * counters only grow. `rate` is bytes actually moved per second since the start.
 */
export interface TransferProgress {
  readonly type: 'progress';
  readonly direction: TransferDirection;
  readonly bytesDone: number;
  readonly bytesTotal: number;
  readonly filesDone: number;
  readonly filesTotal: number;
  /** The file (path relative to the tree, `/`-separated) whose bytes moved last, if any. */
  readonly file: string | undefined;
  /** Bytes moved per second since the transfer started. */
  readonly rate: number;
}

/** What happened to one file. */
export type FileAction =
  /** Sent or received whole. */
  | 'sent'
  /** Size and SHA-256 matched: nothing moved. */
  | 'skipped'
  /** A multipart upload went on from parts stored by an earlier, interrupted run. */
  | 'resumed';

/** How a downloaded file was checked. */
export type Verification =
  /** Size and SHA-256 against the object's `sha256` metadata. */
  | 'sha256'
  /** Size only: the object carries no `sha256` metadata (it was not written by `upload`). */
  | 'size';

/** One file is done. */
export interface FileTransferred {
  readonly type: 'file';
  readonly direction: TransferDirection;
  /** Path relative to the tree (`/`-separated); for a single file its base name. */
  readonly file: string;
  /** The object, `s3://bucket/key`. */
  readonly uri: string;
  readonly action: FileAction;
  /** The file's size. */
  readonly bytes: number;
  /** Multipart parts taken over from an interrupted run (upload). */
  readonly partsReused: number;
  /** How the content was checked (download). Uploads are `sha256` (its digest is stored with the object). */
  readonly verified: Verification;
}

/** A local entry an upload left out, and why. */
export interface LeftOut {
  /** Path relative to the tree, `/`-separated. */
  readonly path: string;
  /** `link-outside` (symlink leading out of the tree), `link-dangling`, `link-cycle`, `special` (socket, FIFO, device). */
  readonly reason: 'link-outside' | 'link-dangling' | 'link-cycle' | 'special';
}

/** The last event of a transfer, right before it completes. */
export interface TransferSummary {
  readonly type: 'summary';
  readonly direction: TransferDirection;
  readonly filesTotal: number;
  readonly filesSent: number;
  readonly filesSkipped: number;
  readonly bytesTotal: number;
  /** Bytes actually moved (skipped files and reused parts not counted). */
  readonly bytesSent: number;
  readonly bytesSkipped: number;
  readonly partsReused: number;
  /** Directory markers created (download: local directories; upload: `dir/` objects for empty directories). */
  readonly directories: number;
  readonly elapsedMs: number;
  /** `bytesSent` per second over the whole transfer. */
  readonly rate: number;
  /**
   * Downloads: objects checked by size only, because they carry no `sha256` metadata
   * (not written by `upload`): their content was not verified. Also said in `warnings`.
   */
  readonly sizeOnly: readonly string[];
  /** Uploads: entries left out for safety (symlinks leading out, special files). `.git` and ignored paths are not listed. */
  readonly leftOut: readonly LeftOut[];
  /** Downloads with `onUnsafeKey: 'skip'`: keys refused because they would land outside the target. */
  readonly rejectedKeys: readonly string[];
  /**
   * What the caller should know about this transfer's guarantees, one sentence each
   * (e.g. that some files were checked by size only). The session's storage helpers
   * log each at warning level too.
   */
  readonly warnings: readonly string[];
}

/** Everything a transfer emits. */
export type TransferEvent = TransferProgress | FileTransferred | TransferSummary;

/** Narrows a {@link TransferEvent} to the summary (e.g. `filter(isSummary)`, then `last()`). */
export function isSummary(event: TransferEvent): event is TransferSummary {
  return event.type === 'summary';
}
