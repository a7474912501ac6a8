/**
 * `modelmaker local`: runs the embedded ModelMaker platform in the foreground,
 * prints where it listens and how to log in, optionally writes a matching
 * config profile, says when the platform becomes degraded (a full disk…) and why,
 * and when it is healthy again, and shuts down cleanly (every training process
 * stopped) on SIGINT or SIGTERM.
 * @module
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { HealthReport, LocalPlatform } from '@modelmaker/local';
// The defaults alone, not the package's index: that loads the whole platform, which only `local` needs.
import {
  DEFAULT_LOCAL_CLI_PORT,
  DEFAULT_LOCAL_CLI_S3_PORT,
  DEFAULT_LOCAL_DATA_SUBDIR,
  DEFAULT_LOCAL_HOST,
} from '@modelmaker/local/defaults';
import { DEFAULT_UI_PORT } from '@modelmaker/ui';
import { Command, InvalidArgumentError } from 'commander';
import { isModelMakerError, locateConfigFile, writeConfigFile } from 'modelmaker';
import { startLocalDashboard, uiPort } from './ui.js';

/** Options of `modelmaker local`, as parsed. */
export interface LocalCommandOptions {
  readonly port: number;
  readonly s3Port: number;
  readonly host: string;
  readonly dataDir?: string | undefined;
  /** `true` for the default path, a path, or absent. */
  readonly writeConfig?: string | boolean | undefined;
  readonly force?: boolean | undefined;
  /** Print the addresses as one JSON object (no password: use `writeConfig` to hand it over). */
  readonly json?: boolean | undefined;
  /** Also serve the dashboard for the platform (`--ui`). */
  readonly ui?: boolean | undefined;
  /** The dashboard's port (`--ui-port`). */
  readonly uiPort?: number | undefined;
}

/** Where the command writes. */
export interface CommandIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

const processIo: CommandIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

function port(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65_535) throw new InvalidArgumentError('expected a port number 0..65535');
  return n;
}

async function configTarget(writeConfig: string | boolean): Promise<string | undefined> {
  if (typeof writeConfig === 'string') return writeConfig;
  return (await locateConfigFile())?.path;
}

async function exists(path: string): Promise<boolean> {
  const { access } = await import('node:fs/promises');
  return access(path).then(
    () => true,
    () => false,
  );
}

/**
 * Starts the platform and prints its addresses. Resolves with the running
 * platform, or `undefined` after printing why it could not start (the caller
 * exits non-zero then).
 */
