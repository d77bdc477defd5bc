/**
 * Strategy learning. A strategy is tone × emphasis × length (4 × 3 × 3 = 36 arms).
 * Per user segment, a Thompson-sampling bandit keeps a Beta(α, β) posterior per
 * arm in the store (bandit_arms), picks arms by sampling the posteriors, and
 * learns from reviewers' decisions (approved = 1, rejected = 0, edited = 0.5)
 * and from imported campaign outcomes (clicks and conversions against impressions).
 * Every reward is applied once per draft and source (bandit_feedback), so repeated
 * calls and re-imports change nothing.
 */
import { Db, immediate, nowIso } from '../store/db';
import { ASPECTS, type AspectFocus } from '../domain/ports';
import { TONES, LENGTHS, Tone, LengthBucket, type Decision } from '../domain/types';
import { Rng, beta, mathRng } from '../util/random';
import { phrasingSegment, usedPhrasings } from './phrasing';
import { defaultTemplates } from './templates';

/** The phrasing arms of a stored draft ([] when the templates file cannot be read: the strategy reward still counts). */
function phrasingArmsOf(db: Db, draftId: string): string[] {
  const row = db.prepare('SELECT text FROM drafts WHERE id = ?').get(draftId) as { text: string } | undefined;
  if (!row) return [];
  try {
    return usedPhrasings(row.text, defaultTemplates());
  } catch {
    return [];
  }
}


export interface Strategy {
  tone: Tone;
  emphasis: AspectFocus;
  length: LengthBucket;
}

export function strategyId(s: Strategy): string {
  return `${s.tone}/${s.emphasis}/${s.length}`;
}

export function parseStrategy(id: string): Strategy {
  const [tone, emphasis, length] = id.split('/');
  if (!TONES.includes(tone as Tone) || !ASPECTS.includes(emphasis as AspectFocus) || !LENGTHS.includes(length as LengthBucket)) {
    throw new Error(`not a strategy: "${id}" (expected tone/emphasis/length)`);
  }
  return { tone: tone as Tone, emphasis: emphasis as AspectFocus, length: length as LengthBucket };
}

export function allStrategies(filter: Partial<Strategy> = {}): Strategy[] {
  const out: Strategy[] = [];
  for (const tone of TONES) for (const emphasis of ASPECTS) for (const length of LENGTHS) {
    if (filter.tone && filter.tone !== tone) continue;
    if (filter.emphasis && filter.emphasis !== emphasis) continue;
    if (filter.length && filter.length !== length) continue;
    out.push({ tone, emphasis, length });
  }
  return out;
}

export interface ArmState {
  strategy: string;
  alpha: number;
  beta: number;
}

/** The posteriors of a segment (arms never updated are Beta(1, 1) and not listed). */
export function armStates(db: Db, segment: string): ArmState[] {
  return db.prepare('SELECT strategy, alpha, beta FROM bandit_arms WHERE segment = ? ORDER BY strategy').all(segment) as ArmState[];
}

/**
 * Picks `k` distinct strategies for a segment by Thompson sampling (one posterior
 * draw per arm, the k largest), among the arms matching `filter` (a fixed tone, length…).
 */
export function chooseStrategies(db: Db, segment: string, k: number, filter: Partial<Strategy> = {}, rng: Rng = mathRng): Strategy[] {
  return chooseFromStates(armStates(db, segment), k, filter, rng);
}

/** Thompson sampling over given posteriors (from any store): the k arms with the largest draws. */
export function chooseFromStates(armList: ArmState[], k: number, filter: Partial<Strategy> = {}, rng: Rng = mathRng): Strategy[] {
  const states = new Map(armList.map((a) => [a.strategy, a]));
  const arms = allStrategies(filter).map((s) => {
    const st = states.get(strategyId(s));
    return { s, draw: beta(rng, st?.alpha ?? 1, st?.beta ?? 1) };
  });
  arms.sort((a, b) => b.draw - a.draw);
  return arms.slice(0, Math.max(1, k)).map((a) => a.s);
}

/** Adds (success, failure) to an arm's posterior. */
export function addReward(db: Db, segment: string, strategy: string, success: number, failure: number): void {
  db.prepare(
    `INSERT INTO bandit_arms (segment, strategy, alpha, beta, updated_at) VALUES (?, ?, 1 + ?, 1 + ?, ?)
     ON CONFLICT(segment, strategy) DO UPDATE SET alpha = max(1e-3, alpha + excluded.alpha - 1), beta = max(1e-3, beta + excluded.beta - 1), updated_at = excluded.updated_at`,
  ).run(segment, strategy, success, failure, nowIso());
}

