/**
 * What the bot needs from the copywriter pipeline (core/copywriter), injected
 * into createApp so each handler can be tested alone. `pooledCopywriter` (what
 * the bot runs) drafts on core's worker-thread pool; `adaptPipeline` runs a
 * pipeline object on the calling thread (handler tests).
 */
import type { Db } from '../core/store/db';
import { checkText } from '../core/compliance/check';
import { defaultRules } from '../core/compliance/rules';
import { recordDecision as recordInBandit } from '../core/copywriter/strategy';
import { DraftPool } from '../core/copywriter/worker-pool';
import type { ComplianceFinding, Decision, Draft, DraftRequest, DraftResult } from '../core/domain/types';


export interface ComplianceCheck {
  ok: boolean;
  /** The text after rewriting (equal to the input when nothing was found). */
  text: string;
  findings: ComplianceFinding[];
}

export interface BotCopywriter {
  draft(req: DraftRequest): Promise<DraftResult>;
  /**
   * Supersedes the pending draft `draftId` and stores a fresh one for the same user,
   * item and request, in one transaction; throws an error named DraftStateError
   * when the draft is no longer pending.
   */
  regenerate(draftId: string, actor: string): Promise<Draft>;
  /** The 广告法 check of a reviewer's edit. */
  checkCompliance(text: string): ComplianceCheck | Promise<ComplianceCheck>;
  /**
   * Reports a reviewer decision (or a saved edit) to the strategy bandit; idempotent per draft.
   * Synchronous: it runs inside the transaction that stores the decision.
   */
  recordDecision(draftId: string, decision: Decision): void;
  /** How many requests are drafted at once (the rest wait their turn); 1 when absent. */
  capacity?: number;
  /** Releases threads (pooled copywriter). */
  close?(): Promise<void>;
}

/** The parts of core/copywriter's pipeline object the bot uses. */
export interface PipelineLike {
  draft(req: DraftRequest): Promise<DraftResult>;
  regenerate(draftId: string, actor?: string): Promise<Draft>;
  checkEdit(text: string): { ok: boolean; rewritten: string | null; withheld: boolean; findings: Array<{ term: string; category: string; category_description?: string; action: string }> };
}

type EditReport = ReturnType<PipelineLike['checkEdit']>;

/** The 广告法 report of an edit, in the bot's terms. */
function toComplianceCheck(r: EditReport): ComplianceCheck {
  return {
    ok: r.ok,
    text: r.rewritten ?? '',
    findings: r.findings.map((f) => ({ term: f.term, category: f.category_description ?? f.category, action: r.withheld ? 'withheld' : (f.action as 'replaced' | 'dropped') })),
  };
}

/** Adapts the pipeline: the edit check becomes ComplianceCheck, decisions go to the strategy bandit in the same store. */
export function adaptPipeline(cw: PipelineLike, db: Db, record: (db: Db, draftId: string, d: Decision) => unknown): BotCopywriter {
  return {
    draft: (req) => cw.draft(req),
    regenerate: (draftId, actor) => cw.regenerate(draftId, actor),
    checkCompliance: (text) => toComplianceCheck(cw.checkEdit(text)),
    recordDecision: (draftId, decision) => { record(db, draftId, decision); },
  };
}

/**
 * The copywriter on core's worker-thread pool: drafting and regenerating run on
 * the pool's threads (each with the shipped models and its own connection to the
 * store file); the 广告法 check of an edit and the bandit update run here (cheap).
 */
export function pooledCopywriter(pool: DraftPool, db: Db): BotCopywriter {
  const rules = defaultRules();
  return {
    draft: (req) => pool.draft(req),
    regenerate: (draftId, actor) => pool.regenerate(draftId, actor),
    checkCompliance: (text) => toComplianceCheck(checkText(text, rules) as unknown as EditReport),
    recordDecision: (draftId, decision) => { recordInBandit(db, draftId, decision); },
    capacity: pool.size,
    close: () => pool.close(),
  };
}

/** Starts the drafting pool on the bot's store file and waits until every thread has loaded the models. */
export async function startPooledCopywriter(db: Db, o: { dbFile: string; pseudonymKey: string; threads?: number }): Promise<BotCopywriter> {
  const pool = new DraftPool({ dbFile: o.dbFile, pseudonymKey: o.pseudonymKey, size: o.threads });
  try {
    await pool.ready();
  } catch (e) {
    await pool.close();
    throw e;
  }
  return pooledCopywriter(pool, db);
}
