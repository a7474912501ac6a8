/**
 * Training jobs and their versions: the create body, list and detail views, log
 * pages, resource and performance monitors, output. A job has a unique `name` and one
 * or more versions; each `fit` creates a version.
 * @module
 */
import * as t from 'io-ts';
import { ResourcePoolType } from './catalog.js';
import {
  Count,
  EnvVar,
  Flag,
  Id,
  IdFromString,
  Integer,
  IntFromString,
  NANOS_PER_SECOND,
  NameValue,
  NanosFromString,
  NonEmptyString,
  NonNegativeInt,
  NumberFromString,
  openEnum,
  optionalFields,
  PositiveInt,
  S3Uri,
  StringOrNumber,
  strict,
  Timestamp,
  withDefault,
} from './common.js';
import { NOT_RECOGNIZED, withFastPath } from './fastPath.js';

// ── statuses and kinds ──────────────────────────────────────────────────────

/** Every training status the contract names, in lifecycle order. */
export const KNOWN_TRAIN_STATUSES = [
  'STARTING',
  'DOWNLOAD_DATA',
  'TRAINING',
  'STOPPING',
  'FINISH',
  'STARTING_FAIL',
  'TRAINING_FAIL',
  'STOPPED',
] as const;
/** A status the contract names. */
export type KnownTrainStatus = (typeof KNOWN_TRAIN_STATUSES)[number];

/** The statuses after which a version never changes again. */
export const TERMINAL_TRAIN_STATUSES: readonly KnownTrainStatus[] = [
  'FINISH',
  'STARTING_FAIL',
  'TRAINING_FAIL',
  'STOPPED',
];

/**
 * A version's status: one of {@link KNOWN_TRAIN_STATUSES} or any other string (a
 * server may add statuses; they decode and count as non-terminal).
 */
export const TrainStatus = openEnum('TrainStatus', KNOWN_TRAIN_STATUSES);
/** A version's status (open). */
export type TrainStatus = t.TypeOf<typeof TrainStatus>;

/** True for `FINISH`, `STARTING_FAIL`, `TRAINING_FAIL` and `STOPPED`; false for anything else, unknown statuses included. */
export function isTerminalTrainStatus(status: string): boolean {
  return (TERMINAL_TRAIN_STATUSES as readonly string[]).includes(status);
}

/** How a job is trained: a preset algorithm, a basic framework with user code, or a user image. */
export const TrainType = t.keyof(
  { PRESET_ALGORITHM: null, BASIC_FRAMEWORK: null, CUSTOM: null },
  'TrainType',
);
/** `'PRESET_ALGORITHM' | 'BASIC_FRAMEWORK' | 'CUSTOM'`. */
export type TrainType = t.TypeOf<typeof TrainType>;

/** The training kinds, as an open string for responses (a server may add kinds). */
export const OpenTrainType = openEnum('TrainType', [
  'PRESET_ALGORITHM',
  'BASIC_FRAMEWORK',
  'CUSTOM',
] as const);
/** A training kind (open). */
export type OpenTrainType = t.TypeOf<typeof OpenTrainType>;

/** How a BASIC_FRAMEWORK job starts its boot file: plainly (default) or under Horovod. */
export const StartupType = t.keyof({ NORMAL: null, HOROVOD: null }, 'StartupType');
/** `'NORMAL' | 'HOROVOD'`. */
export type StartupType = t.TypeOf<typeof StartupType>;

// ── parts of the create body ────────────────────────────────────────────────

/** Where BASIC_FRAMEWORK / CUSTOM code comes from when it is not `codeUrl`. */
export const GitInfo = t.intersection([
  t.type({ username: t.string, password: t.string, branch: t.string }),
  optionalFields({ url: t.string }),
]);
/** `{ username, password, branch, url? }`. */
export type GitInfo = t.TypeOf<typeof GitInfo>;

