/**
 * The Bayesian sampler's inner loops (bayes.ts), generated as JavaScript source for a fixed
 * number of factors K and compiled once per K: the per-row Gibbs step (run on the main thread
 * and, as a string, in worker threads) and the sum of squared errors.
 */

/**
 * The per-row Gibbs step as self-contained JavaScript generated for a fixed K, so the same
 * code runs on the main thread and in a worker thread (which gets it as a string): the Gram
 * sums Σ y yᵀ are held in local variables (about 3× faster than loops over a typed array in
 * V8), then the bias and the vector are drawn. Its own seeded mulberry32 stream (as in rng.ts).
 * `make(seed)` returns sampleRows(a0, a1, start, other, r, X, bx, Y, bo, mu, alpha, lamB, lmu, hlam):
 * for rows a0 ≤ a < a1 (users, or items), sample b_a | rest then x_a | rest, given the other
 * side's vectors Y and biases bo; lmu = Λμ and hlam = Λ of the row side's hyperprior.
 */
const rowSources = new Map<number, string>();

export function rowSamplerSource(K: number): string {
  let src = rowSources.get(K);
  if (src) return src;
  const ks = [...Array(K).keys()];
  const low = (f: (i: number, j: number) => string) => ks.map((i) => ks.filter((j) => j <= i).map((j) => f(i, j)).join(' ')).join('\n');
  src = `
return function make(seed) {
  let s = (seed >>> 0) || 0x9e3779b9;
  let spare = 0, hasSpare = false;
  function next() {
    let t = (s = (s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  function normal() {
    if (hasSpare) { hasSpare = false; return spare; }
    let u = 0; while (u === 0) u = next();
    const v = next(); const rr = Math.sqrt(-2 * Math.log(u));
    spare = rr * Math.sin(2 * Math.PI * v); hasSpare = true;
    return rr * Math.cos(2 * Math.PI * v);
  }
  const K = ${K};
  const A = new Float64Array(K * K), b = new Float64Array(K), out = new Float64Array(2 * K + 1);
  function acc(s0, s1, other, r, Y, bo, mu, X, xo) {
    ${ks.map((i) => `const x${i} = X[xo + ${i}];`).join(' ')}
    let es = 0;
    ${ks.map((i) => `let c${i} = 0, g${i} = 0;`).join(' ')}
    ${low((i, j) => `let a${i}_${j} = 0;`)}
    for (let t = s0; t < s1; t++) {
      const o = other[t]; const yo = o * K; const e = r[t] - mu - bo[o];
      ${ks.map((i) => `const y${i} = Y[yo + ${i}];`).join(' ')}
      es += e;
      ${ks.map((i) => `c${i} += y${i} * e; g${i} += y${i};`).join(' ')}
      ${low((i, j) => `a${i}_${j} += y${i} * y${j};`)}
    }
    out[0] = es - (${ks.map((i) => `x${i} * g${i}`).join(' + ')}); // Σ (e − x·y) = Σ e − x·Σ y
    ${ks.map((i) => `out[${1 + i}] = c${i}; out[${1 + K + i}] = g${i};`).join(' ')}
    ${low((i, j) => `A[${i * K + j}] = a${i}_${j};`)}
  }
  return function sampleRows(a0, a1, start, other, r, X, bx, Y, bo, mu, alpha, lamB, lmu, hlam) {
    for (let a = a0; a < a1; a++) {
      const s0 = start[a], s1 = start[a + 1], xo = a * K;
      acc(s0, s1, other, r, Y, bo, mu, X, xo);
      const pb = lamB + alpha * (s1 - s0);
      const bias = (alpha * out[0]) / pb + normal() / Math.sqrt(pb);
      bx[a] = bias;
      // (Λ + α Σ y yᵀ) x = Λμ + α Σ y (r − μ − b_other − bias): Cholesky, solve, add noise
      for (let i = 0; i < K; i++) {
        b[i] = lmu[i] + alpha * (out[1 + i] - bias * out[1 + K + i]);
        for (let j = 0; j <= i; j++) A[i * K + j] = hlam[i * K + j] + alpha * A[i * K + j];
      }
      for (let j = 0; j < K; j++) {
        let dd = A[j * K + j];
        for (let k = 0; k < j; k++) dd -= A[j * K + k] * A[j * K + k];
        const l = Math.sqrt(dd > 0 ? dd : 1e-10);
        A[j * K + j] = l;
        for (let i = j + 1; i < K; i++) {
          let v = A[i * K + j];
          for (let k = 0; k < j; k++) v -= A[i * K + k] * A[j * K + k];
          A[i * K + j] = v / l;
        }
      }
      for (let i = 0; i < K; i++) { let v = b[i]; for (let k = 0; k < i; k++) v -= A[i * K + k] * b[k]; b[i] = v / A[i * K + i]; }
      for (let i = 0; i < K; i++) b[i] += normal();
      for (let i = K - 1; i >= 0; i--) { let v = b[i]; for (let k = i + 1; k < K; k++) v -= A[k * K + i] * b[k]; b[i] = v / A[i * K + i]; }
      for (let k = 0; k < K; k++) X[xo + k] = b[k];
    }
  };
};`;
  rowSources.set(K, src);
  return src;
}

export type SampleRows = (a0: number, a1: number, start: Int32Array, other: Int32Array, r: Float64Array, X: Float64Array, bx: Float64Array, Y: Float64Array, bo: Float64Array, mu: number, alpha: number, lamB: number, lmu: Float64Array, hlam: Float64Array) => void;

export function makeRowSampler(K: number, seed: number): SampleRows {
  return (new Function(rowSamplerSource(K))() as (seed: number) => SampleRows)(seed);
}

export type SseKernel = (n: number, start: Int32Array, other: Int32Array, r: Float64Array, X: Float64Array, Y: Float64Array, bx: Float64Array, by: Float64Array, mu: number) => number;
const sseKernels = new Map<number, SseKernel>();

/** Σ (r − μ − b_u − b_i − p_u·q_i)² over the ratings, generated for a fixed K (row vector in locals). */
export function sseKernel(K: number): SseKernel {
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
