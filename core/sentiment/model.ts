/**
 * The review classifier: an embedding bag over sparse n-gram features (fastText-style),
 * pooled by masked mean (and optionally max), then a small dense head → P(positive).
 * Built as a tf.LayersModel so it saves and loads through tf.io.
 */
import { tf } from '../tf/runtime';

export type Pooling = 'mean' | 'meanmax' | 'sqrtn' | 'sqrtnmax';

export const POOLINGS: Pooling[] = ['mean', 'meanmax', 'sqrtn', 'sqrtnmax'];

/** The divisor of the pooled sum for a text with n features. */
export function poolDivisor(mode: Pooling, n: number): number {
  const m = Math.max(1, n);
  return mode.startsWith('sqrtn') ? Math.sqrt(m) : m;
}

export interface ModelConfig {
  vocabSize: number;
  dim: number;
  /** Hidden units of the head; 0 = linear head on the pooled vector. */
  hidden: number;
  /** mean: sum / n; sqrtn: sum / √n (long texts speak louder, like an L2-normalised bag); *max adds relu(max). */
  pooling: Pooling;
  dropout: number;
}

export const DEFAULT_MODEL: Omit<ModelConfig, 'vocabSize'> = { dim: 32, hidden: 64, pooling: 'sqrtnmax', dropout: 0.5 };

/** Masked pooling of embedded ids: [ids (B,L), emb (B,L,D)] → (B,D) or (B,2D); id 0 is padding. */
export class MaskedPool extends tf.layers.Layer {
  static className = 'CopydeskMaskedPool';
  readonly mode: Pooling;
  constructor(config: { mode: Pooling; name?: string }) {
    super(config);
    this.mode = config.mode;
  }
  computeOutputShape(inputShape: tf.Shape[]): tf.Shape {
    const emb = inputShape[1];
    return [emb[0], (this.mode.endsWith('max') ? 2 : 1) * (emb[2] as number)];
  }
  call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const [ids, emb] = inputs as tf.Tensor[];
      const mask = tf.cast(tf.greater(ids, 0), 'float32').expandDims(2); // B,L,1
      const count = tf.maximum(tf.sum(mask, 1), 1); // B,1
      const mean = tf.div(tf.sum(tf.mul(emb, mask), 1), this.mode.startsWith('sqrtn') ? tf.sqrt(count) : count);
      if (!this.mode.endsWith('max')) return mean;
      const max = tf.max(tf.add(emb, tf.mul(tf.sub(mask, 1), 1e4)), 1);
      return tf.concat([mean, tf.relu(max)], 1);
    });
  }
  getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), mode: this.mode };
  }
}
tf.serialization.registerClass(MaskedPool);

export function buildModel(cfg: ModelConfig): tf.LayersModel {
  const ids = tf.input({ shape: [null], dtype: 'int32', name: 'ids' });
  const emb = tf.layers
    .embedding({ inputDim: cfg.vocabSize, outputDim: cfg.dim, embeddingsInitializer: tf.initializers.randomUniform({ minval: -0.05, maxval: 0.05 }), name: 'emb' })
    .apply(ids) as tf.SymbolicTensor;
  let h = new MaskedPool({ mode: cfg.pooling, name: 'pool' }).apply([ids, emb]) as tf.SymbolicTensor;
  if (cfg.dropout > 0) h = tf.layers.dropout({ rate: cfg.dropout }).apply(h) as tf.SymbolicTensor;
  if (cfg.hidden > 0) h = tf.layers.dense({ units: cfg.hidden, activation: 'relu', name: 'hidden' }).apply(h) as tf.SymbolicTensor;
  const logit = tf.layers.dense({ units: 1, name: 'logit' }).apply(h) as tf.SymbolicTensor;
  return tf.model({ inputs: ids, outputs: logit, name: 'sentiment_bag' });
}

/** Pads id lists to one [B, L] int32 tensor (L = longest, at least 1). */
export function padBatch(seqs: number[][]): tf.Tensor2D {
  const L = Math.max(1, ...seqs.map((s) => s.length));
  const buf = new Int32Array(seqs.length * L);
  seqs.forEach((s, i) => buf.set(s, i * L));
  return tf.tensor2d(buf, [seqs.length, L], 'int32');
}