/**
 * `gitInfo` as a server echoes it back in a detail: every field optional (a server
 * should leave `password` out, and a real one may shape it differently).
 */
export const GitInfoView = optionalFields({
  username: t.string,
  password: t.string,
  branch: t.string,
  url: t.string,
});
/** `gitInfo` in a response. */
export type GitInfoView = t.TypeOf<typeof GitInfoView>;

/**
 * Machine shape for `PERSONAL_POOL`. The contract names the keys but not their
 * types: `cpu`/`memory` (and the `request*` pair, and `gpuz`) are kept as given,
 * `gpuCount` is an integer ≥ 0, `shareGpu` is a flag.
 */
export const CustomResource = t.intersection([
  t.type({ cpu: StringOrNumber, memory: StringOrNumber, gpuModel: t.string, gpuCount: NonNegativeInt }),
  optionalFields({
    requestCpu: StringOrNumber,
    requestMemory: StringOrNumber,
    shareGpu: Flag,
    gpuz: StringOrNumber,
  }),
]);
/** `{ cpu, memory, gpuModel, gpuCount, requestCpu?, requestMemory?, shareGpu?, gpuz? }`. */
export type CustomResource = t.TypeOf<typeof CustomResource>;

/** `customResource` as a server echoes it: every field optional. */
export const CustomResourceView = optionalFields({
  cpu: StringOrNumber,
  memory: StringOrNumber,
  gpuModel: t.string,
  gpuCount: NonNegativeInt,
  requestCpu: StringOrNumber,
  requestMemory: StringOrNumber,
  shareGpu: Flag,
  gpuz: StringOrNumber,
});
/** `customResource` in a response. */
export type CustomResourceView = t.TypeOf<typeof CustomResourceView>;

/**
 * A metric read from the log: `regular` is a regular expression over log lines; the
 * value is capture group 1 when it has groups, else the first number in the match
 * (compile it with `compileMonitors`, which also reads Python spellings); `sample` a
 * line it must read a number from.
 */
export const Monitor = t.intersection([
  t.type({ name: t.string, regular: t.string }),
  optionalFields({ sample: t.string }),
]);
/** `{ name, regular, sample? }`. */
export type Monitor = t.TypeOf<typeof Monitor>;

/** An extra input file mounted for the job: `{ name, path }`. */
export const InputFile = t.type({ name: t.string, path: t.string });
/** `{ name, path }`. */
export type InputFile = t.TypeOf<typeof InputFile>;

/** The optional fields of {@link TrainCreate}, with request-side checks. */
const trainCreateOptional = {
  resourceId: Id,
  instance: Count,
  volumeSize: Count,
  resourcePoolType: ResourcePoolType,
  customResource: CustomResource,
  maxRuntime: PositiveInt,
  description: t.string,
  dataUrl: S3Uri,
  parameters: t.array(NameValue),
  monitors: t.array(Monitor),
  algorithmId: Id,
  modeUrl: t.string,
  frameworkId: Id,
  codeUrl: S3Uri,
  codeVersion: t.string,
  gitInfo: GitInfo,
  startup: t.string,
  startupType: StartupType,
  inputFiles: t.array(InputFile),
  mirrorUrl: t.string,
  command: t.string,
  args: t.string,
  envs: t.array(EnvVar),
  isFlowInput: Flag,
};

/**
 * The body of `POST /v1/train` and `POST /v1/train/{jobId}/version`, and what the
 * local platform validates them with. `name`, `type` and `output` are required on the
 * wire; the rest is optional here, and the per-type rules (e.g. `dataUrl` for
 * PRESET_ALGORITHM, `codeUrl` or `gitInfo` for BASIC_FRAMEWORK, `mirrorUrl` for
 * CUSTOM) are checked by parameter validation, not by this codec. Types and ranges
 * are checked: counts 1..10, ids positive, `s3://` addresses, known enum values.
 * Optional fields sent as `null` (the Python client sends `None`) count as absent.
 * `isFlowInput` decodes 0/1/true/false to a boolean and encodes to 0/1. Unknown
 * fields are stripped. Seed parameter names: see the contract's TrainCreate table.
 */
