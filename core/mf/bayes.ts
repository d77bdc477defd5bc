/**
 * Bayesian biased MF (BPMF, Salakhutdinov & Mnih 2008, with user/item biases) by Gibbs
 * sampling on typed arrays: r_ui ~ N(μ + b_u + b_i + p_u·q_i, 1/α), Normal–Wishart
 * hyperpriors on the factor distributions, Gamma priors on the bias and noise precisions.
 * Predictions average the post-burn-in samples; the average of S dot products is itself a
 * dot product of the S samples side by side, so the result is an ordinary ExplicitModel
 * with S·K factors (scaled by 1/√S).
 */
import { ExplicitModel, Ratings, predictIdx } from './explicit';
import { cholesky, backSolve, spdInverse } from './linalg';
import { TrainRng } from './rng';
import { rowSamplerSource, makeRowSampler, sseKernel } from './bayes-kernels';

export interface BayesOptions {
  factors: number;
  /** Gibbs sweeps in all, including burn-in. */
  sweeps: number;
  burnIn: number;
  /** Keep every `thin`-th sample after burn-in. */
  thin: number;
  seed: number;
  minRating: number;
  maxRating: number;
  /**
   * 1 or 2: with 2, a worker thread samples half the users and half the items (rows split by
   * rating count; each thread has its own seeded stream, so results are reproducible for a
   * given thread count). Default: 2 when the machine has ≥ 2 cores.
   */
  threads?: number;
}

export const BAYES_DEFAULTS: BayesOptions = { factors: 10, sweeps: 60, burnIn: 10, thin: 1, seed: 42, minRating: 1, maxRating: 5 };

interface Csr {
  start: Int32Array;
  other: Int32Array;
  r: Float64Array;
}

function csr(n: number, rows: Int32Array, cols: Int32Array, r: Float64Array): Csr {
  const start = new Int32Array(n + 1);
  for (let k = 0; k < rows.length; k++) start[rows[k] + 1]++;
  for (let a = 0; a < n; a++) start[a + 1] += start[a];
  const fill = start.slice(0, n);
  const other = new Int32Array(rows.length);
  const rr = new Float64Array(rows.length);
  for (let k = 0; k < rows.length; k++) {
    const at = fill[rows[k]]++;
    other[at] = cols[k];
    rr[at] = r[k];
  }
  return { start, other, r: rr };
}

/** Samples (μ_Θ, Λ_Θ) from the Normal–Wishart posterior given the current vectors X (n×K). */
function sampleHyper(rng: TrainRng, X: Float64Array, n: number, K: number, muOut: Float64Array, lamOut: Float64Array): void {
  const beta0 = 2;
  const nu0 = K;
  const mean = new Float64Array(K);
  for (let a = 0; a < n; a++) for (let k = 0; k < K; k++) mean[k] += X[a * K + k];
  for (let k = 0; k < K; k++) mean[k] /= Math.max(1, n);
  // W*⁻¹ = W0⁻¹ (= I) + N S̄ + β0 N/(β0+N) (μ0−x̄)(μ0−x̄)ᵀ, μ0 = 0
  const Winv = new Float64Array(K * K);
  for (let k = 0; k < K; k++) Winv[k * K + k] = 1;
  for (let a = 0; a < n; a++) {
    const o = a * K;
    for (let i = 0; i < K; i++) {
      const di = X[o + i] - mean[i];
      for (let j = 0; j <= i; j++) Winv[i * K + j] += di * (X[o + j] - mean[j]);
    }
  }
  const c = (beta0 * n) / (beta0 + n);
  for (let i = 0; i < K; i++) for (let j = 0; j <= i; j++) Winv[i * K + j] += c * mean[i] * mean[j];
  for (let i = 0; i < K; i++) for (let j = i + 1; j < K; j++) Winv[i * K + j] = Winv[j * K + i];
  const W = spdInverse(Winv, K);
  const nu = nu0 + n;
  // Wishart(W, ν) by Bartlett: Λ = L A Aᵀ Lᵀ
  const L = cholesky(W, K);
  const A = new Float64Array(K * K);
  for (let i = 0; i < K; i++) {
    A[i * K + i] = Math.sqrt(2 * rng.gamma((nu - i) / 2));
    for (let j = 0; j < i; j++) A[i * K + j] = rng.normal();
  }
  const LA = new Float64Array(K * K);
  for (let i = 0; i < K; i++) for (let j = 0; j < K; j++) {
    let s = 0;
    for (let k = 0; k <= i; k++) s += L[i * K + k] * A[k * K + j];
    LA[i * K + j] = s;
  }
  for (let i = 0; i < K; i++) for (let j = 0; j < K; j++) {
    let s = 0;
    for (let k = 0; k < K; k++) s += LA[i * K + k] * LA[j * K + k];
    lamOut[i * K + j] = s;
  }
  // μ ~ N(μ*, (β* Λ)⁻¹), μ* = N x̄ / (β0 + N)
  const betaStar = beta0 + n;
  const Lc = cholesky(lamOut.slice(), K);
  const z = new Float64Array(K);
  for (let k = 0; k < K; k++) z[k] = rng.normal() / Math.sqrt(betaStar);
  backSolve(Lc, K, z);
  for (let k = 0; k < K; k++) muOut[k] = (n * mean[k]) / betaStar + z[k];
}

