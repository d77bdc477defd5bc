/**
 * Drafts one batch of a campaign's users — what a job does, in-process or on a worker:
 *   1. keep only the campaign's non-holdout members not drafted yet (a redelivered job does nothing twice);
 *   2. insights for all of them together (taste profiles; one sentiment call over their reviews);
 *   3. plans, grouped by pool key; each pool of copy bodies is generated ONCE per campaign
 *      (one batched decode: a greedy row + 20 samples, reranked to POOL_SIZE bodies) and stored,
 *      the first writer winning, so every worker personalises from the same pool;
 *   4. per user: a body (a hash of the user picks where to start), the message templates around
 *      it (greeting, taste line, doubt answer, CTA: variant by user), the 广告法 rewrite, the
 *      explanation;
 *   5. all drafts of the batch written in one transaction, keyed by campaign × user.
 * Returns counts and the seconds each step took.
 */
import { userInsights, compliantMessage, explain, UserInsight } from '../copywriter/pipeline';
import type { CatalogItem } from '../domain/ports';
import type { Draft } from '../domain/types';
import { chooseFromStates, strategyId, parseStrategy } from '../copywriter/strategy';
import { seededRng } from '../util/random';
import { formatAttributes } from '../data/attributes';
import { pseudonymize } from '../privacy/pseudonym';
import type { CampaignContext } from './context';
import { planUser, UserPlan } from './plan';
import { CampaignTables, CampaignRow, PoolRow, CampaignDraftWrite } from './tables';
import { campaignDraftId, unitHash } from './spec';

/** Copy bodies per pool (the generator's most per call). */
export const POOL_SIZE = 10;

export interface BatchResult {
  users: number;
  drafted: number;
  skipped: number;
  failed: number;
  pools_generated: number;
  seconds: { insight: number; pools: number; personalise: number; write: number; total: number };
}

const now = () => Number(process.hrtime.bigint()) / 1e9;

async function getPool(ctx: CampaignContext, tables: CampaignTables, c: CampaignRow, p: UserPlan, made: { n: number }): Promise<PoolRow> {
  const r = await tables.poolOrMake(c.id, p.poolKey, async () => {
    const t0 = now();
    // The strategy: one Thompson draw for the pool, seeded by campaign × pool (same on every worker).
    const filter: Record<string, string> = {};
    if (p.fixedTone) filter.tone = p.fixedTone;
    if (p.length) filter.length = p.length;
    const rng = seededRng(Math.floor(unitHash(`${c.id}\u0000${p.poolKey}`) * 2 ** 31));
    const [s] = chooseFromStates(await tables.armStates(p.ins.segment), 1, filter, rng);
    const gens = await ctx.deps.generator.generate({
      attrs: formatAttributes(p.item.attributes), tone: s.tone, length: s.length, aspect: s.emphasis,
      prefer: p.prefs.map((e) => e.value), n: POOL_SIZE, seed: Math.floor(rng.next() * 2 ** 31),
    });
    const bodies = gens.filter((g) => g.text.trim() !== '').map((g) => ({ text: g.text, score: g.score }));
    return { key: p.poolKey, strategy: strategyId(s), bodies, seconds: now() - t0 };
  });
  if (r.made) made.n++;
  return r.pool;
}

