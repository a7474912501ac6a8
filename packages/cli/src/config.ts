/**
 * `modelmaker config` (`config show`): the effective session settings — flags over
 * the config file over the environment — with the password and S3 secret masked.
 * `modelmaker config write [path]`: writes a config profile (mode 0600) from flags.
 * @module
 */
import { Command, Option } from 'commander';
import type { IamConfig } from 'modelmaker';
import { locateConfigFile, writeConfigFile } from 'modelmaker';
import { action, type Context, EXIT, PASSWORD_ENV } from './context.js';
import { UsageError } from './errors.js';
import type { ExitCode } from './exitCodes.js';
import { oneLine, printDetail } from './output.js';

/** What `verifySsl: false` means for a plain-http platform (the profile `modelmaker local` writes has it). */
export const VERIFY_SSL_UNUSED =
  'false (unused: the platform is plain http, there is no certificate to verify)';

async function show(context: Context): Promise<ExitCode> {
  const settings = await context.settings();
  // toJSON masks password and secretKey; nothing else of the settings is secret.
  const shown: Record<string, unknown> = { ...settings.toJSON() };
  // The file's value, and in words what it does: nothing, over http (the commands verify nothing there).
  if (!context.json && settings.verifySsl === false && settings.baseUrl.startsWith('http:')) {
    shown.verifySsl = VERIFY_SSL_UNUSED;
  }
  printDetail(context.out, context.json, shown);
  return EXIT.OK;
}

interface WriteOptions {
  readonly hostBase?: string;
  readonly region?: string;
  readonly bucket?: string;
  readonly s3Protocol?: string;
  readonly verifySsl: boolean;
  readonly force?: boolean;
}

async function write(context: Context, options: WriteOptions, path: string | undefined): Promise<ExitCode> {
  const globals = context.options;
  const password =
    globals.password ?? (process.env[PASSWORD_ENV] === '' ? undefined : process.env[PASSWORD_ENV]);
  const missing = [
    globals.username === undefined ? '--username' : undefined,
    password === undefined ? `--password (or $${PASSWORD_ENV})` : undefined,
    globals.baseUrl === undefined && options.hostBase === undefined ? '--host-base or --base-url' : undefined,
  ].filter((text): text is string => text !== undefined);
  if (missing.length > 0) throw new UsageError(`config write needs ${missing.join(', ')}`);

  const target = path ?? globals.config ?? (await locateConfigFile())?.path;
  if (target === undefined)
    throw new UsageError('no home directory to write the config file to; give a path');
  const iam: IamConfig = Object.fromEntries(
    Object.entries({
      username: globals.username,
      password,
      host_base: options.hostBase ?? globals.baseUrl,
      base_url: globals.baseUrl,
      region: options.region,
      bucket: options.bucket,
      s3_protocol: options.s3Protocol,
      verify_ssl: options.verifySsl,
    }).filter(([, value]) => value !== undefined),
  );
  await writeConfigFile(target, { iam_config: iam }, { overwrite: options.force === true });
  if (context.json) printDetail(context.out, true, { written: target });
  else context.out.line(`wrote ${oneLine(target)} (mode 0600)`);
  return EXIT.OK;
}

/** The `config` command group. */
export function configCommand(): Command {
  return new Command('config')
    .description('show the effective settings (secrets masked) or write a config profile')
    .addCommand(
      new Command('show')
        .description('show the effective settings: flags over the config file over the environment')
        .action(action(show)),
      { isDefault: true },
    )
    .addCommand(
      new Command('write')
        .description(
          `write a config profile from --username, --password (or $${PASSWORD_ENV}), --base-url and the options below`,
        )
        .argument(
          '[path]',
          'where to write (default: --config, $MODELMAKER_CONFIG, ~/.modelmaker/config.json)',
        )
        .option('--host-base <url>', 'platform address (host_base), e.g. https://mmr.example.com:9948/mmr')
        .option('--region <region>', 'region prefixed to a domain host_base, e.g. js01')
        .option('--bucket <bucket>', 'default S3 bucket')
        .addOption(
          new Option('--s3-protocol <protocol>', 'scheme of an S3 endpoint given without one').choices([
            'http',
            'https',
          ]),
        )
        .option('--no-verify-ssl', 'do not verify TLS certificates (verify_ssl false)')
        .option('--force', 'replace an existing file')
        .addHelpText(
          'after',
          `\nExample:\n  ${PASSWORD_ENV}=… modelmaker --username me config write --host-base https://mmr.example.com:9948/mmr --region js01`,
        )
        .action(action(write)),
    );
}