/**
 * Sets the reward a draft contributes from one source (`decision`, `outcomes`) to
 * (success, failure), applying only the difference from what was applied before.
 * Returns false when nothing changed.
 */
export function setDraftReward(db: Db, draftId: string, kind: string, success: number, failure: number): boolean {
  return immediate(db, () => {
    const d = db.prepare('SELECT segment, strategy FROM drafts WHERE id = ?').get(draftId) as { segment: string; strategy: string } | undefined;
    if (!d) throw new Error(`unknown draft "${draftId}"`);
    const prev = db.prepare('SELECT success, failure FROM bandit_feedback WHERE draft_id = ? AND kind = ?').get(draftId, kind) as { success: number; failure: number } | undefined;
    const ds = success - (prev?.success ?? 0);
    const df = failure - (prev?.failure ?? 0);
    if (Math.abs(ds) < 1e-12 && Math.abs(df) < 1e-12) return false;
    addReward(db, d.segment, d.strategy, ds, df);
    // The same reward for the template lines the draft's text holds (the phrasing bandit).
    for (const arm of phrasingArmsOf(db, draftId)) addReward(db, phrasingSegment(d.segment), arm, ds, df);
    db.prepare(
      `INSERT INTO bandit_feedback (draft_id, kind, success, failure, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(draft_id, kind) DO UPDATE SET success = excluded.success, failure = excluded.failure, updated_at = excluded.updated_at`,
    ).run(draftId, kind, success, failure, nowIso());
    return true;
  });
}

/** Reward of a reviewer decision: approved 1, rejected 0, edited 0.5 (an edited draft later approved stays 0.5). */
export const DECISION_REWARD: Record<Decision, number> = { approved: 1, rejected: 0, edited: 0.5 };

/**
 * What the Slack bot calls after a reviewer decision (and after an edit is saved):
 * updates the strategy bandit of the draft's segment. Idempotent per draft: a
 * repeated call with the same decision changes nothing; a later decision replaces
 * the earlier one (edited then approved counts 0.5, edited then rejected counts 0).
 * Returns true when the posteriors changed.
 */
export function recordDecision(db: Db, draftId: string, decision: Decision): boolean {
  if (!(decision in DECISION_REWARD)) throw new Error(`unknown decision "${decision}" (approved, rejected, edited)`);
  const prev = db.prepare("SELECT success FROM bandit_feedback WHERE draft_id = ? AND kind = 'decision'").get(draftId) as { success: number } | undefined;
  const edited = (db.prepare('SELECT edited FROM drafts WHERE id = ?').get(draftId) as { edited: number } | undefined)?.edited === 1;
  let r = DECISION_REWARD[decision];
  if (decision === 'approved' && (edited || prev?.success === DECISION_REWARD.edited)) r = DECISION_REWARD.edited;
  return setDraftReward(db, draftId, 'decision', r, 1 - r);
}

/** Campaign outcomes count less than a reviewer's decision: each event is worth this much of one trial. */
export const OUTCOME_WEIGHT = 0.2;

/** Recomputes a draft's reward from its imported outcomes: clicks and conversions succeed, unclicked impressions fail. */
export function applyOutcomes(db: Db, draftId: string): boolean {
  const counts = db.prepare('SELECT event, COUNT(*) AS n FROM outcomes WHERE draft_id = ? GROUP BY event').all(draftId) as Array<{ event: string; n: number }>;
  const n = (e: string) => counts.find((c) => c.event === e)?.n ?? 0;
  const clicks = n('click');
  const success = OUTCOME_WEIGHT * (clicks + n('conversion'));
  const failure = OUTCOME_WEIGHT * Math.max(0, n('impression') - clicks);
  return setDraftReward(db, draftId, 'outcomes', success, failure);
}

/** Posterior mean per arm of a segment, best first (for reports and the bot's App Home). */
export function strategyReport(db: Db, segment: string): Array<{ strategy: string; mean: number; trials: number }> {
  return armStates(db, segment)
    .map((a) => ({ strategy: a.strategy, mean: a.alpha / (a.alpha + a.beta), trials: a.alpha + a.beta - 2 }))
    .sort((x, y) => y.mean - x.mean);
}
