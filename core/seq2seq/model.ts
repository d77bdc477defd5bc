/**
 * Character-level GRU encoder–decoder with Luong attention and a copy (pointer) gate.
 *
 *   source: control tokens + attribute characters → embedding → bidirectional GRU → enc [B,S,2He]
 *   decoder: GRU over the previous target characters (state initialised from the mean of enc),
 *            attention score h·Wa·enc, context c; combined = tanh(Wc[h;c]) (size E);
 *            vocabulary logits = combined · embᵀ (tied output embedding).
 *   copy:    p_gen = σ(wg[h;c;x]); P(y) = p_gen·softmax(logits)(y) + (1−p_gen)·Σ_s attn_s [src_s = y].
 *
 * The attention is not fed back into the decoder input (no input feeding), so under teacher forcing
 * the decoder recurrence is the only sequential part and attention/output run as big batched matmuls.
 * Weights are plain tf.Variables held in a name→variable map (saved by persist.ts).
 */
import { tf } from '../tf/runtime';
import { gruStep, gruSequence } from './gru';

export interface ModelConfig {
  vocabSize: number;
  emb: number;
  encHidden: number;
  decHidden: number;
  copy: boolean;
  dropout: number;
  /** Retrieval-augmented: the source ends with `<ex>` and this many characters of the nearest training copy (0 or absent: no exemplar). */
  exemplarChars?: number;
}

export const DEFAULT_CONFIG: Omit<ModelConfig, 'vocabSize'> = { emb: 128, encHidden: 128, decHidden: 256, copy: true, dropout: 0.2 };

export type Weights = Map<string, tf.Variable>;

/** Deterministic Glorot-uniform initialisation from a seed. */
export function buildWeights(cfg: ModelConfig, seed = 1): Weights {
  const w: Weights = new Map();
  let s = seed;
  const glorot = (name: string, shape: number[]) => {
    const limit = Math.sqrt(6 / (shape[0] + shape[shape.length - 1]));
    w.set(name, tf.variable(tf.randomUniform(shape, -limit, limit, 'float32', s++), true));
  };
  const zeros = (name: string, shape: number[]) => w.set(name, tf.variable(tf.zeros(shape), true));
  const { vocabSize: V, emb: E, encHidden: He, decHidden: Hd } = cfg;
  w.set('emb', tf.variable(tf.randomNormal([V, E], 0, 0.1, 'float32', s++), true));
  for (const d of ['f', 'b']) {
    glorot(`enc_${d}_W`, [E, 3 * He]);
    glorot(`enc_${d}_U`, [He, 3 * He]);
    zeros(`enc_${d}_bx`, [3 * He]);
  }
  glorot('init_W', [2 * He, Hd]);
  zeros('init_b', [Hd]);
  glorot('dec_W', [E, 3 * Hd]);
  glorot('dec_U', [Hd, 3 * Hd]);
  zeros('dec_bx', [3 * Hd]);
  glorot('att_W', [2 * He, Hd]);
  glorot('comb_W', [Hd + 2 * He, E]);
  zeros('comb_b', [E]);
  zeros('out_b', [V]);
  if (cfg.copy) {
    glorot('gen_W', [Hd + 2 * He + E, 1]);
    zeros('gen_b', [1]);
  }
  return w;
}

export function paramCount(w: Weights): number {
  let n = 0;
  for (const v of w.values()) n += v.size;
  return n;
}

function g(w: Weights, name: string): tf.Variable {
  const v = w.get(name);
  if (!v) throw new Error(`model weight "${name}" is missing`);
  return v;
}

function maybeDropout(x: tf.Tensor, rate: number, training: boolean, seed: number): tf.Tensor {
  return training && rate > 0 ? tf.dropout(x, rate, undefined, seed) : x;
}

export interface Encoded {
  /** [B,S,2He] */
  enc: tf.Tensor3D;
  /** enc·Wa: [B,S,Hd] */
  keys: tf.Tensor3D;
  /** [B,S] 1 for real tokens */
  mask: tf.Tensor2D;
  /** initial decoder state [B,Hd] */
  h0: tf.Tensor2D;
}

/**
 * Bidirectional GRU over the right-padded source ids. `srcRev` holds each sequence reversed within its
 * own length (still right-padded) and `revIdx` [B*S] maps flat (b,s) to the flat position of the same
 * token in srcRev, so the backward direction needs no masking.
 */
