/**
 * `modelmaker upload <local> <s3uri>` and `modelmaker download <s3uri> <local>`:
 * S3 transfers with a progress bar, through the session's S3 access (temporary
 * credentials from the platform, or the static keys of the config file). Also
 * {@link uploadCodeDir}, which `train` and `models create` use for a local code dir.
 * @module
 */
import { rm, stat } from 'node:fs/promises';
import { Command } from 'commander';
import type { Session } from 'modelmaker';
import type { TransferEvent, TransferSummary } from 'modelmaker/storage';
import type { Observable } from 'rxjs';
import { action, type Context, EXIT } from './context.js';
import { RefusedError } from './errors.js';
import type { ExitCode } from './exitCodes.js';
import { collect, positive } from './ids.js';
import { runUntilInterrupted } from './interrupt.js';
import { oneLine } from './output.js';
import { describeSummary, transferDisplay } from './progress.js';

/**
 * Runs one transfer with its display. Resolves with the summary, or `undefined` when
 * Ctrl-C ended it (after saying so on stderr); fails with the transfer's error.
 */
async function transferWithDisplay(
  context: Context,
  label: string,
  transfer: Observable<TransferEvent>,
): Promise<TransferSummary | undefined> {
  const display = transferDisplay(context, label);
  try {
    const end = await runUntilInterrupted(transfer, (event) => display.next(event));
    display.stop();
    if (end === 'interrupted') {
      context.err.line(
        `interrupted: ${oneLine(label)} is incomplete; run the same command again to resume it`,
      );
      return undefined;
    }
    return display.summary();
  } catch (error) {
    display.stop();
    throw error;
  }
}

/**
 * Uploads a local code directory to `target` (`s3://…/`) with a progress display on
 * stderr (NDJSON on stdout with `--json`). Resolves with `true` when done, `false`
 * when interrupted.
 */
export async function uploadCodeDir(
  context: Context,
  session: Session,
  local: string,
  target: string,
  ignore: readonly string[] = [],
): Promise<boolean> {
  const storage = await import('modelmaker/storage');
  const summary = await transferWithDisplay(
    context,
    `upload ${local}`,
    storage.upload(session.s3Access(), local, target, { ignore }),
  );
  if (summary === undefined) return false;
  if (!context.json)
    context.err.line(`uploaded ${oneLine(local)} to ${oneLine(target)}: ${describeSummary(summary)}`);
  return true;
}

interface UploadOptions {
  readonly ignore?: string[];
  readonly concurrency?: number;
}

interface DownloadOptions {
  readonly concurrency?: number;
}

async function runUpload(
  context: Context,
  options: UploadOptions,
  local: string,
  uri: string,
): Promise<ExitCode> {
  const session = await context.session();
  const storage = await import('modelmaker/storage');
  const summary = await transferWithDisplay(
    context,
    `upload ${local}`,
    storage.upload(session.s3Access(), local, uri, {
      ignore: options.ignore,
      concurrency: options.concurrency,
    }),
  );
  if (summary === undefined) return EXIT.INTERRUPTED;
  if (!context.json)
    context.out.line(`uploaded ${oneLine(local)} to ${oneLine(uri)}: ${describeSummary(summary)}`);
  return EXIT.OK;
}

/** True when `path` exists (file, directory, anything). */
async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/**
 * Downloads into `local`. A download that fails, or finds nothing at the address, leaves
 * no folder behind that it created (one that existed stays, with what it held); an
 * interrupted one keeps what it received, so running it again resumes it.
 */
async function runDownload(
  context: Context,
  options: DownloadOptions,
  uri: string,
  local: string,
): Promise<ExitCode> {
  const session = await context.session();
  const storage = await import('modelmaker/storage');
  const created = !(await exists(local));
  const undo = () => (created ? rm(local, { recursive: true, force: true }) : Promise.resolve());
  let summary: TransferSummary | undefined;
  try {
    summary = await transferWithDisplay(
      context,
      `download ${uri}`,
      storage.download(session.s3Access(), uri, local, { concurrency: options.concurrency }),
    );
  } catch (error) {
    await undo();
    throw error;
  }
  if (summary === undefined) return EXIT.INTERRUPTED;
  if (summary.filesTotal === 0 && summary.directories === 0) {
    await undo();
    throw new RefusedError(
      `nothing to download at ${oneLine(uri)}: no object there or below it` +
        (created ? ` (${oneLine(local)} was not created)` : ''),
    );
  }
  if (!context.json)
    context.out.line(`downloaded ${oneLine(uri)} to ${oneLine(local)}: ${describeSummary(summary)}`);
  return EXIT.OK;
}

/** The `upload` command. */
export function uploadCommand(): Command {
  return new Command('upload')
    .description(
      'upload a local file or directory to S3 (unchanged files are skipped; interrupted uploads resume)',
    )
    .argument('<local>', 'a file or a directory')
    .argument('<s3uri>', 's3://bucket/key (a directory goes below key/)')
    .option('--ignore <pattern>', 'leave out matching paths (gitignore-like; repeatable)', collect)
    .option('--concurrency <n>', 'files sent at the same time', positive)
    .addHelpText(
      'after',
      '\nExample:\n  modelmaker upload ./code s3://modelmaker/jobs/iris/code/ --ignore "*.pyc"',
    )
    .action(action(runUpload));
}

/** The `download` command. */
export function downloadCommand(): Command {
  return new Command('download')
    .description('download an S3 object or everything below a prefix into a local directory')
    .argument('<s3uri>', 's3://bucket/key or s3://bucket/prefix/')
    .argument('<local>', 'the directory to download into (created if missing; not when nothing is there)')
    .option('--concurrency <n>', 'files received at the same time', positive)
    .addHelpText('after', '\nExample:\n  modelmaker download s3://modelmaker/jobs/iris/output/ ./output')
    .action(action(runDownload));
}
