/**
 * Knowledge distillation of the shipped ensemble into one student (`train sentiment --recipe
 * student`): the student's loss, a mix of the hard label and the teacher's soft target (its
 * logits come from core/sentiment/teacher.ts) at a temperature (Hinton et al. 2015, binary form):
 *
 *   L = α · BCE(y, σ(z)) + (1 − α) · τ² · BCE(σ(z_t / τ), σ(z / τ))
 *
 * z_t is the teacher's logit already divided by its own fitted temperature (so σ(z_t) is its
 * calibrated probability); τ² keeps the soft term's gradient on the scale of the hard one.
 */
import { tf } from '../tf/runtime';

export interface DistillOptions {
  /** Weight of the hard-label term (1 = no distillation, 0 = the teacher alone). */
  alpha: number;
  /** Softening temperature τ of the soft term. */
  temperature: number;
}

export const DEFAULT_DISTILL: DistillOptions = { alpha: 0.3, temperature: 2 };

/**
 * The distillation loss over a batch (mean over rows, or weighted mean with per-row `weights`).
 * `hard` are 0/1 labels, `teacher` the teacher's calibrated logits, all [B, 1].
 */
export function distillationLoss(logits: tf.Tensor, hard: tf.Tensor, teacher: tf.Tensor, o: DistillOptions, weights?: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const t = o.temperature;
    const perRow = (labels: tf.Tensor, z: tf.Tensor) => tf.losses.sigmoidCrossEntropy(labels, z, undefined, 0, tf.Reduction.NONE);
    const hardLoss = perRow(hard, logits);
    const soft = tf.sigmoid(tf.div(teacher, t));
    const softLoss = tf.mul(perRow(soft, tf.div(logits, t)), t * t);
    const rows = tf.add(tf.mul(hardLoss, o.alpha), tf.mul(softLoss, 1 - o.alpha));
    if (!weights) return tf.mean(rows) as tf.Scalar;
    return tf.div(tf.sum(tf.mul(rows, weights)), tf.maximum(tf.sum(weights), 1e-12)) as tf.Scalar;
  });
}

/** The same loss for one row in plain numbers (tests, reports). */
export function distillationLossOf(z: number, y: number, zt: number, o: DistillOptions): number {
  const bce = (p: number, q: number) => -(p * Math.log(q) + (1 - p) * Math.log(1 - q));
  const s = (x: number) => 1 / (1 + Math.exp(-x));
  return o.alpha * bce(y, s(z)) + (1 - o.alpha) * o.temperature ** 2 * bce(s(zt / o.temperature), s(z / o.temperature));
}
