/**
 * What the bot needs from the copywriter pipeline (core/copywriter), injected
 * into createApp so each handler can be tested alone. `loadCopywriter` adapts
 * the real pipeline to it.
 */
import type { Db } from '../core/store/db';
import type { ComplianceFinding, Draft, DraftRequest, DraftResult } from '../core/copywriter/types';

export type Decision = 'approved' | 'rejected' | 'edited';

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
  /** Reports a reviewer decision (or a saved edit) to the strategy bandit; idempotent per draft. */
  recordDecision(draftId: string, decision: Decision): void | Promise<void>;
}

/** The parts of core/copywriter's pipeline object the bot uses. */
export interface PipelineLike {
  draft(req: DraftRequest): Promise<DraftResult>;
  regenerate(draftId: string, actor?: string): Promise<Draft>;
  checkEdit(text: string): { ok: boolean; rewritten: string | null; withheld: boolean; findings: Array<{ term: string; category: string; category_description?: string; action: string }> };
}

/** Adapts the pipeline: the edit check becomes ComplianceCheck, decisions go to the strategy bandit in the same store. */
export function adaptPipeline(cw: PipelineLike, db: Db, record: (db: Db, draftId: string, d: Decision) => unknown): BotCopywriter {
  return {
    draft: (req) => cw.draft(req),
    regenerate: (draftId, actor) => cw.regenerate(draftId, actor),
    checkCompliance: (text) => {
      const r = cw.checkEdit(text);
      return {
        ok: r.ok,
        text: r.rewritten ?? '',
        findings: r.findings.map((f) => ({ term: f.term, category: f.category_description ?? f.category, action: r.withheld ? 'withheld' : (f.action as 'replaced' | 'dropped') })),
      };
    },
    recordDecision: (draftId, decision) => { record(db, draftId, decision); },
  };
}

/** Loads the real pipeline (shipped models, demo store) on the bot's store. */
export async function loadCopywriter(db: Db): Promise<BotCopywriter> {
  // Required lazily: loading models is the slow part of starting the bot.
  const mod = require('../core/copywriter') as { loadCopywriter?: (opts: { db: Db }) => Promise<PipelineLike> | PipelineLike };
  if (typeof mod.loadCopywriter !== 'function') throw new Error('core/copywriter does not export loadCopywriter');
  const { recordDecision } = require('../core/copywriter/strategy') as { recordDecision: (db: Db, draftId: string, d: Decision) => unknown };
  return adaptPipeline(await mod.loadCopywriter({ db }), db, recordDecision);
}