export function encode(w: Weights, cfg: ModelConfig, src: tf.Tensor2D, srcRev: tf.Tensor2D, revIdx: tf.Tensor1D, training = false, seed = 0): Encoded {
  const [B, S] = src.shape;
  const He = cfg.encHidden;
  const mask = tf.cast(tf.notEqual(src, 0), 'float32') as tf.Tensor2D;
  const h0 = tf.zeros([B, He]) as tf.Tensor2D;
  const run = (ids: tf.Tensor2D, d: 'f' | 'b', sd: number): tf.Tensor3D => {
    const x = maybeDropout(tf.gather(g(w, 'emb'), ids), cfg.dropout, training, sd);
    const xp = tf.reshape(tf.add(tf.matMul(tf.reshape(x, [B * S, cfg.emb]), g(w, `enc_${d}_W`)), g(w, `enc_${d}_bx`)), [B, S, 3 * He]) as tf.Tensor3D;
    return gruSequence(xp, g(w, `enc_${d}_U`) as tf.Tensor2D, h0);
  };
  const fw = run(src, 'f', seed);
  const bwRev = run(srcRev, 'b', seed + 1);
  const bw = tf.reshape(tf.gather(tf.reshape(bwRev, [B * S, He]), revIdx), [B, S, He]);
  const enc = tf.concat([fw, bw], 2) as tf.Tensor3D;
  const keys = tf.reshape(tf.matMul(tf.reshape(enc, [B * S, 2 * He]), g(w, 'att_W')), [B, S, cfg.decHidden]) as tf.Tensor3D;
  const pooled = tf.div(tf.sum(tf.mul(enc, tf.expandDims(mask, 2)), 1), tf.expandDims(tf.maximum(tf.sum(mask, 1), 1), 1));
  const hInit = tf.tanh(tf.add(tf.matMul(pooled as tf.Tensor2D, g(w, 'init_W')), g(w, 'init_b'))) as tf.Tensor2D;
  return { enc, keys, mask, h0: hInit };
}

/** The reversed-within-length copy of right-padded id rows, and the flat index map back. */
export function reverseWithinLength(rows: number[][], S: number): { rev: Int32Array; idx: Int32Array } {
  const B = rows.length;
  const rev = new Int32Array(B * S);
  const idx = new Int32Array(B * S);
  rows.forEach((r, b) => {
    const L = r.length;
    for (let s = 0; s < S; s++) {
      if (s < L) {
        rev[b * S + s] = r[L - 1 - s];
        idx[b * S + s] = b * S + (L - 1 - s);
      } else idx[b * S + s] = b * S + s;
    }
  });
  return { rev, idx };
}

/** Attention of decoder states H [B,T,Hd] over the encoder: weights [B,T,S] and context [B,T,2He]. */
export function attend(e: Encoded, H: tf.Tensor3D): { attn: tf.Tensor3D; ctx: tf.Tensor3D } {
  const scores = tf.matMul(H, e.keys, false, true); // [B,T,S]
  const neg = tf.mul(tf.sub(1, e.mask), -1e9).expandDims(1);
  const attn = tf.softmax(tf.add(scores, neg)) as tf.Tensor3D;
  const ctx = tf.matMul(attn, e.enc) as tf.Tensor3D;
  return { attn, ctx };
}

/** Vocabulary logits [N,V] and (with copy) the generation probability p_gen [N,1] for flattened positions. */
export function outputs(w: Weights, cfg: ModelConfig, H: tf.Tensor2D, ctx: tf.Tensor2D, xEmb: tf.Tensor2D, training = false, seed = 0): { logits: tf.Tensor2D; pgen?: tf.Tensor2D } {
  const hc = tf.concat([H, ctx], 1);
  let comb = tf.tanh(tf.add(tf.matMul(hc, g(w, 'comb_W')), g(w, 'comb_b')));
  comb = maybeDropout(comb, cfg.dropout, training, seed + 7);
  const logits = tf.add(tf.matMul(comb, g(w, 'emb'), false, true), g(w, 'out_b')) as tf.Tensor2D;
  if (!cfg.copy) return { logits };
  const pgen = tf.sigmoid(tf.add(tf.matMul(tf.concat([hc, xEmb], 1), g(w, 'gen_W')), g(w, 'gen_b'))) as tf.Tensor2D;
  return { logits, pgen };
}

