/**
 * The training loop: length-bucketed mini-batches, Adam on sigmoid cross-entropy,
 * validation accuracy after each epoch, callbacks for progress and checkpoints.
 */
import { tf } from '../tf/runtime';
import { MaskedPool, Pooling, poolBag, poolDivisor, predictLogits, headLayers } from './model';

export interface EncodedSet {
  seqs: number[][];
  labels: number[];
  /** Distillation: the teacher's calibrated logit per row (core/sentiment/distill.ts). */
  teacher?: Float32Array;
  /** Per-row loss weights (e.g. down-weighted probably-mislabelled rows); default 1. */
  weights?: Float32Array;
}

export interface TrainOptions {
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** Adagrad learning rate of the embedding rows (sparse updates). */
  embeddingLearningRate?: number;
  /** Adagrad accumulators to resume from. */
  accum?: Float32Array;
  /** Multiplies the learning rate after each epoch. */
  lrDecay: number;
  /** Instead of lrDecay: the rate falls linearly over all steps of the run. */
  linearDecay?: boolean;
  seed: number;
  /** With EncodedSet.teacher: the hard/soft mix and temperature of the distillation loss. */
  distill?: DistillOptions;
  /** Epochs already done (resume): training continues from here. */
  startEpoch?: number;
  onBatch?: (info: { epoch: number; batch: number; batches: number; loss: number }) => void;
  onEpoch?: (info: { epoch: number; loss: number; valAccuracy: number; seconds: number; accum: Float32Array }) => Promise<void> | void;
}

import { DistillOptions, distillationLoss } from './distill';
import { mulberry32 as rng, shuffleInPlace as shuffle } from '../util/random';

export { rng, shuffle };

/** Batches of similar length (little padding), in random order. */
export function bucketBatches(lengths: number[], batchSize: number, rand: () => number): number[][] {
  const idx = shuffle(lengths.map((_, i) => i), rand);
  const chunk = batchSize * 50;
  const batches: number[][] = [];
  for (let s = 0; s < idx.length; s += chunk) {
    const part = idx.slice(s, s + chunk).sort((a, b) => lengths[a] - lengths[b]);
    for (let b = 0; b < part.length; b += batchSize) batches.push(part.slice(b, b + batchSize));
  }
  return shuffle(batches, rand);
}

export function accuracyOf(logits: Float32Array, labels: number[]): number {
  let ok = 0;
  labels.forEach((y, i) => (ok += (logits[i] > 0 ? 1 : 0) === y ? 1 : 0));
  return ok / Math.max(1, labels.length);
}

/**
 * One training run. The embedding table is updated sparsely (row-wise Adagrad on the rows a
 * batch touches): tfjs has no sparse gradients, and a dense Adam step over a 200k×32 table
 * costs ~160 ms of CPU here against < 2 ms for the rows actually used. The head (dropout,
 * hidden, logit layers of the same tf.LayersModel) is trained by tfjs Adam; tfjs also gives
 * the gradient of the loss with respect to the pooled vector, which the table update uses.
 * Pooling in JS matches the MaskedPool layer, so the saved tf model computes exactly this.
 */
export class SparseBagTrainer {
  readonly table: Float32Array;
  readonly accum: Float32Array;
  readonly dim: number;
  readonly mode: Pooling;
  private readonly head: tf.layers.Layer[];
  private readonly optimizer: tf.Optimizer;

  constructor(
    readonly model: tf.LayersModel,
    readonly opts: { learningRate: number; embeddingLearningRate: number },
  ) {
    const emb = model.getLayer('emb');
    const [w] = emb.getWeights();
    this.dim = w.shape[1]!;
    this.table = w.dataSync() as Float32Array;
    this.table = new Float32Array(this.table);
    this.accum = new Float32Array(w.shape[0]!).fill(1e-8);
    const pool = model.getLayer('pool') as MaskedPool;
    this.mode = pool.mode;
    this.head = headLayers(model);
    this.optimizer = tf.train.adam(opts.learningRate);
  }

  setLearningRate(lr: number, embLr: number): void {
    (this.optimizer as unknown as { learningRate: number }).learningRate = lr;
    this.opts.embeddingLearningRate = embLr;
  }

  /** Pooled vectors of a batch ([B, D] or [B, 2D]) plus the argmax rows for the max half. */
  pool(seqs: number[][]): { pooled: Float32Array; argmax: Int32Array | null } {
    return poolBag(this.table, this.dim, this.mode, seqs, true);
  }

  private headLogits(x: tf.Tensor, training: boolean): tf.Tensor {
    let h = x;
    for (const l of this.head) h = l.apply(h, { training }) as tf.Tensor;
    return h;
  }

