/**
 * `modelmaker services ls|info|deploy|start|stop|update|rm|logs`: online services.
 * `deploy` takes a JSON spec file with the seed's `deploy_predictor` parameter names
 * (`service_name`, `service_type`, `service_models`) and/or flags, and waits for the
 * service to run (exit 0 RUNNING, 3 FAILED); `start` and `stop` wait too unless
 * `--no-wait`.
 * @module
 */
import { Command } from 'commander';
import * as E from 'fp-ts/lib/Either.js';
import type { LogEvent, ServiceDeployEvent, ServiceDetail, ServiceUpdate, Session } from 'modelmaker';
import {
  type DeployParams,
  deployService,
  getServiceLog,
  hasTag,
  listServices,
  Predictor,
  redact,
  toServiceCreate,
  ValidationError,
} from 'modelmaker';
import { catchError, lastValueFrom, type Observable, throwError } from 'rxjs';
import { action, type Context, EXIT } from './context.js';
import { RefusedError, UsageError } from './errors.js';
import type { ExitCode } from './exitCodes.js';
import { id, nonNegative, positive } from './ids.js';
import { runUntilInterrupted } from './interrupt.js';
import { logPrinter, logSnapshot } from './logs.js';
import {
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
import { DEPLOY_SEED_NAMES, gather, readSpecFile, toSpecError } from './spec.js';

async function ls(context: Context): Promise<ExitCode> {
  const session = await context.session();
  const { services } = await lastValueFrom(listServices(session));
  const style = styleOf(context.out);
  printList(
    context.out,
    context.json,
    services,
    ['ID', 'NAME', 'STATUS', 'ADDRESS', 'CREATED'],
    (s) => [s.id, s.name, statusCell(style, s.status), s.accessAddress, formatTime(s.createdAt)],
    '(no services)',
  );
  return EXIT.OK;
}

/** `2 READY, 1 STARTING`: how many instances are in each state. */
function instanceSummary(instances: readonly { readonly status?: string | undefined }[]): string {
  const counts = new Map<string, number>();
  for (const instance of instances) {
    const status = instance.status ?? 'UNKNOWN';
    counts.set(status, (counts.get(status) ?? 0) + 1);
  }
  return [...counts].map(([status, n]) => `${n} ${status}`).join(', ') || '0';
}

async function info(context: Context, _options: object, serviceId: number): Promise<ExitCode> {
  const session = await context.session();
  const detail = redact(await lastValueFrom(new Predictor(session, serviceId).info())) as ServiceDetail;
  if (context.json) {
    context.out.line(jsonText(detail));
    return EXIT.OK;
  }
  const { serviceModels, ...fields } = detail;
  printDetail(context.out, false, localTimes(fields));
  if (serviceModels === undefined) return EXIT.OK;
  context.out.line();
  const style = styleOf(context.out);
  printList(
    context.out,
    false,
    serviceModels,
    ['MODEL VERSION', 'WEIGHT', 'RESOURCE', 'INSTANCES', 'STATUS', 'REASON'],
    (m) => [
      m.modelVersionId,
      m.weight,
      m.resourceId,
      m.instances === undefined ? m.instanceCount : instanceSummary(m.instances),
      statusCell(style, m.status),
      m.reason,
    ],
  );
  return EXIT.OK;
}

/** Options of `services deploy`, as parsed. */
interface DeployOptions {
  readonly name?: string;
  readonly modelVersionId?: number;
  readonly resource?: number;
  readonly instances: number;
  readonly weight: number;
  readonly wait: boolean;
}

/** A service event as printed: the running service as its id and address. */
function eventJson(event: ServiceDeployEvent): Record<string, unknown> {
  if (event.type === 'created') return { type: 'created', serviceId: event.serviceId };
  if (event.type === 'status') return { type: 'status', status: event.status, detail: redact(event.detail) };
  return { type: 'running', serviceId: event.serviceId, accessAddress: event.detail.accessAddress };
}

/** The flag that sets each field of the one service model `--resource` describes. */
const ENTRY_FLAGS: Readonly<Record<string, string>> = {
  resourceId: '--resource',
  instanceCount: '--instances',
  weight: '--weight',
  modelVersionId: '--model-version-id',
};

/** `error` with problems on the service model the flags made (`serviceModels[0].weight`) named by their flag (`--weight`). */
function onEntryFlags(error: ValidationError): ValidationError {
  const problems = error.problems.map((problem) => {
    const field = /^serviceModels\[0\]\.(\w+)$/.exec(problem.field)?.[1];
    const flag = field === undefined ? undefined : ENTRY_FLAGS[field];
    return flag === undefined ? problem : { ...problem, field: flag };
  });
  return new ValidationError(problems, { method: error.method, url: error.url, cause: error.cause });
}

async function deploy(context: Context, options: DeployOptions, specPath?: string): Promise<ExitCode> {
  const spec = specPath === undefined ? undefined : await readSpecFile(specPath);
  const fromFlags =
    options.resource === undefined
      ? undefined
      : [{ weight: options.weight, resourceId: options.resource, instanceCount: options.instances }];
  const gathered = gather(spec, specPath, DEPLOY_SEED_NAMES, {
    serviceName: { value: options.name, flag: '--name' },
    serviceModels: { value: fromFlags, flag: '--resource' },
  });
  if (specPath === undefined && options.name === undefined && fromFlags === undefined) {
    throw new UsageError(
      'services deploy needs a spec file or flags (see modelmaker services deploy --help)',
    );
  }
  const params = gathered.params as unknown as DeployParams;
  const defaults = options.modelVersionId === undefined ? {} : { modelVersionId: options.modelVersionId };
  const checked = toServiceCreate(params, defaults);
  const specError = (error: ValidationError) =>
    toSpecError(fromFlags === undefined ? error : onEntryFlags(error), gathered, DEPLOY_SEED_NAMES);
  if (E.isLeft(checked)) throw specError(checked.left);

  const session = await context.session();
  // Each entry without a model version gets --model-version-id, as deploy does with a model it just created.
  const filled: DeployParams = {
    ...params,
    serviceModels: params.serviceModels.map((entry) =>
      entry.modelVersionId === undefined && options.modelVersionId !== undefined
        ? { ...entry, modelVersionId: options.modelVersionId }
        : entry,
    ),
  };
  let serviceId: number | undefined;
  let running = false;
  const style = styleOf(context.out);
  const end = await runUntilInterrupted(
    deployService(session, filled, undefined, { wait: options.wait }).pipe(
      // the platform's refusal of a parameter, named as the user wrote it
      catchError((error: unknown) =>
        throwError(() => (hasTag(error, 'ValidationError') ? specError(error as ValidationError) : error)),
      ),
    ),
    (event) => {
      if (event.type === 'created') serviceId = event.serviceId;
      if (event.type === 'running') running = true;
      if (context.json) {
        context.out.line(jsonText(eventJson(event)));
      } else if (event.type === 'created') {
        context.out.line(`created service ${oneLine(params.serviceName)} (id ${event.serviceId})`);
      } else if (event.type === 'status') {
        context.err.line(
          `service ${serviceId}: ${statusText(styleOf(context.err), event.status ?? 'UNKNOWN')}`,
        );
      } else {
        const address = event.detail.accessAddress;
        context.out.line(
          `service ${event.serviceId} is ${style.green('RUNNING')}${address === undefined ? '' : ` at ${oneLine(address)}`}`,
        );
      }
    },
  );
  if (end === 'interrupted') {
    context.err.line(
      serviceId === undefined
        ? 'interrupted: the service may have been created; check with modelmaker services ls'
        : `interrupted: service ${serviceId} goes on deploying; check it with modelmaker services info ${serviceId}`,
    );
    return EXIT.INTERRUPTED;
  }
  if (!options.wait && !context.json && serviceId !== undefined) {
    context.err.line(`follow it with: modelmaker services info ${serviceId}`);
  }
  return options.wait && !running ? EXIT.ERROR : EXIT.OK;
}

/** Options of `services start|stop`. */
interface WaitOptions {
  readonly wait: boolean;
}

/** Starts or stops the service, then (with `wait`) waits until it is RUNNING or STOPPED. */
async function lifecycle(
  context: Context,
  serviceId: number,
  verb: 'start' | 'stop',
  wait: boolean,
): Promise<ExitCode> {
  const session = await context.session();
  const predictor = new Predictor(session, serviceId);
  await lastValueFrom(verb === 'start' ? predictor.start() : predictor.stop());
  const wanted = verb === 'start' ? 'RUNNING' : 'STOPPED';
  if (!wait) {
    if (context.json) context.out.line(jsonText({ type: verb, serviceId, requested: true }));
    else context.out.line(`${verb} requested for service ${serviceId}`);
    return EXIT.OK;
  }
  let detail: ServiceDetail | undefined;
  const end = await runUntilInterrupted(predictor.waitUntil(wanted), (value) => {
    detail = value;
  });
  if (end === 'interrupted') {
    context.err.line(
      `interrupted: service ${serviceId} goes on (${verb}); check it with modelmaker services info ${serviceId}`,
    );
    return EXIT.INTERRUPTED;
  }
  if (context.json) context.out.line(jsonText({ type: 'status', serviceId, status: detail?.status }));
  else
    context.out.line(`service ${serviceId} is ${statusText(styleOf(context.out), detail?.status ?? wanted)}`);
  return EXIT.OK;
}

async function start(context: Context, options: WaitOptions, serviceId: number): Promise<ExitCode> {
  return lifecycle(context, serviceId, 'start', options.wait);
}

async function stop(context: Context, options: WaitOptions, serviceId: number): Promise<ExitCode> {
  return lifecycle(context, serviceId, 'stop', options.wait);
}

interface UpdateOptions {
  readonly name?: string;
  readonly spec?: string;
}

async function update(context: Context, options: UpdateOptions, serviceId: number): Promise<ExitCode> {
  const spec = options.spec === undefined ? undefined : await readSpecFile(options.spec);
  const gathered = gather(spec, options.spec, DEPLOY_SEED_NAMES, {
    serviceName: { value: options.name, flag: '--name' },
  });
  const { serviceName, serviceModels } = gathered.params as Partial<DeployParams>;
  if (serviceName === undefined && serviceModels === undefined) {
    throw new UsageError('services update needs --name and/or --spec with service_models');
  }
  let body: ServiceUpdate = serviceName === undefined ? {} : { name: serviceName };
  if (serviceModels !== undefined) {
    // The same checks as a deploy (weights add up to 100, counts, ids), on the new models.
    const checked = toServiceCreate({ serviceName: serviceName ?? 'unchanged', serviceModels });
    if (E.isLeft(checked)) throw toSpecError(checked.left, gathered, DEPLOY_SEED_NAMES);
    body = { ...body, serviceModels: checked.right.serviceModels };
  }
  const session = await context.session();
  await lastValueFrom(new Predictor(session, serviceId).update(body));
  if (context.json) context.out.line(jsonText({ type: 'updated', serviceId }));
  else context.out.line(`updated service ${serviceId}`);
  return EXIT.OK;
}

/** Options of `services rm`. */
interface RmOptions {
  readonly force?: boolean;
}

/** The statuses a service may be deleted in without `--force`: it serves nothing. */
const DELETABLE_STATUSES: ReadonlySet<string> = new Set(['STOPPED', 'FAILED']);

async function rm(context: Context, options: RmOptions, serviceId: number): Promise<ExitCode> {
  const session = await context.session();
  const predictor = new Predictor(session, serviceId);
  if (options.force !== true) {
    const { status } = await lastValueFrom(predictor.info());
    if (status !== undefined && !DELETABLE_STATUSES.has(status)) {
      throw new RefusedError(
        `service ${serviceId} is ${status}: stop it first (modelmaker services stop ${serviceId}), ` +
          'or give --force to delete it as it is',
      );
    }
  }
  await lastValueFrom(predictor.delete());
  if (context.json) context.out.line(jsonText({ type: 'deleted', serviceId }));
  else context.out.line(`deleted service ${serviceId}`);
  return EXIT.OK;
}

interface LogsOptions {
  readonly follow?: boolean;
  readonly from: number;
}

function pages(session: Session, serviceId: number) {
  return (lastId: number, limit: number) => getServiceLog(session, serviceId, { lastId, limit });
}

async function logs(context: Context, options: LogsOptions, serviceId: number): Promise<ExitCode> {
  const session = await context.session();
  const events: Observable<LogEvent> = options.follow
    ? new Predictor(session, serviceId).logs$(options.from)
    : logSnapshot(pages(session, serviceId), options.from);
  const end = await runUntilInterrupted(events, logPrinter(context));
  if (end === 'completed') return EXIT.OK;
  context.err.line(
    `interrupted: stopped reading the log of service ${serviceId} (the service is not affected)`,
  );
  return EXIT.INTERRUPTED;
}

/** The `services` command group. */
export function servicesCommand(): Command {
  return new Command('services')
    .description('online services')
    .addCommand(new Command('ls').description('list services').action(action(ls)))
    .addCommand(
      new Command('info')
        .description('show a service: status, address, models and instances')
        .argument('<serviceId>', 'service id', id)
        .action(action(info)),
    )
    .addCommand(
      new Command('deploy')
        .description(
          'deploy a service from a JSON spec file (seed parameter names) and/or flags; waits until it runs',
        )
        .argument('[spec]', 'JSON spec file (- for stdin)')
        .option('-n, --name <name>', 'service_name')
        .option(
          '--model-version-id <id>',
          'the model version to serve (for entries that do not name one)',
          id,
        )
        .option(
          '--resource <id>',
          'one service model on this PREDICT machine id (catalog machines --env PREDICT)',
          id,
        )
        .option('--instances <n>', 'with --resource: instanceCount, 1..10', positive, 1)
        .option('--weight <percent>', 'with --resource: weight', nonNegative, 100)
        .option('--no-wait', 'return once the service is created')
        .addHelpText(
          'after',
          `
Spec file (seed parameter names):
  { "service_name": "iris", "service_type": "ONLINE_SERVICE",
    "service_models": [{ "modelVersionId": 7, "weight": 100, "resourceId": 500151, "instanceCount": 1 }] }

Examples:
  modelmaker services deploy service.json
  modelmaker services deploy --name iris --model-version-id 7 --resource 500151`,
        )
        .action(action(deploy)),
    )
    .addCommand(
      new Command('start')
        .description('start a stopped service; waits until it runs')
        .argument('<serviceId>', 'service id', id)
        .option('--no-wait', 'return once asked')
        .action(action(start)),
    )
    .addCommand(
      new Command('stop')
        .description('stop a service; waits until it has stopped')
        .argument('<serviceId>', 'service id', id)
        .option('--no-wait', 'return once asked')
        .action(action(stop)),
    )
    .addCommand(
      new Command('update')
        .description('rename a service and/or replace its service models (weights, instances)')
        .argument('<serviceId>', 'service id', id)
        .option('-n, --name <name>', 'the new service_name')
        .option('--spec <file>', 'JSON with service_models (and/or service_name)')
        .action(action(update)),
    )
    .addCommand(
      new Command('rm')
        .description('delete a stopped or failed service (stop it first, or give --force)')
        .argument('<serviceId>', 'service id', id)
        .option('--force', 'delete it whatever its status, a RUNNING service included')
        .action(action(rm)),
    )
    .addCommand(
      new Command('logs')
        .description("print a service's log; with -f follow it (until the service stops, or Ctrl-C)")
        .argument('<serviceId>', 'service id', id)
        .option('-f, --follow', 'keep printing new lines')
        .option('--from <lineId>', 'first line id to print', nonNegative, 0)
        .action(action(logs)),
    );
}