export const TrainCreate = strict(
  t.intersection([
    t.type({ name: NonEmptyString, type: TrainType, output: S3Uri }),
    optionalFields(trainCreateOptional),
  ]),
  'TrainCreate',
);
/** The body that creates a training job or version. */
export type TrainCreate = t.TypeOf<typeof TrainCreate>;

/** `{ id, versionId }`: the job and the version just created. */
export const TrainCreated = t.type({ id: Id, versionId: Id });
/** `{ id, versionId }`. */
export type TrainCreated = t.TypeOf<typeof TrainCreated>;

// ── list and details ────────────────────────────────────────────────────────

/**
 * A job in `GET /v1/train`: `{ id, name }` (platform) plus extension fields: kind,
 * description, creation time, and its latest version's id and status.
 */
export const TrainJobSummary = t.intersection([
  t.type({ id: Id, name: t.string }),
  optionalFields({
    type: OpenTrainType,
    description: t.string,
    createdAt: Timestamp,
    latestVersionId: Id,
    status: TrainStatus,
  }),
]);
/** A job in the job list. */
export type TrainJobSummary = t.TypeOf<typeof TrainJobSummary>;

/** `GET /v1/train`: `{ trainTasks }`. */
export const TrainJobList = t.type({ trainTasks: t.array(TrainJobSummary) });
/** `{ trainTasks }`. */
export type TrainJobList = t.TypeOf<typeof TrainJobList>;

/** A version as listed inside a job detail (extension): `id` plus what a server has. */
export const TrainVersionSummary = t.intersection([
  t.type({ id: Id }),
  optionalFields({
    name: t.string,
    status: TrainStatus,
    createdAt: Timestamp,
    finishedAt: Timestamp,
  }),
]);
/** A version inside a job detail. */
export type TrainVersionSummary = t.TypeOf<typeof TrainVersionSummary>;

/**
 * `GET /v1/train/{jobId}`: "job detail, with its versions". A real server's shape is
 * unknown, so every field is optional and `versions` decodes to `[]` when absent.
 */
export const TrainJobDetail = t.intersection([
  t.type({ versions: withDefault(t.array(TrainVersionSummary), () => []) }),
  optionalFields({
    id: Id,
    name: t.string,
    type: OpenTrainType,
    description: t.string,
    createdAt: Timestamp,
  }),
]);
/** A job with its versions. */
export type TrainJobDetail = t.TypeOf<typeof TrainJobDetail>;

/**
 * `GET /v1/train/version/{versionId}`: `{ status }` (platform) plus extension fields:
 * identity, times, `exitCode`, `reason` (why it failed or stopped), `output`, and the
 * TrainCreate fields the version was made with (decoded leniently: plain strings and
 * open enums instead of the request-side checks).
 */
export const TrainVersionDetail = t.intersection([
  t.type({ status: TrainStatus }),
  optionalFields({
    id: Id,
    jobId: Id,
    name: t.string,
    type: OpenTrainType,
    createdAt: Timestamp,
    startedAt: Timestamp,
    finishedAt: Timestamp,
    exitCode: Integer,
    reason: t.string,
    output: t.string,
    resourceId: Id,
    instance: NonNegativeInt,
    volumeSize: NonNegativeInt,
    resourcePoolType: t.string,
    customResource: CustomResourceView,
    maxRuntime: NonNegativeInt,
    description: t.string,
    dataUrl: t.string,
    parameters: t.array(NameValue),
    monitors: t.array(Monitor),
    algorithmId: Id,
    modeUrl: t.string,
    frameworkId: Id,
    codeUrl: t.string,
    codeVersion: t.string,
    gitInfo: GitInfoView,
    startup: t.string,
    startupType: t.string,
    inputFiles: t.array(InputFile),
    mirrorUrl: t.string,
    command: t.string,
    args: t.string,
    envs: t.array(NameValue),
    isFlowInput: Flag,
  }),
]);
/** A version's detail. */
export type TrainVersionDetail = t.TypeOf<typeof TrainVersionDetail>;

