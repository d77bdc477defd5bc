/**
 * Fused GRU: the whole sequence in one kernel call (forward) and one call (backward,
 * through tf.customGrad) when the native accelerator is active; otherwise the same
 * math in plain tfjs ops, one timestep at a time (any backend).
 *
 * Same maths and weight layout as `tf.layers.gru` (Keras GRU, reset_after = false,
 * gates ordered z, r, h): kernel [in, 3H], recurrent_kernel [H, 3H], bias [3H]. So a
 * trained FusedGRU's weights load into a `tf.layers.gru` for step-by-step decoding.
 *
 *   gruSequence(x, weights, { h0, reverse, recurrentActivation }) → hseq [B, T, H]
 *   gruFromProjections(xp, u, h0, { reverse, recurrentActivation }) → hseq (xp = x·W + b given)
 *   fusedGru({ units, returnSequences, returnState, bidirectional, … }) → a tf.layers Layer
 */
import * as tf from '@tensorflow/tfjs';
import { GRU_FORWARD, GRU_BACKWARD, nativeKernelsActive } from './native-kernels';

export type GateActivation = 'hardSigmoid' | 'sigmoid';

export interface GruWeights {
  kernel: tf.Tensor2D;          // [in, 3H]
  recurrentKernel: tf.Tensor2D; // [H, 3H]
  bias?: tf.Tensor1D | null;    // [3H]
}

export interface GruSequenceOptions {
  /** Initial state [B, H] (zeros when absent). */
  h0?: tf.Tensor2D | null;
  /** Process t = T-1 … 0; outputs stay aligned with the input positions (as Bidirectional merges them). */
  reverse?: boolean;
  /** Gate activation; tf.layers.gru's default is hardSigmoid. */
  recurrentActivation?: GateActivation;
}

/** True when gruSequence runs as one native kernel (wasm backend + native accelerator). */
export function gruIsFused(): boolean {
  return tf.getBackend() === 'wasm' && nativeKernelsActive();
}

function gate(x: tf.Tensor, act: GateActivation): tf.Tensor {
  return act === 'sigmoid' ? tf.sigmoid(x) : tf.clipByValue(tf.add(tf.mul(x, 0.2), 0.5), 0, 1);
}

/** Reference implementation in tfjs ops (per timestep), used when the native kernel is unavailable. */
function gruLoop(xp: tf.Tensor3D, u: tf.Tensor2D, h0: tf.Tensor2D, reverse: boolean, act: GateActivation): tf.Tensor3D {
  const [, T, H3] = xp.shape;
  const H = H3 / 3;
  const [uzr, uh] = tf.split(u, [2 * H, H], 1);
  const steps = tf.unstack(xp, 1) as tf.Tensor2D[];
  const outs: tf.Tensor2D[] = new Array(T);
  let h = h0;
  for (let s = 0; s < T; s++) {
    const t = reverse ? T - 1 - s : s;
    const [xz, xr, xh] = tf.split(steps[t]!, 3, 1);
    const [rz, rr] = tf.split(tf.matMul(h, uzr!), 2, 1);
    const z = gate(tf.add(xz!, rz!), act);
    const r = gate(tf.add(xr!, rr!), act);
    const hh = tf.tanh(tf.add(xh!, tf.matMul(tf.mul(r, h), uh!)));
    h = tf.add(tf.mul(z, h), tf.mul(tf.sub(1, z), hh)) as tf.Tensor2D;
    outs[t] = h;
  }
  return tf.stack(outs, 1) as tf.Tensor3D;
}

const fusedCore = new Map<string, (xp: tf.Tensor, u: tf.Tensor, h0: tf.Tensor) => tf.Tensor>();

