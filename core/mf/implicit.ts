/**
 * Implicit-feedback MF for ranking. Events are turned into one confidence per (user, item)
 * pair (sum of configurable event weights). Two objectives, both on typed arrays:
 *  - hybrid BPR (default): item vector = free vector + mean of its attribute/category
 *    embeddings (LightFM-style), so items with few events borrow from their attributes and a
 *    new item with known attributes gets a vector; positives are sampled ∝ confidence.
 *  - weighted ALS (Hu, Koren & Volinsky 2008): confidence 1 + α·w, no attributes.
 * A popularity baseline ranks items by distinct users.
 */
import { IdMap } from './ids';
import { TrainRng } from './rng';
import { cholesky, forwardSolve, backSolve } from './linalg';
import type { EventKind } from './data';

export type EventWeights = Record<EventKind, number>;

/** view < click < cart = fav < buy; a rating counts by its value (≥4 strong, 3 weak, ≤2 barely). */
export const DEFAULT_WEIGHTS: EventWeights = { view: 1, click: 2, cart: 4, fav: 4, buy: 8, rate: 4 };

export function eventWeight(w: EventWeights, event: EventKind, value: number): number {
  if (event === 'rate') return value >= 4 ? w.rate * (value - 2.5) / 1.5 : value >= 3 ? w.rate * 0.25 : 0.1;
  return w[event] ?? 1;
}

/** (user, item) pairs with summed confidence; the input to both implicit trainers. */
export interface Pairs {
  users: IdMap;
  items: IdMap;
  u: Int32Array;
  i: Int32Array;
  c: Float64Array;
}

export function toPairs(rows: Array<{ user: string; item: string; event: EventKind; value: number }>, weights: EventWeights = DEFAULT_WEIGHTS, users = new IdMap(), items = new IdMap()): Pairs {
  const conf = new Map<number, Map<number, number>>();
  for (const r of rows) {
    const u = users.add(r.user);
    const i = items.add(r.item);
    let m = conf.get(u);
    if (!m) conf.set(u, (m = new Map()));
    m.set(i, (m.get(i) ?? 0) + eventWeight(weights, r.event, r.value));
  }
  const U: number[] = [];
  const I: number[] = [];
  const C: number[] = [];
  for (const [u, m] of conf) for (const [i, c] of m) {
    U.push(u);
    I.push(i);
    C.push(c);
  }
  return { users, items, u: Int32Array.from(U), i: Int32Array.from(I), c: Float64Array.from(C) };
}

/** Item → feature indices (attribute values `key#value`, `category#c`), CSR. */
export interface ItemFeatures {
  names: IdMap;
  start: Int32Array;
  feat: Int32Array;
}

export function itemFeatures(items: IdMap, meta: Map<string, { category?: string; attributes: Array<[string, string]> }>, names = new IdMap()): ItemFeatures {
  const start = new Int32Array(items.size + 1);
  const feat: number[] = [];
  for (let i = 0; i < items.size; i++) {
    const m = meta.get(items.ids[i]);
    const fs = new Set<number>();
    if (m?.category) fs.add(names.add(`category#${m.category}`));
    for (const [k, v] of m?.attributes ?? []) fs.add(names.add(`${k}#${v}`));
    for (const f of fs) feat.push(f);
    start[i + 1] = feat.length;
  }
  return { names, start, feat: Int32Array.from(feat) };
}

export interface ImplicitOptions {
  algorithm: 'bpr' | 'wals';
  factors: number;
  epochs: number;
  lr: number;
  reg: number;
  regFeature: number;
  regBias: number;
  /** Confidence compression: sample positives ∝ log(1 + c) (true) or ∝ c. */
  logConfidence: boolean;
  /** WALS: confidence = 1 + alpha·w. */
  alpha: number;
  /** BPR: use item attributes/categories. */
  useFeatures: boolean;
  /** BPR: give each item its own free vector besides its attribute embeddings (off: items are their attributes). */
  freeItemVectors: boolean;
  seed: number;
  initStd: number;
}

export const IMPLICIT_DEFAULTS: ImplicitOptions = {
  algorithm: 'bpr',
  factors: 32,
  epochs: 30,
  lr: 0.05,
  reg: 0.002,
  regFeature: 0.0005,
  regBias: 0.002,
  logConfidence: true,
  alpha: 10,
  useFeatures: true,
  freeItemVectors: true,
  seed: 42,
  initStd: 0.05,
};

