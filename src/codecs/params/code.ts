/**
 * Where a job's or a model's code comes from: a directory (`codeDir` /
 * `modelCodeDir`) — an `s3://` address sent as `codeUrl`, or a local path the SDK
 * uploads first — or a git repository (`gitInfo` / `modelGitInfo`).
 * @module
 */
import { isAbsent, list, type Problems, record, s3Path, text } from './rules.js';

/** A git repository and the credentials to clone it. `password` never appears in a message. */
export interface GitInfo {
  readonly username: string;
  readonly password: string;
  readonly branch: string;
  /** The repository address, when the platform cannot infer it from the account. */
  readonly url?: string;
}

/** `gitInfo` as the wire carries it. */
export interface WireGitInfo {
  username: string;
  password: string;
  branch: string;
  url?: string;
}

/** A validated code directory: on S3 (sent as `codeUrl`) or local (uploaded by the SDK, which fills `codeUrl`). */
export type CodeDir = { readonly codeUrl: string } | { readonly localCodeDir: string };

/** A validated code source: a directory (`codeUrl` or `localCodeDir`) and/or a git repository. */
export interface CodeSource<G = WireGitInfo> {
  readonly codeUrl?: string;
  readonly localCodeDir?: string;
  readonly gitInfo?: G;
}

/** How {@link codeSource} treats git: as the seed's model tables write it, or as training does. */
export interface GitOptions {
  /** Accept a list of repositories (the seed writes `model_git_info=[{…}]`). Default false: one object. */
  readonly list?: boolean;
  /** Accept a directory and a repository together (the Python SDK sends both for models). Default false. */
  readonly withDirectory?: boolean;
}

const GIT_KEYS = ['username', 'password', 'branch', 'url'] as const;

// Something written as an address (`scheme://…`, or `s3:` however mistyped) rather than a path.
const LOOKS_LIKE_ADDRESS = /^(?:s3:|[a-z][a-z0-9+.-]*:\/\/)/i;

/**
 * Validates `gitInfo`: `username`, `password`, `branch` required non-empty strings,
 * `url` optional, no other key. The password is checked without ever being echoed, and
 * `url` is not echoed either (it may carry credentials). With `list`, a non-empty list
 * of such objects is accepted too (each checked, named `field[i]`).
 */
export function gitInfo(
  problems: Problems,
  field: string,
  value: unknown,
  options: { readonly list?: boolean } = {},
): WireGitInfo | WireGitInfo[] | undefined {
  if (options.list === true && Array.isArray(value)) {
    const entries = list(problems, field, value, { nonEmpty: true });
    if (entries === undefined) return undefined;
    const before = problems.length;
    const repositories = entries.map((entry, i) => oneRepository(problems, `${field}[${i}]`, entry, ''));
    return problems.length > before ? undefined : (repositories as WireGitInfo[]);
  }
  return oneRepository(
    problems,
    field,
    value,
    options.list === true ? ' (or a list of them)' : ' (one object, not a list)',
  );
}

function oneRepository(
  problems: Problems,
  field: string,
  value: unknown,
  shapeNote: string,
): WireGitInfo | undefined {
  const fields = record(problems, field, value, GIT_KEYS, {
    required: true,
    shape: `{ username, password, branch, url? }${shapeNote}`,
  });
  if (fields === undefined) return undefined;
  const before = problems.length;
  const username = text(problems, `${field}.username`, fields.username, { required: true });
  const password = text(problems, `${field}.password`, fields.password, { required: true, secret: true });
  const branch = text(problems, `${field}.branch`, fields.branch, { required: true });
  const url = text(problems, `${field}.url`, fields.url);
  if (problems.length > before || username === undefined || password === undefined || branch === undefined) {
    return undefined;
  }
  return url === undefined ? { username, password, branch } : { username, password, branch, url };
}

/**
 * Validates a code directory: an `s3://bucket/key` address, or a local directory path
 * (anything not written as an address; `C:\code` is a path). A mistyped address
 * (`s3:/bucket`, `S3://…`, `https://…`) is a problem, not a local path. Whether a local
 * path exists is checked when it is uploaded: codecs do no I/O.
 */
export function codeDir(problems: Problems, field: string, value: unknown): CodeDir | undefined {
  if (isAbsent(value)) return undefined;
  if (typeof value === 'string' && LOOKS_LIKE_ADDRESS.test(value)) {
    const codeUrl = s3Path(problems, field, value);
    return codeUrl === undefined ? undefined : { codeUrl };
  }
  const localCodeDir = text(problems, field, value);
  return localCodeDir === undefined ? undefined : { localCodeDir };
}

/**
 * Validates a code source made of a directory and a git repository. With `required`
 * (BASIC_FRAMEWORK) one of them must be given. Giving both is a problem (the platform
 * would have to pick one silently) unless `git.withDirectory` says the two go together,
 * as the Python SDK sends them for models (`model_code_dir` with `model_git_info`).
 */
export function codeSource(
  problems: Problems,
  dir: { readonly field: string; readonly value: unknown },
  git: { readonly field: string; readonly value: unknown } & GitOptions & { readonly list: true },
  required?: { readonly because: string },
): CodeSource<WireGitInfo | WireGitInfo[]>;
export function codeSource(
  problems: Problems,
  dir: { readonly field: string; readonly value: unknown },
  git: { readonly field: string; readonly value: unknown } & GitOptions & { readonly list?: false },
  required?: { readonly because: string },
): CodeSource;
export function codeSource(
  problems: Problems,
  dir: { readonly field: string; readonly value: unknown },
  git: { readonly field: string; readonly value: unknown } & GitOptions,
  required?: { readonly because: string },
): CodeSource<WireGitInfo | WireGitInfo[]> {
  const hasDir = !isAbsent(dir.value);
  const hasGit = !isAbsent(git.value);
  if (hasDir && hasGit && git.withDirectory !== true) {
    problems.push({ field: git.field, message: `give either ${dir.field} or ${git.field}, not both` });
  } else if (!hasDir && !hasGit && required) {
    problems.push({
      field: dir.field,
      message: `${dir.field} or ${git.field} is required ${required.because}`,
    });
  }
  const directory = codeDir(problems, dir.field, dir.value);
  const repository = hasGit ? gitInfo(problems, git.field, git.value, { list: git.list }) : undefined;
  return { ...directory, ...(repository === undefined ? {} : { gitInfo: repository }) };
}
