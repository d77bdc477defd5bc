/** `copydesk store`: loads a store folder (default: the demo store) and prints its summary. */
import { Command } from 'commander';
import { loadStore, describeStoreSkipped } from '../../../core/data/store';
import { storeSummary, StoreSummary } from '../../../core/data/summary';
import { demoDir } from '../../../core/util/paths';

function table(title: string, counts: Record<string, number>): string {
  const entries = Object.entries(counts);
  if (entries.length === 0) return `${title}: none`;
  return `${title}: ${entries.map(([k, n]) => `${k} ${n}`).join(', ')}`;
}

export function formatSummary(s: StoreSummary): string {
  const c = s.counts;
  return [
    `store ${s.dir}`,
    `  ${c.items} items in ${c.categories} categories, ${c.users} users, ${c.events} events, ${c.reviews} reviews${s.hasTastes ? ' (hidden tastes: tastes.json)' : ''}`,
    `  ${table('items per category', s.itemsPerCategory)}`,
    `  ${table('events', s.eventsPerKind)}`,
    `  ${table('reviews by polarity', s.reviewsByPolarity)}`,
    `  ${table('reviews by rating', s.reviewsByRating)}`,
    `  prices: ${s.price.min}–${s.price.max} yuan (median ${s.price.median})`,
    `  ${s.activeUsers} active users, ${s.eventsPerActiveUser} events each on average`,
    ...(s.skipped ? [`  skipped ${s.skipped} bad row(s) (--skip-bad)`] : []),
  ].join('\n');
}

export function register(program: Command): void {
  program
    .command('store')
    .description('load a store (items, users, events, reviews) and print its summary; default: the demo store')
    .option('--dir <folder>', 'store folder', demoDir())
    .option('--store <folder>', 'store folder (same as --dir)')
    .option('--json', 'print the summary as one JSON object')
    .option('--skip-bad', 'skip bad rows (and report them on stderr) instead of refusing the store')
    .action((opts: { dir: string; store?: string; json?: boolean; skipBad?: boolean }) => {
      const store = loadStore(opts.store ?? opts.dir, { skipBad: opts.skipBad });
      for (const line of describeStoreSkipped(store)) process.stderr.write(`copydesk: ${line}\n`);
      const summary = storeSummary(store);
      process.stdout.write(opts.json ? `${JSON.stringify(summary)}\n` : `${formatSummary(summary)}\n`);
    });
}