/** A trained implicit model: score(u, i) = p_u · v_i + b_i, v_i = q_i + mean(e_f), b_i = c_i + mean(d_f). */
export interface ImplicitModel {
  kind: 'implicit';
  users: IdMap;
  items: IdMap;
  factors: number;
  P: Float64Array;
  Q: Float64Array;
  bi: Float64Array;
  features: ItemFeatures | undefined;
  /** Feature embeddings (features.names.size × K) and biases. */
  E: Float64Array;
  d: Float64Array;
}

export interface ImplicitEpoch {
  epoch: number;
  loss: number;
}

/** The effective item vectors and biases (free part + attribute part). */
export function itemVectors(m: ImplicitModel): { V: Float64Array; b: Float64Array } {
  const K = m.factors;
  const n = m.items.size;
  const V = m.Q.slice(0, n * K);
  const b = m.bi.slice(0, n);
  const F = m.features;
  if (F) for (let i = 0; i < n; i++) {
    const s0 = F.start[i];
    const s1 = F.start[i + 1];
    if (s1 === s0) continue;
    const w = 1 / (s1 - s0);
    for (let t = s0; t < s1; t++) {
      const f = F.feat[t];
      for (let k = 0; k < K; k++) V[i * K + k] += w * m.E[f * K + k];
      b[i] += w * m.d[f];
    }
  }
  return { V, b };
}

export function trainImplicit(pairs: Pairs, features: ItemFeatures | undefined, opts: Partial<ImplicitOptions> = {}, onEpoch?: (e: ImplicitEpoch) => void): ImplicitModel {
  const o = { ...IMPLICIT_DEFAULTS, ...opts };
  return o.algorithm === 'wals' ? trainWals(pairs, o, onEpoch) : trainBpr(pairs, o.useFeatures ? features : undefined, o, onEpoch);
}

function trainBpr(pairs: Pairs, F: ItemFeatures | undefined, o: ImplicitOptions, onEpoch?: (e: ImplicitEpoch) => void): ImplicitModel {
  const K = o.factors;
  const nU = pairs.users.size;
  const nI = pairs.items.size;
  const nF = F ? F.names.size : 0;
  const rng = new TrainRng(o.seed);
  const P = new Float64Array(nU * K).map(() => rng.normal() * o.initStd);
  const free = o.freeItemVectors || !F;
  const Q = new Float64Array(nI * K).map(() => (free ? rng.normal() * o.initStd : 0));
  const E = new Float64Array(nF * K).map(() => rng.normal() * o.initStd);
  const bi = new Float64Array(nI);
  const d = new Float64Array(nF);
  const n = pairs.c.length;
  // positives sampled ∝ confidence (alias-free: cumulative table + binary search)
  const cum = new Float64Array(n);
  let total = 0;
  for (let t = 0; t < n; t++) {
    total += o.logConfidence ? Math.log1p(pairs.c[t]) : pairs.c[t];
    cum[t] = total;
  }
  const seen = new Set<number>();
  for (let t = 0; t < n; t++) seen.add(pairs.u[t] * nI + pairs.i[t]);
  const vi = new Float64Array(K);
  const vj = new Float64Array(K);
  const gu = new Float64Array(K);
  const itemVec = (i: number, out: Float64Array): number => {
    let b = bi[i];
    for (let k = 0; k < K; k++) out[k] = Q[i * K + k];
    if (F) {
      const s0 = F.start[i];
      const s1 = F.start[i + 1];
      if (s1 > s0) {
        const w = 1 / (s1 - s0);
        for (let t = s0; t < s1; t++) {
          const f = F.feat[t];
          for (let k = 0; k < K; k++) out[k] += w * E[f * K + k];
          b += w * d[f];
        }
      }
    }
    return b;
  };
  const step = (i: number, g: number, pu: number, lr: number): void => {
    // g: +σ for the positive, −σ for the negative
    bi[i] += lr * (g - o.regBias * bi[i]);
    if (free) for (let k = 0; k < K; k++) Q[i * K + k] += lr * (g * P[pu + k] - o.reg * Q[i * K + k]);
    if (F) {
      const s0 = F.start[i];
      const s1 = F.start[i + 1];
      if (s1 > s0) {
        const w = 1 / (s1 - s0);
        for (let t = s0; t < s1; t++) {
          const f = F.feat[t];
          d[f] += lr * (w * g - o.regBias * d[f]);
          for (let k = 0; k < K; k++) E[f * K + k] += lr * (w * g * P[pu + k] - o.regFeature * E[f * K + k]);
        }
      }
    }
  };
  for (let ep = 1; ep <= o.epochs; ep++) {
    const lr = o.lr / (1 + 0.05 * (ep - 1));
    let loss = 0;
    for (let s = 0; s < n; s++) {
      // positive ∝ confidence
      const x = rng.next() * total;
      let lo = 0;
      let hi = n - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cum[mid] < x) lo = mid + 1;
        else hi = mid;
      }
      const u = pairs.u[lo];
      const i = pairs.i[lo];
      let j = rng.int(nI);
      for (let tries = 0; tries < 20 && seen.has(u * nI + j); tries++) j = rng.int(nI);
      const bI = itemVec(i, vi);
      const bJ = itemVec(j, vj);
      const pu = u * K;
      let xij = bI - bJ;
      for (let k = 0; k < K; k++) xij += P[pu + k] * (vi[k] - vj[k]);
      const sig = 1 / (1 + Math.exp(xij));
      loss += xij > 0 ? Math.log1p(Math.exp(-xij)) : -xij + Math.log1p(Math.exp(xij));
      for (let k = 0; k < K; k++) gu[k] = sig * (vi[k] - vj[k]) - o.reg * P[pu + k];
      step(i, sig, pu, lr);
      step(j, -sig, pu, lr);
      for (let k = 0; k < K; k++) P[pu + k] += lr * gu[k];
    }
    onEpoch?.({ epoch: ep, loss: loss / Math.max(1, n) });
  }
  return { kind: 'implicit', users: pairs.users, items: pairs.items, factors: K, P, Q, bi, features: F, E, d };
}

