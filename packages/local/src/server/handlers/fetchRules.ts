/**
 * What the local platform can fetch for a job or a model, checked at submit so a body
 * it could never honour is a 400 naming the field rather than a job that fails later:
 *
 * - `modeUrl` (the SDK's `initModel`, the seed's `init_model`) must be an `s3://`
 *   address: the platform downloads it into the job's `MODELMAKER_INIT_MODEL_DIR`. A
 *   `docker://` image (the seed's table example) cannot be fetched here.
 * - `inputFiles[i].path` must be an `s3://` address (each lands in the data dir under
 *   its `name`); `inputFiles[i].name` a file name or a relative path inside the data
 *   dir, unique.
 * - `gitInfo` (one object, or a list of one for models) needs `url`, the repository's
 *   address: the real platform may know a repository from the account, this one
 *   clones the address it is given.
 *
 * No message carries a password (a URL is named by its field, not echoed).
 * @module
 */
import * as E from 'fp-ts/lib/Either.js';
import { parseS3Uri } from 'modelmaker';

/** `{ name, path }` as the wire carries an input file. */
interface InputFileLike {
  readonly name: string;
  readonly path: string;
}

/** `gitInfo` as the wire carries it (only `url` is looked at). */
interface GitInfoLike {
  readonly url?: string | undefined;
}

/** `scheme://` of an address, for messages (`docker://`), or the text when it has none. */
function schemeOf(address: string): string {
  const match = /^([a-z][a-z0-9+.-]*:)(\/\/)?/i.exec(address);
  return match ? `${match[1]}${match[2] ?? ''}` : JSON.stringify(address);
}

function s3Problem(field: string, address: string, what: string): string | undefined {
  if (E.isRight(parseS3Uri(address, field))) return undefined;
  const given = address.startsWith('s3:')
    ? 'not a valid s3://bucket/key address'
    : `${schemeOf(address)} given`;
  return `${field}: expected an s3://bucket/key address (the local platform fetches ${what} from its S3 only); ${given}`;
}

/** A relative path that stays inside its folder, with `/` separators. */
function isSafeRelative(path: string): boolean {
  const parts = path.split('/');
  return path !== '' && !path.startsWith('/') && !parts.some((p) => p === '' || p === '.' || p === '..');
}

/** Problems of `modeUrl` (`field: message`), none when absent or fetchable. */
export function initModelProblems(modeUrl: string | undefined): string[] {
  if (modeUrl === undefined) return [];
  const problem = s3Problem('modeUrl', modeUrl, 'the initial model (initModel)');
  return problem === undefined
    ? []
    : [
        modeUrl.startsWith('docker:')
          ? `${problem}: a docker:// image cannot be used as an initial model here; upload the model's files and give their s3:// folder`
          : problem,
      ];
}

/** Problems of `inputFiles` (`field: message`), none when absent or fetchable. */
export function inputFileProblems(inputFiles: readonly InputFileLike[] | undefined): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  (inputFiles ?? []).forEach((file, i) => {
    const at = `inputFiles[${i}]`;
    if (!isSafeRelative(file.name)) {
      problems.push(
        `${at}.name: expected a file name or a relative path inside the data directory, got ${JSON.stringify(file.name)}`,
      );
    } else if (seen.has(file.name)) {
      problems.push(`${at}.name: ${JSON.stringify(file.name)} is given twice`);
    }
    seen.add(file.name);
    const problem = s3Problem(`${at}.path`, file.path, 'input files');
    if (problem !== undefined) problems.push(problem);
  });
  return problems;
}

/** Problems of `gitInfo` when the code comes from it (`field: message`). */
export function gitInfoProblems(gitInfo: GitInfoLike | readonly GitInfoLike[] | undefined): string[] {
  if (gitInfo === undefined) return [];
  const list = Array.isArray(gitInfo) ? gitInfo : [gitInfo as GitInfoLike];
  const at = (i: number) => (Array.isArray(gitInfo) ? `gitInfo[${i}]` : 'gitInfo');
  if (list.length === 0) return ['gitInfo: expected one repository, got an empty list'];
  if (list.length > 1) return [`gitInfo: expected one repository, got ${list.length}`];
  return list[0]!.url === undefined || list[0]!.url.trim() === ''
    ? [
        `${at(0)}.url: required on the local platform: the address of the repository to clone (e.g. https://git.example.com/team/project.git)`,
      ]
    : [];
}