export interface Batch {
  /** [B,S] source ids, 0-padded */
  src: tf.Tensor2D;
  /** [B,S] each source reversed within its length; [B*S] index map back (see encode) */
  srcRev: tf.Tensor2D;
  revIdx: tf.Tensor1D;
  /** [B,T] decoder inputs (<bos> + target[:-1]) */
  tgtIn: tf.Tensor2D;
  /** [B*T] flat target ids */
  tgtOut: tf.Tensor1D;
  /** [B*T] 1 for real target positions */
  tgtMask: tf.Tensor1D;
  /** [B,T,S] 1 where the source token equals the target token */
  copyMask?: tf.Tensor3D;
}

/** Mean token negative log-likelihood of a teacher-forced batch. */
export function batchLoss(w: Weights, cfg: ModelConfig, b: Batch, training: boolean, seed = 0): tf.Scalar {
  const logp = tokenLogProbs(w, cfg, b, training, seed);
  return tf.div(tf.neg(tf.sum(tf.mul(logp, b.tgtMask))), tf.maximum(tf.sum(b.tgtMask), 1)) as tf.Scalar;
}

/** Teacher-forced log-probability of every target token [B*T] (padding positions included: mask them with tgtMask). */
export function tokenLogProbs(w: Weights, cfg: ModelConfig, b: Batch, training: boolean, seed = 0): tf.Tensor1D {
  const [B, T] = b.tgtIn.shape;
  const Hd = cfg.decHidden;
  const e = encode(w, cfg, b.src, b.srcRev, b.revIdx, training, seed);
  const xd = maybeDropout(tf.gather(g(w, 'emb'), b.tgtIn), cfg.dropout, training, seed + 3) as tf.Tensor3D;
  const xg = tf.reshape(tf.add(tf.matMul(tf.reshape(xd, [B * T, cfg.emb]), g(w, 'dec_W')), g(w, 'dec_bx')), [B, T, 3 * Hd]) as tf.Tensor3D;
  const H = gruSequence(xg, g(w, 'dec_U') as tf.Tensor2D, e.h0);
  const { attn, ctx } = attend(e, H);
  const { logits, pgen } = outputs(w, cfg, tf.reshape(H, [B * T, Hd]), tf.reshape(ctx, [B * T, 2 * cfg.encHidden]), tf.reshape(xd, [B * T, cfg.emb]), training, seed);
  const V = cfg.vocabSize;
  const flatIdx = tf.add(tf.mul(tf.range(0, B * T, 1, 'int32'), tf.scalar(V, 'int32')), b.tgtOut);
  const ly = tf.gather(tf.reshape(tf.logSoftmax(logits), [-1]), flatIdx);
  let logp: tf.Tensor1D;
  if (pgen && b.copyMask) {
    const pv = tf.exp(ly);
    const pc = tf.reshape(tf.sum(tf.mul(attn, b.copyMask), 2), [B * T]);
    const pg = tf.reshape(pgen, [B * T]);
    logp = tf.log(tf.add(tf.add(tf.mul(pg, pv), tf.mul(tf.sub(1, pg), pc)), 1e-9)) as tf.Tensor1D;
  } else {
    logp = ly as tf.Tensor1D;
  }
  return logp;
}

/** What the decoder needs per request, prepared once (tiled to N hypotheses). */
export interface DecodeContext {
  e: Encoded;
  /** [N,1,S] additive attention mask (0 or -1e9) */
  neg: tf.Tensor3D;
  /** decoder recurrent weights split once: [Hd,2Hd] (update, reset) and [Hd,Hd] (candidate) */
  Uzr: tf.Tensor2D;
  Un: tf.Tensor2D;
  srcIds: number[];
}

