/** `copydesk bench [suite…]`: runs benchmark suites and records them under models/benchmarks/. */
import { Command } from 'commander';
import { SUITES, registerSuite, runSuite, resultsPath } from '../../bench/index';
import { loadSuites } from '../../bench/suites';

export function register(program: Command): void {
  program
    .command('bench')
    .description('run benchmarks (speed, memory, quality) on this machine and record them in models/benchmarks/')
    .argument('[suite]', 'suite to run (default: all)')
    .argument('[args...]', 'arguments for the suite')
    .option('--json', 'print the result as one JSON object')
    .option('--quick', 'small inputs; results are not recorded')
    .allowUnknownOption(true)
    .action(async (suite: string | undefined, args: string[], opts: { json?: boolean; quick?: boolean }) => {
      loadSuites();
      // The bot's suite lives with the bot (core never imports bot/; the CLI, like `copydesk bot`, may).
      registerSuite('bot', () => require('../../../bot/bench'));
      const names = suite ? [suite] : Object.keys(SUITES);
      const out: Record<string, unknown> = {};
      for (const name of names) {
        if (!opts.json) process.stderr.write(`bench ${name}…\n`);
        out[name] = await runSuite(name, { quick: opts.quick, args });
        if (!opts.json) process.stderr.write(`  recorded in ${resultsPath(name)}\n`);
      }
      const result = names.length === 1 ? out[names[0]] : out;
      process.stdout.write(`${JSON.stringify(result, null, opts.json ? 0 : 2)}\n`);
    });
}