/** Weighted ALS with the Gramian trick: each row solves (YᵀY + Yᵀ(C−I)Y + λI) x = YᵀC p. */
function trainWals(pairs: Pairs, o: ImplicitOptions, onEpoch?: (e: ImplicitEpoch) => void): ImplicitModel {
  const K = o.factors;
  const nU = pairs.users.size;
  const nI = pairs.items.size;
  const rng = new TrainRng(o.seed);
  const P = new Float64Array(nU * K).map(() => rng.normal() * o.initStd);
  const Q = new Float64Array(nI * K).map(() => rng.normal() * o.initStd);
  const lambda = o.reg * 100;
  const byU = group(nU, pairs.u, pairs.i, pairs.c);
  const byI = group(nI, pairs.i, pairs.u, pairs.c);
  const A = new Float64Array(K * K);
  const b = new Float64Array(K);
  const G = new Float64Array(K * K);
  const solveSide = (X: Float64Array, nx: number, Y: Float64Array, ny: number, g: ReturnType<typeof group>): void => {
    G.fill(0);
    for (let a = 0; a < ny; a++) for (let i = 0; i < K; i++) for (let j = 0; j <= i; j++) G[i * K + j] += Y[a * K + i] * Y[a * K + j];
    for (let a = 0; a < nx; a++) {
      A.set(G);
      b.fill(0);
      for (let k = 0; k < K; k++) A[k * K + k] += lambda;
      for (let t = g.start[a]; t < g.start[a + 1]; t++) {
        const y = g.other[t] * K;
        const c = 1 + o.alpha * (o.logConfidence ? Math.log1p(g.c[t]) : g.c[t]);
        for (let i = 0; i < K; i++) {
          b[i] += c * Y[y + i];
          for (let j = 0; j <= i; j++) A[i * K + j] += (c - 1) * Y[y + i] * Y[y + j];
        }
      }
      cholesky(A, K);
      backSolve(A, K, forwardSolve(A, K, b));
      X.set(b, a * K);
    }
  };
  for (let ep = 1; ep <= o.epochs; ep++) {
    solveSide(P, nU, Q, nI, byU);
    solveSide(Q, nI, P, nU, byI);
    onEpoch?.({ epoch: ep, loss: NaN });
  }
  return { kind: 'implicit', users: pairs.users, items: pairs.items, factors: K, P, Q, bi: new Float64Array(nI), features: undefined, E: new Float64Array(0), d: new Float64Array(0) };
}

function group(n: number, rows: Int32Array, cols: Int32Array, c: Float64Array): { start: Int32Array; other: Int32Array; c: Float64Array } {
  const start = new Int32Array(n + 1);
  for (let k = 0; k < rows.length; k++) start[rows[k] + 1]++;
  for (let a = 0; a < n; a++) start[a + 1] += start[a];
  const fill = start.slice(0, n);
  const other = new Int32Array(rows.length);
  const cc = new Float64Array(rows.length);
  for (let k = 0; k < rows.length; k++) {
    const at = fill[rows[k]]++;
    other[at] = cols[k];
    cc[at] = c[k];
  }
  return { start, other, c: cc };
}

/** Distinct users per item (the popularity baseline and the cold-start prior). */
export function popularity(pairs: Pairs): Float64Array {
  const p = new Float64Array(pairs.items.size);
  for (let t = 0; t < pairs.i.length; t++) p[pairs.i[t]] += 1;
  return p;
}
