/**
 * The linear member of the ensemble: NB-weighted logistic regression (NBSVM-style, Wang &
 * Manning 2012) on the bag's own feature ids. A text is the set of its feature ids, each
 * weighted by its naive-Bayes log-count ratio r and the set scaled by 1/√n; the logit is
 * w·x + b. Trained by per-coordinate Adagrad on logistic loss with L2; the best epoch by
 * validation accuracy is kept. The ratios are folded into the saved weights, so inference
 * is a sum of weights over the text's distinct features.
 */
import * as fs from 'fs';
import { DataError } from '../data/errors';
import { mulberry32, shuffleInPlace } from '../util/random';
import { accuracyOf, EncodedSet } from './train';
import type { DistillOptions } from './distill';

export interface LinearOptions {
  epochs: number;
  learningRate: number;
  l2: number;
  /** Weight features by naive-Bayes log-count ratios (false: plain logistic regression). */
  nb: boolean;
  /** Additive smoothing of the NB counts. */
  alpha: number;
  seed: number;
  /** With train.teacher: the gradient of the distillation loss (core/sentiment/distill.ts) instead of plain cross-entropy. */
  distill?: DistillOptions;
  onEpoch?: (info: { epoch: number; loss: number; valAccuracy: number }) => void;
}

export const DEFAULT_LINEAR: Omit<LinearOptions, 'seed' | 'onEpoch'> = { epochs: 6, learningRate: 0.2, l2: 1e-6, nb: true, alpha: 1 };

/** A text's distinct feature ids (padding 0 dropped). */
export function distinctIds(seq: number[]): Int32Array {
  return Int32Array.from(new Set(seq.filter((id) => id > 0)));
}

/** log((p_j / |p|₁) / (q_j / |q|₁)) with p, q the smoothed document counts of feature j in positive / negative texts. */
export function nbRatios(sets: Int32Array[], labels: number[], vocabSize: number, alpha: number): Float32Array {
  const p = new Float64Array(vocabSize).fill(alpha);
  const q = new Float64Array(vocabSize).fill(alpha);
  sets.forEach((ids, i) => {
    const c = labels[i] ? p : q;
    for (const id of ids) c[id] += 1;
  });
  let sp = 0;
  let sq = 0;
  for (let j = 0; j < vocabSize; j++) {
    sp += p[j];
    sq += q[j];
  }
  const r = new Float32Array(vocabSize);
  for (let j = 1; j < vocabSize; j++) r[j] = Math.log(p[j] / sp / (q[j] / sq));
  return r;
}

/** A linear model over distinct feature ids: logit = bias + Σ_j w_j / √n. */
export class LinearMember {
  constructor(
    readonly weights: Float32Array,
    public bias: number,
  ) {}

  logitOfSet(ids: Int32Array): number {
    if (ids.length === 0) return this.bias;
    let s = 0;
    for (const id of ids) s += this.weights[id];
    return this.bias + s / Math.sqrt(ids.length);
  }

  logits(seqs: number[][]): Float32Array {
    return Float32Array.from(seqs, (s) => this.logitOfSet(distinctIds(s)));
  }

  /** weights.bin-style little-endian float32: bias first, then one weight per feature id. */
  save(file: string): void {
    const buf = new Float32Array(this.weights.length + 1);
    buf[0] = this.bias;
    buf.set(this.weights, 1);
    fs.writeFileSync(file, Buffer.from(buf.buffer));
  }

  static load(file: string, vocabSize: number): LinearMember {
    if (!fs.existsSync(file)) throw new DataError(file, undefined, undefined, 'missing (the model config names a linear member)');
    const b = fs.readFileSync(file);
    if (b.length !== (vocabSize + 1) * 4) throw new DataError(file, undefined, undefined, `has ${b.length / 4 - 1} weights, the feature index has ${vocabSize}`);
    const all = new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
    return new LinearMember(all.slice(1), all[0]);
  }
}

/** Trains the member; returns the best epoch's model (by validation accuracy). */
export function trainLinear(train: EncodedSet, val: EncodedSet, vocabSize: number, o: LinearOptions): { member: LinearMember; bestEpoch: number; valAccuracy: number } {
  const sets = train.seqs.map(distinctIds);
  const r = o.nb ? nbRatios(sets, train.labels, vocabSize, o.alpha) : new Float32Array(vocabSize).fill(1);
  const w = new Float32Array(vocabSize);
  const g2 = new Float32Array(vocabSize).fill(1e-6);
  let b = 0;
  let gb2 = 1e-6;
  const valSets = val.seqs.map(distinctIds);
  let best = { member: new LinearMember(new Float32Array(vocabSize), 0), bestEpoch: 0, valAccuracy: -1 };
  const order = sets.map((_, i) => i);
  for (let epoch = 0; epoch < o.epochs; epoch++) {
    shuffleInPlace(order, mulberry32(o.seed + epoch));
    let loss = 0;
    for (const i of order) {
      const ids = sets[i];
      const scale = ids.length ? 1 / Math.sqrt(ids.length) : 0;
      let z = b;
      for (const id of ids) z += w[id] * r[id] * scale;
      const p = 1 / (1 + Math.exp(-z));
      const y = train.labels[i];
      loss -= Math.log(Math.max(1e-12, y ? p : 1 - p));
      let d = p - y;
      if (o.distill && train.teacher) {
        // d/dz of α·BCE(y, σ(z)) + (1 − α)·τ²·BCE(σ(z_t/τ), σ(z/τ))
        const t = o.distill.temperature;
        d = o.distill.alpha * d + (1 - o.distill.alpha) * t * (1 / (1 + Math.exp(-z / t)) - 1 / (1 + Math.exp(-train.teacher[i] / t)));
      }
      if (train.weights) d *= train.weights[i];
      for (const id of ids) {
        const g = d * r[id] * scale + o.l2 * w[id];
        g2[id] += g * g;
        w[id] -= (o.learningRate * g) / Math.sqrt(g2[id]);
      }
      gb2 += d * d;
      b -= (o.learningRate * d) / Math.sqrt(gb2);
    }
    const member = new LinearMember(Float32Array.from(w, (x, j) => x * r[j]), b);
    const valAccuracy = accuracyOf(Float32Array.from(valSets, (s) => member.logitOfSet(s)), val.labels);
    o.onEpoch?.({ epoch: epoch + 1, loss: loss / sets.length, valAccuracy });
    if (valAccuracy > best.valAccuracy) best = { member, bestEpoch: epoch + 1, valAccuracy };
  }
  return best;
}