export async function startFromCli(
  options: LocalCommandOptions,
  io: CommandIo = processIo,
): Promise<LocalPlatform | undefined> {
  let target: string | undefined;
  if (options.writeConfig !== undefined && options.writeConfig !== false) {
    target = await configTarget(options.writeConfig);
    if (target === undefined) {
      io.err('modelmaker local: no home directory to write the config file to; give --write-config <path>\n');
      return undefined;
    }
    // Checked before starting, so a refusal costs nothing; the write itself is no-clobber too.
    if (!options.force && (await exists(target))) {
      io.err(`modelmaker local: ${target} exists; not overwriting it (pass --force to replace it)\n`);
      return undefined;
    }
  }

  // Loaded here, not at the top: the platform (S3 server, AWS SDK) is heavy, and other commands never need it.
  const { startLocalPlatform } = await import('@modelmaker/local');
  const started = performance.now();
  let platform: LocalPlatform;
  try {
    platform = await startLocalPlatform({
      dataDir: options.dataDir,
      port: options.port,
      s3Port: options.s3Port,
      host: options.host,
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const hint =
      code === 'EADDRINUSE' ? ' (choose other ports with --port and --s3-port; 0 picks free ones)' : '';
    io.err(`modelmaker local: cannot start: ${(error as Error).message}${hint}\n`);
    return undefined;
  }
  const readyMs = Math.round(performance.now() - started);

  if (target !== undefined) {
    try {
      await writeConfigFile(target, platform.configProfile(), { overwrite: options.force === true });
    } catch (error) {
      const message = isModelMakerError(error) ? error.message : String(error);
      io.err(`modelmaker local: cannot write ${target}: ${message}\n`);
      await platform.close();
      return undefined;
    }
  }

  reportHealth(platform, io, options.json === true);
  if (options.json) {
    io.out(
      `${JSON.stringify({
        type: 'ready',
        readyMs,
        baseUrl: platform.baseUrl,
        username: platform.username,
        s3: { endpoint: platform.s3.endpoint, bucket: platform.s3.bucket },
        dataDir: platform.dataDir,
        ...(target !== undefined ? { config: target } : {}),
      })}\n`,
    );
    return platform;
  }
  io.out(
    [
      `ModelMaker local platform ready in ${readyMs} ms`,
      `  base URL:  ${platform.baseUrl}`,
      `  username:  ${platform.username}`,
      `  password:  ${platform.password}`,
      `  S3:        ${platform.s3.endpoint} (bucket ${platform.s3.bucket}, path-style)`,
      `  data dir:  ${platform.dataDir}`,
      ...(target !== undefined ? [`  config:    ${target}`] : []),
      'Press Ctrl+C to stop.',
      '',
    ].join('\n'),
  );
  return platform;
}

/**
 * Prints each change of the platform's health: on stderr `modelmaker local: degraded:
 * <reason>; <reason>` and `modelmaker local: healthy again`, or with `--json` one line
 * `{"type":"health", status, faults}` on stdout. `GET /v1/health` answers the same.
 */
function reportHealth(platform: LocalPlatform, io: CommandIo, json: boolean): void {
  platform.onHealthChange((report: HealthReport) => {
    if (json) {
      io.out(`${JSON.stringify({ type: 'health', status: report.status, faults: report.faults })}\n`);
    } else if (report.status === 'degraded') {
      io.err(`modelmaker local: degraded: ${report.faults.map((fault) => fault.reason).join('; ')}\n`);
    } else {
      io.err('modelmaker local: healthy again\n');
    }
  });
}

/** Closes the platform on the first SIGINT/SIGTERM, then exits; later signals only say it is still stopping. */
function closeOnSignals(platform: Pick<LocalPlatform, 'close'>, io: CommandIo, json: boolean): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      io.err(`modelmaker local: still stopping (${signal})…\n`);
      return;
    }
    stopping = true;
    io.out(json ? `${JSON.stringify({ type: 'stopping', signal })}\n` : `Stopping (${signal})…\n`);
    platform.close().then(
      () => {
        io.out(json ? `${JSON.stringify({ type: 'stopped' })}\n` : 'Stopped.\n');
        process.exit(0);
      },
      (error: unknown) => {
        io.err(`modelmaker local: error while stopping: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

/** The `local` command. */
export function localCommand(): Command {
  return new Command('local')
    .description('run the embedded ModelMaker platform (API, S3, training) on this machine')
    .option('--port <port>', 'API port (0 picks a free one)', port, DEFAULT_LOCAL_CLI_PORT)
    .option('--s3-port <port>', 'embedded S3 port (0 picks a free one)', port, DEFAULT_LOCAL_CLI_S3_PORT)
    .option(
      '--host <address>',
      'address to bind; anything but 127.0.0.1 exposes the platform',
      DEFAULT_LOCAL_HOST,
    )
    .option('--data-dir <dir>', `where state lives (default ${join(homedir(), DEFAULT_LOCAL_DATA_SUBDIR)})`)
    .option('--write-config [path]', 'write a matching config profile (default ~/.modelmaker/config.json)')
    .option('--force', 'let --write-config replace an existing file')
    .option('--ui', 'also serve the web dashboard for this platform (see modelmaker ui)')
    .option('--ui-port <port>', "the dashboard's port (0 picks a free one)", uiPort, DEFAULT_UI_PORT)
    .addHelpText(
      'after',
      `
With --json, one line {"type":"ready", baseUrl, username, s3, dataDir, config?} is printed (no
password: pass --write-config to hand the credentials over in a 0600 file), then
{"type":"health", status, faults} whenever the platform becomes degraded (a full disk) or
healthy again, and {"type":"stopping"} and {"type":"stopped"} on Ctrl-C. Without --json,
those health changes are one line on stderr. GET /v1/health answers the same at any time.

Example:
  modelmaker local --write-config &   # then, in another shell: modelmaker jobs ls`,
    )
    .action(async (options: LocalCommandOptions, command: Command) => {
      const json = command.optsWithGlobals<{ json?: boolean }>().json === true;
      const platform = await startFromCli({ ...options, json });
      if (!platform) {
        process.exitCode = 1;
        return;
      }
      if (!options.ui) {
        closeOnSignals(platform, processIo, json);
        return;
      }
      const dashboard = await startLocalDashboard(
        platform,
        options.uiPort ?? DEFAULT_UI_PORT,
        processIo.err,
      ).catch(async (error: unknown) => {
        processIo.err(`modelmaker local: cannot start the dashboard: ${(error as Error).message}\n`);
        await platform.close();
        return undefined;
      });
      if (!dashboard) {
        process.exitCode = 1;
        return;
      }
      processIo.out(
        json ? `${JSON.stringify({ type: 'ui', url: dashboard.url })}\n` : `Dashboard at ${dashboard.url}\n`,
      );
      closeOnSignals({ close: () => dashboard.close().then(() => platform.close()) }, processIo, json);
    });
}
