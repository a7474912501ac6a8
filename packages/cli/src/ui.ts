/**
 * `modelmaker ui`: serves the dashboard (`@modelmaker/ui`) for the configured
 * platform on this machine, until Ctrl-C. The dashboard holds the session; the
 * browser never sees a credential. `modelmaker local --ui` starts one for the
 * embedded platform with {@link startLocalDashboard}.
 * @module
 */
import type { LocalPlatform } from '@modelmaker/local';
import type { Dashboard } from '@modelmaker/ui';
import { DEFAULT_UI_HOST, DEFAULT_UI_PORT } from '@modelmaker/ui';
import { Command, InvalidArgumentError } from 'commander';
import { LogLevel, Session } from 'modelmaker';
import { action, type Context, EXIT } from './context.js';
import { UsageError } from './errors.js';
import type { ExitCode } from './exitCodes.js';
import { collect } from './ids.js';
import { jsonText, oneLine } from './output.js';
import { type StopSignals, withStopSignals } from './stopSignals.js';

/** Options of `modelmaker ui`, as parsed. */
export interface UiCommandOptions {
  readonly port: number;
  readonly host: string;
  readonly allowHost?: string[] | undefined;
}

/** A port number 0..65535 (0 picks a free one). */
export function uiPort(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65_535) throw new InvalidArgumentError('expected a port number 0..65535');
  return n;
}

/** True for an address only this machine can reach. */
function isLoopback(host: string): boolean {
  return /^(127\.\d+\.\d+\.\d+|localhost|::1|\[::1\])$/.test(host);
}

/** The warning for a dashboard bound where other machines can reach it. */
export function exposedWarning(host: string): string | undefined {
  return isLoopback(host)
    ? undefined
    : `warning: --host ${host} lets other machines use the dashboard, and so the platform account it acts with`;
}

/** Starts the dashboard; a port in use becomes a usage error that says what to do. */
async function start(session: Session, options: UiCommandOptions): Promise<Dashboard> {
  const { startDashboard } = await import('@modelmaker/ui');
  try {
    return await startDashboard({
      session,
      host: options.host,
      port: options.port,
      allowHosts: options.allowHost,
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new UsageError(`port ${options.port} is in use: choose another with --port (0 picks a free one)`);
    }
    throw error;
  }
}

/** Caught before anything is announced: a SIGTERM right after `ready` closes the dashboard. */
function ui(context: Context, options: UiCommandOptions): Promise<ExitCode> {
  return withStopSignals((stop) => serveDashboard(context, options, stop));
}

async function serveDashboard(
  context: Context,
  options: UiCommandOptions,
  stop: StopSignals,
): Promise<ExitCode> {
  const session = await context.session();
  // fails now (no host, bad config file…) rather than in the page
  const settings = await session.resolved();
  const warning = exposedWarning(options.host);
  if (warning) context.err.line(warning);
  const dashboard = await start(session, options);
  if (context.json) {
    context.out.line(jsonText({ type: 'ready', url: dashboard.url, platform: settings.baseUrl }));
  } else {
    context.out.line(`ModelMaker dashboard at ${dashboard.url}`);
    context.out.line(
      `  platform: ${oneLine(settings.baseUrl)}${settings.username ? ` (as ${oneLine(settings.username)})` : ''}`,
    );
    context.out.line('Press Ctrl+C to stop.');
  }
  await context.out.flush();
  const signal = await stop.first;
  await dashboard.close();
  if (context.json) context.out.line(jsonText({ type: 'stopped', signal }));
  else context.out.line('Dashboard stopped.');
  return EXIT.OK;
}

/**
 * The dashboard for a local platform just started (`modelmaker local --ui`):
 * a session with the platform's own credentials, the dashboard on `port`.
 */
export async function startLocalDashboard(
  platform: LocalPlatform,
  port: number,
  err: (text: string) => void,
): Promise<Dashboard> {
  const line = (level: string) => (message: string) => err(`${level}: ${oneLine(message)}\n`);
  const session = new Session({
    baseUrl: platform.baseUrl,
    username: platform.username,
    password: platform.password,
    bucket: platform.s3.bucket,
    configPath: false,
    level: LogLevel.warning,
    logger: { debug: line('debug'), info: line('info'), warn: line('warning'), error: line('error') },
  });
  return start(session, { port, host: DEFAULT_UI_HOST });
}

/** The `ui` command. */
export function uiCommand(): Command {
  return new Command('ui')
    .description('serve the web dashboard for the configured platform on this machine (until Ctrl-C)')
    .option('--port <port>', 'port to listen on (0 picks a free one)', uiPort, DEFAULT_UI_PORT)
    .option(
      '--host <address>',
      'address to bind; anything but 127.0.0.1 exposes the dashboard',
      DEFAULT_UI_HOST,
    )
    .option(
      '--allow-host <name>',
      'another host name the dashboard answers for (a machine name, a tunnel); repeatable',
      collect,
    )
    .addHelpText(
      'after',
      `
The dashboard shows training jobs and versions (live status, log, metric and resource charts,
output files), models, services (with a predict console and their log) and the catalogs; it can
stop and delete jobs, and deploy, start, stop, update and delete services. It acts with the
session the global options and the config file give; the browser never sees the credentials.

With --json, one line {"type":"ready", url, platform} is printed, then {"type":"stopped"}.

Examples:
  modelmaker ui                       # then open http://127.0.0.1:${DEFAULT_UI_PORT}/
  modelmaker ui --port 0 --json       # a free port, printed as JSON
  modelmaker local --ui               # the embedded platform with its dashboard`,
    )
    .action(action(ui));
}
