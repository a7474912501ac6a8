/**
 * `modelmaker jobs ls|info|logs|watch|metrics|resources|stop|rm`: training jobs
 * and their versions. Commands that act on a run take a **version** id (as the
 * platform's stop and log calls do); `info` and `rm` take a job id, or a version id
 * with `--version-id`.
 * @module
 */
import { Command } from 'commander';
import {
  deleteTrain,
  deleteTrainVersion,
  getTrain,
  getTrainLog,
  getTrainPerformanceMonitor,
  getTrainResourceMonitor,
  getTrainVersion,
  listTrain,
  logs$,
  redact,
  sourceFromSession,
  status$,
  stopTrain,
} from 'modelmaker';
import { last, lastValueFrom } from 'rxjs';
import { action, type Context, EXIT } from './context.js';
import { WATCH_CHART_HEIGHT } from './defaults.js';
import { UsageError } from './errors.js';
import type { ExitCode } from './exitCodes.js';
import { id, nonNegative } from './ids.js';
import { afterJobInterrupt, runUntilInterrupted } from './interrupt.js';
import { logPrinter, logSnapshot } from './logs.js';
import {
  formatBytes,
  formatTime,
  jsonText,
  localTimes,
  oneLine,
  printDetail,
  printList,
  statusCell,
  statusText,
  styleOf,
} from './output.js';
import { chartLines } from './watch/chart.js';
import { runWatch } from './watch/run.js';

async function ls(context: Context): Promise<ExitCode> {
  const session = await context.session();
  const { trainTasks } = await lastValueFrom(listTrain(session));
  const style = styleOf(context.out);
  printList(
    context.out,
    context.json,
    trainTasks,
    ['ID', 'NAME', 'TYPE', 'LATEST VERSION', 'STATUS', 'CREATED'],
    (job) => [
      job.id,
      job.name,
      job.type,
      job.latestVersionId,
      statusCell(style, job.status),
      formatTime(job.createdAt),
    ],
    '(no training jobs)',
  );
  return EXIT.OK;
}

interface ByVersion {
  readonly versionId?: number;
}

function jobOrVersion(
  jobId: number | undefined,
  options: ByVersion,
  what: string,
): ['job' | 'version', number] {
  if (jobId !== undefined && options.versionId !== undefined) {
    throw new UsageError(`${what}: give a job id or --version-id, not both`);
  }
  if (options.versionId !== undefined) return ['version', options.versionId];
  if (jobId !== undefined) return ['job', jobId];
  throw new UsageError(`${what}: give a job id or --version-id <id>`);
}

async function info(context: Context, options: ByVersion, jobId?: number): Promise<ExitCode> {
  const [kind, target] = jobOrVersion(jobId, options, 'jobs info');
  const session = await context.session();
  if (kind === 'version') {
    const detail = redact(await lastValueFrom(getTrainVersion(session, target))) as Record<string, unknown>;
    printDetail(context.out, context.json, context.json ? detail : localTimes(detail));
    return EXIT.OK;
  }
  const job = await lastValueFrom(getTrain(session, target));
  if (context.json) {
    context.out.line(jsonText(redact(job)));
    return EXIT.OK;
  }
  const { versions, ...fields } = job;
  printDetail(context.out, false, localTimes(fields));
  context.out.line();
  const style = styleOf(context.out);
  printList(
    context.out,
    false,
    versions,
    ['VERSION', 'NAME', 'STATUS', 'CREATED', 'FINISHED'],
    (v) => [v.id, v.name, statusCell(style, v.status), formatTime(v.createdAt), formatTime(v.finishedAt)],
    '(no versions)',
  );
  return EXIT.OK;
}

interface LogsOptions {
  readonly follow?: boolean;
  readonly from: number;
  readonly stop?: boolean;
}

async function logs(context: Context, options: LogsOptions, versionId: number): Promise<ExitCode> {
  const session = await context.session();
  const print = logPrinter(context);
  if (!options.follow) {
    const snapshot = logSnapshot(
      (lastId, limit) => getTrainLog(session, versionId, { lastId, limit }),
      options.from,
    );
    const end = await runUntilInterrupted(snapshot, print);
    return end === 'interrupted' ? EXIT.INTERRUPTED : EXIT.OK;
  }
  const end = await runUntilInterrupted(
    logs$(sourceFromSession(session), versionId, { from: options.from }),
    print,
  );
  if (end === 'interrupted') return afterJobInterrupt(context.err, session, versionId, options.stop === true);
  return EXIT.OK;
}

interface WatchOptions {
  readonly stop?: boolean;
}

async function watch(context: Context, options: WatchOptions, versionId: number): Promise<ExitCode> {
  const session = await context.session();
  return runWatch(context, session, versionId, { stop: options.stop });
}

interface MetricsOptions {
  readonly chart: boolean;
}