/** The native whole-sequence kernel with its gradient (one customGrad per (reverse, act)). */
function nativeGru(reverse: boolean, act: GateActivation): (xp: tf.Tensor, u: tf.Tensor, h0: tf.Tensor) => tf.Tensor {
  const key = `${reverse}:${act}`;
  let f = fusedCore.get(key);
  if (!f) {
    const attrs = { hard: act === 'hardSigmoid', reverse } as unknown as tf.NamedAttrMap;
    f = tf.customGrad(((xp: tf.Tensor, u: tf.Tensor, h0: tf.Tensor, save: tf.GradSaveFunc) => {
      const [hseq, gates] = tf.engine().runKernel(GRU_FORWARD, { xp, u, h0 }, attrs) as tf.Tensor[];
      save([hseq!, gates!, h0, u]);
      return {
        value: hseq!,
        gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
          const [hs, g, h0s, us] = saved;
          const dhseq = Array.isArray(dy) ? dy[0]! : dy;
          return tf.engine().runKernel(GRU_BACKWARD, { dhseq, gates: g!, hseq: hs!, h0: h0s!, u: us! }, attrs) as tf.Tensor[];
        },
      };
    }) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (xp: tf.Tensor, u: tf.Tensor, h0: tf.Tensor) => tf.Tensor;
    fusedCore.set(key, f);
  }
  return f;
}

/**
 * The recurrence alone: hseq [B, T, H] from precomputed input projections xp = x·W + b
 * [B, T, 3H], recurrent kernel u [H, 3H] and h0 [B, H]. Differentiable in all three; one native
 * kernel call each way when gruIsFused(), else tfjs ops.
 */
export function gruFromProjections(xp: tf.Tensor3D, u: tf.Tensor2D, h0: tf.Tensor2D, opts: Omit<GruSequenceOptions, 'h0'> = {}): tf.Tensor3D {
  const act = opts.recurrentActivation ?? 'hardSigmoid';
  const reverse = opts.reverse ?? false;
  if (xp.shape[1] === 0) return tf.zeros([xp.shape[0], 0, u.shape[0]]) as tf.Tensor3D;
  if (gruIsFused() && xp.dtype === 'float32') return nativeGru(reverse, act)(xp, u, h0) as tf.Tensor3D;
  return tf.tidy(() => gruLoop(xp, u, h0, reverse, act));
}

/** Runs a GRU over x [B, T, in] and returns every hidden state, hseq [B, T, H]. Differentiable. */
export function gruSequence(x: tf.Tensor3D, w: GruWeights, opts: GruSequenceOptions = {}): tf.Tensor3D {
  return tf.tidy(() => {
    const [B, T, E] = x.shape;
    const H3 = w.kernel.shape[1];
    const H = H3 / 3;
    const act = opts.recurrentActivation ?? 'hardSigmoid';
    const reverse = opts.reverse ?? false;
    // all input projections in one matrix product
    const xp = tf.reshape(tf.fused.matMul({ a: tf.reshape(x, [B * T, E]), b: w.kernel, bias: w.bias ?? undefined }), [B, T, H3]) as tf.Tensor3D;
    const h0 = opts.h0 ?? (tf.zeros([B, H]) as tf.Tensor2D);
    return gruFromProjections(xp, w.recurrentKernel, h0, { reverse, recurrentActivation: act });
  });
}

// ------------------------------------------------------------------ layer ---

export interface FusedGruArgs {
  units: number;
  /** Return hseq [B, T, H(×2)] instead of the last state. */
  returnSequences?: boolean;
  /** Also return the final state(s): [output, hLast] (bidirectional: [output, hFwd, hBwd]). */
  returnState?: boolean;
  /** Forward and backward GRUs, concatenated (like tf.layers.bidirectional with mergeMode 'concat'). */
  bidirectional?: boolean;
  /** 'hardSigmoid' (tf.layers.gru's default) or 'sigmoid' (PyTorch's). */
  recurrentActivation?: GateActivation;
  useBias?: boolean;
  kernelInitializer?: string;
  recurrentInitializer?: string;
  /** Seeds the weight initialisers (reproducible training); unseeded when absent. */
  seed?: number;
  name?: string;
  inputShape?: tf.Shape;
  batchInputShape?: tf.Shape;
  trainable?: boolean;
}

type LayerVariable = ReturnType<tf.layers.Layer['addWeight']>;

