/**
 * `copydesk campaign run|status|export|report|resume|review|approve|reject|list`: campaigns over
 * the core (core/campaign). Embedded by default (SQLite, jobs in this process); distributed
 * when COPYDESK_DATABASE_URL and COPYDESK_REDIS_URL are set (jobs for `copydesk worker`s).
 * Bad specs and unknown items or campaigns: one line, exit 2; unreachable servers: exit 1.
 */
import * as fs from 'fs';
import * as path from 'path';
import { spawn } from 'child_process';
import { Command } from 'commander';
import { UsageError } from '../usage-error';
import { csvField } from './export';
import { demoDir, PROJECT_ROOT } from '../../../core/util/paths';
import { createProgress } from '../../../core/util/progress';
import type { CampaignBackend } from '../../../core/campaign/backend';
import type { CampaignSpecError as SpecErrorType } from '../../../core/campaign/spec';

type CampaignModule = typeof import('../../../core/campaign');
const core = (): CampaignModule => require('../../../core/campaign') as CampaignModule;

/** Campaign spec problems become usage errors (exit 2). */
async function usage<T>(f: () => Promise<T> | T): Promise<T> {
  try {
    return await f();
  } catch (e) {
    const { CampaignSpecError } = require('../../../core/campaign/spec') as { CampaignSpecError: typeof SpecErrorType };
    if (e instanceof CampaignSpecError) throw new UsageError(e.message);
    throw e;
  }
}

async function withBackend<T>(opts: { db?: string }, f: (b: CampaignBackend) => Promise<T>): Promise<T> {
  const b = await usage(() => core().openBackend({ db: opts.db }));
  for (const w of b.warnings) process.stderr.write(`copydesk: warning: ${w}\n`);
  try {
    return await f(b);
  } finally {
    await b.close();
  }
}

async function mustGet(b: CampaignBackend, id: string) {
  const c = await b.tables.get(id);
  if (!c) throw new UsageError(`unknown campaign "${id}" (copydesk campaign list shows them)`);
  return c;
}

/** Embedded drafting threads by default (see the README's campaign figures). */
const THREADS_DEFAULT = '1';

function threadsOption(raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 16) throw new UsageError(`--threads must be an integer from 1 to 16 (got "${raw}")`);
  return n;
}

const DB_HELP = 'SQLite store (default: COPYDESK_DB or ./copydesk.db; ignored when COPYDESK_DATABASE_URL is set)';

interface RunOpts { item: string; segment: string; limit?: string; holdout?: string; tone?: string; length?: string; store?: string; db?: string; detach?: boolean; json?: boolean; threads: string }

/** Drafts a campaign's pending users (embedded) or queues them and waits (distributed), with a progress bar. */
async function draftPending(b: CampaignBackend, id: string, storeDir: string | undefined, quiet: boolean, threads = 1): Promise<void> {
  const c = await mustGet(b, id);
  const counts0 = await b.tables.counts(id);
  const bar = createProgress(`campaign ${id}`, c.users, { quiet });
  bar.update(counts0.drafted + counts0.failed);
  try {
    if (b.kind === 'embedded') {
      const ctx = await core().campaignContext(storeDir ?? c.storeDir, { db: b.db });
      let done = counts0.drafted + counts0.failed;
      await core().runEmbedded(b, ctx, id, (r) => {
        done += r.drafted + r.failed;
        bar.update(done, { pools: r.pools_generated });
      }, { threads });
    } else {
      await core().enqueuePending(b, id, `r${Date.now()}`);
      await core().waitForCampaign(b, id, (k) => bar.update(k.drafted + k.failed, { failed: k.failed }));
    }
  } finally {
    bar.stop();
  }
}

/** Runs `copydesk campaign resume ID` as a detached background process (embedded --detach). */
function detachResume(id: string, opts: { db?: string; store?: string }): void {
  const args = [path.join(PROJECT_ROOT, 'apps', 'cli', 'copydesk.js'), 'campaign', 'resume', id, '--json'];
  if (opts.db) args.push('--db', path.resolve(opts.db));
  if (opts.store) args.push('--store', path.resolve(opts.store));
  const child = spawn(process.execPath, args, { detached: true, stdio: 'ignore', env: { ...process.env, COPYDESK_QUIET: '1' } });
  child.unref();
}

