/**
 * Explicit-rating matrix factorization: r̂_ui = μ + b_u + b_i + p_u·q_i, trained by SGD
 * on plain typed arrays (for ml-100k-sized data this is far faster than tensors; see the
 * model card), with L2 regularization, learning-rate decay, early stopping on a
 * validation split carved from the training ratings, and a seed.
 */
import { IdMap } from './ids';
import { TrainRng, normalArray } from './rng';

export interface Ratings {
  users: IdMap;
  items: IdMap;
  u: Int32Array;
  i: Int32Array;
  r: Float64Array;
}

export function toRatings(rows: Array<{ user: string; item: string; value: number }>, users = new IdMap(), items = new IdMap()): Ratings {
  const n = rows.length;
  const u = new Int32Array(n);
  const i = new Int32Array(n);
  const r = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    u[k] = users.add(rows[k].user);
    i[k] = items.add(rows[k].item);
    r[k] = rows[k].value;
  }
  return { users, items, u, i, r };
}

export function subset(data: Ratings, idx: ArrayLike<number>): Ratings {
  const n = idx.length;
  const u = new Int32Array(n);
  const i = new Int32Array(n);
  const r = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    u[k] = data.u[idx[k]];
    i[k] = data.i[idx[k]];
    r[k] = data.r[idx[k]];
  }
  return { users: data.users, items: data.items, u, i, r };
}

/** Randomly carves `fraction` of the ratings out as a validation split. */
export function splitValidation(data: Ratings, fraction: number, seed: number): { train: Ratings; valid: Ratings } {
  const rng = new TrainRng(seed ^ 0x5bd1e995);
  const order = rng.shuffle(Int32Array.from({ length: data.r.length }, (_, k) => k));
  const nv = Math.round(data.r.length * fraction);
  return { valid: subset(data, order.subarray(0, nv)), train: subset(data, order.subarray(nv)) };
}

export interface ExplicitOptions {
  factors: number;
  epochs: number;
  lr: number;
  lrBias: number;
  reg: number;
  regBias: number;
  /** Multiplies the learning rates after each epoch. */
  decay: number;
  initStd: number;
  seed: number;
  /** Fraction of the training ratings held out for early stopping (0: none). */
  validFraction: number;
  /** Epochs without validation improvement before stopping. */
  patience: number;
  /** After early stopping, retrain on all training ratings for the best epoch count. */
  refit: boolean;
  minRating: number;
  maxRating: number;
}

export const EXPLICIT_DEFAULTS: ExplicitOptions = {
  factors: 100,
  epochs: 60,
  lr: 0.007,
  lrBias: 0.007,
  reg: 0.06,
  regBias: 0.01,
  decay: 0.97,
  initStd: 0.05,
  seed: 42,
  validFraction: 0.05,
  patience: 3,
  refit: true,
  minRating: 1,
  maxRating: 5,
};

export interface ExplicitModel {
  kind: 'explicit';
  users: IdMap;
  items: IdMap;
  factors: number;
  mu: number;
  bu: Float64Array;
  bi: Float64Array;
  P: Float64Array;
  Q: Float64Array;
  minRating: number;
  maxRating: number;
}

export interface EpochInfo {
  epoch: number;
  /** Training RMSE over the epoch (measured during the pass). */
  loss: number;
  validRmse?: number;
}

