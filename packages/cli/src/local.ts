/**
 * `modelmaker local`: runs the embedded ModelMaker platform in the foreground,
 * prints where it listens and how to log in, optionally writes a matching
 * config profile, says when the platform becomes degraded (a full disk…) and why,
 * and when it is healthy again, and shuts down cleanly (every training process
 * stopped) on SIGINT or SIGTERM. With `--s3-endpoint` (or `MODELMAKER_S3_ENDPOINT`)
 * it uses the team's S3-compatible store instead of the embedded one; secret keys
 * come from the environment or a file, never from a flag (a flag shows in `ps`).
 * @module
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { ExternalS3Options, HealthReport, LocalPlatform } from '@modelmaker/local';
// The defaults and the external-S3 settings alone, not the package's index: that loads the whole
// platform, which only `local` needs (and imports when it runs).
import {
  DEFAULT_LOCAL_CLI_PORT,
  DEFAULT_LOCAL_CLI_S3_PORT,
  DEFAULT_LOCAL_DATA_SUBDIR,
  DEFAULT_LOCAL_HOST,
} from '@modelmaker/local/defaults';
import { EXTERNAL_S3_ENV, externalS3FromEnv } from '@modelmaker/local/externalS3';
import { DEFAULT_UI_PORT } from '@modelmaker/ui';
import { Command, InvalidArgumentError } from 'commander';
import { isModelMakerError, locateConfigFile, writeConfigFile } from 'modelmaker';
import { catchStopSignals, type StopSignals } from './stopSignals.js';
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
  /** An external S3 to use instead of the embedded one (see {@link externalS3Of}). */
  readonly externalS3?: ExternalS3Options | undefined;
}

/** The `--s3-*` flags of `modelmaker local`, as parsed. */
export interface ExternalS3Flags {
  readonly s3Endpoint?: string | undefined;
  readonly s3Bucket?: string | undefined;
  readonly s3Region?: string | undefined;
  readonly s3AccessKeyId?: string | undefined;
  readonly s3SecretAccessKeyFile?: string | undefined;
  readonly s3ClientAccessKeyId?: string | undefined;
  readonly s3ClientSecretAccessKeyFile?: string | undefined;
}

/** The `--s3-*` flags that need an endpoint. */
const S3_FLAGS: ReadonlyArray<keyof ExternalS3Flags> = [
  's3Bucket',
  's3Region',
  's3AccessKeyId',
  's3SecretAccessKeyFile',
  's3ClientAccessKeyId',
  's3ClientSecretAccessKeyFile',
];

/** Where each external S3 option comes from, for the message of a start it stopped. */
const EXTERNAL_S3_HINTS: Readonly<Record<string, string>> = {
  endpoint: `--s3-endpoint or ${EXTERNAL_S3_ENV.endpoint}`,
  bucket: `--s3-bucket or ${EXTERNAL_S3_ENV.bucket}`,
  accessKeyId: `--s3-access-key-id or ${EXTERNAL_S3_ENV.accessKeyId}`,
  secretAccessKey: `--s3-secret-access-key-file or ${EXTERNAL_S3_ENV.secretAccessKey}`,
  client: `--s3-client-access-key-id with --s3-client-secret-access-key-file, or ${EXTERNAL_S3_ENV.clientAccessKeyId} with ${EXTERNAL_S3_ENV.clientSecretAccessKey}`,
};

/** Reads a secret from a file: its first line, trimmed. */
async function secretFromFile(path: string, flag: string): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  try {
    return (await readFile(path, 'utf8')).split(/\r?\n/)[0]!.trim();
  } catch (error) {
    throw new InvalidArgumentError(`${flag}: cannot read ${path} (${(error as NodeJS.ErrnoException).code})`);
  }
}

/**
 * The external S3 the flags and the environment name ({@link EXTERNAL_S3_ENV}; a flag
 * wins over its variable), or `undefined` when neither names an endpoint. Secret keys
 * come from `MODELMAKER_S3_SECRET_ACCESS_KEY` / `MODELMAKER_S3_CLIENT_SECRET_ACCESS_KEY` or
 * from the files the `…-file` flags name. What is missing or wrong is for the platform
 * to name when it starts.
 *
 * @throws InvalidArgumentError when an `--s3-*` flag is given without an endpoint, or a secret file cannot be read.
 */
