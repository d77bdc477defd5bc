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
  /** A fresh draft for the same user, item and request as `draftId` (the old one is superseded by the bot). */
  regenerate(draftId: string): Promise<Draft>;
  /** The 广告法 check of a reviewer's edit. */
  checkCompliance(text: string): ComplianceCheck | Promise<ComplianceCheck>;
  /** Reports a reviewer decision to the strategy bandit. */
  recordDecision(draftId: string, decision: Decision): void | Promise<void>;
}

/** Loads the real pipeline (models, demo store) on the given store and adapts it. */
export async function loadCopywriter(db: Db): Promise<BotCopywriter> {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const mod = require('../core/copywriter');
  const load = mod.loadCopywriter ?? mod.createCopywriter;
  if (typeof load !== 'function') throw new Error('core/copywriter does not export loadCopywriter/createCopywriter');
  const cw = await load({ db });
  return adaptCopywriter(cw, db, mod);
}

/** Maps the pipeline object onto BotCopywriter (kept separate so the mapping is visible in one place). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function adaptCopywriter(cw: any, db: Db, mod: any = {}): BotCopywriter {
  const check = cw.checkCompliance ?? cw.check ?? mod.checkCompliance ?? mod.check;
  const regen = cw.regenerate ?? cw.regenerateDraft;
  const record = cw.recordDecision ?? mod.recordDecision;
  return {
    draft: (req) => cw.draft(req),
    regenerate: (draftId) => regen.call(cw, draftId),
    checkCompliance: (text) => check.call(cw, text),
    recordDecision: (draftId, decision) => (record.length >= 3 ? record.call(cw, db, draftId, decision) : record.call(cw, draftId, decision)),
  };
}
