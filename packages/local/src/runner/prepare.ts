/**
 * Phase 1 of a training run, prepare: make the work directories, fetch `dataUrl` (an
 * object or a prefix), `codeUrl` and an `s3://` `modeUrl` into them (one note line
 * each), check that the job can run here, and plan its launch. Any failure ends the
 * run STARTING_FAIL with the failure's message.
 * @module
 */
import { mkdir } from 'node:fs/promises';
import { catchError, concat, concatMap, from, ignoreElements, map, type Observable, of } from 'rxjs';
import { detectContainerEngine } from './containerEngine.js';
import { type LaunchPlan, planLaunch } from './launch.js';
import { continueWith, endRun, type PhaseEvent } from './phase.js';
import { describeBytes, noteEvent, type RunContext } from './runContext.js';
import { downloadTo } from './transfer.js';
import { failed } from './verdict.js';

/** One address to fetch, where, and the body's field it came from. */
interface Fetch {
  readonly uri: string;
  readonly directory: string;
  readonly field: 'dataUrl' | 'codeUrl' | 'modeUrl';
}

/** What the body asks to fetch, in order: data, code, initial model. */
function fetchesOf({ body, dirs }: RunContext): Fetch[] {
  const wanted: Array<Fetch | undefined> = [
    body.dataUrl ? { uri: body.dataUrl, directory: dirs.data, field: 'dataUrl' } : undefined,
    body.codeUrl ? { uri: body.codeUrl, directory: dirs.code, field: 'codeUrl' } : undefined,
    body.modeUrl && dirs.initModel
      ? { uri: body.modeUrl, directory: dirs.initModel, field: 'modeUrl' }
      : undefined,
  ];
  return wanted.filter((fetch): fetch is Fetch => fetch !== undefined);
}

async function makeDirectories({ dirs }: RunContext): Promise<void> {
  for (const directory of [dirs.output, dirs.code, dirs.data]) await mkdir(directory, { recursive: true });
}

/** Checks what the downloads cannot, picks the container engine (CUSTOM jobs) and plans the launch. */
async function planFor(context: RunContext): Promise<LaunchPlan> {
  const { body, deps } = context;
  if (!body.codeUrl && body.gitInfo && body.type !== 'PRESET_ALGORITHM') {
    throw new Error('gitInfo is not supported by the local platform: upload the code and give codeUrl');
  }
  const engine =
    body.type !== 'CUSTOM'
      ? null
      : deps.containerEngine !== undefined
        ? deps.containerEngine
        : await detectContainerEngine();
  return planLaunch(context.run, context.dirs, engine);
}

/** The prepare phase (see the module doc): notes as files arrive, then the launch plan. */
export function prepareRun(context: RunContext): Observable<PhaseEvent<LaunchPlan>> {
  const fetched$ = from(fetchesOf(context)).pipe(
    concatMap(({ uri, directory, field }) =>
      downloadTo(context.deps.s3, uri, directory, field).pipe(
        map((got) =>
          noteEvent(context, `${field}: ${got.files} file(s), ${describeBytes(got.bytes)} from ${uri}`),
        ),
      ),
    ),
  );
  return concat(
    context.inFlight.step(() => makeDirectories(context)).pipe(ignoreElements()),
    fetched$,
    context.inFlight.step(() => planFor(context)).pipe(map(continueWith)),
  ).pipe(catchError((error: unknown) => of(endRun(failed('STARTING_FAIL', (error as Error).message)))));
}
