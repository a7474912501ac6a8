/**
 * Phase 1 of a training run, prepare: make the work directories and fetch what the
 * job names into them, one note line each, in this order:
 *
 * 1. `dataUrl` (an object or a prefix) into the data dir;
 * 2. each of `inputFiles` (`s3://` only) into the data dir **under its `name`** — an
 *    object becomes the file `data/<name>`, a prefix the folder `data/<name>/` — after
 *    `dataUrl`, so a same-named file of `dataUrl` is replaced;
 * 3. the code: `codeUrl` downloaded, or else `gitInfo` cloned (shallow, one branch;
 *    see `gitClone.ts`) into the code dir; with both, `codeUrl` is used and a note says
 *    `gitInfo` was not;
 * 4. an `s3://` `modeUrl` (the initial model) into `model/`, given to the job as
 *    `MODELMAKER_INIT_MODEL_DIR`.
 *
 * Then it checks that the job can run here and plans its launch. Any failure ends the
 * run STARTING_FAIL with the failure's message, led by the field it is about
 * (`inputFiles[1].path: nothing found at s3://…`); none carries a git password.
 * @module
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  catchError,
  concat,
  concatMap,
  defer,
  from,
  ignoreElements,
  map,
  type Observable,
  of,
  throwError,
} from 'rxjs';
import { detectContainerEngine } from './containerEngine.js';
import { cloneRepository, describeClone } from './gitClone.js';
import { type LaunchPlan, planLaunch } from './launch.js';
import { continueWith, endRun, type PhaseEvent } from './phase.js';
import { describeBytes, noteEvent, type RunContext } from './runContext.js';
import { downloadAs, downloadTo, type TransferCount, TransferError } from './transfer.js';
import { failed } from './verdict.js';

/** One thing to fetch: the body's field it comes from, and its note once fetched. */
interface Fetch {
  readonly field: string;
  readonly fetch$: Observable<string>;
}

function fetchedNote(field: string, uri: string): (got: TransferCount) => string {
  return (got) => `${field}: ${got.files} file(s), ${describeBytes(got.bytes)} from ${uri}`;
}

/** What the body asks to fetch, in order: data, input files, code, initial model. */
function fetchesOf({ body, dirs, deps }: RunContext): Fetch[] {
  const fetches: Fetch[] = [];
  const s3 = deps.s3;
  if (body.dataUrl) {
    const fetch$ = downloadTo(s3, body.dataUrl, dirs.data, 'dataUrl').pipe(
      map(fetchedNote('dataUrl', body.dataUrl)),
    );
    fetches.push({ field: 'dataUrl', fetch$ });
  }
  (body.inputFiles ?? []).forEach((file, i) => {
    const field = `inputFiles[${i}]`;
    const fetch$ = defer(() =>
      downloadAs(s3, file.path, inputFilePath(dirs.data, file.name, field), `${field}.path`),
    ).pipe(map(fetchedNote(`${field} (${file.name})`, file.path)));
    fetches.push({ field: `${field}.path`, fetch$ });
  });
  if (body.codeUrl) {
    const fetch$ = downloadTo(s3, body.codeUrl, dirs.code, 'codeUrl').pipe(
      map(fetchedNote('codeUrl', body.codeUrl)),
    );
    fetches.push({ field: 'codeUrl', fetch$ });
    if (body.gitInfo)
      fetches.push({ field: 'gitInfo', fetch$: of('gitInfo: not used, the code comes from codeUrl') });
  } else if (body.gitInfo) {
    const fetch$ = cloneRepository(body.gitInfo, dirs.code, 'gitInfo', deps.git).pipe(
      map((cloned) => `${describeClone('gitInfo', cloned)} into the code directory`),
    );
    fetches.push({ field: 'gitInfo', fetch$ });
  }
  if (body.modeUrl && dirs.initModel) {
    const fetch$ = downloadTo(s3, body.modeUrl, dirs.initModel, 'modeUrl').pipe(
      map((got) => `${fetchedNote('modeUrl', body.modeUrl!)(got)} (MODELMAKER_INIT_MODEL_DIR)`),
    );
    fetches.push({ field: 'modeUrl', fetch$ });
  }
  return fetches;
}

/** `error` with its message starting with the field it is about (`inputFiles[1].path: nothing found at …`). */
function naming(field: string): (error: unknown) => Observable<never> {
  return (error) => {
    const message = (error as Error).message;
    const named = message.startsWith(field.split('.')[0]!);
    return throwError(() => (named ? error : new TransferError(`${field}: ${message}`, error)));
  };
}

/**
 * Where input file `name` lands: `name` relative to the data dir. The platform refuses
 * names that leave it at submit; this is the runner's own guard.
 */
function inputFilePath(data: string, name: string, field: string): string {
  const parts = name.split('/');
  if (name === '' || name.startsWith('/') || parts.some((p) => p === '' || p === '.' || p === '..')) {
    throw new Error(`${field}.name must be a file name or a relative path, got ${JSON.stringify(name)}`);
  }
  return join(data, name);
}

async function makeDirectories({ dirs }: RunContext): Promise<void> {
  for (const directory of [dirs.output, dirs.code, dirs.data]) await mkdir(directory, { recursive: true });
}

/** Picks the container engine (CUSTOM jobs) and plans the launch. */
async function planFor(context: RunContext): Promise<LaunchPlan> {
  const { body, deps } = context;
  const engine =
    body.type !== 'CUSTOM'
      ? null
      : deps.containerEngine !== undefined
        ? deps.containerEngine
        : await detectContainerEngine();
  return planLaunch(context.run, context.dirs, engine);
}

/** The prepare phase (see the module doc): notes as things arrive, then the launch plan. */
export function prepareRun(context: RunContext): Observable<PhaseEvent<LaunchPlan>> {
  const fetched$ = defer(() => from(fetchesOf(context))).pipe(
    concatMap(({ field, fetch$ }) =>
      fetch$.pipe(
        catchError(naming(field)),
        map((note) => noteEvent(context, note)),
      ),
    ),
  );
  return concat(
    context.inFlight.step(() => makeDirectories(context)).pipe(ignoreElements()),
    fetched$,
    context.inFlight.step(() => planFor(context)).pipe(map(continueWith)),
  ).pipe(catchError((error: unknown) => of(endRun(failed('STARTING_FAIL', (error as Error).message)))));
}
