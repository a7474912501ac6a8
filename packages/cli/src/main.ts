#!/usr/bin/env node
/**
 * The `modelmaker` command. Each command group lives in its own file and is
 * registered here with the global options. Runs as the package's bin
 * (`dist/cli/main.js`) or from source: `node --import tsx src/cli/main.ts jobs ls`.
 * @module
 */
import { createRequire } from 'node:module';
import { Command, CommanderError, Option } from 'commander';
import { catalogCommand } from './catalog.js';
import { configCommand } from './config.js';
import { createContext, exitWith, PASSWORD_ENV } from './context.js';
import { exitCodeOf, reportError } from './errors.js';
import { EXIT } from './exitCodes.js';
import { feedCommand } from './feed.js';
import { jobsCommand } from './jobs.js';
import { localCommand } from './local.js';
import { modelsCommand } from './models.js';
import { predictCommand } from './predict.js';
import { servicesCommand } from './services.js';
import { trainCommand } from './train.js';
import { downloadCommand, uploadCommand } from './transfer.js';
import { uiCommand } from './ui.js';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

const FOOTER = `
Settings come from the flags, then the config file (--config, $MODELMAKER_CONFIG or
~/.modelmaker/config.json), then the environment ($${PASSWORD_ENV}, $PROJECT_ID).
--password lands in your shell history: prefer $${PASSWORD_ENV} or the config file.

Output: tables on a terminal, --json for machine-readable output (NDJSON, one event
per line, for streaming commands). Colours only on a terminal and without $NO_COLOR.

Exit status: 0 ok; 1 error; 2 usage or invalid parameters; 3 watched job failed or
service FAILED; 4 watched job stopped; 130 interrupted (Ctrl-C; jobs keep running
unless --stop).`;

/** Applies `configure` to `command` and every command below it. */
function everyCommand(command: Command, configure: (command: Command) => void): void {
  configure(command);
  for (const sub of command.commands) everyCommand(sub, configure);
}

/** The program with every command and the global options. */
export function createProgram(): Command {
  const program = new Command('modelmaker')
    .description('ModelMaker AI platform: train, register, deploy, predict')
    .version(version, '-V, --version', 'print the version')
    .option('--json', 'machine-readable output: JSON, NDJSON for streams')
    .option('--debug', 'the SDK debug log and full error details on stderr')
    .option('--config <path>', 'config file to read (default $MODELMAKER_CONFIG, ~/.modelmaker/config.json)')
    .option('--base-url <url>', 'API base URL, used as is (e.g. what modelmaker local prints)')
    .option('--username <name>', 'account name')
    .addOption(
      new Option(
        '--password <password>',
        `account password (prefer $${PASSWORD_ENV}: a flag lands in shell history)`,
      ),
    )
    .addHelpText('after', FOOTER)
    .addCommand(localCommand())
    .addCommand(configCommand())
    .addCommand(catalogCommand())
    .addCommand(trainCommand())
    .addCommand(jobsCommand())
    .addCommand(modelsCommand())
    .addCommand(servicesCommand())
    .addCommand(predictCommand())
    .addCommand(uploadCommand())
    .addCommand(downloadCommand())
    .addCommand(feedCommand())
    .addCommand(uiCommand());
  everyCommand(program, (command) => {
    // Usage errors are thrown (exit status 2, see exitCodeOf) instead of commander exiting with 1.
    command.exitOverride();
    command.showHelpAfterError('(add --help for usage)');
  });
  return program;
}

/** Runs the command line. */
async function main(argv: readonly string[]): Promise<void> {
  // `modelmaker jobs logs -f 3 | head`: a closed pipe ends the command quietly.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(EXIT.OK);
      throw error;
    });
  }
  const program = createProgram();
  try {
    await program.parseAsync(argv);
  } catch (error) {
    // Commander has printed its own message (or the help) already.
    if (error instanceof CommanderError) await exitWith(exitCodeOf(error));
    const globals = program.opts<{ json?: boolean; debug?: boolean }>();
    const context = createContext(globals);
    reportError(context.err, error, { json: globals.json === true, debug: globals.debug === true });
    await exitWith(exitCodeOf(error), context);
  }
}

await main(process.argv);