  /**
   * One step on a batch; returns the mean loss. With `soft` (the teacher's logits and the
   * distillation options) the loss is the distillation loss; `weights` weight the rows.
   */
  step(seqs: number[][], labels: number[], soft?: { teacher: number[]; distill: DistillOptions }, weights?: number[]): number {
    const D = this.dim;
    const width = this.mode.endsWith('max') ? 2 * D : D;
    const { pooled, argmax } = this.pool(seqs);
    const headVars = this.head.flatMap((l) => l.trainableWeights.map((w) => w.read() as tf.Variable));
    const px = tf.variable(tf.tensor2d(pooled, [seqs.length, width]), true, `pooled_${Date.now()}_${Math.random()}`);
    const y = tf.tensor2d(labels, [labels.length, 1]);
    const zt = soft ? tf.tensor2d(soft.teacher, [labels.length, 1]) : undefined;
    const w = weights ? tf.tensor2d(weights, [labels.length, 1]) : undefined;
    const lossOf = (z: tf.Tensor): tf.Scalar => {
      if (zt) return distillationLoss(z, y, zt, soft!.distill, w);
      return (w ? tf.div(tf.sum(tf.mul(tf.losses.sigmoidCrossEntropy(y, z, undefined, 0, tf.Reduction.NONE), w)), tf.maximum(tf.sum(w), 1e-12)) : tf.losses.sigmoidCrossEntropy(y, z)) as tf.Scalar;
    };
    const { value, grads } = tf.variableGrads(() => lossOf(this.headLogits(px, true)), [px, ...headVars]);
    const gPooled = grads[px.name].dataSync() as Float32Array;
    const headGrads: tf.NamedTensorMap = {};
    for (const v of headVars) headGrads[v.name] = grads[v.name];
    this.optimizer.applyGradients(headGrads);
    const loss = value.dataSync()[0];
    tf.dispose([value, px, y, ...(zt ? [zt] : []), ...(w ? [w] : []), ...Object.values(grads)]);
    this.sparseUpdate(seqs, gPooled, argmax, width);
    return loss;
  }

  private sparseUpdate(seqs: number[][], g: Float32Array, argmax: Int32Array | null, width: number): void {
    const D = this.dim;
    const t = this.table;
    const acc = this.accum;
    const lr = this.opts.embeddingLearningRate;
    // Accumulate each row's gradient over the batch, then one Adagrad step per touched row.
    const rowGrad = new Map<number, Float32Array>();
    const rowOf = (id: number) => {
      let r = rowGrad.get(id);
      if (!r) rowGrad.set(id, (r = new Float32Array(D)));
      return r;
    };
    seqs.forEach((ids, b) => {
      const n = poolDivisor(this.mode, ids.length);
      const o = b * width;
      for (const id of ids) {
        const r = rowOf(id);
        for (let j = 0; j < D; j++) r[j] += g[o + j] / n;
      }
      if (argmax) {
        for (let j = 0; j < D; j++) {
          const id = argmax[b * D + j];
          if (id >= 0) rowOf(id)[j] += g[o + D + j];
        }
      }
    });
    for (const [id, r] of rowGrad) {
      let sq = 0;
      for (let j = 0; j < D; j++) sq += r[j] * r[j];
      acc[id] += sq / D;
      const step = lr / Math.sqrt(acc[id]);
      const base = id * D;
      for (let j = 0; j < D; j++) t[base + j] -= step * r[j];
    }
  }

  /** Copies the trained table into the tf model (before predicting or saving). */
  sync(): void {
    const emb = this.model.getLayer('emb');
    const w = tf.tensor2d(this.table, [this.table.length / this.dim, this.dim]);
    emb.setWeights([w]);
    w.dispose();
  }

  dispose(): void {
    this.optimizer.dispose();
  }
}

export async function trainModel(model: tf.LayersModel, train: EncodedSet, val: EncodedSet, opts: TrainOptions): Promise<{ valAccuracy: number; trainer: SparseBagTrainer }> {
  const trainer = new SparseBagTrainer(model, { learningRate: opts.learningRate, embeddingLearningRate: opts.embeddingLearningRate ?? 0.5 });
  if (opts.accum) trainer.accum.set(opts.accum);
  let valAccuracy = NaN;
  for (let epoch = opts.startEpoch ?? 0; epoch < opts.epochs; epoch++) {
    const t0 = Date.now();
    const rand = rng(opts.seed + epoch * 7919);
    const decay = Math.pow(opts.lrDecay, epoch);
    trainer.setLearningRate(opts.learningRate * decay, (opts.embeddingLearningRate ?? 0.5) * decay);
    const batches = bucketBatches(train.seqs.map((s) => s.length), opts.batchSize, rand);
    let lossSum = 0;
    for (let b = 0; b < batches.length; b++) {
      const idx = batches[b];
      if (opts.linearDecay) {
        // fastText-style: the rate falls linearly to 5% over the whole run.
        const f = Math.max(0.05, 1 - (epoch * batches.length + b) / (opts.epochs * batches.length));
        trainer.setLearningRate(opts.learningRate * f, (opts.embeddingLearningRate ?? 0.5) * f);
      }
      const soft = train.teacher && opts.distill ? { teacher: idx.map((i) => train.teacher![i]), distill: opts.distill } : undefined;
      lossSum += trainer.step(idx.map((i) => train.seqs[i]), idx.map((i) => train.labels[i]), soft, train.weights ? idx.map((i) => train.weights![i]) : undefined);
      opts.onBatch?.({ epoch, batch: b + 1, batches: batches.length, loss: lossSum / (b + 1) });
      if (b % 50 === 49) await new Promise((r) => setImmediate(r));
    }
    trainer.sync();
    valAccuracy = accuracyOf(predictLogits(model, val.seqs), val.labels);
    await opts.onEpoch?.({ epoch: epoch + 1, loss: lossSum / batches.length, valAccuracy, seconds: (Date.now() - t0) / 1000, accum: trainer.accum });
  }
  trainer.sync();
  trainer.dispose();
  return { valAccuracy, trainer };
}
