/** `copydesk outcomes import <csv>` (draft_id,event,timestamp) and `copydesk outcomes report`: campaign results feed the strategy bandit. */
import { Command } from 'commander';
import { openStore } from '../../../core/store/db';
import { importOutcomes } from '../../../core/copywriter/outcomes';
import { strategyReport } from '../../../core/copywriter/strategy';

export function register(program: Command): void {
  const outcomes = program.command('outcomes').description('campaign outcomes (impression, click, conversion) and what the strategy bandit learned');
  outcomes
    .command('import')
    .description('import a CSV with columns draft_id,event(impression|click|conversion),timestamp; re-importing is harmless')
    .argument('<csv>', 'the outcomes file')
    .option('--skip-bad', 'skip bad rows (reported) instead of refusing the file')
    .option('--db <file>', 'SQLite store (default: COPYDESK_DB or ./copydesk.db)')
    .option('--json', 'print one JSON object')
    .action((file: string, opts: { skipBad?: boolean; db?: string; json?: boolean }) => {
      const db = openStore(opts.db);
      const r = importOutcomes(db, file, { skipBad: opts.skipBad });
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
    .option('--db <file>', 'SQLite store (default: COPYDESK_DB or ./copydesk.db)')
    .option('--json', 'print one JSON object')
    .action((opts: { db?: string; json?: boolean }) => {
      const db = openStore(opts.db);
      const segments = (db.prepare('SELECT DISTINCT segment FROM bandit_arms WHERE segment NOT LIKE \'phrasing:%\' ORDER BY segment').all() as Array<{ segment: string }>).map((r) => r.segment);
      const report = Object.fromEntries(segments.map((s) => [s, strategyReport(db, s)]));
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
