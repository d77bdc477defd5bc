/**
 * Training and evaluation entry points shared by the CLI, the bench and the notebooks:
 * interactions in, a PreferenceModel (or metrics) out.
 */
import { InteractionData, Interaction, ItemMeta } from './data';
import { toRatings, trainExplicit, ExplicitModel, ExplicitOptions } from './explicit';
import { trainBayes, BayesOptions } from './bayes';
import { toPairs, trainImplicit, itemFeatures, DEFAULT_WEIGHTS, EventWeights, ImplicitOptions, popularity } from './implicit';
import { PreferenceModel, ModelInfo } from './model';
import { mae, rmse, RankingMetrics } from './metrics';
import { evaluateRanking } from './rank';
import { leaveLast } from './split';
import { DataError } from '../data/errors';

export type ExplicitAlgorithm = 'bayes' | 'sgd';
export type ImplicitAlgorithm = 'bpr' | 'wals';

export interface TrainOptions {
  implicit?: boolean;
  algorithm?: ExplicitAlgorithm | ImplicitAlgorithm;
  factors?: number;
  /** Epochs (SGD, BPR, ALS) or Gibbs sweeps (bayes). */
  epochs?: number;
  seed?: number;
  weights?: Partial<EventWeights>;
  /** Implicit: weight of the user's own attribute/category history in ranking (see ModelParts.affinity). */
  affinity?: number;
  /** Extra trainer options (lr, reg…). */
  extra?: Record<string, unknown>;
  onEpoch?: (epoch: number, total: number, loss: number) => void;
}

/** Defaults chosen on a validation split of u1.base (explicit) and of the Taobao train part (implicit); see the model card. */
export const EXPLICIT_ALGORITHM_DEFAULTS = { bayes: { factors: 8, epochs: 120 }, sgd: { factors: 50, epochs: 60 } } as const;
export const IMPLICIT_ALGORITHM_DEFAULTS = { bpr: { factors: 32, epochs: 30 }, wals: { factors: 32, epochs: 10 } } as const;

/** Default history-affinity weight γ for implicit models (chosen on the Taobao inner validation split; model card). */
export const HISTORY_AFFINITY = Number(process.env.COPYDESK_MF_AFFINITY ?? 1);

export function epochsFor(o: TrainOptions): number {
  if (o.epochs) return o.epochs;
  return o.implicit ? IMPLICIT_ALGORITHM_DEFAULTS[(o.algorithm as ImplicitAlgorithm) ?? 'bpr'].epochs : EXPLICIT_ALGORITHM_DEFAULTS[(o.algorithm as ExplicitAlgorithm) ?? 'bayes'].epochs;
}

function ratingRows(rows: Interaction[], file: string): Interaction[] {
  const r = rows.filter((x) => x.event === 'rate');
  if (r.length === 0) throw new DataError(file, undefined, 'event', 'no ratings to train an explicit model on (use --implicit for behaviour events)');
  return r;
}

/** Trains the explicit or implicit model on loaded interactions. */
export function trainModel(data: InteractionData, o: TrainOptions = {}): PreferenceModel {
  if (data.rows.length === 0) throw new DataError(data.file, undefined, undefined, 'no interactions to train on');
  const t0 = Date.now();
  const epochs = epochsFor(o);
  const seed = o.seed ?? 42;
  if (!o.implicit) {
    const algorithm = (o.algorithm as ExplicitAlgorithm) ?? 'bayes';
    if (algorithm !== 'bayes' && algorithm !== 'sgd') throw new DataError(data.file, undefined, undefined, `unknown explicit algorithm "${algorithm}" (bayes or sgd)`);
    const rows = ratingRows(data.rows, data.file);
    const ratings = toRatings(rows);
    const factors = o.factors ?? EXPLICIT_ALGORITHM_DEFAULTS[algorithm].factors;
    let model: ExplicitModel;
    let options: Record<string, unknown>;
    if (algorithm === 'bayes') {
      options = { factors, sweeps: epochs, burnIn: Math.min(5, Math.max(0, epochs - 1)), seed, ...o.extra } satisfies Partial<BayesOptions>;
      model = trainBayes(ratings, options, (s) => o.onEpoch?.(s.sweep, epochs, s.loss));
    } else {
      options = { factors, epochs, seed, ...o.extra } satisfies Partial<ExplicitOptions>;
      model = trainExplicit(ratings, options, (e) => o.onEpoch?.(e.epoch, epochs, e.validRmse ?? e.loss)).model;
    }
    const info: ModelInfo = { format: data.format, data: data.file, algorithm, options, trainSeconds: (Date.now() - t0) / 1000, trainedAt: new Date().toISOString() };
    return PreferenceModel.fromExplicit(model, { rows: data.rows, items: data.items, userGroups: data.userGroups, info });
  }
  const algorithm = (o.algorithm as ImplicitAlgorithm) ?? 'bpr';
  if (algorithm !== 'bpr' && algorithm !== 'wals') throw new DataError(data.file, undefined, undefined, `unknown implicit algorithm "${algorithm}" (bpr or wals)`);
  const weights = { ...DEFAULT_WEIGHTS, ...o.weights };
  const pairs = toPairs(data.rows, weights);
  const feats = itemFeatures(pairs.items, data.items);
  const options = { algorithm, factors: o.factors ?? IMPLICIT_ALGORITHM_DEFAULTS[algorithm].factors, epochs, seed, ...o.extra } satisfies Partial<ImplicitOptions>;
  const m = trainImplicit(pairs, feats, options, (e) => o.onEpoch?.(e.epoch, epochs, e.loss));
  const affinity = o.affinity ?? HISTORY_AFFINITY;
  const info: ModelInfo = { format: data.format, data: data.file, algorithm, options: { ...options, weights, affinity }, trainSeconds: (Date.now() - t0) / 1000, trainedAt: new Date().toISOString() };
  return PreferenceModel.fromImplicit(m, { rows: data.rows, items: data.items, userGroups: data.userGroups, weights, affinity, info });
}

