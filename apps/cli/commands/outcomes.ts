/**
 * `copydesk outcomes import <csv>` (draft_id,event,timestamp) and `copydesk outcomes report`: campaign results feed the
 * strategy bandit, in the store the deployment uses (SQLite, or PostgreSQL when COPYDESK_DATABASE_URL is set).
 */
import { Command } from 'commander';
import { UsageError } from '../usage-error';
import { createProgress, Progress } from '../../../core/util/progress';

type OutcomesSql = typeof import('../../../core/campaign/outcomes-sql');
const core = (): OutcomesSql => require('../../../core/campaign/outcomes-sql') as OutcomesSql;

/** The bandit's store; a half-set distributed environment is a usage error (exit 2), an unreachable PostgreSQL exit 1. */
async function withStore<T>(db: string | undefined, f: (s: Awaited<ReturnType<OutcomesSql['openBanditStore']>>) => Promise<T>): Promise<T> {
  const { CampaignSpecError } = require('../../../core/campaign/spec') as typeof import('../../../core/campaign/spec');
  const s = await core().openBanditStore({ db }).catch((e) => { throw e instanceof CampaignSpecError ? new UsageError(e.message) : e; });
  try {
    return await f(s);
  } finally {
    await s.close();
  }
}

export function register(program: Command): void {
  const outcomes = program.command('outcomes').description('campaign outcomes (impression, click, conversion) and what the strategy bandit learned');
  outcomes
    .command('import')
    .description('import a CSV with columns draft_id,event(impression|click|conversion),timestamp; re-importing is harmless')
    .argument('<csv>', 'the outcomes file')
    .option('--skip-bad', 'skip bad rows (reported) instead of refusing the file')
    .option('--db <file>', 'SQLite store (default: COPYDESK_DB or ./copydesk.db; ignored when COPYDESK_DATABASE_URL is set)')
    .option('--json', 'print one JSON object')
    .action(async (file: string, opts: { skipBad?: boolean; db?: string; json?: boolean }) => {
      // A bar per stage on stderr: outcome rows written, then drafts whose bandit reward is recomputed.
      let bar: { stage: string; p: Progress } | undefined;
      const onProgress = (stage: string, done: number, total: number) => {
        if (bar?.stage !== stage) bar?.p.stop(), (bar = { stage, p: createProgress(`outcomes ${stage}`, total) });
        bar.p.update(done);
      };
      const r = await withStore(opts.db, (s) => core().importOutcomesSql(s.sql, file, { skipBad: opts.skipBad, onProgress })).finally(() => bar?.p.stop());
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(r)}\n`);
        return;
      }
      process.stdout.write(`${r.file}: ${r.rows} row(s), ${r.imported} imported, ${r.duplicates} already there, ${r.drafts_updated} draft(s) updated the bandit\n`);
      for (const s of r.skipped.slice(0, 10)) process.stderr.write(`  skipped line ${s.line}${s.field ? ` (${s.field})` : ''}: ${s.problem}\n`);
      if (r.skipped.length > 10) process.stderr.write(`  … ${r.skipped.length - 10} more skipped\n`);
    });
  outcomes
    .command('report')
    .description('posterior approval rate per strategy and segment (best first)')
    .option('--db <file>', 'SQLite store (default: COPYDESK_DB or ./copydesk.db; ignored when COPYDESK_DATABASE_URL is set)')
    .option('--json', 'print one JSON object')
    .action(async (opts: { db?: string; json?: boolean }) => {
      const report = await withStore(opts.db, (s) => core().banditReportSql(s.sql));
      const segments = Object.keys(report);
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(report)}\n`);
        return;
      }
      if (segments.length === 0) process.stdout.write('no feedback yet\n');
      for (const s of segments) {
        process.stdout.write(`${s}\n`);
        for (const a of report[s].slice(0, 5)) process.stdout.write(`  ${a.strategy.padEnd(28)} ${(a.mean * 100).toFixed(1)}%  (${a.trials.toFixed(1)} trials)\n`);
      }
    });
}