async function metrics(context: Context, options: MetricsOptions, versionId: number): Promise<ExitCode> {
  const session = await context.session();
  const monitor = await lastValueFrom(getTrainPerformanceMonitor(session, versionId));
  if (context.json) {
    context.out.line(jsonText(monitor.metrics));
    return EXIT.OK;
  }
  const series = monitor.metrics.map((metric) => ({
    name: metric.name,
    values: metric.points.map((point) => point.value).filter(Number.isFinite),
  }));
  printList(
    context.out,
    false,
    series,
    ['METRIC', 'POINTS', 'LAST', 'MIN', 'MAX'],
    ({ name, values }) =>
      values.length === 0
        ? [name, 0]
        : [name, values.length, values[values.length - 1], Math.min(...values), Math.max(...values)],
    '(no metrics: the job has no monitors, or no line matched them yet)',
  );
  if (!options.chart) return EXIT.OK;
  const style = styleOf(context.out);
  for (const { name, values } of series) {
    if (values.length === 0) continue;
    context.out.line();
    context.out.line(style.bold(oneLine(name)));
    for (const line of chartLines(values, WATCH_CHART_HEIGHT, context.out.columns() - 1))
      context.out.line(line);
  }
  return EXIT.OK;
}

interface ResourcesOptions {
  readonly all?: boolean;
}

async function resources(context: Context, options: ResourcesOptions, versionId: number): Promise<ExitCode> {
  const session = await context.session();
  const { samples } = await lastValueFrom(getTrainResourceMonitor(session, versionId));
  const latest = new Map<number, (typeof samples)[number]>();
  for (const sample of samples) latest.set(sample.instance, sample);
  const shown = options.all ? samples : [...latest.values()].sort((a, b) => a.instance - b.instance);
  printList(
    context.out,
    context.json,
    shown,
    ['INSTANCE', 'TIME', 'CPU (CORES)', 'MEMORY', 'GPU'],
    (s) => [s.instance, formatTime(s.time), s.cpu.toFixed(2), formatBytes(s.memory), s.gpu],
    '(no samples yet)',
  );
  return EXIT.OK;
}

interface StopOptions {
  readonly wait?: boolean;
}

async function stop(context: Context, options: StopOptions, versionId: number): Promise<ExitCode> {
  const session = await context.session();
  await lastValueFrom(stopTrain(session, versionId));
  if (!options.wait) {
    if (context.json) context.out.line(jsonText({ type: 'stop', versionId, requested: true }));
    else context.out.line(`stop requested for job version ${versionId}`);
    return EXIT.OK;
  }
  const final = await lastValueFrom(status$(sourceFromSession(session), versionId).pipe(last()));
  if (context.json) context.out.line(jsonText({ type: 'end', versionId, status: final.status }));
  else context.out.line(`job version ${versionId} ended ${statusText(styleOf(context.out), final.status)}`);
  return EXIT.OK;
}

async function rm(context: Context, options: ByVersion, jobId?: number): Promise<ExitCode> {
  const [kind, target] = jobOrVersion(jobId, options, 'jobs rm');
  const session = await context.session();
  await lastValueFrom(kind === 'job' ? deleteTrain(session, target) : deleteTrainVersion(session, target));
  if (context.json)
    context.out.line(jsonText({ type: 'deleted', [kind === 'job' ? 'jobId' : 'versionId']: target }));
  else
    context.out.line(
      `deleted ${kind === 'job' ? `job ${target} and its versions` : `job version ${target}`}`,
    );
  return EXIT.OK;
}

const STOP_HELP = 'on Ctrl-C, stop the job too (default: leave it running)';

/** The `jobs` command group. */
export function jobsCommand(): Command {
  const byVersion = (command: Command) =>
    command.option('--version-id <id>', 'a version id instead of a job id', id);
  return new Command('jobs')
    .description('training jobs and their versions')
    .addCommand(new Command('ls').description('list training jobs').action(action(ls)))
    .addCommand(
      byVersion(
        new Command('info')
          .description('show a job and its versions, or one version with --version-id')
          .argument('[jobId]', 'job id', id),
      ).action(action(info)),
    )
    .addCommand(
      new Command('logs')
        .description("print a version's log; with -f follow it until the job ends")
        .argument('<versionId>', 'version id', id)
        .option('-f, --follow', 'keep printing new lines until the job ends')
        .option('--from <lineId>', 'first line id to print', nonNegative, 0)
        .option('--stop', STOP_HELP)
        .addHelpText('after', '\nExample:\n  modelmaker jobs logs -f 12 --json | jq -r .line.content')
        .action(action(logs)),
    )
    .addCommand(
      new Command('watch')
        .description(
          'live view of a version: status, elapsed time, resources, log tail, metric charts; exits with the outcome (0 FINISH, 3 failed, 4 stopped)',
        )
        .argument('<versionId>', 'version id', id)
        .option('--stop', STOP_HELP)
        .action(action(watch)),
    )
    .addCommand(
      new Command('metrics')
        .description("show a version's monitored metrics, with a chart each")
        .argument('<versionId>', 'version id', id)
        .option('--no-chart', 'the table only')
        .action(action(metrics)),
    )
    .addCommand(
      new Command('resources')
        .description("show a version's resource usage (latest sample per instance)")
        .argument('<versionId>', 'version id', id)
        .option('--all', 'every sample, not only the latest')
        .action(action(resources)),
    )
    .addCommand(
      new Command('stop')
        .description('stop a running version')
        .argument('<versionId>', 'version id', id)
        .option('--wait', 'wait until it has ended')
        .action(action(stop)),
    )
    .addCommand(
      byVersion(
        new Command('rm')
          .description('delete a job with all its versions, or one version with --version-id')
          .argument('[jobId]', 'job id', id),
      ).action(action(rm)),
    );
}
