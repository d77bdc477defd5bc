/**
 * The `copydesk` CLI. Each command lives in its own module under ./commands and
 * exports `register(program)`; this file only wires them and turns errors into
 * clear one-line messages (no stack traces for bad input).
 */
import { Command, CommanderError } from 'commander';
import { DataError } from '../../core/data/errors';
import { UsageError } from './usage-error';

type Registrar = (program: Command) => void;

/** The command modules, in the order `--help` lists them. */
const COMMANDS: Array<() => Registrar> = [
  () => require('./commands/store').register,
  () => require('./commands/runtime').register,
  () => require('./commands/draft').register,
  () => require('./commands/check').register,
  () => require('./commands/outcomes').register,
  () => require('./commands/bench').register,
  () => require('./commands/mf').register,
  () => require('./commands/sentiment').register,
  () => require('./commands/generator').register,
  () => require('./commands/bot').register,
  () => require('./commands/export').register,
  () => require('./commands/demo').register,
  () => require('./commands/campaign').register,
  () => require('./commands/worker').register,
];

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('copydesk')
    .description('Drafts personalized Chinese e-commerce marketing copy (CLI of the Copydesk core).')
    .version(require(require('path').join(require('../../core/util/paths').PROJECT_ROOT, 'package.json')).version)
    // A bad option (unknown tone, missing value…) is one line and exit 2, like every other bad input: no usage dump.
    .exitOverride()
    .configureOutput({ outputError: (str, write) => write(`copydesk: ${str.replace(/^error: /, '').trim()}\n`) });
  for (const load of COMMANDS) load()(program);
  return program;
}

/** Prints an error the way a user should see it and sets the exit code. */
export function reportError(e: unknown): void {
  if (e instanceof DataError || e instanceof UsageError) {
    process.stderr.write(`copydesk: ${e.message}\n`);
    process.exitCode = 2;
  } else if (e instanceof CommanderError) {
    // --help and --version end with 0; every parsing error is bad input: 2.
    process.exitCode = e.exitCode === 0 ? 0 : 2;
  } else {
    const err = e as Error;
    process.stderr.write(`copydesk: ${err?.message ?? String(e)}\n`);
    if (process.env.COPYDESK_DEBUG === '1' && err?.stack) process.stderr.write(`${err.stack}\n`);
    process.exitCode = 1;
  }
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (e) {
    reportError(e);
  }
}
