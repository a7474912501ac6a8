/**
 * The checks of a TrainCreate that ask S3, made at submit so a job that could only
 * fail after training — its output address unusable, its output bucket missing, its
 * boot file absent — is refused before it runs, with the work it would have lost:
 *
 * - every `s3://` address (`output`, `dataUrl`, `codeUrl`, an `s3://` `modeUrl`,
 *   `inputFiles[i].path`) is one an object can have (`s3/objectAddress.ts`: no `..`, no `//`);
 * - the `output` bucket exists;
 * - a BASIC_FRAMEWORK job's code is there and holds its boot file, as the runner will
 *   download it: `codeUrl` a folder holding `startup`, or the boot file itself (one
 *   object whose name is `startup`).
 *
 * Problems name the field as the SDK's user wrote it, then the wire field
 * (`outputPath (output): bucket results does not exist`), all in one 400. S3 failing
 * while checking is a 503 naming S3 (retry later), never a job accepted unchecked.
 * @module
 */
import { basename } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { abortWith, ERROR_CODES, formatS3Uri, type TrainCreate } from 'modelmaker';
import { listObjects, type S3AccessProvider, StorageError } from 'modelmaker/storage';
import { firstValueFrom, take } from 'rxjs';
import { checkObjectAddress } from '../../s3/objectAddress.js';
import { inside, s3Target } from '../../serving/s3Objects.js';
import { HttpProblem, invalid } from '../problem.js';

/** The fields these checks read, with the SDK's parameter name of each (the seed's, in camelCase). */
const FIELD_NAMES = {
  output: 'outputPath (output)',
  dataUrl: 'inputs (dataUrl)',
  codeUrl: 'codeDir (codeUrl)',
  modeUrl: 'initModel (modeUrl)',
  startup: 'bootFile (startup)',
} as const;

/** A relative path that stays inside its folder, with `/` separators. */
function insideFolder(path: string): boolean {
  return (
    path !== '' && !path.startsWith('/') && !path.split('/').some((p) => p === '' || p === '.' || p === '..')
  );
}

/** True when `bucket` exists (a listing of one key answers). */
async function bucketExists(s3: S3AccessProvider, bucket: string, signal: AbortSignal): Promise<boolean> {
  try {
    await firstValueFrom(
      listObjects(s3, formatS3Uri({ bucket, key: '' }), { pageSize: 1 }).pipe(take(1), abortWith(signal)),
      { defaultValue: undefined },
    );
    return true;
  } catch (error) {
    if (error instanceof StorageError && error.reason === 'NoSuchBucket') return false;
    throw error;
  }
}

/**
 * Checks the S3 side of `body` (see the module doc).
 *
 * @throws HttpProblem 400 / 4000 listing every problem; 503 when S3 fails while checking.
 */
export async function checkTrainStorage(
  body: TrainCreate,
  s3: S3AccessProvider,
  signal: AbortSignal,
): Promise<void> {
  const problems: string[] = [];
  /** `label`: the field as messages name it. */
  const addressOf = (label: string, uri: string | undefined) => {
    if (uri === undefined) return undefined;
    const checked = checkObjectAddress(uri);
    if (E.isLeft(checked)) {
      problems.push(`${label}: ${checked.left}`);
      return undefined;
    }
    return checked.right;
  };

  const output = addressOf(FIELD_NAMES.output, body.output);
  addressOf(FIELD_NAMES.dataUrl, body.dataUrl);
  const code = addressOf(FIELD_NAMES.codeUrl, body.codeUrl);
  if (body.modeUrl?.startsWith('s3://')) addressOf(FIELD_NAMES.modeUrl, body.modeUrl);
  for (const [i, file] of (body.inputFiles ?? []).entries()) addressOf(`inputFiles[${i}].path`, file.path);

  try {
    if (output && !(await bucketExists(s3, output.bucket, signal))) {
      problems.push(`${FIELD_NAMES.output}: bucket ${output.bucket} does not exist`);
    }
    if (body.type === 'BASIC_FRAMEWORK' && code && body.codeUrl !== undefined && body.startup !== undefined) {
      await checkBootFile(s3, body.codeUrl, body.startup, signal, problems);
    }
  } catch (error) {
    if (error instanceof HttpProblem || signal.aborted) throw error;
    throw new HttpProblem(
      503,
      ERROR_CODES.INTERNAL,
      `S3 did not answer while checking the job's storage: ${(error as Error)?.message ?? String(error)}`,
    );
  }
  if (problems.length > 0) throw invalid(problems.join('; '));
}

/** The code at `codeUrl` holds `startup`, as the runner will download it. */
async function checkBootFile(
  s3: S3AccessProvider,
  codeUrl: string,
  startup: string,
  signal: AbortSignal,
  problems: string[],
): Promise<void> {
  if (!insideFolder(startup)) {
    problems.push(`${FIELD_NAMES.startup}: expected a path inside the code, got ${JSON.stringify(startup)}`);
    return;
  }
  const code = await s3Target(s3, codeUrl, signal);
  if (code.kind === 'nothing') {
    problems.push(`${FIELD_NAMES.codeUrl}: nothing found at ${codeUrl}`);
  } else if (code.kind === 'object') {
    // One object is downloaded as the code folder's only file, under its own name.
    if (basename(codeUrl) !== startup) {
      problems.push(`${FIELD_NAMES.startup}: ${codeUrl} is one file, not a folder holding ${startup}`);
    }
  } else if (
    code.kind === 'prefix' &&
    (await s3Target(s3, inside(codeUrl, startup), signal)).kind !== 'object'
  ) {
    problems.push(`${FIELD_NAMES.startup}: no ${startup} in ${codeUrl}`);
  }
}
