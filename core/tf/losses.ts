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
import { SOFTMAX_CE, SOFTMAX_CE_GRAD, KERAS_SCE, KERAS_SCE_GRAD, nativeKernelsActive } from './native-kernels';

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

let nativeKerasRows: ((p: tf.Tensor, labels: tf.Tensor) => tf.Tensor) | undefined;

/**
 * tf.layers' 'sparseCategoricalCrossentropy' (on softmax outputs: clip, renormalise, clip, -log of
 * the label's probability), as one native pass each way. Same values and gradients
 * (test/native-kernels.test.ts); per-row losses of shape yPred.shape[:-1], as tf.layers expects.
 */
export function kerasSparseCategoricalCrossentropy(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const C = yPred.shape[yPred.shape.length - 1]!;
    const p = tf.reshape(yPred, [-1, C]);
    const labels = tf.cast(tf.reshape(yTrue, [-1]), 'float32');
    const eps = tf.backend().epsilon();
    if (!nativeKerasRows) {
      nativeKerasRows = tf.customGrad(((pp: tf.Tensor, ll: tf.Tensor, save: tf.GradSaveFunc) => {
        const e = tf.backend().epsilon();
        const [loss, sums] = tf.engine().runKernel(KERAS_SCE, { p: pp, labels: ll }, { eps: e } as unknown as tf.NamedAttrMap) as tf.Tensor[];
        save([pp, ll, sums!]);
        return {
          value: loss!,
          gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
            const dloss = Array.isArray(dy) ? dy[0]! : dy;
            const dp = tf.engine().runKernel(KERAS_SCE_GRAD, { p: saved[0]!, labels: saved[1]!, sums: saved[2]!, dloss }, { eps: e } as unknown as tf.NamedAttrMap) as tf.Tensor;
            return [dp, tf.zerosLike(saved[1]!)];
          },
        };
      }) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (p: tf.Tensor, labels: tf.Tensor) => tf.Tensor;
    }
    void eps;
    return tf.reshape(nativeKerasRows(p, labels), yPred.shape.slice(0, -1));
  });
}

let compilePatched = false;

/**
 * On wasm+native, models compiled with loss 'sparseCategoricalCrossentropy' compute it with
 * kerasSparseCategoricalCrossentropy (one native pass each way instead of ~15 ops over
 * [rows, classes]); elsewhere tf.layers' own function runs. Installed once by the runtime.
 */
export function patchKerasSparseCrossentropy(): void {
  if (compilePatched) return;
  compilePatched = true;
  const proto = tf.LayersModel.prototype as unknown as { compile(args: tf.ModelCompileArgs): void };
  const own = proto.compile;
  proto.compile = function (this: { lossFunctions?: Array<(a: tf.Tensor, b: tf.Tensor) => tf.Tensor> }, args: tf.ModelCompileArgs) {
    own.call(this, args);
    const losses = args.loss;
    const names: unknown[] = Array.isArray(losses) ? losses : typeof losses === 'string' ? (this.lossFunctions ?? []).map(() => losses) : [];
    if (!Array.isArray(this.lossFunctions)) return;
    this.lossFunctions = this.lossFunctions.map((fn, i) => {
      if (names[i] !== 'sparseCategoricalCrossentropy') return fn;
      return (yTrue: tf.Tensor, yPred: tf.Tensor) =>
        (nativeKernelsActive() && tf.getBackend() === 'wasm' && yPred.dtype === 'float32' && yPred.rank >= 2
          ? kerasSparseCategoricalCrossentropy(yTrue, yPred)
          : fn(yTrue, yPred));
    });
  };
}
