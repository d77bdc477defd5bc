/**
 * Strategy learning. A strategy is tone × emphasis × length (4 × 3 × 3 = 36 arms).
 * Per user segment, a Thompson-sampling bandit keeps a Beta(α, β) posterior per
 * arm in the store (bandit_arms), picks arms by sampling the posteriors, and
 * learns from reviewers' decisions (approved = 1, rejected = 0, edited = 0.5)
 * and from imported campaign outcomes (clicks and conversions against impressions).
 * Every reward is applied once per draft and source (bandit_feedback), so repeated
 * calls and re-imports change nothing. The writes are bandit-store.ts's steps, the same
 * ones the distributed deployment runs on PostgreSQL.
 */
import { Db, immediate } from '../store/db';
import { ASPECTS, type AspectFocus } from '../domain/ports';
import { TONES, LENGTHS, Tone, LengthBucket, type Decision } from '../domain/types';
import { Rng, beta, mathRng } from '../util/random';
import { runSync, addRewardSteps, draftRewardSteps, decisionSteps, outcomeRewardSteps } from './bandit-store';

export { DECISION_REWARD, OUTCOME_WEIGHT } from './bandit-store';
export type { Decision } from '../domain/types';


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
  runSync(db, addRewardSteps(segment, strategy, success, failure));
}

/**
 * Sets the reward a draft contributes from one source (`decision`, `outcomes`) to
 * (success, failure), applying only the difference from what was applied before.
 * Returns false when nothing changed.
 */
export function setDraftReward(db: Db, draftId: string, kind: string, success: number, failure: number): boolean {
  return immediate(db, () => runSync(db, draftRewardSteps(draftId, kind, success, failure)));
}

/**
 * What the Slack bot calls after a reviewer decision (and after an edit is saved):
 * updates the strategy bandit of the draft's segment. Idempotent per draft: a
 * repeated call with the same decision changes nothing; a later decision replaces
 * the earlier one (edited then approved counts 0.5, edited then rejected counts 0).
 * Returns true when the posteriors changed.
 */
export function recordDecision(db: Db, draftId: string, decision: Decision): boolean {
  return immediate(db, () => runSync(db, decisionSteps(draftId, decision)));
}

/** Recomputes a draft's reward from its imported outcomes: clicks and conversions succeed, unclicked impressions fail. */
export function applyOutcomes(db: Db, draftId: string): boolean {
  return immediate(db, () => runSync(db, outcomeRewardSteps(draftId)));
}

/** Posterior mean per arm of a segment, best first (for reports and the bot's App Home). */
export function strategyReport(db: Db, segment: string): Array<{ strategy: string; mean: number; trials: number }> {
  return armReport(armStates(db, segment));
}

/** Posterior mean per arm, best first, from posteriors read from any store. */
export function armReport(states: ArmState[]): Array<{ strategy: string; mean: number; trials: number }> {
  return states
    .map((a) => ({ strategy: a.strategy, mean: a.alpha / (a.alpha + a.beta), trials: a.alpha + a.beta - 2 }))
    .sort((x, y) => y.mean - x.mean);
}