// ── logs ────────────────────────────────────────────────────────────────────

/** Which output stream printed a log line (open: a server may add others). */
export const LogStream = openEnum('LogStream', ['stdout', 'stderr'] as const);
/** `'stdout' | 'stderr'` or another string. */
export type LogStream = t.TypeOf<typeof LogStream>;

/**
 * One log line. `id` starts at 0 and grows by one per line within a version, so asking
 * `lastId = last id + 1` sees every line once. `time` is when it was printed (the local
 * platform sends ISO text) and `nanTime` the nanoseconds within that second: together
 * the time cursor's instant (see {@link logInstantOf}). Extension: `instance` (0-based
 * rank of the training instance) and `stream`.
 */
export const LogLine = t.intersection([
  t.type({ id: NonNegativeInt, content: t.string }),
  optionalFields({ time: Timestamp, nanTime: Timestamp, instance: NonNegativeInt, stream: LogStream }),
]);
/** One log line. */
export type LogLine = t.TypeOf<typeof LogLine>;

/**
 * The io-ts definition of a log page: the reference {@link LogPage} decodes like
 * (same values, same errors), and what it falls back to outside its hot shape.
 */
export const LogPageReference = t.intersection([
  t.type({ logs: t.array(LogLine) }),
  optionalFields({ hasMore: Flag }),
]);

/** {@link LogPageReference} with its lines left unchecked: what a page whose lines are unchanged decodes like. */
const LogPageFrame = t.intersection([t.type({ logs: t.UnknownArray }), optionalFields({ hasMore: Flag })]);

const isRecord = (u: unknown): u is Record<string, unknown> =>
  u !== null && typeof u === 'object' && !Array.isArray(u);

/** A string or a number other than NaN (io-ts sees a NaN it decoded as changed, since `NaN !== NaN`, and copies the line). */
const isUnchangedTimestamp = (u: unknown): boolean =>
  typeof u === 'string' || (typeof u === 'number' && !Number.isNaN(u));

/**
 * True when {@link LogLine} would accept `u` and give it back unchanged: `id` a
 * non-negative integer, `content` a string, each optional field absent (not
 * `null`, which the codec rewrites) or of its type (a timestamp not NaN). Reads each field once, allocates nothing.
 */
function isUnchangedLogLine(u: unknown): boolean {
  if (!isRecord(u)) return false;
  const { time, nanTime, instance, stream } = u;
  return (
    NonNegativeInt.is(u.id) &&
    typeof u.content === 'string' &&
    (time === undefined || isUnchangedTimestamp(time)) &&
    (nanTime === undefined || isUnchangedTimestamp(nanTime)) &&
    (instance === undefined || NonNegativeInt.is(instance)) &&
    (stream === undefined || typeof stream === 'string')
  );
}

/**
 * The hot shape of a log page, decoded by hand: every line unchanged by the codec
 * (see {@link isUnchangedLogLine}); the page itself is then decoded by its frame
 * (`hasMore` 0/1 becomes a boolean). The line objects are returned as they are:
 * no copy, no allocation per line.
 */
function recognizeLogPage(u: unknown): LogPageReference | typeof NOT_RECOGNIZED {
  if (!isRecord(u)) return NOT_RECOGNIZED;
  const logs = u.logs;
  if (!Array.isArray(logs)) return NOT_RECOGNIZED;
  for (let i = 0; i < logs.length; i++) if (!isUnchangedLogLine(logs[i])) return NOT_RECOGNIZED;
  const hasMore = u.hasMore;
  if (hasMore === undefined || typeof hasMore === 'boolean') return u as LogPageReference;
  // Lines unchanged: the page decodes as its frame does (one io-ts decode per page, not per line).
  const framed = LogPageFrame.decode(u);
  return framed._tag === 'Right' ? (framed.right as LogPageReference) : NOT_RECOGNIZED;
}