/**
 * Logits (before temperature) for encoded texts, in batches sorted by length; `inputsOf` turns a
 * batch of id sequences into the model's input(s) (default: one padded id matrix).
 */
export function predictLogits(model: tf.LayersModel, seqs: number[][], batchSize = 256, inputsOf: (batch: number[][]) => tf.Tensor | tf.Tensor[] = padBatch): Float32Array {
  const out = new Float32Array(seqs.length);
  const order = seqs.map((_, i) => i).sort((a, b) => seqs[a].length - seqs[b].length);
  for (let s = 0; s < order.length; s += batchSize) {
    const idx = order.slice(s, s + batchSize);
    const vals = tf.tidy(() => (model.predict(inputsOf(idx.map((i) => seqs[i]))) as tf.Tensor).dataSync());
    idx.forEach((i, k) => (out[i] = vals[k]));
  }
  return out;
}

/**
 * Embedding-bag pooling in plain JS, exactly as MaskedPool computes it: used by the sparse
 * trainer and by fast inference (tfjs-wasm spends most of predict() padding, gathering and
 * masking [B, L, D]; summing the rows directly is ~10× cheaper). Also returns, for the max
 * half, which row won each dimension (-1 when relu cut it), for the gradient.
 */
export function poolBag(table: Float32Array, dim: number, mode: Pooling, seqs: number[][], withArgmax = false): { pooled: Float32Array; width: number; argmax: Int32Array | null } {
  const D = dim;
  const hasMax = mode.endsWith('max');
  const width = hasMax ? 2 * D : D;
  const pooled = new Float32Array(seqs.length * width);
  const argmax = hasMax && withArgmax ? new Int32Array(seqs.length * D).fill(-1) : null;
  const best = new Float32Array(D);
  const arg = new Int32Array(D);
  seqs.forEach((ids, b) => {
    const o = b * width;
    best.fill(-Infinity);
    arg.fill(-1);
    for (const id of ids) {
      const r = id * D;
      for (let j = 0; j < D; j++) {
        const v = table[r + j];
        pooled[o + j] += v;
        if (v > best[j]) {
          best[j] = v;
          arg[j] = id;
        }
      }
    }
    const n = poolDivisor(mode, ids.length);
    for (let j = 0; j < D; j++) pooled[o + j] /= n;
    if (hasMax) {
      for (let j = 0; j < D; j++) {
        // relu(max): nothing (and no gradient) when the max is negative or the text has no features
        if (arg[j] >= 0 && best[j] > 0) {
          pooled[o + D + j] = best[j];
          if (argmax) argmax[b * D + j] = arg[j];
        }
      }
    }
  });
  return { pooled, width, argmax };
}

/** The layers after the pooling (dropout, hidden, logit), applied to pooled vectors. */
export function headLayers(model: tf.LayersModel): tf.layers.Layer[] {
  const pool = model.getLayer('pool');
  return model.layers.slice(model.layers.indexOf(pool) + 1);
}

/** Fast inference for a trained bag model: JS pooling over a copy of the table, the tf head on top. */
export class BagPredictor {
  private readonly table: Float32Array;
  private readonly dim: number;
  private readonly mode: Pooling;
  private readonly head: tf.layers.Layer[];
  constructor(model: tf.LayersModel) {
    const [w] = model.getLayer('emb').getWeights();
    this.table = w.dataSync() as Float32Array;
    this.dim = w.shape[1]!;
    this.mode = (model.getLayer('pool') as MaskedPool).mode;
    this.head = headLayers(model);
  }

  logits(seqs: number[][], batchSize = 1024): Float32Array {
    const out = new Float32Array(seqs.length);
    for (let s = 0; s < seqs.length; s += batchSize) {
      const part = seqs.slice(s, s + batchSize);
      const { pooled, width } = poolBag(this.table, this.dim, this.mode, part);
      const vals = tf.tidy(() => {
        let h: tf.Tensor = tf.tensor2d(pooled, [part.length, width]);
        for (const l of this.head) h = l.apply(h, { training: false }) as tf.Tensor;
        return h.dataSync();
      });
      out.set(vals, s);
    }
    return out;
  }
}

export const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));
