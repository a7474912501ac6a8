/**
 * `modelmaker feed prometheus`: every running training job's metrics, served for
 * a Prometheus scrape (`GET /metrics`, text exposition format) until Ctrl-C or SIGTERM.
 * @module
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { TrainingReadings } from 'modelmaker';
import { action, type Context, EXIT } from './context.js';
import {
  PROMETHEUS_DEFAULT_HOST,
  PROMETHEUS_DEFAULT_PORT,
  PROMETHEUS_DISCOVERY_SECONDS,
  PROMETHEUS_POLL_CEILING_MS,
} from './defaults.js';
import type { ExitCode } from './exitCodes.js';
import { nonNegative, positive } from './ids.js';
import { jsonText } from './output.js';
import { trainingExposition } from './prometheus.js';
import { runningJobs$ } from './runningJobs.js';
import { type StopSignals, withStopSignals } from './stopSignals.js';

interface PrometheusOptions {
  readonly port: number;
  readonly host: string;
  readonly discovery: number;
}

/** The highest TCP port. */
const MAX_PORT = 65_535;

/** A TCP port, 0 (any free one) to {@link MAX_PORT}. */
function port(value: string): number {
  const n = nonNegative(value);
  if (n > MAX_PORT) throw new InvalidArgumentError(`expected a port from 0 to ${MAX_PORT}`);
  return n;
}

/** The path a scrape asks. */
const METRICS_PATH = '/metrics';

/** Caught before anything is announced: a SIGTERM right after `listening` ends the feed cleanly. */
function prometheus(context: Context, options: PrometheusOptions): Promise<ExitCode> {
  return withStopSignals((stop) => servePrometheus(context, options, stop));
}

async function servePrometheus(
  context: Context,
  options: PrometheusOptions,
  stop: StopSignals,
): Promise<ExitCode> {
  const session = await context.session();
  let latest: ReadonlyMap<number, TrainingReadings> = new Map();
  const exposition = trainingExposition(() => latest.values());
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://feed').pathname;
    if (request.method !== 'GET' || (path !== METRICS_PATH && path !== '/')) {
      response
        .writeHead(404, { 'content-type': 'text/plain' })
        .end(`the metrics are at GET ${METRICS_PATH}\n`);
      return;
    }
    exposition.scrape().then(
      (text) => response.writeHead(200, { 'content-type': exposition.contentType }).end(text),
      (error: unknown) => {
        context.err.line(`warning: a scrape failed: ${String(error)}`);
        response.writeHead(500, { 'content-type': 'text/plain' }).end('the scrape failed\n');
      },
    );
  });
  await listen(server, options.port, options.host);
  const { port } = server.address() as AddressInfo;
  const url = `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}${METRICS_PATH}`;
  if (context.json) context.out.line(jsonText({ type: 'listening', url }));
  else context.err.line(`serving the metrics of every running training job at ${url} (Ctrl-C to stop)`);

  const feed = runningJobs$(session, {
    discoveryMs: options.discovery * 1000,
    pollCeilingMs: PROMETHEUS_POLL_CEILING_MS,
    warn: (message) => context.err.line(`warning: ${message}`),
  }).subscribe((readings) => {
    latest = readings;
  });
  const signal = await stop.first;
  feed.unsubscribe();
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
  context.err.line(`${signal}: stopped serving metrics`);
  return EXIT.OK;
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** `modelmaker feed …`: live feeds for other systems. */
export function feedCommand(): Command {
  return new Command('feed').description('live feeds of the platform for other systems').addCommand(
    new Command('prometheus')
      .description(
        `serve every running training job's metrics for a Prometheus scrape (GET ${METRICS_PATH}): monitors, resource usage, status`,
      )
      .addOption(
        new Option('--port <port>', 'port to listen on (0: any free one, printed)')
          .argParser(port)
          .default(PROMETHEUS_DEFAULT_PORT),
      )
      .option('--host <address>', 'address to listen on', PROMETHEUS_DEFAULT_HOST)
      .addOption(
        new Option('--discovery <seconds>', 'how often to look for newly started jobs')
          .argParser(positive)
          .default(PROMETHEUS_DISCOVERY_SECONDS),
      )
      .addHelpText(
        'after',
        `
A job's series appear once it runs and go when it ends. Labels: job_id, job_name,
version_id (and instance, status, metric). Stops on Ctrl-C or SIGTERM, exit status 0.`,
      )
      .action(action(prometheus)),
  );
}