/**
 * A page of log lines, ascending by `id`; extension `hasMore` (0/1) when the page
 * was cut. Decodes exactly as {@link LogPageReference} (values and error
 * messages), with a hand-checked fast path for pages of well-formed lines: a
 * million-line log is decoded without an allocation per line.
 */
export const LogPage = withFastPath(LogPageReference, recognizeLogPage);
/** A page of log lines. */
export type LogPage = t.TypeOf<typeof LogPage>;
/** A page of log lines (the reference codec's type, the same as {@link LogPage}). */
export type LogPageReference = t.TypeOf<typeof LogPageReference>;

/**
 * The log query, with one of two cursors (platform): `lastId` (lines with
 * `id >= lastId`), or the time cursor `lastTime` (Unix seconds) +
 * `lastNan` (nanoseconds within that second, default 0): lines strictly after that
 * instant (the Python SDK's `training_job_log_v2`). The page has the same shape either
 * way. Extension: `wait` (seconds to hold the request for a line: a long poll) and
 * `limit` (page cap). Encodes to strings for the URL. Giving neither cursor or both, or
 * `lastNan` without `lastTime`, is refused by the server (see {@link logCursorOf}).
 */
export const LogQuery = optionalFields({
  lastId: IntFromString,
  lastTime: IntFromString,
  lastNan: NanosFromString,
  wait: NumberFromString,
  limit: IntFromString,
});
/** `{ lastId?, lastTime?, lastNan?, wait?, limit? }`. */
export type LogQuery = t.TypeOf<typeof LogQuery>;

/** An instant of the time cursor: Unix seconds and nanoseconds within that second. */
export interface LogInstant {
  readonly seconds: number;
  readonly nanos: number;
}

/** Which lines a log query asks for: from an id on, or strictly after an instant. */
export type LogCursor =
  | { readonly kind: 'id'; readonly fromId: number }
  | { readonly kind: 'time'; readonly after: LogInstant };

/**
 * The cursor of a decoded log query: the time cursor when `lastTime` is given, else
 * `lastId`. Left with the problem (naming the field) when neither or both cursors are
 * given, or `lastNan` comes without `lastTime`.
 */
export function logCursorOf(query: LogQuery): { readonly cursor: LogCursor } | { readonly problem: string } {
  if (query.lastTime !== undefined) {
    if (query.lastId !== undefined) return { problem: 'lastTime: give lastId or lastTime, not both' };
    return { cursor: { kind: 'time', after: { seconds: query.lastTime, nanos: query.lastNan ?? 0 } } };
  }
  if (query.lastNan !== undefined) return { problem: 'lastNan: only with lastTime' };
  if (query.lastId === undefined)
    return { problem: 'lastId: required (or the time cursor lastTime + lastNan)' };
  return { cursor: { kind: 'id', fromId: query.lastId } };
}

const MS_PER_SECOND = 1000;
const NANOS_PER_MS = NANOS_PER_SECOND / MS_PER_SECOND;

/**
 * The instant a log line was printed, as the time cursor takes it: from its `time`
 * (ISO text, or Unix seconds as a number) and its `nanTime` (nanoseconds within the
 * second, when the server sends it; else taken from `time`'s milliseconds).
 * `undefined` when the line has no readable `time`. Pass it as a log source's `after`
 * to read the lines printed after this one.
 *
 * @example
 * ```ts
 * logInstantOf({ id: 3, content: 'x', time: '2024-05-01T10:00:00.250Z', nanTime: 250000000 })
 * // { seconds: 1714557600, nanos: 250000000 }
 * ```
 */