/** Λμ for a hyperprior (the prior's contribution to each row's linear term). */
function lambdaMu(hmu: Float64Array, hlam: Float64Array, K: number): Float64Array {
  const lmu = new Float64Array(K);
  for (let i = 0; i < K; i++) {
    let s = 0;
    for (let j = 0; j < K; j++) s += hlam[i * K + j] * hmu[j];
    lmu[i] = s;
  }
  return lmu;
}

export interface SweepInfo {
  sweep: number;
  /** Training RMSE of the current sample. */
  loss: number;
  samples: number;
}

/** Float64/Int32 arrays on shared memory, so a worker thread can sample half the rows in place. */
function sharedF64(src: ArrayLike<number> | number): Float64Array {
  const n = typeof src === 'number' ? src : src.length;
  const a = new Float64Array(new SharedArrayBuffer(8 * Math.max(1, n)), 0, n);
  if (typeof src !== 'number') a.set(src);
  return a;
}
function sharedI32(src: ArrayLike<number>): Int32Array {
  const a = new Int32Array(new SharedArrayBuffer(4 * Math.max(1, src.length)), 0, src.length);
  a.set(src);
  return a;
}
function sharedCsr(m: Csr): Csr {
  return { start: sharedI32(m.start), other: sharedI32(m.other), r: sharedF64(m.r) };
}

/** The worker: waits for "sample side S, rows [a0, a1)", samples them in shared memory, reports done. */
const WORKER_SOURCE = `
const { workerData } = require('worker_threads');
const w = workerData;
const sample = new Function(w.src)()(w.seed);
const ctrl = w.ctrl, par = w.par, K = w.K;
let seen = 0;
for (;;) {
  Atomics.wait(ctrl, 0, seen);
  seen = Atomics.load(ctrl, 0);
  const side = ctrl[2];
  if (side < 0) break;
  const lmu = par.subarray(3, 3 + K), hlam = par.subarray(3 + K, 3 + K + K * K);
  if (side === 0) sample(w.u0, w.u1, w.byUser.start, w.byUser.other, w.byUser.r, w.P, w.bu, w.Q, w.bi, par[0], par[1], par[2], lmu, hlam);
  else sample(w.i0, w.i1, w.byItem.start, w.byItem.other, w.byItem.r, w.Q, w.bi, w.P, w.bu, par[0], par[1], par[2], lmu, hlam);
  Atomics.add(ctrl, 1, 1);
  Atomics.notify(ctrl, 1);
}
`;

/** Index splitting the rows of a CSR into two parts with about equal ratings. */
function halfByRatings(m: Csr, n: number): number {
  const total = m.start[n];
  let a = 0;
  while (a < n && m.start[a] < total / 2) a++;
  return a;
}

