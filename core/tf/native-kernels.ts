/**
 * Native (OpenBLAS) kernels for the wasm backend, registered through tfjs's kernel
 * registry: BatchMatMul and _FusedMatMul replace wasm's own (which stay available
 * as the fallback for cases we do not handle), plus Copydesk* kernels used by the
 * fused GRU (core/tf/gru.ts) and the fused softmax cross-entropy (core/tf/losses.ts).
 *
 * Heap gotcha: `backend.makeOutput` may grow the wasm heap and detach typed-array
 * views taken earlier, so every kernel allocates ALL its outputs first and takes
 * the input/output views afterwards.
 */
import * as tf from '@tensorflow/tfjs';
import { ACT, NativeAddon } from '../native';

type WasmBackend = tf.KernelBackend & {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): tf.backend_util.TypedArray;
};
type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: tf.NamedAttrMap };
type KernelFn = (args: KernelArgs) => tf.TensorInfo | tf.TensorInfo[];

export const GRU_FORWARD = 'CopydeskGruForward';
export const GRU_BACKWARD = 'CopydeskGruBackward';
export const SOFTMAX_CE = 'CopydeskSparseSoftmaxCE';
export const SOFTMAX_CE_GRAD = 'CopydeskSparseSoftmaxCEGrad';

let active: NativeAddon | null = null;
const originals = new Map<string, tf.KernelConfig>();
const registered: string[] = [];

const size = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);
const f32 = (backend: WasmBackend, t: tf.TensorInfo): Float32Array => backend.typedArrayFromHeap(t) as Float32Array;

