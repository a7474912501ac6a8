/**
 * Names the cause of a storage failure in words a person acts on: a full disk, a
 * quota, a read-only or failing disk. Both the file system's errors (`ENOSPC`,
 * `EDQUOT`, `EROFS`, `EIO`) and SQLite's (`SQLITE_FULL`, `SQLITE_IOERR_*`,
 * `SQLITE_READONLY*`) are recognized, so a request or job that fails on them can say
 * "disk full while writing logs of version 12" instead of an internal error.
 * @module
 */

/** A recognized storage failure: what happened, in words, and the error's code. */
export interface IoFault {
  /** `disk full`, `disk quota exceeded`, `read-only file system`, `disk I/O error`. */
  readonly cause: string;
  /** The error's own code (`ENOSPC`, `SQLITE_FULL`…). */
  readonly code: string;
}

const FILE_SYSTEM_CAUSES: Readonly<Record<string, string>> = {
  ENOSPC: 'disk full',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'file too large for the file system',
  EROFS: 'read-only file system',
  EIO: 'disk I/O error',
};

function sqliteCause(code: string): string | undefined {
  if (code === 'SQLITE_FULL') return 'disk full';
  if (code.startsWith('SQLITE_IOERR')) return 'disk I/O error';
  if (code.startsWith('SQLITE_READONLY')) return 'read-only database';
  if (code.startsWith('SQLITE_CORRUPT')) return 'database file corrupt';
  if (code.startsWith('SQLITE_CANTOPEN')) return 'database file cannot be opened';
  return undefined;
}

/** The storage failure `error` is, or `undefined` for anything else (a bug, a bad request). */
export function ioFault(error: unknown): IoFault | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code !== 'string') return undefined;
  const cause = FILE_SYSTEM_CAUSES[code] ?? sqliteCause(code);
  return cause === undefined ? undefined : { cause, code };
}

/**
 * `"<cause> while <doing>"` for a storage failure (`disk full while writing logs of
 * version 12`), else `"<doing> failed: <message>"`.
 */
export function describeFault(error: unknown, doing: string): string {
  const fault = ioFault(error);
  if (fault) return `${fault.cause} while ${doing} (${fault.code})`;
  return `${doing} failed: ${error instanceof Error ? error.message : String(error)}`;
}
