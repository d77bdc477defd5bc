/**
 * The one writer of the bandit's tables — bandit_arms (strategy arms, and phrasing arms under
 * `phrasing:<segment>`), bandit_feedback — and of outcomes, written ONCE as steps: generators
 * that yield portable SQL statements and get each statement's result back. The same steps run
 * synchronously on the embedded SQLite store (`runSync`: the bot, reviewer decisions) and on
 * the async Sql port (`runAsync`: PostgreSQL in the distributed deployment), so both stores get
 * the same statements and the same reward arithmetic, not two copies of the logic.
 * Idempotent: an outcome is keyed by (draft_id, event, timestamp) and inserted ON CONFLICT DO
 * NOTHING; a draft's reward per source is stored in bandit_feedback and only the difference is
 * applied to the arms. The caller runs the steps in one transaction.
 */
import type { Db } from '../store/db';
import { nowIso } from '../store/db';
import type { SkippedRow } from '../data/errors';
import { phrasingSegment, usedPhrasings } from './phrasing';
import { defaultTemplates } from './templates';

export interface Step {
  op: 'all' | 'run';
  sql: string;
  params: unknown[];
}
/** A piece of store logic: yields statements, receives rows (`all`) or the changed-row count (`run`). */
export type Steps<T> = Generator<Step, T, unknown>;

export function* all<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Steps<T[]> {
  return (yield { op: 'all', sql, params }) as T[];
}

export function* run(sql: string, params: unknown[] = []): Steps<number> {
  return (yield { op: 'run', sql, params }) as number;
}

/** Runs steps on a SQLite connection, synchronously (the caller holds the transaction). */
export function runSync<T>(db: Db, steps: Steps<T>): T {
  let r = steps.next();
  while (!r.done) {
    const s = r.value;
    const st = db.prepare(s.sql);
    r = steps.next(s.op === 'all' ? st.all(...s.params) : st.run(...s.params).changes);
  }
  return r.value;
}

/** What runAsync needs of a store (core/campaign/sql.ts's Sql port: SQLite or PostgreSQL). */
export interface AsyncSql {
  all<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  run(sql: string, params?: unknown[]): Promise<number>;
}

/** Runs steps on the async Sql port (inside the caller's transaction). */
export async function runAsync<T>(q: AsyncSql, steps: Steps<T>): Promise<T> {
  let r = steps.next();
  while (!r.done) {
    const s = r.value;
    r = steps.next(s.op === 'all' ? await q.all(s.sql, s.params) : await q.run(s.sql, s.params));
  }
  return r.value;
}

import type { Decision } from '../domain/types';
export type { Decision };

/** Reward of a reviewer decision: approved 1, rejected 0, edited 0.5 (an edited draft later approved stays 0.5). */
export const DECISION_REWARD: Record<Decision, number> = { approved: 1, rejected: 0, edited: 0.5 };

/** Campaign outcomes count less than a reviewer's decision: each event is worth this much of one trial. */
export const OUTCOME_WEIGHT = 0.2;

/** The phrasing arms of a draft's text ([] when the templates file cannot be read: the strategy reward still counts). */
function phrasingArms(text: string): string[] {
  try {
    return usedPhrasings(text, defaultTemplates());
  } catch {
    return [];
  }
}

/** `x` floored at 1e-3, in SQL both stores speak (SQLite's max(a, b) is PostgreSQL's GREATEST). */
const floored = (x: string) => `CASE WHEN ${x} > 0.001 THEN ${x} ELSE 0.001 END`;

/** Adds (success, failure) to an arm's posterior (Beta(1, 1) before its first update). */
export function* addRewardSteps(segment: string, strategy: string, success: number, failure: number): Steps<void> {
  yield* run(
    `INSERT INTO bandit_arms (segment, strategy, alpha, beta, updated_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (segment, strategy) DO UPDATE SET alpha = ${floored('bandit_arms.alpha + excluded.alpha - 1')},
       beta = ${floored('bandit_arms.beta + excluded.beta - 1')}, updated_at = excluded.updated_at`,
    [segment, strategy, 1 + success, 1 + failure, nowIso()],
  );
}

/**
 * Sets the reward a draft contributes from one source (`decision`, `outcomes`) to (success,
 * failure), applying only the difference from what was applied before, to the draft's strategy
 * arm and to the phrasing arms its text holds. Returns false when nothing changed.
 */
