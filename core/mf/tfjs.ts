/**
 * The same biased MF (r̂ = μ + b_u + b_i + p_u·q_i, L2) in TensorFlow.js through the project
 * runtime, mini-batch Adam. Kept only to measure it against the typed-array trainers (the
 * model card gives the numbers); the shipped models use the typed-array code.
 */
import { initRuntime, tf } from '../tf/runtime';
import type { Ratings } from './explicit';
import { TrainRng } from './rng';

export interface TfjsMfResult {
  backend: string;
  epochs: number;
  secondsPerEpoch: number;
  /** Predictions function over index pairs (unknown = −1 → biases only). */
  predict(u: Int32Array, i: Int32Array): Float32Array;
  dispose(): void;
}

export async function trainTfjsMf(data: Ratings, o: { factors?: number; epochs?: number; batch?: number; lr?: number; reg?: number; seed?: number } = {}): Promise<TfjsMfResult> {
  const backend = await initRuntime();
  const K = o.factors ?? 32;
  const epochs = o.epochs ?? 10;
  const batch = o.batch ?? 2048;
  const reg = o.reg ?? 0.02;
  const nU = data.users.size;
  const nI = data.items.size;
  let mu = 0;
  for (const r of data.r) mu += r;
  mu /= data.r.length;
  const seed = o.seed ?? 42;
  const P = tf.variable(tf.randomNormal([nU, K], 0, 0.05, 'float32', seed));
  const Q = tf.variable(tf.randomNormal([nI, K], 0, 0.05, 'float32', seed + 1));
  const bu = tf.variable(tf.zeros([nU]));
  const bi = tf.variable(tf.zeros([nI]));
  const opt = tf.train.adam(o.lr ?? 0.01);
  const n = data.r.length;
  const order = Int32Array.from({ length: n }, (_, k) => k);
  const rng = new TrainRng(seed);
  const t0 = Date.now();
  for (let ep = 0; ep < epochs; ep++) {
    rng.shuffle(order);
    for (let s = 0; s < n; s += batch) {
      const idx = order.subarray(s, Math.min(n, s + batch));
      const u = tf.tensor1d(Int32Array.from(idx, (k) => data.u[k]), 'int32');
      const i = tf.tensor1d(Int32Array.from(idx, (k) => data.i[k]), 'int32');
      const r = tf.tensor1d(Float32Array.from(idx, (k) => data.r[k]));
      opt.minimize(() => {
        const pu = tf.gather(P, u);
        const qi = tf.gather(Q, i);
        const pred = tf.sum(tf.mul(pu, qi), 1).add(tf.gather(bu, u)).add(tf.gather(bi, i)).add(mu);
        const mse = tf.mean(tf.square(tf.sub(pred, r)));
        const l2 = tf.mul(reg, tf.add(tf.mean(tf.sum(tf.square(pu), 1)), tf.mean(tf.sum(tf.square(qi), 1))));
        return tf.add(mse, l2) as tf.Scalar;
      });
      tf.dispose([u, i, r]);
    }
  }
  const secondsPerEpoch = (Date.now() - t0) / 1000 / epochs;
  return {
    backend,
    epochs,
    secondsPerEpoch,
    predict(uIdx, iIdx) {
      return tf.tidy(() => {
        const known = (a: Int32Array) => Int32Array.from(a, (x) => Math.max(0, x));
        const u = tf.tensor1d(known(uIdx), 'int32');
        const i = tf.tensor1d(known(iIdx), 'int32');
        const mu_ = tf.tensor1d(Float32Array.from(uIdx, (x, k) => (x >= 0 && iIdx[k] >= 0 ? 1 : 0)));
        const dot = tf.sum(tf.mul(tf.gather(P, u), tf.gather(Q, i)), 1).mul(mu_);
        const b = tf.gather(bu, u).mul(tf.tensor1d(Float32Array.from(uIdx, (x) => (x >= 0 ? 1 : 0)))).add(tf.gather(bi, i).mul(tf.tensor1d(Float32Array.from(iIdx, (x) => (x >= 0 ? 1 : 0)))));
        return tf.clipByValue(dot.add(b).add(mu), 1, 5).dataSync() as Float32Array;
      });
    },
    dispose() {
      tf.dispose([P, Q, bu, bi]);
      opt.dispose();
    },
  };
}