/** Delegates to the wasm backend's own kernel (cases the native path does not cover). */
const setUp = new Set<string>();
function original(name: string, args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] {
  const k = originals.get(name);
  if (!k) throw new Error(`${name}: no wasm fallback kernel`);
  // wasm kernels bind their C function in setupFunc when the backend initialises; ours
  // replaced them before that, so bind on first use.
  if (k.setupFunc && !setUp.has(name)) { k.setupFunc(args.backend); setUp.add(name); }
  return k.kernelFunc(args as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo | tf.TensorInfo[];
}

/** Batch offsets for broadcasting batch dims of a and b into the output's batch shape. */
function batchPlan(aBatch: number[], bBatch: number[]): { outBatch: number[]; aIdx: number[]; bIdx: number[] } {
  const outBatch = tf.backend_util.assertAndGetBroadcastShape(aBatch, bBatch);
  const n = size(outBatch);
  const aIdx = new Array<number>(n), bIdx = new Array<number>(n);
  const rank = outBatch.length;
  const coords = new Array<number>(rank).fill(0);
  for (let i = 0; i < n; i++) {
    let ai = 0, bi = 0;
    for (let d = 0; d < rank; d++) {
      const ad = aBatch.length - rank + d, bd = bBatch.length - rank + d;
      if (ad >= 0) ai = ai * aBatch[ad]! + (aBatch[ad] === 1 ? 0 : coords[d]!);
      if (bd >= 0) bi = bi * bBatch[bd]! + (bBatch[bd] === 1 ? 0 : coords[d]!);
    }
    aIdx[i] = ai; bIdx[i] = bi;
    for (let d = rank - 1; d >= 0; d--) { if (++coords[d]! < outBatch[d]!) break; coords[d] = 0; }
  }
  return { outBatch, aIdx, bIdx };
}

function matmul(args: KernelArgs, kernelName: string, bias?: tf.TensorInfo, act = 0, alpha = 0.2): tf.TensorInfo {
  const backend = args.backend as WasmBackend;
  const a = args.inputs.a!, b = args.inputs.b!;
  const { transposeA, transposeB } = args.attrs as unknown as { transposeA: boolean; transposeB: boolean };
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape.length < 2 || b.shape.length < 2) return original(kernelName, args) as tf.TensorInfo;
  const ra = a.shape.length, rb = b.shape.length;
  const M = transposeA ? a.shape[ra - 1]! : a.shape[ra - 2]!;
  const K = transposeA ? a.shape[ra - 2]! : a.shape[ra - 1]!;
  const K2 = transposeB ? b.shape[rb - 1]! : b.shape[rb - 2]!;
  const N = transposeB ? b.shape[rb - 2]! : b.shape[rb - 1]!;
  if (K !== K2) throw new Error(`Error in matMul: inner shapes (${K}) and (${K2}) of Tensors with shapes ${a.shape} and ${b.shape} and transposeA=${transposeA} and transposeB=${transposeB} must match.`);
  const plan = batchPlan(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const out = backend.makeOutput([...plan.outBatch, M, N], 'float32');
  const nb = size(plan.outBatch);
  if (size(out.shape) === 0) return out;
  // views after allocation
  const A = f32(backend, a), Bm = f32(backend, b), C = f32(backend, out);
  const biasArr = bias ? f32(backend, bias) : null;
  const biasLen = bias ? size(bias.shape) : 0;
  const sa = M * K, sb = K * N, sc = M * N;
  const aBatches = size(a.shape.slice(0, -2)), bBatches = size(b.shape.slice(0, -2));
  if ((aBatches === nb || aBatches === 1) && (bBatches === nb || bBatches === 1)) {
    // contiguous or fully-broadcast operands: one native call for the whole batch
    active!.gemm(A, Bm, C, nb, M, N, K, transposeA ? 1 : 0, transposeB ? 1 : 0,
      aBatches === 1 ? 0 : sa, bBatches === 1 ? 0 : sb, sc, biasArr, biasLen, act, alpha);
  } else {
    for (let i = 0; i < nb; i++) {
      active!.gemm(A.subarray(plan.aIdx[i]! * sa, (plan.aIdx[i]! + 1) * sa), Bm.subarray(plan.bIdx[i]! * sb, (plan.bIdx[i]! + 1) * sb),
        C.subarray(i * sc, (i + 1) * sc), 1, M, N, K, transposeA ? 1 : 0, transposeB ? 1 : 0, 0, 0, 0, biasArr, biasLen, act, alpha);
    }
  }
  return out;
}

function batchMatMul(args: KernelArgs): tf.TensorInfo {
  return matmul(args, 'BatchMatMul');
}

function fusedMatMul(args: KernelArgs): tf.TensorInfo {
  const { activation, leakyreluAlpha } = args.attrs as unknown as { activation: string; leakyreluAlpha?: number };
  const bias = args.inputs.bias;
  const act = (ACT as Record<string, number>)[activation ?? 'linear'];
  // Bias must be a scalar or a per-column vector ([N] or [1, …, N]); prelu and others go to wasm.
  const b = args.inputs.b!;
  const N = (args.attrs as unknown as { transposeB: boolean }).transposeB ? b.shape[b.shape.length - 2]! : b.shape[b.shape.length - 1]!;
  const biasOk = !bias || (bias.dtype === 'float32' && (size(bias.shape) === 1 || (size(bias.shape) === N && bias.shape[bias.shape.length - 1] === N)));
  if (act === undefined || !biasOk) return original('_FusedMatMul', args) as tf.TensorInfo;
  return matmul(args, '_FusedMatMul', bias, act, leakyreluAlpha ?? 0.2);
}

/** inputs {xp [B,T,3H], u [H,3H], h0 [B,H]}, attrs {hard, reverse} → [hseq [B,T,H], gates [B,T,3H]] */
function gruForward(args: KernelArgs): tf.TensorInfo[] {
  const backend = args.backend as WasmBackend;
  const { xp, u, h0 } = args.inputs as { xp: tf.TensorInfo; u: tf.TensorInfo; h0: tf.TensorInfo };
  const { hard, reverse } = args.attrs as unknown as { hard: boolean; reverse: boolean };
  const [B, T, H3] = xp.shape as [number, number, number];
  const H = H3 / 3;
  const hseq = backend.makeOutput([B, T, H], 'float32');
  const gates = backend.makeOutput([B, T, H3], 'float32');
  if (B * T * H === 0) return [hseq, gates];
  active!.gruForward(f32(backend, xp), f32(backend, u), f32(backend, h0), f32(backend, hseq), f32(backend, gates), B, T, H, hard ? 1 : 0, reverse ? 1 : 0);
  return [hseq, gates];
}

/** inputs {dhseq, gates, hseq, h0, u}, attrs {hard, reverse} → [dxp, du, dh0] */
function gruBackward(args: KernelArgs): tf.TensorInfo[] {
  const backend = args.backend as WasmBackend;
  const { dhseq, gates, hseq, h0, u } = args.inputs as Record<'dhseq' | 'gates' | 'hseq' | 'h0' | 'u', tf.TensorInfo>;
  const { hard, reverse } = args.attrs as unknown as { hard: boolean; reverse: boolean };
  const [B, T, H] = hseq.shape as [number, number, number];
  const dxp = backend.makeOutput([B, T, 3 * H], 'float32');
  const du = backend.makeOutput([H, 3 * H], 'float32');
  const dh0 = backend.makeOutput([B, H], 'float32');
  if (B * T * H === 0) { f32(backend, du).fill(0); f32(backend, dh0).fill(0); return [dxp, du, dh0]; }
  active!.gruBackward(f32(backend, dhseq), f32(backend, gates), f32(backend, hseq), f32(backend, h0), f32(backend, u),
    f32(backend, dxp), f32(backend, du), f32(backend, dh0), B, T, H, hard ? 1 : 0, reverse ? 1 : 0);
  return [dxp, du, dh0];
}

/** inputs {logits [R,C], labels [R] float32} → [loss [R], probs [R,C]] */
function softmaxCE(args: KernelArgs): tf.TensorInfo[] {
  const backend = args.backend as WasmBackend;
  const { logits, labels } = args.inputs as { logits: tf.TensorInfo; labels: tf.TensorInfo };
  const [R, C] = logits.shape as [number, number];
  const loss = backend.makeOutput([R], 'float32');
  const probs = backend.makeOutput([R, C], 'float32');
  active!.softmaxCrossEntropy(f32(backend, logits), f32(backend, labels), f32(backend, loss), f32(backend, probs), R, C);
  return [loss, probs];
}

/** inputs {probs [R,C], labels [R], dloss [R]} → dlogits [R,C] */
function softmaxCEGrad(args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as WasmBackend;
  const { probs, labels, dloss } = args.inputs as { probs: tf.TensorInfo; labels: tf.TensorInfo; dloss: tf.TensorInfo };
  const [R, C] = probs.shape as [number, number];
  const out = backend.makeOutput([R, C], 'float32');
  active!.softmaxCrossEntropyGrad(f32(backend, probs), f32(backend, labels), f32(backend, dloss), f32(backend, out), R, C);
  return out;
}

/** Sum over leading or trailing axes natively (bias gradients, row sums); other cases → wasm. */
function sum(args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as WasmBackend;
  const x = args.inputs.x!;
  const { axis, keepDims } = args.attrs as unknown as { axis: number | number[]; keepDims: boolean };
  const rank = x.shape.length;
  const axes = tf.util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
  const leading = axes.every((a, i) => a === i);
  const trailing = axes.every((a, i) => a === rank - axes.length + i);
  if (x.dtype !== 'float32' || axes.length === 0 || (!leading && !trailing)) return original('Sum', args) as tf.TensorInfo;
  const outShape = keepDims ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !axes.includes(i));
  const reduced = size(axes.map((a) => x.shape[a]!));
  const kept = size(x.shape) / Math.max(reduced, 1);
  const out = backend.makeOutput(outShape, 'float32');
  const xs = f32(backend, x), o = f32(backend, out);
  if (reduced === 0) { o.fill(0); return out; }
  if (leading) active!.sumLeading(xs, o, reduced, kept);
  else active!.sumTrailing(xs, o, kept, reduced);
  return out;
}