/**
 * A GRU layer built on gruSequence. Inputs: x, or [x, h0] (bidirectional: [x, h0Fwd, h0Bwd]).
 * Masking and dropout are not supported (apply dropout before/after the layer).
 */
export class FusedGRU extends tf.layers.Layer {
  static className = 'CopydeskFusedGRU';
  readonly units: number;
  readonly returnSequences: boolean;
  readonly returnState: boolean;
  readonly bidirectional: boolean;
  readonly recurrentActivation: GateActivation;
  readonly useBias: boolean;
  readonly kernelInitializer: string;
  readonly recurrentInitializer: string;
  readonly seed?: number;
  private cells: Array<{ kernel: LayerVariable; recurrent: LayerVariable; bias: LayerVariable | null }> = [];

  constructor(args: FusedGruArgs) {
    super(args as unknown as ConstructorParameters<typeof tf.layers.Layer>[0]);
    this.units = args.units;
    this.returnSequences = args.returnSequences ?? false;
    this.returnState = args.returnState ?? false;
    this.bidirectional = args.bidirectional ?? false;
    this.recurrentActivation = args.recurrentActivation ?? 'hardSigmoid';
    this.useBias = args.useBias ?? true;
    this.kernelInitializer = args.kernelInitializer ?? 'glorotUniform';
    this.recurrentInitializer = args.recurrentInitializer ?? 'orthogonal';
    this.seed = args.seed;
  }

