/**
 * The contextual members of the ensemble: a bidirectional GRU over the tokens of a review,
 * either its characters (core/text `chars`: Latin words and numbers stay whole) or its jieba
 * words. Tokens → embedding → BiGRU (the fused native kernel when active, see core/tf/gru.ts)
 * → masked mean ‖ max over time (MaskedPool, the bag's pooling layer) → dropout → dense →
 * logit. Long reviews keep their first and last maxChars/2 characters. Trained by Adam on
 * length-bucketed batches.
 */
import * as fs from 'fs';
import * as path from 'path';
import { tf } from '../tf/runtime';
import { fusedGru } from '../tf/gru';
import { chars } from '../text/segment';
import { Vocab, UNK_ID } from '../text/vocab';
import { normalizeText, tokenizeWords } from './text';
import { clip } from './features';
import { MaskedPool, padBatch, predictLogits } from './model';
import { bucketBatches, accuracyOf, EncodedSet } from './train';
import { mulberry32 } from '../util/random';
import { loadLayersModel, saveLayersModel } from './io';
import { DataError } from '../data/errors';

export type GruLevel = 'char' | 'word';

export interface GruConfig {
  /** Characters or jieba words. */
  level: GruLevel;
  vocabSize: number;
  dim: number;
  units: number;
  hidden: number;
  dropout: number;
  /** Characters kept from a long review: its first and last maxChars/2. */
  maxChars: number;
}

export const DEFAULT_CHAR_GRU: Omit<GruConfig, 'vocabSize'> = { level: 'char', dim: 64, units: 64, hidden: 64, dropout: 0.3, maxChars: 200 };
export const DEFAULT_WORD_GRU: Omit<GruConfig, 'vocabSize'> = { level: 'word', dim: 64, units: 64, hidden: 64, dropout: 0.3, maxChars: 300 };

/** The character tokens of a review, head and tail of a long one. */
export function charTokens(text: string, maxChars: number): string[] {
  const cs = chars(normalizeText(text), { normalize: false });
  if (cs.length <= maxChars) return cs;
  const head = Math.ceil(maxChars / 2);
  return [...cs.slice(0, head), ...cs.slice(cs.length - (maxChars - head))];
}

/** The jieba words of a review's head and tail (maxChars characters in all). */
export function wordTokens(text: string, maxChars: number): string[] {
  return tokenizeWords(clip(normalizeText(text), maxChars)).filter((w) => w.trim() !== '');
}

export function gruTokens(level: GruLevel, text: string, maxChars: number): string[] {
  return level === 'word' ? wordTokens(text, maxChars) : charTokens(text, maxChars);
}

export function buildTokenVocab(level: GruLevel, texts: string[], maxChars: number, minFreq = 2): Vocab {
  return Vocab.build(texts.map((t) => gruTokens(level, t, maxChars)), { minFreq, level });
}

/** Token ids of a review (unknown tokens → <unk>; never empty: an empty text is one <unk>). */
export function encodeTokens(level: GruLevel, vocab: Vocab, text: string, maxChars: number): number[] {
  const ids = vocab.encode(gruTokens(level, text, maxChars));
  return ids.length > 0 ? ids : [UNK_ID];
}

/**
 * Inputs: the token ids [B, T] and each text's ids reversed [B, T], both padded at the end.
 * The backward GRU reads the reversed ids forwards, so neither direction ever starts in
 * padding and a text's logit does not depend on what it is batched with; the pooling (mean ‖
 * max over the text's own positions) does not care about order, so this is exactly a BiGRU
 * with masked pooling.
 */
export function buildGruClassifier(cfg: GruConfig, seed?: number): tf.LayersModel {
  // With a seed every initialiser is seeded (seed, seed+10, …): the same seed builds the same model.
  const at = (k: number) => (seed === undefined ? undefined : seed + 10 * k);
  const glorot = (k: number) => (seed === undefined ? undefined : tf.initializers.glorotUniform({ seed: at(k) }));
  const ids = tf.input({ shape: [null], dtype: 'int32', name: 'tokens' });
  const rev = tf.input({ shape: [null], dtype: 'int32', name: 'reversed' });
  const embeddingsInitializer = seed === undefined ? undefined : tf.initializers.randomUniform({ minval: -0.05, maxval: 0.05, seed: at(0) });
  const embedding = tf.layers.embedding({ inputDim: cfg.vocabSize, outputDim: cfg.dim, name: 'token_emb', embeddingsInitializer });
  const gru = (name: string, k: number) => fusedGru({ units: cfg.units, returnSequences: true, recurrentActivation: 'sigmoid', name, seed: at(k) });
  const fwd = gru('gru_forward', 1).apply(embedding.apply(ids)) as tf.SymbolicTensor;
  const bwd = gru('gru_backward', 2).apply(embedding.apply(rev)) as tf.SymbolicTensor;
  const pf = new MaskedPool({ mode: 'meanmax', name: 'pool_forward' }).apply([ids, fwd]) as tf.SymbolicTensor;
  const pb = new MaskedPool({ mode: 'meanmax', name: 'pool_backward' }).apply([rev, bwd]) as tf.SymbolicTensor;
  let h = tf.layers.concatenate({ name: 'pool' }).apply([pf, pb]) as tf.SymbolicTensor;
  if (cfg.dropout > 0) h = tf.layers.dropout({ rate: cfg.dropout }).apply(h) as tf.SymbolicTensor;
  if (cfg.hidden > 0) h = tf.layers.dense({ units: cfg.hidden, activation: 'relu', name: 'hidden', kernelInitializer: glorot(3) }).apply(h) as tf.SymbolicTensor;
  const logit = tf.layers.dense({ units: 1, name: 'logit', kernelInitializer: glorot(4) }).apply(h) as tf.SymbolicTensor;
  return tf.model({ inputs: [ids, rev], outputs: logit, name: `sentiment_${cfg.level}_gru` });
}

