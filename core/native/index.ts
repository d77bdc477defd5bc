/**
 * Loader for the optional native accelerator (built by core/native/build.js at install time).
 *
 * Env: COPYDESK_NATIVE=0 disables it; COPYDESK_NATIVE_ADDON=<file> loads another build
 * (tests point it at a missing file to exercise the fallback).
 */
import * as fs from 'fs';
import * as path from 'path';
import { PROJECT_ROOT } from '../util/paths';

/** The addon's functions. Array arguments are Float32Arrays (views into the wasm heap). */
export interface NativeAddon {
  /** C[b] = act(op(A[b]) op(B[b]) + bias) for b < batch; a stride of 0 broadcasts that operand. */
  gemm(A: Float32Array, B: Float32Array, C: Float32Array, batch: number, M: number, N: number, K: number,
    transA: number, transB: number, strideA: number, strideB: number, strideC: number,
    bias: Float32Array | null, biasLen: number, act: number, alpha: number): void;
  gruForward(xp: Float32Array, U: Float32Array, h0: Float32Array, hseq: Float32Array, gates: Float32Array,
    B: number, T: number, H: number, hard: number, reverse: number): void;
  gruBackward(dhseq: Float32Array, gates: Float32Array, hseq: Float32Array, h0: Float32Array, U: Float32Array,
    dxp: Float32Array, dU: Float32Array, dh0: Float32Array, B: number, T: number, H: number, hard: number, reverse: number): void;
  softmaxCrossEntropy(logits: Float32Array, labels: Float32Array, loss: Float32Array, probs: Float32Array | null, R: number, C: number): void;
  softmaxCrossEntropyGrad(probs: Float32Array, labels: Float32Array, dloss: Float32Array, dlogits: Float32Array, R: number, C: number): void;
  sumLeading(x: Float32Array, out: Float32Array, outer: number, inner: number): void;
  sumTrailing(x: Float32Array, out: Float32Array, outer: number, inner: number): void;
  segmentSum(x: Float32Array, ids: Int32Array | Float32Array, out: Float32Array, rows: number, inner: number, numSegments: number): void;
  gatherRows(x: Float32Array, ids: Int32Array, out: Float32Array, n: number, inner: number, nRows: number): void;
  sqrt(x: Float32Array, out: Float32Array, n: number): void;
  /** h = [beta1, beta2, 1-beta1, 1-beta2, 1-accBeta1, 1-accBeta2, lr, eps] */
  adam(value: Float32Array, m: Float32Array, v: Float32Array, g: Float32Array, outValue: Float32Array, outM: Float32Array, outV: Float32Array, n: number, h: Float32Array): void;
  /** op: 0 exp, 1 log, 2 tanh, 3 sigmoid */
  unary(x: Float32Array, out: Float32Array, n: number, op: number): void;
  maxTrailing(x: Float32Array, out: Float32Array, outer: number, inner: number): void;
  /** op: 0 add, 1 sub, 2 mul, 3 div; mode = modeA*4 + modeB with 0 full [R,C], 1 scalar, 2 per-row [R], 3 per-column [C] */
  binary(a: Float32Array, b: Float32Array, out: Float32Array, R: number, C: number, op: number, mode: number): void;
  kerasSparseCE(p: Float32Array, labels: Float32Array, loss: Float32Array, sums: Float32Array, R: number, C: number, eps: number): void;
  kerasSparseCEGrad(p: Float32Array, labels: Float32Array, sums: Float32Array, dloss: Float32Array, dp: Float32Array, R: number, C: number, eps: number): void;
  softmax(x: Float32Array, out: Float32Array, R: number, C: number): void;
  clipGrad(x: Float32Array, dy: Float32Array, out: Float32Array, n: number, min: number, max: number): void;
  setThreads(n: number): void;
  getThreads(): number;
}

export const ACT = { linear: 0, relu: 1, sigmoid: 2, relu6: 3, elu: 4, leakyrelu: 5, tanh: 6 } as const;

/** Where core/native/build.js puts the addon (also right when running from dist/). */
export const DEFAULT_ADDON_PATH = path.join(PROJECT_ROOT, 'core', 'native', 'build', 'Release', 'copydesk_native.node');

export type NativeLoad = { addon: NativeAddon; file: string } | { addon: null; reason: string };

let cached: NativeLoad | undefined;

/** Loads the addon once (or explains why not). Never throws. */
export function loadNativeAddon(): NativeLoad {
  if (cached) return cached;
  cached = (() => {
    if (process.env.COPYDESK_NATIVE === '0') return { addon: null, reason: 'disabled by COPYDESK_NATIVE=0' };
    const file = process.env.COPYDESK_NATIVE_ADDON || DEFAULT_ADDON_PATH;
    if (!fs.existsSync(file)) {
      return { addon: null, reason: `addon not built (${path.relative(process.cwd(), file) || file} missing; needs libopenblas-dev at npm install, or run \`npm run build:native\`)` };
    }
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const addon = require(file) as NativeAddon;
      if (typeof addon.gemm !== 'function') return { addon: null, reason: `${file} is not the copydesk addon` };
      const threads = Number(process.env.COPYDESK_BLAS_THREADS || 1);
      if (threads > 0) addon.setThreads(threads);
      return { addon, file };
    } catch (e) {
      return { addon: null, reason: `addon failed to load: ${String((e as Error).message).split('\n')[0]}` };
    }
  })();
  return cached;
}
