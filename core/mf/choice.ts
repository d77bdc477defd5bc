/**
 * The attribute side of a user's taste: a per-user choice model over the catalogue.
 * Each item is its attribute values and category (binary x_i); a user's events pick items
 * with probability softmax(θ_u·x_i), each item counted by its event weight. θ̄ is fitted on
 * everyone's events pooled; each user's θ_u is then fitted by gradient ascent with a Gaussian
 * prior centred on θ̄ (shrinkage: few events → close to the average). This is a factorization
 * with the item factors fixed to the attributes, so its factors are directly readable:
 * θ_u,f − θ̄_f is how much more than the average user this user goes for value f.
 */
export interface ChoiceData {
  nFeatures: number;
  /** Item → feature indices (CSR). */
  start: Int32Array;
  feat: Int32Array;
}

export interface ChoiceOptions {
  /** Prior precision (strength of the pull towards θ̄). */
  lambda: number;
  /** Per-feature multipliers of lambda (e.g. a weaker prior on categories, which have plenty of data). */
  lambdaScale?: Float64Array;
  iterations: number;
  step: number;
}

export const CHOICE_DEFAULTS: ChoiceOptions = { lambda: 1, iterations: 150, step: 1 };

/**
 * Maximum a-posteriori θ for item weights w (length nItems). With `precision`, also writes the
 * diagonal of the posterior precision (λ_f + W·p_f(1 − p_f), p_f the model's share of f) so
 * callers can rank by θ's z-score.
 */
export function fitChoice(d: ChoiceData, w: Float64Array, prior: Float64Array | undefined, o: ChoiceOptions = CHOICE_DEFAULTS, precision?: Float64Array): Float64Array {
  const nI = w.length;
  const nF = d.nFeatures;
  const theta = prior ? prior.slice() : new Float64Array(nF);
  const target = new Float64Array(nF);
  let W = 0;
  for (let i = 0; i < nI; i++) {
    if (w[i] === 0) continue;
    W += w[i];
    for (let t = d.start[i]; t < d.start[i + 1]; t++) target[d.feat[t]] += w[i];
  }
  if (W === 0) return theta;
  const s = new Float64Array(nI);
  const grad = new Float64Array(nF);
  const rate = o.step / (W + o.lambda);
  for (let it = 0; it < o.iterations; it++) {
    let max = -Infinity;
    for (let i = 0; i < nI; i++) {
      let x = 0;
      for (let t = d.start[i]; t < d.start[i + 1]; t++) x += theta[d.feat[t]];
      s[i] = x;
      if (x > max) max = x;
    }
    let z = 0;
    for (let i = 0; i < nI; i++) z += s[i] = Math.exp(s[i] - max);
    grad.set(target);
    for (let i = 0; i < nI; i++) {
      const p = (W * s[i]) / z;
      for (let t = d.start[i]; t < d.start[i + 1]; t++) grad[d.feat[t]] -= p;
    }
    for (let f = 0; f < nF; f++) theta[f] += rate * (grad[f] - o.lambda * (o.lambdaScale ? o.lambdaScale[f] : 1) * (theta[f] - (prior ? prior[f] : 0)));
    if (precision && it === o.iterations - 1) {
      // model share of each feature at the final θ (s holds exp scores, z their sum)
      precision.fill(0);
      for (let i = 0; i < nI; i++) for (let t = d.start[i]; t < d.start[i + 1]; t++) precision[d.feat[t]] += s[i] / z;
      for (let f = 0; f < nF; f++) precision[f] = o.lambda * (o.lambdaScale ? o.lambdaScale[f] : 1) + W * precision[f] * (1 - precision[f]);
    }
  }
  return theta;
}
