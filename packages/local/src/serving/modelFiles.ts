/**
 * A model version's files for serving: `modelPath` downloaded into `model/` and
 * `codeUrl` into `code/` of a directory the service owns
 * (`<dataDir>/serving/<serviceId>/<modelVersionId>/`). Fetched once per deploy of
 * the version and shared read-only by its instances (restarts included); removed
 * when the service stops.
 * @module
 */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import type { ModelCreate } from 'modelmaker';
import { downloadS3 } from '../runner/transfer.js';
import type { ServingDirectories } from './plan.js';

/** What was fetched, with lines for the service log. */
export interface FetchedModel {
  readonly dirs: ServingDirectories;
  readonly notes: readonly string[];
}

/**
 * Fetches a model version's files into `directory` (emptied first).
 *
 * @throws TransferError when an address holds nothing or S3 fails; Error for `gitInfo` without `codeUrl`.
 */
export async function fetchModelFiles(
  s3: S3Client,
  model: ModelCreate,
  directory: string,
  signal: AbortSignal,
): Promise<FetchedModel> {
  await rm(directory, { recursive: true, force: true });
  const dirs: ServingDirectories = {
    model: join(directory, 'model'),
    code: model.codeUrl ? join(directory, 'code') : undefined,
  };
  await mkdir(dirs.model, { recursive: true });
  const notes: string[] = [];
  if (model.modelPath) {
    const got = await downloadS3(s3, model.modelPath, dirs.model, signal, 'modelPath');
    notes.push(`modelPath: ${got.files} file(s), ${got.bytes} bytes from ${model.modelPath}`);
  }
  if (model.codeUrl && dirs.code) {
    const got = await downloadS3(s3, model.codeUrl, dirs.code, signal, 'codeUrl');
    notes.push(`codeUrl: ${got.files} file(s), ${got.bytes} bytes from ${model.codeUrl}`);
  } else if (model.gitInfo) {
    throw new Error('gitInfo is not supported by the local platform: upload the code and give codeUrl');
  }
  return { dirs, notes };
}