export function register(program: Command): void {
  const campaign = program.command('campaign').description('campaigns: one item pitched to a whole segment, reviewed by sampling, exported, judged against a holdout');

  campaign
    .command('run')
    .description('create a campaign and draft one personalised, compliant draft per user of the segment')
    .requiredOption('--item <id>', 'item id (or several, comma-separated: each user gets the one they like most)')
    .requiredOption('--segment <spec>', 'all | taste:<value> | category:<category> | csv:<file with a user_id column>')
    .option('--limit <n>', 'at most this many users of the segment')
    .option('--holdout <share>', 'share of the segment that gets no message (for lift)', '0.1')
    .option('--tone <tone>', 'auto (doubt → reassuring, else the bandit) or a fixed tone', 'auto')
    .option('--length <bucket>', 'short | medium | long (default: the bandit)')
    .option('--store <dir>', 'the CSV catalogue folder (default: the demo store or COPYDESK_STORE)')
    .option('--db <file>', DB_HELP)
    .option('--detach', 'return at once; the drafting goes on (workers, or a background process)')
    .option('--threads <n>', 'embedded: batches drafted at once (worker threads, each with its own models)', THREADS_DEFAULT)
    .option('--json', 'print one JSON object')
    .action(async (o: RunOpts) => {
      const t0 = Date.now();
      const m = core();
      const spec = await usage(() => ({
        items: m.parseItems(o.item), segment: m.parseSegment(o.segment), limit: m.parseLimit(o.limit), holdout: m.parseHoldout(o.holdout),
        strategy: m.parseStrategySettings({ tone: o.tone, length: o.length }),
      }));
      const storeDir = o.store ?? demoDir();
      if (!fs.existsSync(storeDir)) throw new UsageError(`--store ${storeDir}: folder not found`);
      await withBackend(o, async (b) => {
        const ctx = await m.campaignContext(storeDir, { db: b.db });
        const c = await usage(() => m.createCampaign(b, ctx, spec, 'cli'));
        process.stderr.write(`campaign ${c.id}: ${c.users} users (+${c.holdoutUsers} holdout) of ${c.segment}, item ${c.items.join(',')} (${b.kind})\n`);
        if (o.detach) {
          if (b.kind === 'distributed') await m.enqueuePending(b, c.id);
          else detachResume(c.id, { db: o.db, store: o.store });
        } else {
          await draftPending(b, c.id, storeDir, false, threadsOption(o.threads));
        }
        const k = await b.tables.counts(c.id);
        const out = { campaign_id: c.id, users: k.users, drafted: k.drafted, failed: k.failed, seconds: Math.round((Date.now() - t0) / 100) / 10, pending: k.pending, holdout: k.holdout, mode: b.kind, detached: Boolean(o.detach) };
        process.stdout.write(o.json ? `${JSON.stringify(out)}\n` : `campaign ${c.id}: ${k.drafted}/${k.users} drafted, ${k.failed} failed, ${k.pending} pending (${out.seconds} s)\n`);
        if (!o.detach && k.pending > 0) {
          process.stderr.write(`copydesk: campaign ${c.id}: ${k.pending} user(s) still pending after the jobs ran out (see the workers' log; copydesk campaign resume ${c.id})\n`);
          process.exitCode = 1;
        }
      });
    });

  campaign
    .command('resume')
    .description('draft what is still pending (after a crash, a Redis flush, or a rejected sample)')
    .argument('<id>', 'campaign id')
    .option('--store <dir>', 'the CSV catalogue folder (default: the one the campaign was made from)')
    .option('--db <file>', DB_HELP)
    .option('--detach', 'distributed: queue the jobs and return')
    .option('--threads <n>', 'embedded: batches drafted at once (worker threads, each with its own models)', THREADS_DEFAULT)
    .option('--json', 'print one JSON object')
    .action(async (id: string, o: { store?: string; db?: string; detach?: boolean; json?: boolean; threads: string }) => {
      const t0 = Date.now();
      await withBackend(o, async (b) => {
        await mustGet(b, id);
        let queued: number | undefined;
        if (o.detach && b.kind === 'distributed') queued = await core().enqueuePending(b, id, `r${Date.now()}`);
        else await draftPending(b, id, o.store, false, threadsOption(o.threads));
        const k = await core().finishIfDone(b, id);
        const out = { campaign_id: id, users: k.users, drafted: k.drafted, failed: k.failed, pending: k.pending, seconds: Math.round((Date.now() - t0) / 100) / 10, ...(queued !== undefined ? { jobs: queued } : {}) };
        process.stdout.write(o.json ? `${JSON.stringify(out)}\n` : `campaign ${id}: ${k.drafted}/${k.users} drafted, ${k.failed} failed, ${k.pending} pending\n`);
        if (queued === undefined && k.pending > 0) {
          process.stderr.write(`copydesk: campaign ${id}: ${k.pending} user(s) still pending after the jobs ran out (see the workers' log)\n`);
          process.exitCode = 1;
        }
      });
    });

  campaign
    .command('status')
    .description('counts: users, drafted, failed, pending; review states')
    .argument('<id>', 'campaign id')
    .option('--db <file>', DB_HELP)
    .option('--json', 'print one JSON object')
    .action(async (id: string, o: { db?: string; json?: boolean }) => {
      await withBackend(o, async (b) => {
        const s = await core().campaignStatus(b.tables, id);
        if (!s) throw new UsageError(`unknown campaign "${id}" (copydesk campaign list shows them)`);
        if (o.json) return void process.stdout.write(`${JSON.stringify(s)}\n`);
        process.stdout.write(
          `campaign ${s.campaign_id} · ${s.status} · ${s.items.join(',')} → ${s.segment}\n` +
          `  users ${s.users} (+${s.holdout} holdout): drafted ${s.drafted}, failed ${s.failed}, pending ${s.pending}\n` +
          `  review: ${s.pending_review} pending, ${s.approved} approved, ${s.rejected} rejected, ${s.superseded} superseded\n` +
          s.failures.map((f) => `  failed ${f.user_id}: ${f.error} (${f.attempts}×)\n`).join(''),
        );
      });
    });

  campaign
    .command('list')
    .description('recent campaigns')
    .option('--db <file>', DB_HELP)
    .option('--json', 'print one JSON object')
    .action(async (o: { db?: string; json?: boolean }) => {
      await withBackend(o, async (b) => {
        const rows = await b.tables.list(50);
        if (o.json) return void process.stdout.write(`${JSON.stringify(rows.map((c) => ({ campaign_id: c.id, status: c.status, items: c.items, segment: c.segment, users: c.users, created_at: c.createdAt })))}\n`);
        if (rows.length === 0) process.stdout.write('no campaigns yet\n');
        for (const c of rows) process.stdout.write(`${c.id}  ${c.status.padEnd(8)}  ${c.items.join(',')} → ${c.segment}  ${c.users} users  ${c.createdAt}\n`);
      });
    });

  campaign
    .command('export')
    .description('one row per drafted user: user (pseudonym), item_id, text, draft_id, status')
    .argument('<id>', 'campaign id')
    .option('--format <format>', 'jsonl | csv', 'jsonl')
    .option('--out <file>', 'write here instead of stdout')
    .option('--db <file>', DB_HELP)
    .action(async (id: string, o: { format: string; out?: string; db?: string }) => {
      if (o.format !== 'jsonl' && o.format !== 'csv') throw new UsageError(`--format must be jsonl or csv (got "${o.format}")`);
      await withBackend(o, async (b) => {
        await mustGet(b, id);
        const rows = await b.tables.exportRows(id);
        const cols = ['user', 'item_id', 'text', 'draft_id', 'status'] as const;
        const text = o.format === 'jsonl'
          ? rows.map((r) => JSON.stringify(Object.fromEntries(cols.map((k) => [k, r[k]])))).join('\n') + (rows.length ? '\n' : '')
          : [cols.join(','), ...rows.map((r) => cols.map((k) => csvField(r[k])).join(','))].join('\r\n') + '\r\n';
        if (o.out) {
          fs.writeFileSync(o.out, text);
          process.stderr.write(`exported ${rows.length} row(s) to ${o.out}\n`);
        } else process.stdout.write(text);
      });
    });

  campaign
    .command('review')
    .description('a sample of the pending drafts to review (approve or reject the campaign on it)')
    .argument('<id>', 'campaign id')
    .option('--n <count>', 'sample size', '5')
    .option('--db <file>', DB_HELP)
    .option('--json', 'print one JSON object')
    .action(async (id: string, o: { n: string; db?: string; json?: boolean }) => {
      const n = Number(o.n);
      if (!Number.isInteger(n) || n < 1 || n > 100) throw new UsageError(`--n must be an integer from 1 to 100 (got "${o.n}")`);
      await withBackend(o, async (b) => {
        await mustGet(b, id);
        const sample = await core().reviewSample(b.tables, id, n);
        if (o.json) return void process.stdout.write(`${JSON.stringify({ campaign_id: id, sample })}\n`);
        for (const s of sample) process.stdout.write(`${s.draft_id} · ${s.user}\n  ${s.text}\n  why: ${s.explanation}\n`);
        if (sample.length === 0) process.stdout.write('nothing pending review\n');
      });
    });

  for (const decision of ['approve', 'reject'] as const) {
    campaign
      .command(decision)
      .description(decision === 'approve' ? "approve the campaign on its review sample: every pending draft becomes approved" : 'reject the review sample (with reasons): the pending drafts are superseded and `resume` drafts them anew')
      .argument('<id>', 'campaign id')
      .option('--n <count>', 'the sample reviewed (as shown by campaign review)', '5')
      .option('--reason <text>', 'why (kept with the review)')
      .option('--by <reviewer>', 'reviewer', 'cli')
      .option('--db <file>', DB_HELP)
      .option('--json', 'print one JSON object')
      .action(async (id: string, o: { n: string; reason?: string; by: string; db?: string; json?: boolean }) => {
        if (decision === 'reject' && !o.reason) throw new UsageError('campaign reject needs --reason "<why>"');
        await withBackend(o, async (b) => {
          await mustGet(b, id);
          const sample = (await core().reviewSample(b.tables, id, Number(o.n) || 5)).map((s) => s.draft_id);
          if (sample.length === 0) throw new UsageError(`campaign ${id} has no draft pending review`);
          const r = await b.tables.decide(id, decision === 'approve' ? 'approved' : 'rejected', sample, o.by, o.reason);
          // The reviewed sample feeds the strategy bandit, in the campaign's store (SQLite or PostgreSQL).
          const { recordDecisionsSql } = require('../../../core/campaign/outcomes-sql') as typeof import('../../../core/campaign/outcomes-sql');
          await recordDecisionsSql(b.tables.sql, sample, decision === 'approve' ? 'approved' : 'rejected');
          const out = { campaign_id: id, decision: decision === 'approve' ? 'approved' : 'rejected', sample, changed: r.changed.length };
          process.stdout.write(o.json ? `${JSON.stringify(out)}\n` : `campaign ${id}: ${out.decision} on a sample of ${sample.length}; ${r.changed.length} draft(s) changed${decision === 'reject' ? ' (run campaign resume to redraft)' : ''}\n`);
        });
      });
  }

  campaign
    .command('report')
    .description('lift against the holdout group (conversion and click rates, 95% CI) from imported outcomes')
    .argument('<id>', 'campaign id')
    .option('--db <file>', DB_HELP)
    .option('--controls <file>', 'also write the holdout control ids (user,control_id) to this CSV, for the outcomes file')
    .option('--json', 'print one JSON object')
    .action(async (id: string, o: { db?: string; json?: boolean; controls?: string }) => {
      await withBackend(o, async (b) => {
        const r = await core().liftReport(b.tables, id);
        if (!r) throw new UsageError(`unknown campaign "${id}" (copydesk campaign list shows them)`);
        if (o.controls) {
          const rows = (await b.tables.controlIds(id)).filter((x) => Number(x.holdout) === 1);
          fs.writeFileSync(o.controls, ['user_id,control_id', ...rows.map((x) => `${csvField(x.user_id)},${x.control_id}`)].join('\n') + '\n');
        }
        if (o.json) return void process.stdout.write(`${JSON.stringify(r)}\n`);
        const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
        const line = (name: string, m: typeof r.conversions) => `  ${name}: messaged ${pct(m.treated_rate)} (${m.treated}/${r.treated_users}) vs holdout ${pct(m.holdout_rate)} (${m.holdout}/${r.holdout_users}); lift ${pct(m.lift)} [95% CI ${pct(m.ci95[0])}, ${pct(m.ci95[1])}]`;
        process.stdout.write(`campaign ${id}\n${line('conversion', r.conversions)}\n${line('click', r.clicks)}\n${r.note ? `  (${r.note})\n` : ''}`);
      });
    });
}