/** UnsortedSegmentSum (the Embedding gradient) natively. */
function unsortedSegmentSum(args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as WasmBackend;
  const x = args.inputs.x!, ids = args.inputs.segmentIds!;
  const numSegments = (args.attrs as unknown as { numSegments: number }).numSegments;
  if (x.dtype !== 'float32') return original('UnsortedSegmentSum', args) as tf.TensorInfo;
  const rows = size(ids.shape);
  const inner = size(x.shape.slice(ids.shape.length));
  const out = backend.makeOutput([numSegments, ...x.shape.slice(ids.shape.length)], 'float32');
  active!.segmentSum(f32(backend, x), backend.typedArrayFromHeap(ids) as Int32Array | Float32Array, f32(backend, out), rows, inner, numSegments);
  return out;
}

/**
 * Identity without a copy: share the buffer (ref-counted), as the cpu backend and wasm's own
 * Reshape do. tfjs kernels never write into their inputs, so sharing is safe.
 */
function identity(args: KernelArgs): tf.TensorInfo {
  const x = args.inputs.x!;
  if (x.dtype === 'string') return original('Identity', args) as tf.TensorInfo;
  (args.backend as unknown as { incRef(id: tf.DataId): void }).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

/** GatherV2 on axis 0 (Embedding lookups) natively; other cases → wasm. */
function gather(args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as WasmBackend;
  const x = args.inputs.x!, indices = args.inputs.indices!;
  const { axis, batchDims } = args.attrs as unknown as { axis: number; batchDims: number };
  const ax = tf.util.parseAxisParam(axis, x.shape)[0];
  if (x.dtype !== 'float32' || indices.dtype !== 'int32' || ax !== 0 || (batchDims ?? 0) !== 0 || x.shape.length < 1) return original('GatherV2', args) as tf.TensorInfo;
  const inner = size(x.shape.slice(1));
  const n = size(indices.shape);
  const out = backend.makeOutput([...indices.shape, ...x.shape.slice(1)], 'float32');
  if (n * inner === 0) return out;
  active!.gatherRows(f32(backend, x), backend.typedArrayFromHeap(indices) as Int32Array, f32(backend, out), n, inner, x.shape[0]!);
  return out;
}

function sqrt(args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as WasmBackend;
  const x = args.inputs.x!;
  if (x.dtype !== 'float32') return original('Sqrt', args) as tf.TensorInfo;
  const out = backend.makeOutput(x.shape, 'float32');
  active!.sqrt(f32(backend, x), f32(backend, out), size(x.shape));
  return out;
}

export const ADAM = 'CopydeskAdam';

/** One Adam update in one pass: inputs {value, m, v, g}, attrs {h: [b1, b2, 1-b1, 1-b2, 1-accB1, 1-accB2, lr, eps]} → [value', m', v'] */
function adam(args: KernelArgs): tf.TensorInfo[] {
  const backend = args.backend as WasmBackend;
  const { value, m, v, g } = args.inputs as Record<'value' | 'm' | 'v' | 'g', tf.TensorInfo>;
  const h = new Float32Array((args.attrs as unknown as { h: number[] }).h);
  const outs = [backend.makeOutput(value.shape, 'float32'), backend.makeOutput(value.shape, 'float32'), backend.makeOutput(value.shape, 'float32')];
  active!.adam(f32(backend, value), f32(backend, m), f32(backend, v), f32(backend, g), f32(backend, outs[0]!), f32(backend, outs[1]!), f32(backend, outs[2]!), size(value.shape), h);
  return outs;
}

type NamedGrad = { name: string; tensor: tf.Tensor };
interface AdamInternals {
  applyGradients(variableGradients: tf.NamedTensorMap | NamedGrad[]): void;
  beta1: number; beta2: number; epsilon: number; learningRate: number;
  accBeta1: tf.Variable; accBeta2: tf.Variable;
  accumulatedFirstMoment: Array<{ originalName: string; variable: tf.Variable } | undefined>;
  accumulatedSecondMoment: Array<{ originalName: string; variable: tf.Variable } | undefined>;
  incrementIterations(): void;
}
let adamPatched = false;

/**
 * tf.train.adam's update is ~14 elementwise ops per variable; on wasm+native the same update
 * (same formula, same order) runs as one native pass. Patched once on the class; it checks at
 * every call that the native kernels are active, else runs tfjs's own code.
 */
function patchAdam(): void {
  if (adamPatched) return;
  adamPatched = true;
  const proto = tf.AdamOptimizer.prototype as unknown as AdamInternals;
  const own = proto.applyGradients;
  proto.applyGradients = function (this: AdamInternals, variableGradients: tf.NamedTensorMap | NamedGrad[]) {
    if (!(active && tf.getBackend() === 'wasm')) return own.call(this, variableGradients);
    const list: NamedGrad[] = Array.isArray(variableGradients) ? variableGradients : Object.keys(variableGradients).map((name) => ({ name, tensor: variableGradients[name]! }));
    const vars = tf.engine().registeredVariables;
    if (list.some(({ name, tensor }) => tensor != null && (tensor.dtype !== 'float32' || vars[name]?.dtype !== 'float32'))) return own.call(this, variableGradients);
    tf.tidy(() => {
      const h = [this.beta1, this.beta2, 1 - this.beta1, 1 - this.beta2,
        1 - this.accBeta1.dataSync()[0]!, 1 - this.accBeta2.dataSync()[0]!, this.learningRate, this.epsilon];
      list.forEach(({ name, tensor: gradient }, i) => {
        const value = vars[name]!;
        if (this.accumulatedFirstMoment[i] == null) this.accumulatedFirstMoment[i] = { originalName: `${name}/m`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
        if (this.accumulatedSecondMoment[i] == null) this.accumulatedSecondMoment[i] = { originalName: `${name}/v`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
        if (gradient == null) return;
        const mVar = this.accumulatedFirstMoment[i]!.variable, vVar = this.accumulatedSecondMoment[i]!.variable;
        const [nv, nm, nvv] = tf.engine().runKernel(ADAM, { value, m: mVar, v: vVar, g: gradient }, { h } as unknown as tf.NamedAttrMap) as tf.Tensor[];
        mVar.assign(nm!);
        vVar.assign(nvv!);
        value.assign(nv!);
      });
      this.accBeta1.assign(tf.mul(this.accBeta1, this.beta1));
      this.accBeta2.assign(tf.mul(this.accBeta2, this.beta2));
    });
    this.incrementIterations();
  } as typeof proto.applyGradients;
}

const UNARY: Record<string, number> = { Exp: 0, Log: 1, Tanh: 2, Sigmoid: 3 };

function unary(name: string): KernelFn {
  return (args: KernelArgs) => {
    const backend = args.backend as WasmBackend;
    const x = args.inputs.x!;
    if (x.dtype !== 'float32') return original(name, args);
    const out = backend.makeOutput(x.shape, 'float32');
    active!.unary(f32(backend, x), f32(backend, out), size(x.shape), UNARY[name]!);
    return out;
  };
}

/** Max over the trailing axes natively (softmax / logSoftmax shifts); other cases → wasm. */
function max(args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as WasmBackend;
  const x = args.inputs.x!;
  const { reductionIndices, keepDims } = args.attrs as unknown as { reductionIndices: number | number[]; keepDims: boolean };
  const rank = x.shape.length;
  const axes = tf.util.parseAxisParam(reductionIndices, x.shape).sort((a, b) => a - b);
  const trailing = axes.length > 0 && axes.every((a, i) => a === rank - axes.length + i);
  const inner = size(axes.map((a) => x.shape[a]!));
  if (x.dtype !== 'float32' || !trailing || inner === 0) return original('Max', args) as tf.TensorInfo;
  const outShape = keepDims ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !axes.includes(i));
  const out = backend.makeOutput(outShape, 'float32');
  active!.maxTrailing(f32(backend, x), f32(backend, out), size(x.shape) / inner, inner);
  return out;
}

const BINARY: Record<string, number> = { Add: 0, Sub: 1, Multiply: 2, RealDiv: 3 };

/**
 * How an operand of `shape` broadcasts into out [R, C] (C = the last dim of out):
 * 0 full, 1 scalar, 2 per-row (last dim 1, the rest as out), 3 per-column (only the last dim).
 */
function operandMode(shape: number[], out: number[]): number | null {
  const n = size(shape);
  const padded = [...new Array(Math.max(0, out.length - shape.length)).fill(1), ...shape];
  if (padded.length !== out.length) return null;
  if (padded.every((d, i) => d === out[i])) return 0;
  if (n === 1) return 1;
  const last = out.length - 1;
  if (padded[last] === 1 && padded.slice(0, last).every((d, i) => d === out[i])) return 2;
  if (padded[last] === out[last] && padded.slice(0, last).every((d) => d === 1)) return 3;
  return null;
}

function binary(name: string): KernelFn {
  return (args: KernelArgs) => {
    const backend = args.backend as WasmBackend;
    const a = args.inputs.a!, b = args.inputs.b!;
    if (a.dtype !== 'float32' || b.dtype !== 'float32') return original(name, args);
    const outShape = tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
    const ma = operandMode(a.shape, outShape), mb = operandMode(b.shape, outShape);
    const total = size(outShape);
    if (ma === null || mb === null || total === 0) return original(name, args);
    const C = outShape.length ? outShape[outShape.length - 1]! : 1;
    const out = backend.makeOutput(outShape, 'float32');
    if (C === 0) return out;
    active!.binary(f32(backend, a), f32(backend, b), f32(backend, out), total / C, C, BINARY[name]!, ma * 4 + mb);
    return out;
  };
}

/** Cast to the same dtype shares the buffer (wasm copies it). */
function cast(args: KernelArgs): tf.TensorInfo {
  const x = args.inputs.x!;
  const { dtype } = args.attrs as unknown as { dtype: tf.DataType };
  if (x.dtype !== dtype || dtype === 'string') return original('Cast', args) as tf.TensorInfo;
  return identity(args);
}

/** Softmax over the last axis natively. */
function softmax(args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as WasmBackend;
  const x = args.inputs.logits!;
  const { dim } = args.attrs as unknown as { dim: number };
  const rank = x.shape.length;
  if (x.dtype !== 'float32' || rank === 0 || (dim !== -1 && dim !== rank - 1) || size(x.shape) === 0) return original('Softmax', args) as tf.TensorInfo;
  const C = x.shape[rank - 1]!;
  const out = backend.makeOutput(x.shape, 'float32');
  active!.softmax(f32(backend, x), f32(backend, out), size(x.shape) / C, C);
  return out;
}

export const KERAS_SCE = 'CopydeskKerasSparseCE';
export const KERAS_SCE_GRAD = 'CopydeskKerasSparseCEGrad';

/** inputs {p [R,C], labels [R] float32}, attrs {eps} → [loss [R], sums [R]] */
function kerasSce(args: KernelArgs): tf.TensorInfo[] {
  const backend = args.backend as WasmBackend;
  const { p, labels } = args.inputs as { p: tf.TensorInfo; labels: tf.TensorInfo };
  const { eps } = args.attrs as unknown as { eps: number };
  const [R, C] = p.shape as [number, number];
  const loss = backend.makeOutput([R], 'float32');
  const sums = backend.makeOutput([R], 'float32');
  active!.kerasSparseCE(f32(backend, p), f32(backend, labels), f32(backend, loss), f32(backend, sums), R, C, eps);
  return [loss, sums];
}

/** inputs {p, labels, sums, dloss}, attrs {eps} → dp [R,C] */
function kerasSceGrad(args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as WasmBackend;
  const { p, labels, sums, dloss } = args.inputs as Record<'p' | 'labels' | 'sums' | 'dloss', tf.TensorInfo>;
  const { eps } = args.attrs as unknown as { eps: number };
  const [R, C] = p.shape as [number, number];
  const out = backend.makeOutput([R, C], 'float32');
  active!.kerasSparseCEGrad(f32(backend, p), f32(backend, labels), f32(backend, sums), f32(backend, dloss), f32(backend, out), R, C, eps);
  return out;
}

/** Element strides of `shape` right-aligned into `out` (0 where it broadcasts). */
function broadcastStrides(shape: number[], out: number[]): number[] {
  const st = new Array<number>(out.length).fill(0);
  let acc = 1;
  for (let i = shape.length - 1, o = out.length - 1; i >= 0; i--, o--) {
    st[o] = shape[i] === 1 && out[o] !== 1 ? 0 : acc;
    acc *= shape[i]!;
  }
  return st;
}

/**
 * Equal with any broadcast (the gradient of max-pooling compares x [B,L,D] with its max [B,1,D],
 * which wasm's generic broadcasting does slowly): a tight typed-array loop.
 */
function equal(args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as WasmBackend;
  const a = args.inputs.a!, b = args.inputs.b!;
  if (a.dtype !== b.dtype || (a.dtype !== 'float32' && a.dtype !== 'int32')) return original('Equal', args) as tf.TensorInfo;
  const outShape = tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
  const out = backend.makeOutput(outShape, 'bool');
  const n = size(outShape);
  if (n === 0) return out;
  const A = backend.typedArrayFromHeap(a), Bv = backend.typedArrayFromHeap(b), O = backend.typedArrayFromHeap(out) as Uint8Array;
  const rank = outShape.length;
  if (rank === 0) { O[0] = A[0] === Bv[0] ? 1 : 0; return out; }
  const sa = broadcastStrides(a.shape, outShape), sb = broadcastStrides(b.shape, outShape);
  const inner = outShape[rank - 1]!, ia = sa[rank - 1]!, ib = sb[rank - 1]!;
  const coords = new Array<number>(rank - 1).fill(0);
  let baseA = 0, baseB = 0;
  for (let o = 0; o < n; o += inner) {
    for (let j = 0, pa = baseA, pb = baseB; j < inner; j++, pa += ia, pb += ib) O[o + j] = A[pa] === Bv[pb] ? 1 : 0;
    for (let d = rank - 2; d >= 0; d--) {
      baseA += sa[d]!; baseB += sb[d]!;
      if (++coords[d]! < outShape[d]!) break;
      baseA -= sa[d]! * outShape[d]!; baseB -= sb[d]! * outShape[d]!;
      coords[d] = 0;
    }
  }
  return out;
}

export const CLIP_GRAD = 'CopydeskClipByValueGrad';

/** inputs {x, dy}, attrs {min, max} → dy where min ≤ x ≤ max, else 0 */
function clipGrad(args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as WasmBackend;
  const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const { min, max } = args.attrs as unknown as { min: number; max: number };
  const out = backend.makeOutput(x.shape, 'float32');
  active!.clipGrad(f32(backend, x), f32(backend, dy), f32(backend, out), size(x.shape), min, max);
  return out;
}

let clipGradPatched = false;
/**
 * tfjs's ClipByValue gradient is 5 kernels (≥, ≤, and, where, zerosLike) over the whole tensor;
 * Keras-style losses clip the softmax output, so on a large vocabulary that is a lot of passes.
 * On wasm+native it becomes one native pass; elsewhere tfjs's own formula (same result).
 */
function patchClipGradient(): void {
  if (clipGradPatched) return;
  clipGradPatched = true;
  tf.registerGradient({
    kernelName: 'ClipByValue',
    inputsToSave: ['x'],
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap) => {
      const [x] = saved;
      const g = dy as tf.Tensor;
      const { clipValueMin, clipValueMax } = attrs as unknown as { clipValueMin: number; clipValueMax: number };
      return {
        x: () => (active && tf.getBackend() === 'wasm' && x!.dtype === 'float32' && g.dtype === 'float32'
          ? tf.engine().runKernel(CLIP_GRAD, { x: x!, dy: g }, { min: clipValueMin, max: clipValueMax } as unknown as tf.NamedAttrMap) as tf.Tensor
          : tf.where(tf.logicalAnd(tf.greaterEqual(x!, clipValueMin), tf.lessEqual(x!, clipValueMax)), g, tf.zerosLike(g))),
      };
    },
  });
}

const KERNELS: Array<{ kernelName: string; kernelFunc: KernelFn }> = [
  { kernelName: 'BatchMatMul', kernelFunc: batchMatMul },
  { kernelName: '_FusedMatMul', kernelFunc: fusedMatMul },
  { kernelName: 'Sum', kernelFunc: sum },
  { kernelName: 'UnsortedSegmentSum', kernelFunc: unsortedSegmentSum },
  { kernelName: 'Identity', kernelFunc: identity },
  { kernelName: 'GatherV2', kernelFunc: gather },
  { kernelName: 'Sqrt', kernelFunc: sqrt },
  { kernelName: ADAM, kernelFunc: adam },
  ...Object.keys(UNARY).map((k) => ({ kernelName: k, kernelFunc: unary(k) })),
  { kernelName: 'Max', kernelFunc: max },
  ...Object.keys(BINARY).map((k) => ({ kernelName: k, kernelFunc: binary(k) })),
  { kernelName: 'Cast', kernelFunc: cast },
  { kernelName: CLIP_GRAD, kernelFunc: clipGrad },
  { kernelName: 'Softmax', kernelFunc: softmax },
  { kernelName: 'Equal', kernelFunc: equal },
  { kernelName: KERAS_SCE, kernelFunc: kerasSce },
  { kernelName: KERAS_SCE_GRAD, kernelFunc: kerasSceGrad },
  { kernelName: GRU_FORWARD, kernelFunc: gruForward },
  { kernelName: GRU_BACKWARD, kernelFunc: gruBackward },
  { kernelName: SOFTMAX_CE, kernelFunc: softmaxCE },
  { kernelName: SOFTMAX_CE_GRAD, kernelFunc: softmaxCEGrad },
];

/** The wasm backend instance if it is already initialised (without initialising it). */
function initialisedWasm(): tf.KernelBackend | undefined {
  return (tf.engine() as unknown as { registry: Record<string, tf.KernelBackend> }).registry['wasm'];
}

/** Registers the native kernels on `wasm` (replacing BatchMatMul/_FusedMatMul, kept as fallbacks). */
export function enableNativeKernels(addon: NativeAddon): string[] {
  if (active) return [...registered];
  for (const k of KERNELS) {
    const existing = tf.getKernel(k.kernelName, 'wasm');
    if (existing) {
      originals.set(k.kernelName, existing);
      tf.unregisterKernel(k.kernelName, 'wasm');
    }
    tf.registerKernel({ kernelName: k.kernelName, backendName: 'wasm', kernelFunc: k.kernelFunc as tf.KernelFunc });
    registered.push(k.kernelName);
  }
  active = addon;
  patchAdam();
  patchClipGradient();
  return [...registered];
}

/** Restores wasm's own kernels (used by comparisons and the fallback tests). */
export function disableNativeKernels(): void {
  if (!active) return;
  for (const name of registered) {
    tf.unregisterKernel(name, 'wasm');
    const orig = originals.get(name);
    if (orig) {
      tf.registerKernel(orig);
      // a kernel registered after the backend initialised must be set up by hand
      const be = initialisedWasm();
      if (be && orig.setupFunc) orig.setupFunc(be);
    }
  }
  registered.length = 0;
  originals.clear();
  setUp.clear();
  active = null;
}

/** True when the native kernels are registered on wasm. */
export function nativeKernelsActive(): boolean {
  return active !== null;
}

/** The active addon (for BLAS thread control), or null. */
export function activeAddon(): NativeAddon | null {
  return active;
}