  private xShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const inDim = this.xShape(inputShape)[2] as number;
    const H = this.units;
    // Each seeded initialiser gets its own seed (seed, seed+1, …) so the weights differ.
    let k = 0;
    const seed = () => (this.seed === undefined ? undefined : this.seed + k++);
    const init = (n: string) => tf.initializers[n as 'glorotUniform']?.({ seed: seed() }) ?? tf.initializers.glorotUniform({ seed: seed() });
    const dirs = this.bidirectional ? ['forward', 'backward'] : [''];
    this.cells = dirs.map((d) => {
      const prefix = d ? `${d}_` : '';
      return {
        kernel: this.addWeight(`${prefix}kernel`, [inDim, 3 * H], 'float32', init(this.kernelInitializer)),
        recurrent: this.addWeight(`${prefix}recurrent_kernel`, [H, 3 * H], 'float32',
          this.recurrentInitializer === 'orthogonal' ? tf.initializers.orthogonal({ gain: 1, seed: seed() }) : init(this.recurrentInitializer)),
        bias: this.useBias ? this.addWeight(`${prefix}bias`, [3 * H], 'float32', tf.initializers.zeros()) : null,
      };
    });
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    const s = this.xShape(inputShape);
    const width = this.units * (this.bidirectional ? 2 : 1);
    const out: tf.Shape = this.returnSequences ? [s[0]!, s[1]!, width] : [s[0]!, width];
    if (!this.returnState) return out;
    const state: tf.Shape = [s[0]!, this.units];
    return this.bidirectional ? [out, state, state] : [out, state];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor | tf.Tensor[] {
    return tf.tidy(() => {
      const list = Array.isArray(inputs) ? inputs : [inputs];
      const x = list[0] as tf.Tensor3D;
      const T = x.shape[1]!;
      const seqs: tf.Tensor3D[] = [];
      const lasts: tf.Tensor2D[] = [];
      this.cells.forEach((c, i) => {
        const reverse = i === 1;
        const hseq = gruSequence(x, {
          kernel: c.kernel.read() as tf.Tensor2D, recurrentKernel: c.recurrent.read() as tf.Tensor2D, bias: c.bias ? (c.bias.read() as tf.Tensor1D) : null,
        }, { h0: (list[1 + i] as tf.Tensor2D | undefined) ?? null, reverse, recurrentActivation: this.recurrentActivation });
        seqs.push(hseq);
        // the last state: t = T-1 going forward, t = 0 going backward
        lasts.push(tf.reshape(tf.slice(hseq, [0, reverse ? 0 : T - 1, 0], [-1, 1, -1]), [x.shape[0]!, this.units]) as tf.Tensor2D);
      });
      const out = this.returnSequences
        ? (seqs.length === 1 ? seqs[0]! : tf.concat(seqs, 2))
        : (lasts.length === 1 ? lasts[0]! : tf.concat(lasts, 1));
      return this.returnState ? [out, ...lasts] : out;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      units: this.units, returnSequences: this.returnSequences, returnState: this.returnState, bidirectional: this.bidirectional,
      recurrentActivation: this.recurrentActivation, useBias: this.useBias,
      kernelInitializer: this.kernelInitializer, recurrentInitializer: this.recurrentInitializer,
    };
  }
}
tf.serialization.registerClass(FusedGRU);

/** Creates a FusedGRU layer (drop-in for tf.layers.gru / tf.layers.bidirectional(gru)). */
export function fusedGru(args: FusedGruArgs): FusedGRU {
  return new FusedGRU(args);
}

// ------------------------------------------------- tf.layers.gru fast path ---

type ActivationLike = { getClassName(): string };
interface GruLayerInternals {
  call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor | tf.Tensor[];
  stateful: boolean; goBackwards: boolean; returnSequences: boolean; returnState: boolean;
  cell: {
    units: number; dropout: number; recurrentDropout: number; useBias: boolean;
    activation: ActivationLike; recurrentActivation: ActivationLike;
    kernel: { read(): tf.Tensor }; recurrentKernel: { read(): tf.Tensor }; bias?: { read(): tf.Tensor } | null;
  };
}
let layersGruPatched = false;

/**
 * Makes every `tf.layers.gru` (also inside `tf.layers.bidirectional`) run as the fused native
 * kernel whenever gruIsFused() and the layer uses nothing the kernel lacks (no mask, no dropout
 * while training, not stateful, tanh + sigmoid/hardSigmoid). Same outputs, states and gradients
 * (tests: test/native-kernels.test.ts); otherwise tfjs's own per-timestep code runs.
 * Installed once by the runtime; checked at every call.
 */
export function patchLayersGru(): void {
  if (layersGruPatched) return;
  layersGruPatched = true;
  const proto = Object.getPrototypeOf(tf.layers.gru({ units: 1 })) as GruLayerInternals;
  const own = proto.call;
  proto.call = function (this: GruLayerInternals, inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>) {
    const kw = kwargs ?? {};
    const training = kw.training === true;
    const x = (Array.isArray(inputs) ? (inputs.length === 1 ? inputs[0] : null) : inputs) as tf.Tensor | null;
    const init = kw.initialState as tf.Tensor | tf.Tensor[] | null | undefined;
    const h0 = init == null ? null : Array.isArray(init) ? (init.length === 1 ? init[0]! : undefined) : init;
    const c = this.cell;
    const act = c.recurrentActivation.getClassName();
    const fusable = gruIsFused() && x !== null && x.rank === 3 && x.dtype === 'float32' && !this.stateful && kw.mask == null
      && h0 !== undefined && (h0 === null || h0 instanceof tf.Tensor)
      && (!training || (c.dropout === 0 && c.recurrentDropout === 0))
      && c.activation.getClassName() === 'tanh' && (act === 'hardSigmoid' || act === 'sigmoid');
    if (!fusable) return own.call(this, inputs, kwargs);
    return tf.tidy(() => {
      const [B, T] = x!.shape;
      const hseq = gruSequence(x as tf.Tensor3D, {
        kernel: c.kernel.read() as tf.Tensor2D, recurrentKernel: c.recurrentKernel.read() as tf.Tensor2D,
        bias: c.useBias && c.bias ? (c.bias.read() as tf.Tensor1D) : null,
      }, { h0: (h0 as tf.Tensor2D | null) ?? null, reverse: this.goBackwards, recurrentActivation: act as GateActivation });
      // tfjs emits a backwards RNN's outputs in processing order
      const seq = this.goBackwards ? tf.reverse(hseq, 1) : hseq;
      const last = tf.reshape(tf.slice(seq, [0, T! - 1, 0], [-1, 1, -1]), [B!, c.units]);
      const output = this.returnSequences ? seq : last;
      return this.returnState ? [output, last] : output;
    });
  };
}
