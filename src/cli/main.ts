#!/usr/bin/env node
/**
 * The `modelmaker` command. Each subcommand lives in its own file and is
 * registered here. Runs as the package's bin (`dist/cli/main.js`) or from
 * source: `npx tsx src/cli/main.ts local`.
 * @module
 */
import { Command } from 'commander';
import { localCommand } from './local.js';

/** The program with every subcommand. */
export function createProgram(): Command {
  return new Command('modelmaker')
    .description('ModelMaker AI platform: train, register, deploy, predict')
    .addCommand(localCommand());
}

await createProgram().parseAsync(process.argv);
