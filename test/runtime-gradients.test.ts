/**
 * Gradient parity: the wasm backend (with the kernels we register on it) must give
 * the same losses and gradients as tfjs's reference `cpu` backend, within 1e-4.
 */
import { expect } from 'chai';
import { initRuntime, useBackend, tf, BackendName, setNativeKernels } from '../core/tf/runtime';
import { rng, randArray, maxAbsDiff } from './native-helpers';

const TOL = 1e-4;

interface Run { loss: number; grads: Record<string, Float32Array> }

const V = 40, T = 9, B = 4, E = 8, H = 12, C = 5;

function buildModel(conv: 'same' | 'valid' | null): tf.LayersModel {
  const m = tf.sequential();
  m.add(tf.layers.embedding({ inputDim: V, outputDim: E, inputLength: T }));
  if (conv) m.add(tf.layers.conv1d({ filters: 6, kernelSize: 3, strides: conv === 'valid' ? 2 : 1, padding: conv, activation: 'relu' }));
  m.add(tf.layers.gru({ units: H, returnSequences: true }));
  m.add(tf.layers.dense({ units: C, activation: 'softmax' }));
  return m;
}

/** Builds the model on `backend`, sets deterministic weights, returns loss and named gradients. */
async function gradsOn(backend: BackendName, conv: 'same' | 'valid' | null): Promise<Run> {
  await useBackend(backend);
  let out: Run | undefined;
  tf.tidy(() => {
    const model = buildModel(conv);
    model.setWeights(model.getWeights().map((w, i) => tf.tensor(randArray(w.size, 100 + i, 0.5), w.shape)));
    const r = rng(7);
    const ids = Array.from({ length: B * T }, () => Math.floor(r() * V));
    const x = tf.tensor2d(ids, [B, T], 'float32');
    const outT = (model.outputs[0]!.shape[1] as number);
    const y = tf.tensor2d(Array.from({ length: B * outT }, () => Math.floor(r() * C)), [B, outT], 'float32');
    const vars = model.trainableWeights.map((w) => (w as unknown as { read(): tf.Variable }).read());
    const { value, grads } = tf.variableGrads(() => {
      const p = model.apply(x) as tf.Tensor;
      return tf.neg(tf.mean(tf.sum(tf.mul(tf.oneHot(tf.cast(y, 'int32'), C), tf.log(tf.add(p, 1e-7))), -1))) as tf.Scalar;
    }, vars);
    const run: Run = out = { loss: value.dataSync()[0]!, grads: {} };
    model.trainableWeights.forEach((w, i) => { run.grads[`${i}:${w.name.split("/").pop()}`] = grads[vars[i]!.name]!.dataSync() as Float32Array; });
    model.layers.forEach((l) => l.dispose());
  });
  return out!;
}

describe('tf runtime: wasm gradients match cpu', function () {
  this.timeout(60_000);
  before(async () => { await initRuntime(); });
  after(async () => { await useBackend('wasm'); });

  // both wasm paths: plain (our JS kernels) and with the native accelerator when it is built
  for (const native of [false, true]) for (const conv of [null, 'same', 'valid'] as const) {
    it(`${native ? 'wasm+native' : 'wasm'}: Embedding${conv ? ` + Conv1D(${conv})` : ''} + GRU + Dense: loss and every gradient within 1e-4`, async function () {
      const cpu = await gradsOn('cpu', conv);
      if (setNativeKernels(native) !== native) this.skip();
      let wasm: Run;
      try { wasm = await gradsOn('wasm', conv); } finally { setNativeKernels(true); }
      expect(Math.abs(cpu.loss - wasm.loss)).to.be.below(TOL);
      expect(Object.keys(wasm.grads)).to.deep.equal(Object.keys(cpu.grads));
      for (const k of Object.keys(cpu.grads)) {
        const d = maxAbsDiff(cpu.grads[k]!, wasm.grads[k]!);
        expect(d, `gradient ${k}`).to.be.below(TOL);
        // the gradient must be informative, not all zeros on both sides
        expect(Math.max(...Array.from(cpu.grads[k]!, Math.abs)), `gradient ${k} non-zero`).to.be.above(1e-6);
      }
    });
  }
});

