/**
 * Outcomes and the strategy bandit over the Sql port, so `copydesk outcomes import|report` and
 * campaign review decisions write the store the deployment uses: the embedded SQLite store,
 * or PostgreSQL when COPYDESK_DATABASE_URL (and COPYDESK_REDIS_URL) are set — where workers
 * read the posteriors when they pick a pool's strategy (CampaignTables.armStates), so every
 * worker sees the same bandit. The writes are core/copywriter/bandit-store.ts's steps (one
 * code path for both stores). Each import is one transaction, under PostgreSQL's advisory lock
 * on the bandit (two importers at once: the second waits, then finds every row there and
 * changes nothing); a re-imported file changes nothing (outcome key + ON CONFLICT DO NOTHING;
 * rewards recomputed per draft, only the difference applied).
 */
import { openStore } from '../store/db';
import type { LoadOptions } from '../data/errors';
import { readOutcomes, outcomeIdsOf } from '../copywriter/outcomes';
import { runAsync, writeOutcomesSteps, decisionSteps, ImportReport, Decision, OutcomeProgress } from '../copywriter/bandit-store';
import { armReport, ArmState } from '../copywriter/strategy';
import { PHRASING_PREFIX } from '../copywriter/phrasing';
import { sqliteSql, Sql } from './sql';
import { distributedUrls } from './backend';
import { openPg } from './pg';

/** The advisory lock every bandit writer takes in PostgreSQL (SQLite: BEGIN IMMEDIATE serialises writers). */
export const BANDIT_LOCK = 'copydesk|bandit';

async function lockBandit(q: Sql): Promise<void> {
  if (q.dialect === 'postgres') await q.all('SELECT pg_advisory_xact_lock(hashtextextended(?, 0))', [BANDIT_LOCK]);
}

export interface BanditStore {
  kind: 'embedded' | 'distributed';
  sql: Sql;
  close(): Promise<void>;
}

/**
 * The store outcomes go to: PostgreSQL when the distributed deployment is configured (only
 * PostgreSQL is needed: no jobs are queued; unreachable → ServerUnavailableError, one line),
 * else the SQLite store (`db`, COPYDESK_DB or ./copydesk.db).
 */
export async function openBanditStore(opts: { db?: string } = {}): Promise<BanditStore> {
  const urls = distributedUrls();
  if (urls) {
    const sql = await openPg(urls.databaseUrl, { max: 2 });
    return { kind: 'distributed', sql, close: () => sql.close() };
  }
  const sql = sqliteSql(openStore(opts.db), { closeDb: true });
  return { kind: 'embedded', sql, close: () => sql.close() };
}

const CHUNK = 400;

/** Of these ids, the ones the store knows: drafts, or holdout members' control ids. */
async function knownIds(sql: Sql, ids: string[]): Promise<Set<string>> {
  const out = new Set<string>();
  for (let i = 0; i < ids.length; i += CHUNK) {
    const part = ids.slice(i, i + CHUNK);
    const marks = part.map(() => '?').join(', ');
    for (const r of await sql.all<{ id: string }>(`SELECT id FROM drafts WHERE id IN (${marks})`, part)) out.add(r.id);
    for (const r of await sql.all<{ id: string }>(`SELECT control_id AS id FROM campaign_members WHERE control_id IN (${marks})`, part)) out.add(r.id);
  }
  return out;
}

/**
 * Imports a `draft_id,event,timestamp` file into either store. The whole file is validated first
 * (unknown drafts, bad events and timestamps: a DataError naming file, line and field, and nothing
 * written), then the outcome rows, the bandit updates of the drafts they touch (strategy and
 * phrasing arms) and an audit entry are written in one transaction.
 */
export async function importOutcomesSql(sql: Sql, file: string, opts: LoadOptions & { actor?: string; onProgress?: OutcomeProgress } = {}): Promise<ImportReport> {
  const known = await knownIds(sql, outcomeIdsOf(file));
  const { rows, skipped } = readOutcomes(file, (id) => known.has(id), opts);
  return sql.tx(async (q) => {
    await lockBandit(q);
    return runAsync(q, writeOutcomesSteps(file, rows, skipped, opts.actor ?? 'cli', opts.onProgress));
  });
}

/** Reviewer decisions on drafts (a campaign's review sample) feed the bandit, in one transaction. Returns how many changed it. */
export async function recordDecisionsSql(sql: Sql, draftIds: string[], decision: Decision): Promise<number> {
  if (draftIds.length === 0) return 0;
  return sql.tx(async (q) => {
    await lockBandit(q);
    let changed = 0;
    for (const id of draftIds) if (await runAsync(q, decisionSteps(id, decision))) changed++;
    return changed;
  });
}

/** Posterior mean per strategy arm, per segment (phrasing arms left out), best first. */
export async function banditReportSql(sql: Sql): Promise<Record<string, Array<{ strategy: string; mean: number; trials: number }>>> {
  const rows = await sql.all<ArmState & { segment: string }>(
    `SELECT segment, strategy, alpha, beta FROM bandit_arms WHERE segment NOT LIKE '${PHRASING_PREFIX}%' ORDER BY segment, strategy`);
  const by = new Map<string, ArmState[]>();
  for (const r of rows) {
    const list = by.get(r.segment) ?? [];
    list.push({ strategy: r.strategy, alpha: Number(r.alpha), beta: Number(r.beta) });
    by.set(r.segment, list);
  }
  return Object.fromEntries([...by].map(([s, states]) => [s, armReport(states)]));
}