export async function externalS3Of(
  flags: ExternalS3Flags,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<ExternalS3Options | undefined> {
  const endpoint = flags.s3Endpoint ?? env[EXTERNAL_S3_ENV.endpoint];
  // Every other variable is read whether the endpoint came from a flag or the environment.
  const fromEnv = externalS3FromEnv({ ...env, [EXTERNAL_S3_ENV.endpoint]: endpoint });
  if (!endpoint) {
    const given = S3_FLAGS.map((name) => [name, flags[name]] as const).find(
      ([, value]) => value !== undefined,
    );
    if (given) {
      const flag = `--${given[0].replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
      throw new InvalidArgumentError(`${flag} needs --s3-endpoint (or ${EXTERNAL_S3_ENV.endpoint})`);
    }
    return undefined;
  }
  const secret = flags.s3SecretAccessKeyFile
    ? await secretFromFile(flags.s3SecretAccessKeyFile, '--s3-secret-access-key-file')
    : fromEnv?.secretAccessKey;
  const clientId = flags.s3ClientAccessKeyId ?? fromEnv?.client?.accessKeyId;
  const clientSecret = flags.s3ClientSecretAccessKeyFile
    ? await secretFromFile(flags.s3ClientSecretAccessKeyFile, '--s3-client-secret-access-key-file')
    : fromEnv?.client?.secretAccessKey;
  const region = flags.s3Region ?? fromEnv?.region;
  return {
    endpoint,
    bucket: flags.s3Bucket ?? fromEnv?.bucket ?? '',
    accessKeyId: flags.s3AccessKeyId ?? fromEnv?.accessKeyId ?? '',
    secretAccessKey: secret ?? '',
    ...(region ? { region } : {}),
    ...(fromEnv?.sessionToken ? { sessionToken: fromEnv.sessionToken } : {}),
    ...(clientId || clientSecret
      ? { client: { accessKeyId: clientId ?? '', secretAccessKey: clientSecret ?? '' } }
      : {}),
  };
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
      externalS3: options.externalS3,
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const field =
      (error as { _tag?: string; field?: string })._tag === 'ExternalS3ConfigError'
        ? (error as { field: string }).field
        : undefined;
    const hint =
      code === 'EADDRINUSE'
        ? ' (choose other ports with --port and --s3-port; 0 picks free ones)'
        : field !== undefined && field in EXTERNAL_S3_HINTS
          ? ` (${EXTERNAL_S3_HINTS[field]})`
          : '';
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
        s3: {
          endpoint: platform.s3.endpoint,
          bucket: platform.s3.bucket,
          external: platform.storage === 'external',
        },
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
      `  S3:        ${platform.s3.endpoint} (bucket ${platform.s3.bucket}, path-style${platform.storage === 'external' ? ', external' : ''})`,
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

/**
 * Closes the platform on the first SIGINT/SIGTERM (`stop`, caught since the command
 * started: one that came while the platform was starting closes it now), then exits;
 * later signals only say it is still stopping.
 */
function closeOnSignals(
  platform: Pick<LocalPlatform, 'close'>,
  io: CommandIo,
  json: boolean,
  stop: StopSignals,
): void {
  stop.onLater((signal) => io.err(`modelmaker local: still stopping (${signal})…\n`));
  void stop.first.then((signal) => {
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
  });
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
    .option(
      '--s3-endpoint <url>',
      `use this S3-compatible store instead of the embedded one (${EXTERNAL_S3_ENV.endpoint})`,
    )
    .option('--s3-bucket <name>', `its bucket, which must exist (${EXTERNAL_S3_ENV.bucket})`)
    .option('--s3-region <region>', `its region (${EXTERNAL_S3_ENV.region}; default us-east-1)`)
    .option('--s3-access-key-id <id>', `the platform's key id (${EXTERNAL_S3_ENV.accessKeyId})`)
    .option(
      '--s3-secret-access-key-file <path>',
      `a file holding its secret key (or ${EXTERNAL_S3_ENV.secretAccessKey})`,
    )
    .option(
      '--s3-client-access-key-id <id>',
      `the key id auth-access hands to clients (${EXTERNAL_S3_ENV.clientAccessKeyId}; default: the platform's)`,
    )
    .option(
      '--s3-client-secret-access-key-file <path>',
      `a file holding its secret key (or ${EXTERNAL_S3_ENV.clientSecretAccessKey})`,
    )
    .addHelpText(
      'after',
      `
With --json, one line {"type":"ready", baseUrl, username, s3, dataDir, config?} is printed (no
password: pass --write-config to hand the credentials over in a 0600 file), then
{"type":"health", status, faults} whenever the platform becomes degraded (a full disk) or
healthy again, and {"type":"stopping"} and {"type":"stopped"} on Ctrl-C. Without --json,
those health changes are one line on stderr. GET /v1/health answers the same at any time.

With --s3-endpoint (or ${EXTERNAL_S3_ENV.endpoint}) the platform keeps objects in that
store (MinIO, Ceph, AWS S3) instead of the embedded one; auth-access then hands out its
client keys, which do not expire (see docs/guarantees.md). Secret keys are read from the
environment or the …-file flags, never from a flag's value.

Example:
  modelmaker local --write-config &   # then, in another shell: modelmaker jobs ls
  MODELMAKER_S3_SECRET_ACCESS_KEY=… modelmaker local --s3-endpoint https://minio:9000 \\
    --s3-bucket team --s3-access-key-id platform`,
    )
    .action(async (options: LocalCommandOptions & ExternalS3Flags, command: Command) => {
      const json = command.optsWithGlobals<{ json?: boolean }>().json === true;
      let externalS3: ExternalS3Options | undefined;
      try {
        externalS3 = await externalS3Of(options);
      } catch (error) {
        processIo.err(`modelmaker local: ${(error as Error).message}\n`);
        process.exitCode = 1;
        return;
      }
      // Caught before the platform announces it is ready: a SIGTERM right after closes it cleanly.
      const stop = catchStopSignals();
      const platform = await startFromCli({ ...options, json, externalS3 }).catch((error: unknown) => {
        stop.release();
        throw error;
      });
      if (!platform) {
        stop.release();
        process.exitCode = 1;
        return;
      }
      if (!options.ui) {
        closeOnSignals(platform, processIo, json, stop);
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
        stop.release();
        process.exitCode = 1;
        return;
      }
      processIo.out(
        json ? `${JSON.stringify({ type: 'ui', url: dashboard.url })}\n` : `Dashboard at ${dashboard.url}\n`,
      );
      closeOnSignals({ close: () => dashboard.close().then(() => platform.close()) }, processIo, json, stop);
    });
}
