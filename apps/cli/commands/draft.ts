/** `copydesk draft --user <id> [--item <id>] [--tone …] [--n 3] [--json]`: personalised, compliant drafts (the main job). */
import { Command, Option } from 'commander';
import { UsageError } from '../usage-error';
import type { DraftResult, Tone, LengthBucket } from '../../../core/domain/types';
import { TONES, LENGTHS, UnknownEntityError, InvalidRequestError } from '../../../core/domain/types';
import { TONE_LABEL, MAX_DRAFTS } from '../../../core/copywriter/pipeline';

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

/**
 * The human-readable drafts, for a marketer: the user id they typed (the pseudonym stays in
 * --json, the store and Slack), the tone in Chinese, no internal scores or strategy ids.
 */
export function formatDrafts(res: DraftResult, title?: (itemId: string) => string | undefined, typedUserId?: string): string {
  const lines: string[] = [];
  const items = [...new Set(res.drafts.map((d) => d.item_id))];
  lines.push(`用户 ${typedUserId ?? res.user} 的草稿 · 商品 ${items.map((i) => `${i}${title?.(i) ? ` ${title(i)}` : ''}`).join('，') || '无'} · 请求 ${res.request_id}`);
  if (res.drafts.length === 0) lines.push('  （没有能通过合规检查的草稿：换个语气或商品再试）');
  res.drafts.forEach((d, k) => {
    const rewrote = [...new Set(d.compliance.findings.map((f) => f.term).filter((t) => t !== ''))];
    const comp = rewrote.length === 0 ? '合规 ✓' : `合规 ✓（已改写: ${rewrote.join('、')}）`;
    lines.push('');
    lines.push(`[${k + 1}] ${d.id} · ${TONE_LABEL[d.tone]}语气 · ${comp}`);
    lines.push(`    ${d.text}`);
    lines.push(`    说明: ${d.explanation}`);
  });
  return `${lines.join('\n')}\n`;
}

export function register(program: Command): void {
  program
    .command('draft')
    .description('draft personalised, ad-law compliant copy of an item for a user (demo store + shipped models)')
    .requiredOption('--user <id>', 'user id in the store')
    .option('--item <id>', 'item id (default: the top-ranked item the user has not bought)')
    .addOption(new Option('--tone <tone>', `tone: auto (from the user's reviews and the bandit) or ${TONES.join(', ')}`).choices(['auto', ...TONES]).default('auto'))
    .option('--n <count>', `number of drafts (1-${MAX_DRAFTS})`, '3')
    .addOption(new Option('--length <bucket>', 'copy length').choices(LENGTHS))
    .option('--json', 'print one JSON object')
    .option('--no-evidence', 'leave review snippets out of the explanations')
    .option('--db <file>', 'SQLite store for drafts (default: COPYDESK_DB or ./copydesk.db)')
    .option('--store <dir>', 'the CSV catalogue folder (items, users, events, reviews; default: the demo store or COPYDESK_STORE)')
    .action(async (opts: DraftOpts) => {
      const n = Number(opts.n);
      if (!Number.isInteger(n) || n < 1 || n > MAX_DRAFTS) throw new UsageError(`--n must be an integer from 1 to ${MAX_DRAFTS} (got "${opts.n}")`);
      const { loadCopywriter } = require('../../../core/copywriter/load') as typeof import('../../../core/copywriter/load');
      // Unknown user or item: refused as soon as the store is read, before the models load.
      const cw = await loadCopywriter({
        db: opts.db,
        storeDir: opts.store,
        beforeModels: (store) => {
          if (!store.userById.has(opts.user)) throw new UsageError(`unknown user "${opts.user}"`);
          if (opts.item !== undefined && !store.itemById.has(opts.item)) throw new UsageError(`unknown item "${opts.item}"`);
        },
      });
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
        process.stdout.write(formatDrafts(res, (id) => cw.store.itemById.get(id)?.title, opts.user));
      }
    });
}