function personalise(ctx: CampaignContext, c: CampaignRow, p: UserPlan, pool: PoolRow): Draft | undefined {
  const s = parseStrategy(pool.strategy);
  const n = pool.bodies.length;
  if (n === 0) return undefined;
  const start = Math.floor(unitHash(`body\u0000${c.id}\u0000${p.ins.userId}`) * n);
  const variant = Math.floor(unitHash(`variant\u0000${c.id}\u0000${p.ins.userId}`) * 997);
  const prefer = p.prefs.map((e) => e.value);
  for (let k = 0; k < n; k++) {
    const body = pool.bodies[(start + k) % n];
    const msg = compliantMessage(ctx.templates, ctx.rules, {
      tone: s.tone, length: s.length, body: body.text, title: p.item.title, category: p.item.category, pref: prefer, doubtAspect: p.doubt?.aspect, variant, visitor: p.ins.visitor, offers: p.item.offers,
    });
    if (!msg) continue;
    return {
      id: campaignDraftId(c.id, p.ins.userId, c.generation),
      item_id: p.item.itemId,
      text: msg.text,
      tone: s.tone,
      strategy: pool.strategy,
      score: Math.round((body.score - 0.05 * msg.findings.length) * 1000) / 1000,
      compliance: { ok: true, findings: msg.findings },
      explanation: explain({ prefs: p.prefs, taste: p.ins.taste, doubt: p.doubt, item: p.item, requestedItem: true, tone: s.tone, toneReason: p.toneReason, compliance: msg.findings.length }),
    };
  }
  return undefined;
}

export async function draftBatch(ctx: CampaignContext, tables: CampaignTables, campaignId: string, users: string[], onProgress?: (done: number) => void): Promise<BatchResult> {
  const t0 = now();
  const c = await tables.get(campaignId);
  if (!c) throw new Error(`unknown campaign "${campaignId}"`);
  const open = await tables.todoAmong(campaignId, users);
  const todo = users.filter((u) => open.has(u));
  const result: BatchResult = { users: users.length, drafted: 0, skipped: users.length - todo.length, failed: 0, pools_generated: 0, seconds: { insight: 0, pools: 0, personalise: 0, write: 0, total: 0 } };
  if (todo.length === 0 || c.status === 'approved') {
    result.seconds.total = now() - t0;
    return result;
  }
  const items: CatalogItem[] = c.items.map((id) => {
    const it = ctx.deps.store.item(id);
    if (!it) throw new Error(`campaign ${c.id}: item "${id}" is not in the store ${ctx.storeDir}`);
    return it;
  });
  const failures: Array<{ userId: string; error: string }> = [];
  let t = now();
  const known = todo.filter((u) => {
    if (ctx.deps.store.hasUser(u)) return true;
    failures.push({ userId: u, error: `unknown user in store ${ctx.storeDir}` });
    return false;
  });
  const insights: UserInsight[] = await userInsights(ctx.deps, known);
  const plans = insights.map((ins) => planUser(ctx, ins, items, c.strategy as never, c.generation));
  result.seconds.insight = now() - t;

  t = now();
  const pools = new Map<string, PoolRow>();
  const made = { n: 0 };
  for (const p of plans) {
    if (pools.has(p.poolKey)) continue;
    try {
      pools.set(p.poolKey, await getPool(ctx, tables, c, p, made));
    } catch (e) {
      failures.push({ userId: p.ins.userId, error: `pool: ${(e as Error).message}` });
    }
  }
  result.pools_generated = made.n;
  result.seconds.pools = now() - t;

  t = now();
  const writes: CampaignDraftWrite[] = [];
  for (const p of plans) {
    const pool = pools.get(p.poolKey);
    if (!pool) continue;
    try {
      const d = personalise(ctx, c, p, pool);
      if (!d) failures.push({ userId: p.ins.userId, error: 'no compliant draft from the pool (all withheld by the 广告法 check)' });
      else writes.push({ userId: p.ins.userId, pseudonym: pseudonymize(p.ins.userId, ctx.pseudonymKey), segment: p.ins.segment, draft: d });
    } catch (e) {
      failures.push({ userId: p.ins.userId, error: (e as Error).message });
    }
  }
  result.seconds.personalise = now() - t;

  t = now();
  result.drafted = await tables.saveDrafts(campaignId, writes);
  result.skipped += writes.length - result.drafted;
  await tables.recordFailures(campaignId, failures);
  result.failed = failures.length;
  result.seconds.write = now() - t;
  onProgress?.(users.length);
  result.seconds.total = now() - t0;
  return result;
}
