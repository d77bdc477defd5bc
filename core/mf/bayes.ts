/**
 * Bayesian biased MF (BPMF, Salakhutdinov & Mnih 2008, with user/item biases) by Gibbs
 * sampling on typed arrays: r_ui ~ N(μ + b_u + b_i + p_u·q_i, 1/α), Normal–Wishart
 * hyperpriors on the factor distributions, Gamma priors on the bias and noise precisions.
 * Predictions average the post-burn-in samples; the average of S dot products is itself a
 * dot product of the S samples side by side, so the result is an ordinary ExplicitModel
 * with S·K factors (scaled by 1/√S).
 */
import { ExplicitModel, Ratings, predictIdx } from './explicit';
import { cholesky, forwardSolve, backSolve, spdInverse } from './linalg';
import { Rng } from './rng';

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
function sampleHyper(rng: Rng, X: Float64Array, n: number, K: number, muOut: Float64Array, lamOut: Float64Array): void {
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

/**
 * The per-row accumulation, generated for a fixed K with the K×K Gram sums held in local
 * variables (about 3× faster than loops over a typed array in V8). For row a it returns,
 * over the row's ratings t with partner y = Y[other[t]]:
 *   out[0]            Σ (r − μ − b_other − x·y)      (for the bias)
 *   out[1 .. K]       Σ y (r − μ − b_other)
 *   out[K+1 .. 2K]    Σ y
 *   A (lower)         Σ y yᵀ
 */
type Kernel = (s0: number, s1: number, other: Int32Array, r: Float64Array, Y: Float64Array, bo: Float64Array, mu: number, X: Float64Array, xo: number, A: Float64Array, out: Float64Array) => void;
const kernels = new Map<number, Kernel>();

function kernel(K: number): Kernel {
  let k = kernels.get(K);
  if (k) return k;
  const L: string[] = [];
  const ks = [...Array(K).keys()];
  L.push(ks.map((i) => `const x${i} = X[xo + ${i}];`).join(' '));
  L.push('let es = 0;');
  L.push(ks.map((i) => `let c${i} = 0, g${i} = 0;`).join(' '));
  for (const i of ks) L.push(ks.filter((j) => j <= i).map((j) => `let a${i}_${j} = 0;`).join(' '));
  L.push('for (let t = s0; t < s1; t++) {');
  L.push('  const o = other[t]; const yo = o * ' + K + '; const e = r[t] - mu - bo[o];');
  L.push('  ' + ks.map((i) => `const y${i} = Y[yo + ${i}];`).join(' '));
  L.push('  es += e - (' + ks.map((i) => `x${i} * y${i}`).join(' + ') + ');');
  L.push('  ' + ks.map((i) => `c${i} += y${i} * e; g${i} += y${i};`).join(' '));
  for (const i of ks) L.push('  ' + ks.filter((j) => j <= i).map((j) => `a${i}_${j} += y${i} * y${j};`).join(' '));
  L.push('}');
  L.push('out[0] = es;');
  L.push(ks.map((i) => `out[${1 + i}] = c${i}; out[${1 + K + i}] = g${i};`).join(' '));
  for (const i of ks) L.push(ks.filter((j) => j <= i).map((j) => `A[${i * K + j}] = a${i}_${j};`).join(' '));
  k = new Function('s0', 's1', 'other', 'r', 'Y', 'bo', 'mu', 'X', 'xo', 'A', 'out', L.join('\n')) as Kernel;
  kernels.set(K, k);
  return k;
}

type SseKernel = (n: number, start: Int32Array, other: Int32Array, r: Float64Array, X: Float64Array, Y: Float64Array, bx: Float64Array, by: Float64Array, mu: number) => number;
const sseKernels = new Map<number, SseKernel>();

/** Σ (r − μ − b_u − b_i − p_u·q_i)² over the ratings, generated for a fixed K (row vector in locals). */
function sseKernel(K: number): SseKernel {
  let k = sseKernels.get(K);
  if (k) return k;
  const ks = [...Array(K).keys()];
  const body = [
    'let sse = 0;',
    'for (let a = 0; a < n; a++) {',
    '  const xo = a * ' + K + '; const ba = mu + bx[a];',
    '  ' + ks.map((i) => `const x${i} = X[xo + ${i}];`).join(' '),
    '  for (let t = start[a]; t < start[a + 1]; t++) {',
    '    const o = other[t]; const yo = o * ' + K + ';',
    '    const e = r[t] - ba - by[o] - (' + ks.map((i) => `x${i} * Y[yo + ${i}]`).join(' + ') + ');',
    '    sse += e * e;',
    '  }',
    '}',
    'return sse;',
  ].join('\n');
  k = new Function('n', 'start', 'other', 'r', 'X', 'Y', 'bx', 'by', 'mu', body) as SseKernel;
  sseKernels.set(K, k);
  return k;
}

/**
 * One side's Gibbs step: for every row a (a user, or an item), sample its bias, then its
 * vector, given the other side's vectors Y and biases bo.
 */
function sampleSide(rng: Rng, m: Csr, n: number, K: number, X: Float64Array, bx: Float64Array, Y: Float64Array, bo: Float64Array, mu: number, alpha: number, lamB: number, hmu: Float64Array, hlam: Float64Array, A: Float64Array, b: Float64Array): void {
  const lmu = new Float64Array(K);
  for (let i = 0; i < K; i++) {
    let s = 0;
    for (let j = 0; j < K; j++) s += hlam[i * K + j] * hmu[j];
    lmu[i] = s;
  }
  const acc = kernel(K);
  const out = new Float64Array(2 * K + 1);
  for (let a = 0; a < n; a++) {
    const s0 = m.start[a];
    const s1 = m.start[a + 1];
    const xo = a * K;
    acc(s0, s1, m.other, m.r, Y, bo, mu, X, xo, A, out);
    // bias | rest
    const pb = lamB + alpha * (s1 - s0);
    const bias = (alpha * out[0]) / pb + rng.normal() / Math.sqrt(pb);
    bx[a] = bias;
    // vector | rest:  (Λ + α Σ y yᵀ) x = Λ μ + α Σ y (r − μ − b_other − bias)
    for (let i = 0; i < K; i++) {
      b[i] = lmu[i] + alpha * (out[1 + i] - bias * out[1 + K + i]);
      for (let j = 0; j <= i; j++) A[i * K + j] = hlam[i * K + j] + alpha * A[i * K + j];
    }
    cholesky(A, K);
    forwardSolve(A, K, b);
    for (let k = 0; k < K; k++) b[k] += rng.normal();
    backSolve(A, K, b);
    for (let k = 0; k < K; k++) X[xo + k] = b[k];
  }
}

export interface SweepInfo {
  sweep: number;
  /** Training RMSE of the current sample. */
  loss: number;
  samples: number;
}

export function trainBayes(data: Ratings, opts: Partial<BayesOptions> = {}, onSweep?: (s: SweepInfo) => void): ExplicitModel {
  const o = { ...BAYES_DEFAULTS, ...opts };
  const K = o.factors;
  const nU = data.users.size;
  const nI = data.items.size;
  const rng = new Rng(o.seed);
  const N = data.r.length;
  let mu = 0;
  for (let k = 0; k < N; k++) mu += data.r[k];
  mu /= Math.max(1, N);
  const byUser = csr(nU, data.u, data.i, data.r);
  const byItem = csr(nI, data.i, data.u, data.r);
  const sseOf = sseKernel(K);
  const P = new Float64Array(nU * K).map(() => rng.normal() * 0.1);
  const Q = new Float64Array(nI * K).map(() => rng.normal() * 0.1);
  const bu = new Float64Array(nU);
  const bi = new Float64Array(nI);
  const muU = new Float64Array(K);
  const muI = new Float64Array(K);
  const lamU = new Float64Array(K * K);
  const lamI = new Float64Array(K * K);
  for (let k = 0; k < K; k++) lamU[k * K + k] = lamI[k * K + k] = 1;
  let alpha = 2;
  let lamBu = 1;
  let lamBi = 1;
  const A = new Float64Array(K * K);
  const b = new Float64Array(K);
  const nKeep = Math.max(1, Math.floor((o.sweeps - o.burnIn) / o.thin));
  const SK = nKeep * K;
  const Pavg = new Float64Array(nU * SK);
  const Qavg = new Float64Array(nI * SK);
  const buAvg = new Float64Array(nU);
  const biAvg = new Float64Array(nI);
  let kept = 0;
  for (let s = 1; s <= o.sweeps; s++) {
    sampleHyper(rng, P, nU, K, muU, lamU);
    sampleHyper(rng, Q, nI, K, muI, lamI);
    lamBu = sampleGammaPrecision(rng, bu);
    lamBi = sampleGammaPrecision(rng, bi);
    sampleSide(rng, byUser, nU, K, P, bu, Q, bi, mu, alpha, lamBu, muU, lamU, A, b);
    sampleSide(rng, byItem, nI, K, Q, bi, P, bu, mu, alpha, lamBi, muI, lamI, A, b);
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
  const scale = 1 / Math.sqrt(Math.max(1, kept));
  for (let t = 0; t < Pavg.length; t++) Pavg[t] *= scale;
  for (let t = 0; t < Qavg.length; t++) Qavg[t] *= scale;
  for (let a = 0; a < nU; a++) buAvg[a] /= Math.max(1, kept);
  for (let a = 0; a < nI; a++) biAvg[a] /= Math.max(1, kept);
  const F = kept * K;
  return { kind: 'explicit', users: data.users, items: data.items, factors: F, mu, bu: buAvg, bi: biAvg, P: compact(Pavg, nU, SK, F), Q: compact(Qavg, nI, SK, F), minRating: o.minRating, maxRating: o.maxRating };
}

function compact(X: Float64Array, n: number, from: number, to: number): Float64Array {
  if (from === to) return X;
  const out = new Float64Array(n * to);
  for (let a = 0; a < n; a++) out.set(X.subarray(a * from, a * from + to), a * to);
  return out;
}

/** Precision of a zero-mean Gaussian prior, from a Gamma(1, 1) hyperprior and the current values. */
function sampleGammaPrecision(rng: Rng, x: Float64Array): number {
  let ss = 0;
  for (let a = 0; a < x.length; a++) ss += x[a] * x[a];
  return rng.gamma(1 + x.length / 2) / (1 + ss / 2);
}

export { predictIdx };