export function* draftRewardSteps(draftId: string, kind: string, success: number, failure: number): Steps<boolean> {
  const [d] = yield* all<{ segment: string; strategy: string; text: string }>('SELECT segment, strategy, text FROM drafts WHERE id = ?', [draftId]);
  if (!d) throw new Error(`unknown draft "${draftId}"`);
  const [prev] = yield* all<{ success: number; failure: number }>('SELECT success, failure FROM bandit_feedback WHERE draft_id = ? AND kind = ?', [draftId, kind]);
  const ds = success - Number(prev?.success ?? 0);
  const df = failure - Number(prev?.failure ?? 0);
  if (Math.abs(ds) < 1e-12 && Math.abs(df) < 1e-12) return false;
  yield* addRewardSteps(d.segment, d.strategy, ds, df);
  for (const arm of phrasingArms(d.text)) yield* addRewardSteps(phrasingSegment(d.segment), arm, ds, df);
  yield* run(
    `INSERT INTO bandit_feedback (draft_id, kind, success, failure, updated_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (draft_id, kind) DO UPDATE SET success = excluded.success, failure = excluded.failure, updated_at = excluded.updated_at`,
    [draftId, kind, success, failure, nowIso()],
  );
  return true;
}

/** A reviewer decision on a draft (see recordDecision in strategy.ts). */
export function* decisionSteps(draftId: string, decision: Decision): Steps<boolean> {
  if (!(decision in DECISION_REWARD)) throw new Error(`unknown decision "${decision}" (approved, rejected, edited)`);
  const [prev] = yield* all<{ success: number }>("SELECT success FROM bandit_feedback WHERE draft_id = ? AND kind = 'decision'", [draftId]);
  const [e] = yield* all<{ edited: number }>('SELECT edited FROM drafts WHERE id = ?', [draftId]);
  let r = DECISION_REWARD[decision];
  if (decision === 'approved' && (Number(e?.edited) === 1 || (prev && Number(prev.success) === DECISION_REWARD.edited))) r = DECISION_REWARD.edited;
  return yield* draftRewardSteps(draftId, 'decision', r, 1 - r);
}

/** Recomputes a draft's reward from all its imported outcomes: clicks and conversions succeed, unclicked impressions fail. */
export function* outcomeRewardSteps(draftId: string): Steps<boolean> {
  const counts = yield* all<{ event: string; n: number | string }>('SELECT event, COUNT(*) AS n FROM outcomes WHERE draft_id = ? GROUP BY event', [draftId]);
  const n = (ev: string) => Number(counts.find((c) => c.event === ev)?.n ?? 0);
  const clicks = n('click');
  const success = OUTCOME_WEIGHT * (clicks + n('conversion'));
  const failure = OUTCOME_WEIGHT * Math.max(0, n('impression') - clicks);
  return yield* draftRewardSteps(draftId, 'outcomes', success, failure);
}

export interface OutcomeEventRow {
  draft_id: string;
  event: string;
  timestamp: string;
}

export interface ImportReport {
  file: string;
  rows: number;
  imported: number;
  duplicates: number;
  drafts_updated: number;
  skipped: SkippedRow[];
}

const CHUNK = 250;

/** Progress of an import: outcome rows written, then drafts whose reward was recomputed. */
export type OutcomeProgress = (stage: 'rows' | 'drafts', done: number, total: number) => void;

/**
 * Writes validated outcome rows: each (draft_id, event, timestamp) once (ON CONFLICT DO NOTHING
 * … RETURNING tells which rows are new), then the reward of every draft that got a new row
 * (control ids of holdout users are no drafts: their rows count in the lift report only), and
 * an audit entry. Run it in one transaction: rows and bandit updates land together or not at all.
 */
export function* writeOutcomesSteps(file: string, rows: OutcomeEventRow[], skipped: SkippedRow[], actor: string, onProgress?: OutcomeProgress): Steps<ImportReport> {
  const at = nowIso();
  let imported = 0;
  const touched = new Set<string>();
  for (let i = 0; i < rows.length; i += CHUNK) {
    const part = rows.slice(i, i + CHUNK);
    const fresh = yield* all<{ draft_id: string }>(
      `INSERT INTO outcomes (draft_id, event, timestamp, imported_at) VALUES ${part.map(() => '(?, ?, ?, ?)').join(', ')} ON CONFLICT DO NOTHING RETURNING draft_id`,
      part.flatMap((r) => [r.draft_id, r.event, r.timestamp, at]),
    );
    imported += fresh.length;
    for (const f of fresh) touched.add(f.draft_id);
    onProgress?.('rows', Math.min(rows.length, i + CHUNK), rows.length);
  }
  let updated = 0;
  const ids = [...touched].sort();
  for (const [k, id] of ids.entries()) {
    const [d] = yield* all('SELECT 1 AS x FROM drafts WHERE id = ?', [id]);
    if (d && (yield* outcomeRewardSteps(id))) updated++;
    if (k % 100 === 99 || k === ids.length - 1) onProgress?.('drafts', k + 1, ids.length);
  }
  yield* run('INSERT INTO audit_log (at, actor, action, draft_id, before_json, after_json) VALUES (?, ?, ?, ?, ?, ?)',
    [at, actor, 'outcomes_imported', null, null, JSON.stringify({ file, rows: rows.length, imported, drafts: touched.size })]);
  return { file, rows: rows.length + skipped.length, imported, duplicates: rows.length - imported, drafts_updated: updated, skipped };
}
