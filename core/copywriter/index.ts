/**
 * The copywriter's public API (CLI, Slack bot, notebooks):
 *
 *   const cw = await loadCopywriter({ db });            // shipped models + demo store
 *   const res = await cw.draft({ userId, itemId?, tone?, n?, length?, noEvidence?, source? });
 *   const d2 = await cw.regenerate(draftId, actor);      // supersedes draftId, returns the new draft
 *   cw.checkEdit(text);                                  // compliance findings + rewrite of an edited text
 *   cw.saveEdit(draftId, text, editor);                  // stores a compliant edit as a new version
 *   recordDecision(db, draftId, 'approved' | 'rejected' | 'edited');   // feeds the strategy bandit
 *   importOutcomes(db, csvFile);                         // campaign outcomes feed it too
 */
export * from '../domain/types';
export type { Copywriter, CopywriterDeps, UserInsight, Doubt } from './pipeline';
export { createCopywriter, rowToDraft } from './pipeline';
export { loadCopywriter, ModelUnavailableError } from './load';
export type { LoadedCopywriter, LoadCopywriterOptions } from './load';
export { recordDecision, strategyReport, allStrategies, strategyId } from './strategy';
export type { Strategy } from './strategy';
export { importOutcomes } from './outcomes';
export { checkText, rewrite, isCompliant } from '../compliance/check';
export type { CheckReport } from '../compliance/check';
export { pseudonymize, pseudonymKey } from '../privacy/pseudonym';