describe('tf runtime: registered wasm kernels (plain wasm, no native) match cpu on random inputs', function () {
  this.timeout(60_000);
  before(async () => { await initRuntime(); setNativeKernels(false); });
  after(async () => { setNativeKernels(true); await useBackend('wasm'); });

  async function onBoth(f: () => tf.Tensor): Promise<[Float32Array, Float32Array, number[]]> {
    await useBackend('cpu');
    const c = tf.tidy(f);
    const cd = c.dataSync() as Float32Array; const shape = c.shape; c.dispose();
    await useBackend('wasm');
    const w = tf.tidy(f);
    const wd = w.dataSync() as Float32Array; expect(w.shape).to.deep.equal(shape); w.dispose();
    return [cd, wd, shape];
  }

  it('UnsortedSegmentSum: 1-D and 3-D data, repeated and out-of-range ids', async () => {
    for (const [dataShape, idsLen, nSeg] of [[[50], 50, 7], [[30, 4, 3], 30, 11], [[64, 16], 64, 64]] as Array<[number[], number, number]>) {
      const size = dataShape.reduce((a, b) => a * b, 1);
      const data = randArray(size, 11 + size);
      const r = rng(size);
      const ids = Array.from({ length: idsLen }, () => Math.floor(r() * (nSeg + 2)) - 1); // includes -1 and nSeg
      const [c, w] = await onBoth(() => tf.unsortedSegmentSum(tf.tensor(data, dataShape), tf.tensor1d(ids, 'int32'), nSeg));
      expect(maxAbsDiff(c, w)).to.be.below(TOL);
    }
  });

  it('UnsortedSegmentSum is the gather gradient (2-D ids, as Embedding uses)', async () => {
    const table = randArray(20 * 6, 3);
    const r = rng(5);
    const ids = Array.from({ length: 3 * 7 }, () => Math.floor(r() * 20));
    const dy = randArray(3 * 7 * 6, 9);
    const [c, w] = await onBoth(() => tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, tf.tensor2d(ids, [3, 7], 'int32')), tf.tensor(dy, [3, 7, 6]))))(tf.tensor2d(table, [20, 6])));
    expect(maxAbsDiff(c, w)).to.be.below(TOL);
  });

  const convCases: Array<{ x: [number, number, number, number]; f: [number, number, number, number]; s: [number, number]; pad: 'same' | 'valid' }> = [
    { x: [2, 9, 9, 3], f: [3, 3, 3, 4], s: [1, 1], pad: 'same' },
    { x: [2, 9, 9, 3], f: [3, 3, 3, 4], s: [2, 2], pad: 'same' },
    { x: [3, 8, 7, 2], f: [2, 3, 2, 5], s: [2, 1], pad: 'valid' },
    { x: [1, 10, 10, 4], f: [5, 5, 4, 2], s: [3, 3], pad: 'valid' },
    { x: [4, 1, 17, 6], f: [1, 4, 6, 3], s: [1, 2], pad: 'same' }, // conv1d-shaped
  ];
  for (const cc of convCases) {
    it(`Conv2DBackpropFilter: x ${cc.x.join('x')}, filter ${cc.f.join('x')}, strides ${cc.s.join(',')}, ${cc.pad}`, async () => {
      const x = randArray(cc.x.reduce((a, b) => a * b, 1), 21);
      const f = randArray(cc.f.reduce((a, b) => a * b, 1), 22);
      const outShape = tf.tidy(() => tf.conv2d(tf.zeros(cc.x) as tf.Tensor4D, tf.zeros(cc.f) as tf.Tensor4D, cc.s, cc.pad).shape);
      const dy = randArray(outShape.reduce((a, b) => a * b, 1), 23);
      // direct kernel call
      const [c, w] = await onBoth(() => tf.engine().runKernel('Conv2DBackpropFilter',
        { x: tf.tensor(x, cc.x), dy: tf.tensor(dy, outShape) },
        { strides: cc.s, pad: cc.pad, dataFormat: 'NHWC', dimRoundingMode: undefined, filterShape: cc.f } as unknown as tf.NamedAttrMap) as tf.Tensor);
      expect(maxAbsDiff(c, w)).to.be.below(TOL);
      // through autodiff of conv2d
      const [c2, w2] = await onBoth(() => tf.grad((ff: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(tf.tensor(x, cc.x) as tf.Tensor4D, ff as tf.Tensor4D, cc.s, cc.pad), tf.tensor(dy, outShape))))(tf.tensor(f, cc.f)));
      expect(maxAbsDiff(c2, w2)).to.be.below(TOL);
      expect(maxAbsDiff(c2, c)).to.be.below(TOL);
    });
  }
});