export function prepareDecode(w: Weights, cfg: ModelConfig, srcIds: number[], n: number): DecodeContext {
  const t = tf.tidy(() => {
    const S = srcIds.length;
    const src = tf.tensor2d([srcIds], [1, S], 'int32');
    const { rev, idx } = reverseWithinLength([srcIds], S);
    const e1 = encode(w, cfg, src, tf.tensor2d(rev, [1, S], 'int32'), tf.tensor1d(idx, 'int32'), false);
    const tile = <R extends tf.Rank>(x: tf.Tensor<R>): tf.Tensor<R> => tf.tile(x, [n, ...x.shape.slice(1).map(() => 1)]) as tf.Tensor<R>;
    const e: Encoded = { enc: tile(e1.enc), keys: tile(e1.keys), mask: tile(e1.mask), h0: tile(e1.h0) };
    const neg = tf.mul(tf.sub(1, e.mask), -1e9).expandDims(1) as tf.Tensor3D;
    const Hd = cfg.decHidden;
    const U = g(w, 'dec_U');
    const Uzr = tf.slice(U, [0, 0], [Hd, 2 * Hd]) as tf.Tensor2D;
    const Un = tf.slice(U, [0, 2 * Hd], [Hd, Hd]) as tf.Tensor2D;
    return { e, neg, Uzr, Un } as unknown as tf.TensorContainerObject;
  }) as unknown as Omit<DecodeContext, 'srcIds'>;
  return { ...t, srcIds };
}

export function disposeDecode(c: DecodeContext): void {
  tf.dispose([c.e.enc, c.e.keys, c.e.mask, c.e.h0, c.neg, c.Uzr, c.Un]);
}

/**
 * One decoding step for N hypotheses: previous token ids and states → new states and the
 * next-token probabilities [N×V] (row-major). All rows share one source, so reordering hypotheses
 * (beam search) only reorders `prev` and `h`. The copy distribution is scattered onto the
 * source ids in JS (cheaper than a one-hot matmul).
 */
export function decodeStep(w: Weights, cfg: ModelConfig, c: DecodeContext, prev: number[], h: tf.Tensor2D): { h: tf.Tensor2D; probs: Float32Array } {
  const N = prev.length;
  const Hd = cfg.decHidden;
  const V = cfg.vocabSize;
  const [hn, out] = tf.tidy(() => {
    const x = tf.gather(g(w, 'emb'), tf.tensor1d(prev, 'int32')) as tf.Tensor2D;
    const xg = tf.fused.matMul({ a: x, b: g(w, 'dec_W'), bias: g(w, 'dec_bx') });
    const zr = tf.sigmoid(tf.add(tf.slice(xg, [0, 0], [N, 2 * Hd]), tf.matMul(h, c.Uzr)));
    const [z, r] = tf.split(zr, 2, 1);
    const cand = tf.tanh(tf.add(tf.slice(xg, [0, 2 * Hd], [N, Hd]), tf.matMul(tf.mul(r, h), c.Un)));
    const hNew = tf.add(cand, tf.mul(z, tf.sub(h, cand))) as tf.Tensor2D;
    const attn = tf.softmax(tf.add(tf.matMul(tf.reshape(hNew, [N, 1, Hd]), c.e.keys, false, true), c.neg)) as tf.Tensor3D;
    const ctx = tf.reshape(tf.matMul(attn, c.e.enc), [N, 2 * cfg.encHidden]);
    const hc = tf.concat([hNew, ctx], 1);
    const comb = tf.tanh(tf.fused.matMul({ a: hc, b: g(w, 'comb_W'), bias: g(w, 'comb_b') }));
    const logits = tf.fused.matMul({ a: comb, b: g(w, 'emb'), transposeB: true, bias: g(w, 'out_b') });
    if (!cfg.copy) return [hNew, tf.softmax(logits)];
    const pgen = tf.fused.matMul({ a: tf.concat([hc, x], 1), b: g(w, 'gen_W'), bias: g(w, 'gen_b'), activation: 'sigmoid' });
    return [hNew, tf.concat([tf.softmax(logits), tf.reshape(attn, [N, -1]), pgen], 1)];
  });
  const data = out.dataSync() as Float32Array;
  out.dispose();
  if (!cfg.copy) return { h: hn, probs: data };
  const S = c.srcIds.length;
  const W = V + S + 1;
  const probs = new Float32Array(N * V);
  for (let r = 0; r < N; r++) {
    const base = r * W;
    const pg = data[base + V + S];
    const row = probs.subarray(r * V, (r + 1) * V);
    for (let v = 0; v < V; v++) row[v] = pg * data[base + v];
    for (let s = 0; s < S; s++) row[c.srcIds[s]] += (1 - pg) * data[base + V + s];
  }
  return { h: hn, probs };
}
