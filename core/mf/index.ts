/**
 * The user preference model (matrix factorization): explicit ratings (Bayesian biased MF or
 * SGD), implicit events (hybrid BPR with attribute embeddings, or weighted ALS), taste
 * profiles and cold starts. `loadPreferenceModel()` gives the copywriter its PreferencePort.
 */
import * as path from 'path';
import { modelsDir } from '../util/paths';
import type { Store } from '../data/store';
import { fromStore } from './data';
import { PreferenceModel } from './model';

export { PreferenceModel } from './model';
export type { ModelInfo } from './model';
export { loadInteractions, fromStore, guessFormat } from './data';
export type { Interaction, InteractionData, DataFormat, ItemMeta } from './data';
export { trainModel, evalExplicit, evalRanking, evalLeaveLast, relevantSets } from './train';
export type { TrainOptions } from './train';
export { DEFAULT_WEIGHTS } from './implicit';
export { leaveLast } from './split';
export { tasteRecovery } from './taste';

export function defaultModelDir(): string {
  return path.join(modelsDir(), 'mf');
}

/**
 * Loads the saved model (default: the shipped one in models/mf/). With a store, the model
 * uses the store's current events (for evidence, and not recommending what was bought) and
 * items (new items with attributes get vectors from their attribute embeddings).
 */
export function loadPreferenceModel(dir: string = defaultModelDir(), store?: Store): PreferenceModel {
  const model = PreferenceModel.load(dir);
  if (!store) return model;
  const data = fromStore(store);
  return model.withData(data.rows, data.items, data.userGroups);
}
