/** `copydesk bot`: runs the Slack bot (what `npm start` runs). */
import { Command } from 'commander';
import { UsageError } from '../usage-error';

export function register(program: Command): void {
  program
    .command('bot')
    .description('run the Slack bot: Socket Mode when SLACK_APP_TOKEN is set, else HTTP on PORT (/slack/events)')
    .option('--env <file>', 'read settings from this file first (existing environment variables win)', '.env')
    .action(async (opts: { env: string }) => {
      const { runBot, ConfigError } = require('../../../bot/main') as typeof import('../../../bot/main');
      try {
        await runBot({ envFile: opts.env });
      } catch (e) {
        if (e instanceof ConfigError) throw new UsageError(`the bot is not configured (see .env.example):\n  - ${e.problems.join('\n  - ')}`);
        throw e;
      }
    });
}
