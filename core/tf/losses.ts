/**
 * Sparse softmax cross-entropy from logits, fused: one native pass computes the
 * per-row loss and keeps the softmax for the gradient ((p - onehot) · dy), instead
 * of softmax → normalise → clip → log → one-hot → multiply → sum over a large
 * vocabulary. Falls back to tfjs ops when the native accelerator is off.
 *
 * Use it with a Dense layer WITHOUT softmax (logits):
 *   model.compile({ optimizer, loss: sparseCategoricalCrossentropyFromLogits })
 * Labels out of range [0, C) contribute 0 loss and 0 gradient.
 */
import * as tf from '@tensorflow/tfjs';
import { SOFTMAX_CE, SOFTMAX_CE_GRAD, nativeKernelsActive } from './native-kernels';

let nativeCE: ((logits: tf.Tensor, labels: tf.Tensor) => tf.Tensor) | undefined;

function nativeRows(): (logits: tf.Tensor, labels: tf.Tensor) => tf.Tensor {
  if (!nativeCE) {
    nativeCE = tf.customGrad(((logits: tf.Tensor, labels: tf.Tensor, save: tf.GradSaveFunc) => {
      const [loss, probs] = tf.engine().runKernel(SOFTMAX_CE, { logits, labels }, {}) as tf.Tensor[];
      save([probs!, labels]);
      return {
        value: loss!,
        gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
          const dloss = Array.isArray(dy) ? dy[0]! : dy;
          const dlogits = tf.engine().runKernel(SOFTMAX_CE_GRAD, { probs: saved[0]!, labels: saved[1]!, dloss }, {}) as tf.Tensor;
          return [dlogits, tf.zerosLike(saved[1]!)];
        },
      };
    }) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (logits: tf.Tensor, labels: tf.Tensor) => tf.Tensor;
  }
  return nativeCE;
}

/** Per-row losses: logits [R, C], labels [R] (class ids) → [R]. */
export function sparseSoftmaxCrossEntropyRows(labels: tf.Tensor1D, logits: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => {
    const lab = tf.cast(labels, 'float32');
    if (tf.getBackend() === 'wasm' && nativeKernelsActive() && logits.dtype === 'float32') {
      return nativeRows()(logits, lab) as tf.Tensor1D;
    }
    // tfjs ops: pick each row's label from logSoftmax (a gather, not a one-hot product)
    const [R, C] = logits.shape;
    const ids = tf.cast(lab, 'int32');
    const valid = tf.logicalAnd(tf.greaterEqual(ids, 0), tf.less(ids, C));
    const flat = tf.add(tf.mul(tf.range(0, R, 1, 'int32'), tf.scalar(C, 'int32')), tf.clipByValue(ids, 0, C - 1));
    const picked = tf.gather(tf.reshape(tf.logSoftmax(logits), [-1]), flat);
    return tf.where(valid, tf.neg(picked), tf.zerosLike(picked)) as tf.Tensor1D;
  });
}

/**
 * Mean sparse softmax cross-entropy: yTrue class ids of any shape [..] (or [.., 1]),
 * yPred logits [.., C]. Signature matches a tf.layers loss function.
 */
export function sparseCategoricalCrossentropyFromLogits(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const C = yPred.shape[yPred.shape.length - 1]!;
    const logits = tf.reshape(yPred, [-1, C]) as tf.Tensor2D;
    const labels = tf.reshape(yTrue, [-1]) as tf.Tensor1D;
    return tf.mean(sparseSoftmaxCrossEntropyRows(labels, logits)) as tf.Scalar;
  });
}

/**
 * Compiles a model whose last layer outputs LOGITS (Dense without softmax) for sparse
 * class-id targets, training with the fused cross-entropy above. tf.layers only accepts
 * sparse targets ([.., 1]) for its own 'sparseCategoricalCrossentropy', so we compile with
 * that (its target checks and 'accuracy' metric apply) and then swap in the fused loss.
 */
export function compileWithSparseLogitsLoss(model: tf.LayersModel, args: Omit<tf.ModelCompileArgs, 'loss'>): void {
  model.compile({ ...args, loss: 'sparseCategoricalCrossentropy' });
  type Compiled = { lossFunctions: Array<(a: tf.Tensor, b: tf.Tensor) => tf.Tensor>; model?: Compiled };
  // a Sequential compiles (and trains) the functional model it wraps
  const outer = model as unknown as Compiled;
  const m = Array.isArray(outer.lossFunctions) ? outer : outer.model ?? outer;
  if (!Array.isArray(m.lossFunctions)) throw new Error('compileWithSparseLogitsLoss: unexpected tf.layers internals');
  m.lossFunctions = m.lossFunctions.map(() => sparseCategoricalCrossentropyFromLogits);
}
