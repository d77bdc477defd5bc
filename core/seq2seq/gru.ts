/**
 * A GRU over a whole sequence (the original formulation, no recurrent bias):
 *   z = σ(xz + h·Uz), r = σ(xr + h·Ur), n = tanh(xn + (r⊙h)·Un), h' = z⊙h + (1−z)⊙n
 * `xp` [B,T,3H] holds x·W + b for all steps. Uses the fused native kernel
 * (core/tf/native-kernels.ts) when it is active, else a loop of tf ops (same maths).
 */
import { tf } from '../tf/runtime';
import { GRU_FORWARD, GRU_BACKWARD, nativeKernelsActive } from '../tf/native-kernels';

const fused = tf.customGrad(((xp: tf.Tensor, u: tf.Tensor, h0: tf.Tensor, save: tf.GradSaveFunc) => {
  const [hseq, gates] = tf.engine().runKernel(GRU_FORWARD, { xp, u, h0 }, { hard: false, reverse: false } as unknown as tf.NamedAttrMap) as tf.Tensor[];
  save([gates, hseq, h0, u]);
  return {
    value: hseq,
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [g, hs, h, uu] = saved;
      return tf.engine().runKernel(GRU_BACKWARD, { dhseq: dy, gates: g, hseq: hs, h0: h, u: uu }, { hard: false, reverse: false } as unknown as tf.NamedAttrMap) as tf.Tensor[];
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]);

export function gruStep(xp: tf.Tensor2D, h: tf.Tensor2D, U: tf.Tensor2D): tf.Tensor2D {
  const H = h.shape[1];
  const [xz, xr, xn] = tf.split(xp, 3, 1);
  const rec = tf.matMul(h, tf.slice(U, [0, 0], [H, 2 * H]));
  const [hz, hr] = tf.split(rec, 2, 1);
  const z = tf.sigmoid(tf.add(xz, hz));
  const r = tf.sigmoid(tf.add(xr, hr));
  const n = tf.tanh(tf.add(xn, tf.matMul(tf.mul(r, h), tf.slice(U, [0, 2 * H], [H, H]))));
  return tf.add(n, tf.mul(z, tf.sub(h, n))) as tf.Tensor2D;
}

let useFused: boolean | undefined;
export function fusedGruAvailable(): boolean {
  if (useFused === undefined) useFused = process.env.COPYDESK_SEQ2SEQ_FUSED !== '0' && tf.getBackend() === 'wasm' && nativeKernelsActive() && !!tf.getKernel(GRU_FORWARD, 'wasm');
  return useFused;
}

/** Hidden states [B,T,H] of a GRU run over xp [B,T,3H] from h0 [B,H]. */
export function gruSequence(xp: tf.Tensor3D, U: tf.Tensor2D, h0: tf.Tensor2D): tf.Tensor3D {
  if (fusedGruAvailable()) return (fused as unknown as (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.Tensor)(xp, U, h0) as tf.Tensor3D;
  const T = xp.shape[1];
  const steps = tf.unstack(tf.transpose(xp, [1, 0, 2]), 0) as tf.Tensor2D[];
  let h = h0;
  const hs: tf.Tensor2D[] = [];
  for (let t = 0; t < T; t++) {
    h = gruStep(steps[t], h, U);
    hs.push(h);
  }
  return tf.stack(hs, 1) as tf.Tensor3D;
}
