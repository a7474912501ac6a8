/**
 * `modelmaker predict <serviceId> --data <json|@file|->`: posts JSON to the
 * service's `{accessAddress}/ModelMaker/predict` and prints the JSON answer.
 * @module
 */
import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import { Predictor } from 'modelmaker';
import { lastValueFrom } from 'rxjs';
import { action, type Context, EXIT } from './context.js';
import { UsageError } from './errors.js';
import type { ExitCode } from './exitCodes.js';
import { id } from './ids.js';
import { jsonText } from './output.js';
import { readStdin } from './spec.js';

/**
 * The request body of `--data`: inline JSON, `@path` for a file, `-` for stdin.
 * Fails with `UsageError` when it cannot be read or is not JSON.
 */
export async function readData(data: string): Promise<unknown> {
  let text: string;
  let where: string;
  if (data === '-') {
    text = await readStdin();
    where = 'stdin';
  } else if (data.startsWith('@')) {
    where = data.slice(1);
    try {
      text = await readFile(where, 'utf8');
    } catch (cause) {
      throw new UsageError(
        `--data: cannot read ${where}: ${(cause as { code?: string }).code ?? String(cause)}`,
        {
          cause,
        },
      );
    }
  } else {
    text = data;
    where = 'the --data value';
  }
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new UsageError(`--data: ${where} is not JSON: ${(cause as Error).message}`, { cause });
  }
}

interface PredictOptions {
  readonly data: string;
}

async function predict(context: Context, options: PredictOptions, serviceId: number): Promise<ExitCode> {
  const body = await readData(options.data);
  const session = await context.session();
  const answer = await lastValueFrom(new Predictor(session, serviceId).predict(body), {
    defaultValue: undefined,
  });
  // The answer comes from the model's own server: printed as JSON, whose escaping keeps control characters inert.
  context.out.line(
    context.json || !context.out.isTTY ? jsonText(answer ?? null) : jsonText(answer ?? null, 2),
  );
  return EXIT.OK;
}

/** The `predict` command. */
export function predictCommand(): Command {
  return new Command('predict')
    .description("send JSON to a service's model and print its JSON answer")
    .argument('<serviceId>', 'service id', id)
    .requiredOption('-d, --data <json|@file|->', 'the request body: inline JSON, @file, or - for stdin')
    .addHelpText(
      'after',
      `
Examples:
  modelmaker predict 3 --data '{"instances": [[5.1, 3.5, 1.4, 0.2]]}'
  modelmaker predict 3 --data @request.json
  echo '{"instances": [[5.1, 3.5, 1.4, 0.2]]}' | modelmaker predict 3 --data -`,
    )
    .action(action(predict));
}