/** The two inputs of a batch: ids and per-text reversed ids, padded at the end. */
export function gruInputs(seqs: number[][]): [tf.Tensor2D, tf.Tensor2D] {
  return [padBatch(seqs), padBatch(seqs.map((s) => [...s].reverse()))];
}

/** Logits for encoded texts, batched by length (little padding; padding never changes a logit). */
export function gruLogits(model: tf.LayersModel, seqs: number[][], batchSize = 256): Float32Array {
  return predictLogits(model, seqs, batchSize, gruInputs);
}

export interface GruTrainOptions {
  epochs: number;
  batchSize: number;
  learningRate: number;
  seed: number;
  /** Epochs already done (resume). */
  startEpoch?: number;
  /** Gradient norm clip. */
  clipNorm?: number;
  onBatch?: (info: { epoch: number; batch: number; batches: number; loss: number }) => void;
  onEpoch?: (info: { epoch: number; loss: number; valAccuracy: number; seconds: number }) => Promise<void> | void;
}

/** Adam on sigmoid cross-entropy; the learning rate falls linearly to 10 % over the run. */
export async function trainGruClassifier(model: tf.LayersModel, train: EncodedSet, val: EncodedSet, o: GruTrainOptions): Promise<number> {
  const optimizer = tf.train.adam(o.learningRate);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  let valAccuracy = NaN;
  for (let epoch = o.startEpoch ?? 0; epoch < o.epochs; epoch++) {
    const t0 = Date.now();
    const batches = bucketBatches(train.seqs.map((s) => s.length), o.batchSize, mulberry32(o.seed + epoch * 7919));
    let lossSum = 0;
    for (let b = 0; b < batches.length; b++) {
      const f = Math.max(0.1, 1 - (epoch * batches.length + b) / (o.epochs * batches.length));
      (optimizer as unknown as { learningRate: number }).learningRate = o.learningRate * f;
      const idx = batches[b];
      const loss = tf.tidy(() => {
        const x = gruInputs(idx.map((i) => train.seqs[i]));
        const y = tf.tensor2d(idx.map((i) => train.labels[i]), [idx.length, 1]);
        const { value, grads } = tf.variableGrads(() => tf.losses.sigmoidCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, vars);
        const clipped = clipByGlobalNorm(grads, o.clipNorm ?? 5);
        optimizer.applyGradients(clipped as unknown as Parameters<typeof optimizer.applyGradients>[0]);
        return value.dataSync()[0];
      });
      lossSum += loss;
      o.onBatch?.({ epoch, batch: b + 1, batches: batches.length, loss: lossSum / (b + 1) });
      if (b % 20 === 19) await new Promise((r) => setImmediate(r));
    }
    valAccuracy = accuracyOf(gruLogits(model, val.seqs), val.labels);
    await o.onEpoch?.({ epoch: epoch + 1, loss: lossSum / batches.length, valAccuracy, seconds: (Date.now() - t0) / 1000 });
  }
  optimizer.dispose();
  return valAccuracy;
}

function clipByGlobalNorm(grads: tf.NamedTensorMap, maxNorm: number): tf.NamedTensorMap {
  const names = Object.keys(grads);
  const norm = Math.sqrt(tf.addN(names.map((n) => tf.sum(tf.square(grads[n])))).dataSync()[0]);
  if (norm <= maxNorm) return grads;
  const out: tf.NamedTensorMap = {};
  for (const n of names) out[n] = tf.mul(grads[n], maxNorm / norm);
  return out;
}

/** A trained GRU member: network + token vocabulary, saved in one folder (model.json, weights.bin, vocab.json). */
export class GruMember {
  constructor(
    readonly model: tf.LayersModel,
    readonly vocab: Vocab,
    readonly config: GruConfig,
  ) {}

  encode(texts: string[]): number[][] {
    return texts.map((t) => encodeTokens(this.config.level, this.vocab, t, this.config.maxChars));
  }

  logits(texts: string[]): Float32Array {
    return gruLogits(this.model, this.encode(texts));
  }

  /** The embedding table is stored as uint8 with scale when large (as the bag's). */
  async save(dir: string): Promise<void> {
    fs.mkdirSync(dir, { recursive: true });
    await saveLayersModel(this.model, dir);
    this.vocab.save(path.join(dir, 'vocab.json'));
  }

  static async load(dir: string, config: GruConfig): Promise<GruMember> {
    const vocab = Vocab.load(path.join(dir, 'vocab.json'));
    if (vocab.size !== config.vocabSize) throw new DataError(path.join(dir, 'vocab.json'), undefined, undefined, `has ${vocab.size} tokens, the model expects ${config.vocabSize}`);
    return new GruMember(await loadLayersModel(dir), vocab, config);
  }
}
