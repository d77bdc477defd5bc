/**
 * Kernels the wasm backend lacks but training needs, registered through tfjs's
 * kernel registry. Each kernel reads its inputs from the wasm heap, computes in
 * JS typed arrays and writes into an output allocated by the backend.
 *
 * Gotcha: `backend.makeOutput` may grow the wasm heap and detach typed-array
 * views taken earlier, so input views are always taken *after* the output is
 * allocated.
 */
import * as tf from '@tensorflow/tfjs';

type WasmBackend = tf.KernelBackend & {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): tf.backend_util.TypedArray;
};

/** UnsortedSegmentSum: the gradient of gather (Embedding lookups). */
function unsortedSegmentSum(args: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const backend = args.backend as WasmBackend;
  const x = args.inputs.x!;
  const segmentIds = args.inputs.segmentIds!;
  const numSegments = (args.attrs as unknown as { numSegments: number }).numSegments;
  const rows = segmentIds.shape.reduce((a, b) => a * b, 1);
  const inner = x.shape.slice(segmentIds.shape.length).reduce((a, b) => a * b, 1);
  const outShape = [numSegments, ...x.shape.slice(segmentIds.shape.length)];
  const out = backend.makeOutput(outShape, x.dtype);
  // Views after allocation (see the note above).
  const xs = backend.typedArrayFromHeap(x);
  const ids = backend.typedArrayFromHeap(segmentIds);
  const o = backend.typedArrayFromHeap(out);
  o.fill(0);
  for (let r = 0; r < rows; r++) {
    const seg = ids[r];
    if (seg < 0 || seg >= numSegments) continue; // tf semantics: out-of-range ids are dropped
    const src = r * inner;
    const dst = seg * inner;
    for (let j = 0; j < inner; j++) o[dst + j] += xs[src + j];
  }
  return out;
}

/**
 * Conv2DBackpropFilter (NHWC, dilation 1): the filter gradient of conv1d/conv2d.
 * dy: [batch, outH, outW, outC], x: [batch, inH, inW, inC] → dW: [fH, fW, inC, outC].
 */
function conv2DBackpropFilter(args: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const backend = args.backend as WasmBackend;
  const x = args.inputs.x!;
  const dy = args.inputs.dy!;
  const attrs = args.attrs as unknown as {
    strides: [number, number] | number; pad: 'valid' | 'same' | number; dataFormat: string;
    dimRoundingMode?: 'floor' | 'round' | 'ceil'; filterShape: [number, number, number, number];
  };
  if (attrs.dataFormat && attrs.dataFormat !== 'NHWC') throw new Error('Conv2DBackpropFilter (wasm): only NHWC is supported');
  const conv = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], attrs.filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast');
  const { strideHeight, strideWidth, filterHeight, filterWidth, inChannels, outChannels, batchSize, outHeight, outWidth, inHeight, inWidth } = conv;
  const padTop = conv.padInfo.top;
  const padLeft = conv.padInfo.left;
  const out = backend.makeOutput(conv.filterShape, 'float32');
  const xs = backend.typedArrayFromHeap(x);
  const dys = backend.typedArrayFromHeap(dy);
  const dw = backend.typedArrayFromHeap(out);
  dw.fill(0);
  for (let b = 0; b < batchSize; b++) {
    for (let yR = 0; yR < outHeight; yR++) {
      for (let yC = 0; yC < outWidth; yC++) {
        const dyBase = ((b * outHeight + yR) * outWidth + yC) * outChannels;
        for (let wR = 0; wR < filterHeight; wR++) {
          const xR = yR * strideHeight - padTop + wR;
          if (xR < 0 || xR >= inHeight) continue;
          for (let wC = 0; wC < filterWidth; wC++) {
            const xC = yC * strideWidth - padLeft + wC;
            if (xC < 0 || xC >= inWidth) continue;
            const xBase = ((b * inHeight + xR) * inWidth + xC) * inChannels;
            const wBase = (wR * filterWidth + wC) * inChannels * outChannels;
            for (let d1 = 0; d1 < inChannels; d1++) {
              const xv = xs[xBase + d1];
              if (xv === 0) continue;
              const row = wBase + d1 * outChannels;
              for (let d2 = 0; d2 < outChannels; d2++) dw[row + d2] += xv * dys[dyBase + d2];
            }
          }
        }
      }
    }
  }
  return out;
}

const MISSING: Array<{ kernelName: string; kernelFunc: (a: any) => tf.TensorInfo }> = [
  { kernelName: 'UnsortedSegmentSum', kernelFunc: unsortedSegmentSum },
  { kernelName: 'Conv2DBackpropFilter', kernelFunc: conv2DBackpropFilter },
];

/** Registers the kernels above on `wasm` where it has none of its own. Returns the names registered. */
export function registerMissingWasmKernels(): string[] {
  const have = new Set(tf.getKernelsForBackend('wasm').map((k) => k.kernelName));
  const added: string[] = [];
  for (const k of MISSING) {
    if (have.has(k.kernelName)) continue;
    tf.registerKernel({ kernelName: k.kernelName, backendName: 'wasm', kernelFunc: k.kernelFunc as tf.KernelFunc });
    added.push(k.kernelName);
  }
  return added;
}