export interface ExplicitEval {
  rmse: number;
  mae: number;
  n: number;
  train_seconds: number;
  predictions: Array<[string, string, number]>;
}

/** Trains on `train` ratings and predicts every `test` rating (unknown users/items fall back to biases). */
export function evalExplicit(train: InteractionData, test: InteractionData, o: TrainOptions = {}): ExplicitEval & { model: PreferenceModel } {
  const t0 = process.hrtime.bigint();
  const model = trainModel(train, { ...o, implicit: false });
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const rows = ratingRows(test.rows, test.file);
  const truth = rows.map((r) => r.value);
  const pred = rows.map((r) => model.score(r.user, r.item));
  return { rmse: rmse(truth, pred), mae: mae(truth, pred), n: rows.length, train_seconds: secs, predictions: rows.map((r, k) => [r.user, r.item, pred[k]]), model };
}

export interface RankingEval extends RankingMetrics {
  train_seconds: number;
  baseline: { name: 'popularity' } & RankingMetrics;
  top: Map<string, string[]>;
}

/** Relevant test items per user: every test event, except ratings below `minRating`. */
export function relevantSets(rows: Interaction[], minRating = 4): Map<string, Set<string>> {
  const m = new Map<string, Set<string>>();
  for (const r of rows) {
    if (r.event === 'rate' && r.value < minRating) continue;
    const s = m.get(r.user) ?? new Set<string>();
    s.add(r.item);
    m.set(r.user, s);
  }
  return m;
}

/** Trains an implicit model on `train` and ranks, for each test user, all train items they have not touched. */
export function evalRanking(train: InteractionData, test: Map<string, Set<string>>, o: TrainOptions = {}): RankingEval & { model: PreferenceModel } {
  const t0 = process.hrtime.bigint();
  const model = trainModel(train, { ...o, implicit: true });
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const byUser = new Map<string, Set<string>>();
  for (const r of train.rows) {
    const s = byUser.get(r.user) ?? new Set<string>();
    s.add(r.item);
    byUser.set(r.user, s);
  }
  const res = evaluateRanking({ items: model.items.ids, scoreAll: (u) => model.scoreAll(u) }, byUser, test);
  const pairs = toPairs(train.rows);
  const pop = popularity(pairs);
  const base = evaluateRanking({ items: pairs.items.ids, scoreAll: () => pop }, byUser, test);
  return { ...res.metrics, train_seconds: secs, baseline: { name: 'popularity', ...base.metrics }, top: res.top, model };
}

/** Leave-last split (see split.ts) and ranking evaluation in one step. */
export function evalLeaveLast(data: InteractionData, o: TrainOptions = {}): RankingEval & { model: PreferenceModel; split: { users: number; trainRows: number } } {
  const { train, test } = leaveLast(data.rows);
  if (test.size === 0) throw new DataError(data.file, undefined, 'event', 'no user has a cart or buy event to hold out (leave-last needs one)');
  const res = evalRanking({ ...data, rows: train }, new Map([...test].map(([u, i]) => [u, new Set([i])])), o);
  return { ...res, split: { users: test.size, trainRows: train.length } };
}

export type { ItemMeta };
