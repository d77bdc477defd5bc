/** `copydesk draft --user <id> [--item <id>] [--tone …] [--n 3] [--json]`: personalised, compliant drafts (the main job). */
import { Command, Option } from 'commander';
import { UsageError } from '../usage-error';
import type { DraftResult, Tone, LengthBucket } from '../../copywriter/types';
import { TONES, UnknownEntityError, InvalidRequestError } from '../../copywriter/types';

interface DraftOpts {
  user: string;
  item?: string;
  tone: string;
  n: string;
  length?: string;
  json?: boolean;
  evidence: boolean;
  db?: string;
  store?: string;
}

export function formatDrafts(res: DraftResult, title?: (itemId: string) => string | undefined): string {
  const lines: string[] = [];
  const items = [...new Set(res.drafts.map((d) => d.item_id))];
  lines.push(`Drafts for ${res.user} · item ${items.map((i) => `${i}${title?.(i) ? ` ${title(i)}` : ''}`).join(', ')} · request ${res.request_id}`);
  if (res.drafts.length === 0) lines.push('  (no compliant draft could be written: try another tone or item)');
  res.drafts.forEach((d, k) => {
    const comp = d.compliance.findings.length === 0 ? '合规 ✓' : `合规 ✓ (rewrote ${d.compliance.findings.map((f) => f.term).join(', ')})`;
    lines.push('');
    lines.push(`[${k + 1}] ${d.id} · ${d.tone} · ${d.strategy} · score ${d.score.toFixed(3)} · ${comp}`);
    lines.push(`    ${d.text}`);
    lines.push(`    why: ${d.explanation}`);
  });
  return `${lines.join('\n')}\n`;
}

export function register(program: Command): void {
  program
    .command('draft')
    .description('draft personalised, ad-law compliant copy of an item for a user (demo store + shipped models)')
    .requiredOption('--user <id>', 'user id in the store')
    .option('--item <id>', 'item id (default: the top-ranked item the user has not bought)')
    .addOption(new Option('--tone <tone>', 'tone').choices(['auto', ...TONES]).default('auto'))
    .option('--n <count>', 'number of drafts (1-5)', '3')
    .addOption(new Option('--length <bucket>', 'copy length').choices(['short', 'medium', 'long']))
    .option('--json', 'print one JSON object')
    .option('--no-evidence', 'leave review snippets out of the explanations')
    .option('--db <file>', 'SQLite store for drafts (default: COPYDESK_DB or ./copydesk.db)')
    .option('--store <dir>', 'the CSV catalogue folder (items, users, events, reviews; default: the demo store or COPYDESK_STORE)')
    .action(async (opts: DraftOpts) => {
      const n = Number(opts.n);
      if (!Number.isInteger(n) || n < 1 || n > 5) throw new UsageError(`--n must be an integer from 1 to 5 (got "${opts.n}")`);
      const { loadCopywriter } = require('../../copywriter/load') as typeof import('../../copywriter/load');
      const cw = await loadCopywriter({ db: opts.db, storeDir: opts.store });
      let res: DraftResult;
      try {
        res = await cw.draft({
          userId: opts.user, itemId: opts.item, tone: opts.tone as Tone | 'auto', n,
          length: opts.length as LengthBucket | undefined, noEvidence: !opts.evidence, source: { kind: 'cli', requestedBy: 'cli' },
        });
      } catch (e) {
        if (e instanceof UnknownEntityError || e instanceof InvalidRequestError) throw new UsageError(e.message);
        throw e;
      }
      if (opts.json) {
        process.stdout.write(`${JSON.stringify({ user: res.user, request_id: res.request_id, drafts: res.drafts })}\n`);
      } else {
        process.stdout.write(formatDrafts(res, (id) => cw.store.itemById.get(id)?.title));
      }
    });
}