export function logInstantOf(line: Pick<LogLine, 'time' | 'nanTime'>): LogInstant | undefined {
  const { time, nanTime } = line;
  let seconds: number;
  let nanos: number;
  if (typeof time === 'number') {
    if (!Number.isFinite(time)) return undefined;
    seconds = Math.floor(time);
    nanos = Math.round((time - seconds) * NANOS_PER_SECOND);
  } else if (typeof time === 'string') {
    const ms = Date.parse(time);
    if (Number.isNaN(ms)) return undefined;
    seconds = Math.floor(ms / MS_PER_SECOND);
    nanos = (ms - seconds * MS_PER_SECOND) * NANOS_PER_MS;
  } else {
    return undefined;
  }
  const given = typeof nanTime === 'string' ? Number(nanTime) : nanTime;
  if (given !== undefined && Number.isSafeInteger(given) && given >= 0 && given < NANOS_PER_SECOND) {
    nanos = given;
  }
  return { seconds, nanos };
}

// ── monitors and output (extension shapes; decoded leniently) ───────────────

/** One resource sample: `cpu` in cores and `memory` in bytes of one instance at `time`. */
export const ResourceSample = t.intersection([
  t.type({ time: Timestamp, instance: NonNegativeInt, cpu: t.number, memory: t.number }),
  optionalFields({ gpu: t.number }),
]);
/** One resource sample. */
export type ResourceSample = t.TypeOf<typeof ResourceSample>;

/** `…/resource-monitor`: `{ samples }`, `[]` when absent (a real server's shape is unknown). */
export const ResourceMonitor = t.type({ samples: withDefault(t.array(ResourceSample), () => []) });
/** `{ samples }`. */
export type ResourceMonitor = t.TypeOf<typeof ResourceMonitor>;

/** One metric value at `time`, optionally at a training `step`. */
export const MetricPoint = t.intersection([
  t.type({ time: Timestamp, value: t.number }),
  optionalFields({ step: t.number }),
]);
/** One metric value. */
export type MetricPoint = t.TypeOf<typeof MetricPoint>;

/** The values of one monitor, by `name`; `points` is `[]` when absent. */
export const MetricSeries = t.type({ name: t.string, points: withDefault(t.array(MetricPoint), () => []) });
/** `{ name, points }`. */
export type MetricSeries = t.TypeOf<typeof MetricSeries>;

/** `…/performance-monitor`: `{ metrics }`, `[]` when absent; built from the version's `monitors`. */
export const PerformanceMonitor = t.type({ metrics: withDefault(t.array(MetricSeries), () => []) });
/** `{ metrics }`. */
export type PerformanceMonitor = t.TypeOf<typeof PerformanceMonitor>;

/** One object under the output location; `key` is relative to `output`. */
export const OutputFile = t.intersection([
  t.type({ key: t.string, size: NonNegativeInt, lastModified: Timestamp }),
  optionalFields({ etag: t.string }),
]);
/** One output object. */
export type OutputFile = t.TypeOf<typeof OutputFile>;

/** `…/output`: `{ output: "s3://…", files }`; `files` is `[]` when absent. */
export const TrainOutput = t.type({ output: t.string, files: withDefault(t.array(OutputFile), () => []) });
/** `{ output, files }`. */
export type TrainOutput = t.TypeOf<typeof TrainOutput>;

// ── path parameters ─────────────────────────────────────────────────────────

/** `{jobId}` in a path (`'12'` on the wire, `12` decoded). */
export const JobIdParams = t.type({ jobId: IdFromString });
/** `{ jobId }`. */
export type JobIdParams = t.TypeOf<typeof JobIdParams>;

/** `{versionId}` in a training path (note: `/v1/train/{versionId}/stop` takes a version id too). */
export const VersionIdParams = t.type({ versionId: IdFromString });
/** `{ versionId }`. */
export type VersionIdParams = t.TypeOf<typeof VersionIdParams>;