function sgd(data: Ratings, nUsers: number, nItems: number, o: ExplicitOptions, epochs: number, valid: Ratings | undefined, onEpoch?: (e: EpochInfo) => void): { model: ExplicitModel; bestEpoch: number; history: EpochInfo[] } {
  const K = o.factors;
  const rng = new TrainRng(o.seed);
  const P = normalArray(rng, nUsers * K, o.initStd);
  const Q = normalArray(rng, nItems * K, o.initStd);
  const bu = new Float64Array(nUsers);
  const bi = new Float64Array(nItems);
  const n = data.r.length;
  let mu = 0;
  for (let k = 0; k < n; k++) mu += data.r[k];
  mu /= Math.max(1, n);
  const U = data.u;
  const I = data.i;
  const R = data.r;
  const order = Int32Array.from({ length: n }, (_, k) => k);
  let lr = o.lr;
  let lrb = o.lrBias;
  const reg = o.reg;
  const regb = o.regBias;
  const model: ExplicitModel = { kind: 'explicit', users: data.users, items: data.items, factors: K, mu, bu, bi, P, Q, minRating: o.minRating, maxRating: o.maxRating };
  const history: EpochInfo[] = [];
  let best = Infinity;
  let bestEpoch = epochs;
  let bestState: { P: Float64Array; Q: Float64Array; bu: Float64Array; bi: Float64Array } | undefined;
  let sinceBest = 0;
  for (let ep = 1; ep <= epochs; ep++) {
    rng.shuffle(order);
    let sse = 0;
    for (let s = 0; s < n; s++) {
      const idx = order[s];
      const u = U[idx];
      const i = I[idx];
      const pu = u * K;
      const qi = i * K;
      let dot = 0;
      for (let k = 0; k < K; k++) dot += P[pu + k] * Q[qi + k];
      const e = R[idx] - (mu + bu[u] + bi[i] + dot);
      sse += e * e;
      bu[u] += lrb * (e - regb * bu[u]);
      bi[i] += lrb * (e - regb * bi[i]);
      for (let k = 0; k < K; k++) {
        const p = P[pu + k];
        const q = Q[qi + k];
        P[pu + k] = p + lr * (e * q - reg * p);
        Q[qi + k] = q + lr * (e * p - reg * q);
      }
    }
    lr *= o.decay;
    lrb *= o.decay;
    const info: EpochInfo = { epoch: ep, loss: Math.sqrt(sse / Math.max(1, n)) };
    if (valid) {
      info.validRmse = rmseOn(model, valid);
      if (info.validRmse < best - 1e-5) {
        best = info.validRmse;
        bestEpoch = ep;
        sinceBest = 0;
        bestState = { P: P.slice(), Q: Q.slice(), bu: bu.slice(), bi: bi.slice() };
      } else if (++sinceBest >= o.patience) {
        history.push(info);
        onEpoch?.(info);
        break;
      }
    }
    history.push(info);
    onEpoch?.(info);
  }
  if (bestState) Object.assign(model, bestState);
  return { model, bestEpoch, history };
}

/** Trains with early stopping on a validation split, then (by default) refits on all the data for the best epoch count. */
export function trainExplicit(data: Ratings, opts: Partial<ExplicitOptions> = {}, onEpoch?: (e: EpochInfo) => void): { model: ExplicitModel; bestEpoch: number; history: EpochInfo[] } {
  const o = { ...EXPLICIT_DEFAULTS, ...opts };
  const nU = data.users.size;
  const nI = data.items.size;
  if (o.validFraction <= 0) return sgd(data, nU, nI, o, o.epochs, undefined, onEpoch);
  const { train, valid } = splitValidation(data, o.validFraction, o.seed);
  const first = sgd(train, nU, nI, o, o.epochs, valid, onEpoch);
  if (!o.refit) return first;
  const full = sgd(data, nU, nI, o, first.bestEpoch, undefined);
  return { model: full.model, bestEpoch: first.bestEpoch, history: first.history };
}

/** Prediction for known or unknown users/items (unknown → the biases we have), clipped to the rating scale. */
export function predictIdx(m: ExplicitModel, u: number, i: number): number {
  let p = m.mu;
  if (u >= 0) p += m.bu[u];
  if (i >= 0) p += m.bi[i];
  if (u >= 0 && i >= 0) {
    const K = m.factors;
    const pu = u * K;
    const qi = i * K;
    for (let k = 0; k < K; k++) p += m.P[pu + k] * m.Q[qi + k];
  }
  return p < m.minRating ? m.minRating : p > m.maxRating ? m.maxRating : p;
}

export function predict(m: ExplicitModel, user: string, item: string): number {
  return predictIdx(m, m.users.get(user), m.items.get(item));
}

/** RMSE on ratings indexed with the model's own id maps. */
export function rmseOn(m: ExplicitModel, data: Ratings): number {
  let sse = 0;
  for (let k = 0; k < data.r.length; k++) {
    const e = data.r[k] - predictIdx(m, data.u[k], data.i[k]);
    sse += e * e;
  }
  return Math.sqrt(sse / Math.max(1, data.r.length));
}