export function trainBayes(data: Ratings, opts: Partial<BayesOptions> = {}, onSweep?: (s: SweepInfo) => void): ExplicitModel {
  const o = { ...BAYES_DEFAULTS, ...opts };
  const K = o.factors;
  const nU = data.users.size;
  const nI = data.items.size;
  const rng = new TrainRng(o.seed);
  const N = data.r.length;
  let mu = 0;
  for (let k = 0; k < N; k++) mu += data.r[k];
  mu /= Math.max(1, N);
  const threads = Math.max(1, Math.min(2, o.threads ?? defaultThreads()));
  const byUser = sharedCsr(csr(nU, data.u, data.i, data.r));
  const byItem = sharedCsr(csr(nI, data.i, data.u, data.r));
  const sseOf = sseKernel(K);
  const P = sharedF64(Float64Array.from({ length: nU * K }, () => rng.normal() * 0.1));
  const Q = sharedF64(Float64Array.from({ length: nI * K }, () => rng.normal() * 0.1));
  const bu = sharedF64(nU);
  const bi = sharedF64(nI);
  const muU = new Float64Array(K);
  const muI = new Float64Array(K);
  const lamU = new Float64Array(K * K);
  const lamI = new Float64Array(K * K);
  for (let k = 0; k < K; k++) lamU[k * K + k] = lamI[k * K + k] = 1;
  let alpha = 2;
  let lamBu = 1;
  let lamBi = 1;
  const sampleRows = makeRowSampler(K, (o.seed * 2654435761) >>> 0);
  // rows [0, uSplit) and [0, iSplit) on this thread, the rest in the worker
  const uSplit = threads > 1 ? halfByRatings(byUser, nU) : nU;
  const iSplit = threads > 1 ? halfByRatings(byItem, nI) : nI;
  const ctrl = new Int32Array(new SharedArrayBuffer(16));
  const par = sharedF64(3 + K + K * K);
  let worker: import('worker_threads').Worker | undefined;
  let done = 0;
  if (threads > 1) {
    const { Worker } = require('worker_threads') as typeof import('worker_threads');
    worker = new Worker(WORKER_SOURCE, {
      eval: true,
      execArgv: [],
      workerData: { src: rowSamplerSource(K), seed: (o.seed * 2246822519 + 1) >>> 0, K, ctrl, par, P, Q, bu, bi, byUser, byItem, u0: uSplit, u1: nU, i0: iSplit, i1: nI },
    });
  }
  const side = (which: 0 | 1, lamB: number, hmu: Float64Array, hlam: Float64Array): void => {
    const lmu = lambdaMu(hmu, hlam, K);
    if (worker) {
      par[0] = mu;
      par[1] = alpha;
      par[2] = lamB;
      par.set(lmu, 3);
      par.set(hlam, 3 + K);
      ctrl[2] = which;
      Atomics.add(ctrl, 0, 1);
      Atomics.notify(ctrl, 0);
    }
    if (which === 0) sampleRows(0, uSplit, byUser.start, byUser.other, byUser.r, P, bu, Q, bi, mu, alpha, lamB, lmu, hlam);
    else sampleRows(0, iSplit, byItem.start, byItem.other, byItem.r, Q, bi, P, bu, mu, alpha, lamB, lmu, hlam);
    if (worker) {
      done++;
      for (let v = Atomics.load(ctrl, 1); v < done; v = Atomics.load(ctrl, 1)) Atomics.wait(ctrl, 1, v);
    }
  };
  const nKeep = Math.max(1, Math.floor((o.sweeps - o.burnIn) / o.thin));
  const SK = nKeep * K;
  const Pavg = new Float64Array(nU * SK);
  const Qavg = new Float64Array(nI * SK);
  const buAvg = new Float64Array(nU);
  const biAvg = new Float64Array(nI);
  let kept = 0;
  try {
    for (let s = 1; s <= o.sweeps; s++) {
      sampleHyper(rng, P, nU, K, muU, lamU);
      sampleHyper(rng, Q, nI, K, muI, lamI);
      lamBu = sampleGammaPrecision(rng, bu);
      lamBi = sampleGammaPrecision(rng, bi);
      side(0, lamBu, muU, lamU);
      side(1, lamBi, muI, lamI);
      const sse = sseOf(nU, byUser.start, byUser.other, byUser.r, P, Q, bu, bi, mu);
      alpha = rng.gamma(1 + N / 2) / (1 + sse / 2);
      if (s > o.burnIn && (s - o.burnIn) % o.thin === 0 && kept < nKeep) {
        for (let a = 0; a < nU; a++) for (let k = 0; k < K; k++) Pavg[a * SK + kept * K + k] = P[a * K + k];
        for (let a = 0; a < nI; a++) for (let k = 0; k < K; k++) Qavg[a * SK + kept * K + k] = Q[a * K + k];
        for (let a = 0; a < nU; a++) buAvg[a] += bu[a];
        for (let a = 0; a < nI; a++) biAvg[a] += bi[a];
        kept++;
      }
      onSweep?.({ sweep: s, loss: Math.sqrt(sse / Math.max(1, N)), samples: kept });
    }
  } finally {
    if (worker) {
      ctrl[2] = -1;
      Atomics.add(ctrl, 0, 1);
      Atomics.notify(ctrl, 0);
      void worker.terminate();
      worker.unref();
    }
  }
  const scale = 1 / Math.sqrt(Math.max(1, kept));
  for (let t = 0; t < Pavg.length; t++) Pavg[t] *= scale;
  for (let t = 0; t < Qavg.length; t++) Qavg[t] *= scale;
  for (let a = 0; a < nU; a++) buAvg[a] /= Math.max(1, kept);
  for (let a = 0; a < nI; a++) biAvg[a] /= Math.max(1, kept);
  const F = kept * K;
  return { kind: 'explicit', users: data.users, items: data.items, factors: F, mu, bu: buAvg, bi: biAvg, P: compact(Pavg, nU, SK, F), Q: compact(Qavg, nI, SK, F), minRating: o.minRating, maxRating: o.maxRating };
}

/** Two threads when the machine has two cores or more (COPYDESK_MF_THREADS overrides). */
export function defaultThreads(): number {
  const env = Number(process.env.COPYDESK_MF_THREADS);
  if (Number.isInteger(env) && env > 0) return env;
  return require('os').cpus().length >= 2 ? 2 : 1;
}

function compact(X: Float64Array, n: number, from: number, to: number): Float64Array {
  if (from === to) return X;
  const out = new Float64Array(n * to);
  for (let a = 0; a < n; a++) out.set(X.subarray(a * from, a * from + to), a * to);
  return out;
}

/** Precision of a zero-mean Gaussian prior, from a Gamma(1, 1) hyperprior and the current values. */
function sampleGammaPrecision(rng: TrainRng, x: Float64Array): number {
  let ss = 0;
  for (let a = 0; a < x.length; a++) ss += x[a] * x[a];
  return rng.gamma(1 + x.length / 2) / (1 + ss / 2);
}

export { predictIdx };
