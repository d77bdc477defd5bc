/**
 * Parity of every native kernel and fused layer (wasm + OpenBLAS addon) with the
 * reference `cpu` backend: values and gradients within 1e-4 on random inputs,
 * including transposed and batched shapes and broadcast batch dimensions.
 */
import { expect } from 'chai';
import * as fs from 'fs';
import { initRuntime, useBackend, tf, runtimeInfo } from '../core/tf/runtime';
import { gruSequence, fusedGru, gruIsFused, GateActivation } from '../core/tf/gru';
import { sparseCategoricalCrossentropyFromLogits, sparseSoftmaxCrossEntropyRows, compileWithSparseLogitsLoss, kerasSparseCategoricalCrossentropy } from '../core/tf/losses';
import { rng, randArray, maxAbsDiff } from './native-helpers';

const TOL = 1e-4;
const rand = (shape: number[], seed: number, scale = 1): tf.Tensor => tf.tensor(randArray(shape.reduce((a, b) => a * b, 1), seed, scale), shape);

/** Runs f on cpu, then on wasm(+native); returns both sides' outputs (flattened) and shapes. */
async function onBoth(f: () => tf.Tensor[]): Promise<{ cpu: Float32Array[]; wasm: Float32Array[] }> {
  const run = () => {
    const outs = tf.tidy(f);
    const data = outs.map((t) => t.dataSync() as Float32Array);
    const shapes = outs.map((t) => t.shape);
    tf.dispose(outs);
    return { data, shapes };
  };
  await useBackend('cpu');
  const c = run();
  await useBackend('wasm');
  const w = run();
  expect(w.shapes).to.deep.equal(c.shapes);
  return { cpu: c.data, wasm: w.data };
}

async function expectParity(f: () => tf.Tensor[], label = ''): Promise<number> {
  const { cpu, wasm } = await onBoth(f);
  let worst = 0;
  cpu.forEach((c, i) => {
    const d = maxAbsDiff(c, wasm[i]!);
    expect(d, `${label} output ${i}`).to.be.below(TOL);
    worst = Math.max(worst, d);
  });
  return worst;
}

const hasBlasHeaders = ['/usr/include/x86_64-linux-gnu/cblas.h', '/usr/include/cblas.h', '/usr/include/openblas/cblas.h'].some((f) => fs.existsSync(f));

describe('native accelerator: kernels match the cpu backend', function () {
  this.timeout(120_000);
  before(async function () {
    await initRuntime();
    if (!runtimeInfo().native) {
      // where BLAS headers exist (CI installs libopenblas-dev) the addon must have been built
      expect(hasBlasHeaders, `native accelerator off although BLAS headers exist: ${runtimeInfo().nativeReason}`).to.equal(false);
      this.skip();
    }
  });
  after(async () => { await useBackend('wasm'); });

  it('runs here as wasm+native, initRuntime() still reporting wasm', async () => {
    expect(await initRuntime()).to.equal('wasm');
    expect(runtimeInfo().path).to.equal('wasm+native');
  });

  const mmCases: Array<{ a: number[]; b: number[]; ta?: boolean; tb?: boolean; noGrad?: boolean }> = [
    { a: [5, 7], b: [7, 3] },
    { a: [7, 5], b: [7, 3], ta: true },
    { a: [5, 7], b: [3, 7], tb: true },
    { a: [7, 5], b: [3, 7], ta: true, tb: true },
    { a: [4, 5, 7], b: [4, 7, 3] },
    { a: [4, 7, 5], b: [4, 3, 7], ta: true, tb: true },
    { a: [2, 1, 5, 7], b: [3, 7, 4] , noGrad: true },           // broadcast batch dims both ways
    { a: [2, 3, 5, 7], b: [1, 3, 7, 4], tb: false , noGrad: true },
    { a: [3, 5, 7], b: [7, 6] , noGrad: true },                 // rank-2 b broadcast over a's batch
    { a: [5, 7], b: [2, 7, 6] , noGrad: true },
    { a: [64, 130], b: [130, 257] },             // beyond one SIMD block
  ];
  for (const c of mmCases) {
    // tfjs's own BatchMatMul gradient rejects broadcast batch dims (on every backend): values only there
    it(`BatchMatMul ${c.a.join('x')}${c.ta ? 'ᵀ' : ''} · ${c.b.join('x')}${c.tb ? 'ᵀ' : ''}: value${c.noGrad ? '' : ' and gradients'}`, async () => {
      await expectParity(() => {
        const a = rand(c.a, 1), b = rand(c.b, 2);
        if (c.noGrad) {
          // reference: tfjs cpu with the batch dims broadcast explicitly (its own broadcasting
          // gets [2,1]×[3] wrong); ours: the native kernel broadcasting by itself
          if (tf.getBackend() !== 'cpu') return [tf.matMul(a, b, c.ta, c.tb)];
          const batch = tf.backend_util.assertAndGetBroadcastShape(c.a.slice(0, -2), c.b.slice(0, -2));
          return [tf.matMul(tf.broadcastTo(a, [...batch, ...c.a.slice(-2)]), tf.broadcastTo(b, [...batch, ...c.b.slice(-2)]), c.ta, c.tb)];
        }
        const y = tf.matMul(a, b, c.ta, c.tb);
        const dy = rand(y.shape, 3);
        const [da, db] = tf.grads((x: tf.Tensor, w: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x, w, c.ta, c.tb), dy)))([a, b]);
        return [y, da!, db!];
      });
    });
  }

  for (const activation of ['linear', 'relu', 'sigmoid', 'elu', 'relu6', 'leakyrelu', 'prelu'] as const) {
    it(`_FusedMatMul with bias and ${activation}: value and gradients (a, b, bias)`, async () => {
      await expectParity(() => {
        const a = rand([6, 9], 4), b = rand([9, 5], 5), bias = rand([5], 6);
        const prelu = activation === 'prelu' ? rand([5], 7, 0.3) : undefined;
        const f = (x: tf.Tensor, w: tf.Tensor, bb: tf.Tensor) => tf.fused.matMul({ a: x as tf.Tensor2D, b: w as tf.Tensor2D, bias: bb, activation, preluActivationWeights: prelu, leakyreluAlpha: 0.1 });
        const y = f(a, b, bias);
        const dy = rand(y.shape, 8);
        const g = tf.grads((x: tf.Tensor, w: tf.Tensor, bb: tf.Tensor) => tf.sum(tf.mul(f(x, w, bb), dy)))([a, b, bias]);
        return [y, ...g];
      }, activation);
    });
  }

  it('_FusedMatMul: scalar bias, transposed and batched operands', async () => {
    await expectParity(() => [
      tf.fused.matMul({ a: rand([3, 7, 5], 9) as tf.Tensor3D, b: rand([3, 4, 7], 10) as tf.Tensor3D, transposeA: true, transposeB: true, bias: rand([1], 11), activation: 'relu' }),
      tf.fused.matMul({ a: rand([2, 5, 7], 12) as tf.Tensor3D, b: rand([2, 7, 4], 13) as tf.Tensor3D, bias: rand([4], 14), activation: 'sigmoid' }),
      tf.fused.matMul({ a: rand([2, 5, 7], 15) as tf.Tensor3D, b: rand([2, 7, 4], 16) as tf.Tensor3D, transposeB: false, bias: rand([1, 4], 17), activation: 'elu' }),
    ]);
  });

  it('Add/Sub/Multiply/RealDiv: same shape, scalar, per-row, per-column and other broadcasts; with gradients', async () => {
    const pairs: Array<[number[], number[]]> = [[[4, 6], [4, 6]], [[4, 6], []], [[], [4, 6]], [[4, 6], [4, 1]], [[4, 1], [4, 6]], [[4, 6], [6]], [[6], [4, 6]],
      [[2, 3, 5], [2, 3, 1]], [[2, 3, 5], [1, 1, 5]], [[2, 3, 5], [3, 1]], [[1], [1]], [[3, 1], [1, 4]]];
    for (const [sa, sb] of pairs) {
      await expectParity(() => {
        const a = rand(sa, 100), b = tf.add(tf.abs(rand(sb, 101)), 0.5);
        const outs: tf.Tensor[] = [];
        for (const f of [tf.add, tf.sub, tf.mul, tf.div] as Array<(x: tf.Tensor, y: tf.Tensor) => tf.Tensor>) {
          outs.push(f(a, b), ...tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(f(x, y), 1.5)))([a, b]));
        }
        return outs;
      }, `${sa} ∘ ${sb}`);
    }
  });

  it('Exp, Log, Tanh, Sigmoid, Max (trailing and other axes), Cast to the same dtype, ClipByValue gradient: values and gradients', async () => {
    await expectParity(() => {
      const x = rand([7, 33], 110, 4);
      const big = tf.concat([tf.tensor2d([[-200, 3, -1e9, 0, -30, -87]]), rand([1, 6], 111)], 0);
      const grads = [tf.exp, tf.tanh, tf.sigmoid].map((f) => tf.grad((t: tf.Tensor) => tf.sum(f(t)))(x));
      return [tf.exp(x), tf.log(tf.abs(x)), tf.tanh(x), tf.sigmoid(x), tf.exp(big), tf.tanh(big), tf.sigmoid(big),
        tf.max(x, -1), tf.max(x, 0), tf.max(x), tf.max(rand([3, 4, 5], 112), [1, 2], true), tf.cast(x, 'float32'), tf.logSoftmax(x), tf.softmax(x), tf.softmax(rand([2, 3, 300], 113, 5)), tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.softmax(t), x)))(x), ...grads,
        tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.clipByValue(t, -1.5, 2), t)))(tf.concat([x, tf.fill([1, 33], 2)], 0)), // ClipByValue gradient, bounds included
        tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.clipByValue(t, -1.5, 2), t)))(tf.concat([x, tf.fill([1, 33], -1.5)], 0))];
    });
    await useBackend('wasm');
    expect(Array.from(tf.tidy(() => tf.exp(tf.tensor1d([100, -100, NaN]))).dataSync())).to.deep.equal([Infinity, 0, NaN]);
  });

  it('Equal with broadcasts (the max-pooling gradient compares x with its max) and the max-pool gradient itself', async () => {
    await expectParity(() => {
      const x = tf.round(rand([4, 7, 5], 140, 3));
      const m = tf.max(x, 1, true);
      const outs = [tf.equal(x, m), tf.equal(m, x), tf.equal(x, tf.round(rand([5], 141, 3))), tf.equal(x, x), tf.equal(tf.scalar(1), tf.scalar(1)),
        tf.equal(tf.tensor1d([1, 2, 3], 'int32'), tf.tensor2d([[1], [2]], [2, 1], 'int32'))].map((t) => tf.cast(t, 'float32'));
      const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.max(t, 1), rand([4, 5], 142))))(rand([4, 7, 5], 143));
      return [...outs, g];
    });
  });

  it('Sum over leading, trailing, all and middle axes (keepDims too): values', async () => {
    await expectParity(() => {
      const x = rand([6, 5, 4], 80);
      return [tf.sum(x, 0), tf.sum(x, [0, 1]), tf.sum(x, -1), tf.sum(x, [1, 2], true), tf.sum(x), tf.sum(x, 1), tf.sum(x, 0, true), tf.sum(rand([1280, 300], 81), 0)];
    });
  });

  it('GatherV2 (axis 0, 1-D and 2-D ids) and its gradient; other axes through wasm', async () => {
    await expectParity(() => {
      const table = rand([30, 7], 82);
      const r = rng(83);
      const ids2 = tf.tensor2d(Array.from({ length: 4 * 9 }, () => Math.floor(r() * 30)), [4, 9], 'int32');
      const ids1 = tf.tensor1d([0, 29, 3, 3, 17], 'int32');
      const dy = rand([4, 9, 7], 84);
      const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, ids2), dy)))(table);
      return [tf.gather(table, ids1), tf.gather(table, ids2), g, tf.gather(table, tf.tensor1d([1, 5, 2], 'int32'), 1)];
    });
  });

  it('Sqrt and Identity (shared, copy-free): values, gradient, and the original survives disposing a clone', async () => {
    await expectParity(() => {
      const x = tf.abs(rand([50, 3], 85));
      const c = tf.clone(x);
      const g = tf.grad((t: tf.Tensor) => tf.sum(tf.sqrt(t)))(tf.add(x, 0.1));
      return [tf.sqrt(x), c, g];
    });
    await useBackend('wasm');
    const x = tf.tensor1d([1, 2, 3]);
    const c = tf.clone(x);
    c.dispose();
    expect(Array.from(x.dataSync())).to.deep.equal([1, 2, 3]);
    x.dispose();
  });

  it('Adam (tf.train.adam, one native pass per variable): 25 steps of a small model give the cpu weights', async () => {
    const train = async () => {
      const model = tf.sequential();
      model.add(tf.layers.embedding({ inputDim: 20, outputDim: 6, inputLength: 5, embeddingsInitializer: tf.initializers.randomUniform({ minval: -0.1, maxval: 0.1, seed: 1 }) }));
      model.add(tf.layers.flatten());
      model.add(tf.layers.dense({ units: 4, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }));
      model.compile({ optimizer: tf.train.adam(0.05, 0.8, 0.95, 1e-6), loss: 'meanSquaredError' });
      const r = rng(90);
      const x = tf.tensor2d(Array.from({ length: 8 * 5 }, () => Math.floor(r() * 20)), [8, 5]);
      const y = tf.tensor2d(randArray(8 * 4, 91), [8, 4]);
      for (let i = 0; i < 25; i++) await model.trainOnBatch(x, y);
      const ws = model.getWeights().map((w) => w.dataSync() as Float32Array);
      tf.dispose([x, y]);
      return ws;
    };
    await useBackend('cpu');
    const ref = await train();
    await useBackend('wasm');
    const ours = await train();
    ref.forEach((w, i) => expect(maxAbsDiff(w, ours[i]!), `weight ${i}`).to.be.below(TOL));
  });

  for (const act of ['hardSigmoid', 'sigmoid'] as GateActivation[]) {
    for (const reverse of [false, true]) {
      it(`fused GRU sequence (${act}${reverse ? ', reverse' : ''}): hseq and gradients for x, kernel, recurrent kernel, bias, h0`, async () => {
        const worst = await expectParity(() => {
          const B = 3, T = 7, E = 5, H = 6;
          const x = rand([B, T, E], 20), k = rand([E, 3 * H], 21, 0.6), u = rand([H, 3 * H], 22, 0.6), b = rand([3 * H], 23, 0.3), h0 = rand([B, H], 24, 0.5);
          const dy = rand([B, T, H], 25);
          const f = (xx: tf.Tensor, kk: tf.Tensor, uu: tf.Tensor, bb: tf.Tensor, hh: tf.Tensor) =>
            gruSequence(xx as tf.Tensor3D, { kernel: kk as tf.Tensor2D, recurrentKernel: uu as tf.Tensor2D, bias: bb as tf.Tensor1D }, { h0: hh as tf.Tensor2D, reverse, recurrentActivation: act });
          const y = f(x, k, u, b, h0);
          const g = tf.grads((xx: tf.Tensor, kk: tf.Tensor, uu: tf.Tensor, bb: tf.Tensor, hh: tf.Tensor) => tf.sum(tf.mul(f(xx, kk, uu, bb, hh), dy)))([x, k, u, b, h0]);
          return [y, ...g];
        });
        expect(worst).to.be.below(TOL);
      });
    }
  }

  it('gruSequence runs as the native kernel on wasm and as tfjs ops on cpu', async () => {
    await useBackend('cpu');
    expect(gruIsFused()).to.equal(false);
    await useBackend('wasm');
    expect(gruIsFused()).to.equal(true);
  });

  describe('tf.layers.gru runs as the fused kernel on wasm+native (same values and gradients as on cpu)', () => {
    const B = 3, T = 6, E = 4, H = 5;
    const variants: Array<{ label: string; args: Record<string, unknown>; bi?: boolean; fused: boolean; mask?: boolean }> = [
      { label: 'returnSequences', args: { returnSequences: true }, fused: true },
      { label: 'last state', args: {}, fused: true },
      { label: 'goBackwards, returnSequences', args: { goBackwards: true, returnSequences: true }, fused: true },
      { label: 'goBackwards, returnState', args: { goBackwards: true, returnState: true }, fused: true },
      { label: 'sigmoid gates, no bias, returnState + returnSequences', args: { recurrentActivation: 'sigmoid', useBias: false, returnState: true, returnSequences: true }, fused: true },
      { label: 'bidirectional (concat)', args: { returnSequences: true }, bi: true, fused: true },
      { label: 'masked input (Embedding maskZero): tfjs code path', args: { returnSequences: true }, mask: true, fused: false },
    ];
    for (const v of variants) {
      it(v.label, async () => {
        const run = async (backend: 'cpu' | 'wasm') => {
          await useBackend(backend);
          let kernels: string[] = [];
          const out = tf.tidy(() => {
            const ids = tf.tensor2d([[1, 2, 3, 0, 0, 0], [4, 5, 6, 7, 8, 9], [2, 2, 0, 0, 0, 0]], [B, T]);
            const emb = tf.layers.embedding({ inputDim: 10, outputDim: E, maskZero: v.mask ?? false, embeddingsInitializer: tf.initializers.randomUniform({ minval: -1, maxval: 1, seed: 5 }) });
            const gru = tf.layers.gru({ units: H, kernelInitializer: tf.initializers.glorotUniform({ seed: 6 }), recurrentInitializer: tf.initializers.glorotUniform({ seed: 7 }), biasInitializer: tf.initializers.randomUniform({ minval: -0.3, maxval: 0.3, seed: 8 }), ...v.args });
            const layer = v.bi ? tf.layers.bidirectional({ layer: gru as tf.RNN, mergeMode: 'concat' }) : gru;
            const inp = tf.input({ shape: [T] });
            const sym = layer.apply(emb.apply(inp)) as tf.SymbolicTensor | tf.SymbolicTensor[];
            const model = tf.model({ inputs: inp, outputs: sym });
            const vars = model.trainableWeights.map((w) => (w as unknown as { read(): tf.Variable }).read());
            const f = () => { const o = model.apply(ids) as tf.Tensor | tf.Tensor[]; return tf.addN((Array.isArray(o) ? o : [o]).map((t, i) => tf.sum(tf.mul(tf.square(t), i + 1)))) as tf.Scalar; };
            const { value, grads } = tf.variableGrads(f, vars);
            return [value, ...vars.map((x) => grads[x.name]!)].map((t) => t.dataSync() as Float32Array);
          });
          const prof = await tf.profile(() => tf.tidy(() => {
            const gru = tf.layers.gru({ units: H, ...v.args });
            const layer = v.bi ? tf.layers.bidirectional({ layer: gru as tf.RNN, mergeMode: 'concat' }) : gru;
            const x = tf.layers.embedding({ inputDim: 10, outputDim: E, maskZero: v.mask ?? false }).apply(tf.tensor2d([[1, 2, 0, 0, 0, 0]], [1, T])) as tf.Tensor;
            const mask = v.mask ? tf.notEqual(tf.tensor2d([[1, 2, 0, 0, 0, 0]], [1, T]), 0) : undefined;
            return layer.apply(x, mask ? { mask } : {}) as tf.Tensor;
          }));
          kernels = prof.kernels.map((k) => k.name);
          return { out, kernels };
        };
        const ref = await run('cpu');
        const ours = await run('wasm');
        ref.out.forEach((r, i) => expect(maxAbsDiff(r, ours.out[i]!), `output ${i}`).to.be.below(TOL));
        expect(ours.kernels.includes('CopydeskGruForward'), 'fused kernel used').to.equal(v.fused);
      });
    }
  });

  it('FusedGRU layer equals tf.layers.gru (same weights) on cpu, values and weight gradients', async () => {
    const B = 2, T = 6, E = 4, H = 5;
    const x = randArray(B * T * E, 30);
    const weights = [randArray(E * 3 * H, 31, 0.5), randArray(H * 3 * H, 32, 0.5), randArray(3 * H, 33, 0.2)];
    const shapes = [[E, 3 * H], [H, 3 * H], [3 * H]];
    const run = (layer: tf.layers.Layer) => tf.tidy(() => {
      const xt = tf.tensor(x, [B, T, E]);
      layer.apply(tf.input({ shape: [T, E] })); // build
      layer.setWeights(weights.map((w, i) => tf.tensor(w, shapes[i])));
      const vars = layer.trainableWeights.map((w) => (w as unknown as { read(): tf.Variable }).read());
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(layer.apply(xt) as tf.Tensor)) as tf.Scalar, vars);
      return [value, ...vars.map((v) => grads[v.name]!)].map((t) => t.dataSync() as Float32Array);
    });
    // reference: tfjs's own GRU layer on cpu; ours on wasm(+native)
    await useBackend('cpu');
    const ref = run(tf.layers.gru({ units: H, returnSequences: true }));
    await useBackend('wasm');
    const ours = run(fusedGru({ units: H, returnSequences: true }));
    ref.forEach((r, i) => expect(maxAbsDiff(r, ours[i]!), `output ${i}`).to.be.below(TOL));
  });

  it('FusedGRU bidirectional equals tf.layers.bidirectional(gru, concat), last state and sequences', async () => {
    const B = 2, T = 5, E = 3, H = 4;
    const x = randArray(B * T * E, 40);
    const w = [randArray(E * 3 * H, 41, 0.5), randArray(H * 3 * H, 42, 0.5), randArray(3 * H, 43, 0.2), randArray(E * 3 * H, 44, 0.5), randArray(H * 3 * H, 45, 0.5), randArray(3 * H, 46, 0.2)];
    const shapes = [[E, 3 * H], [H, 3 * H], [3 * H], [E, 3 * H], [H, 3 * H], [3 * H]];
    for (const returnSequences of [false, true]) {
      const run = (layer: tf.layers.Layer) => tf.tidy(() => {
        layer.apply(tf.input({ shape: [T, E] }));
        layer.setWeights(w.map((a, i) => tf.tensor(a, shapes[i])));
        return (layer.apply(tf.tensor(x, [B, T, E])) as tf.Tensor).dataSync() as Float32Array;
      });
      await useBackend('cpu');
      const ref = run(tf.layers.bidirectional({ layer: tf.layers.gru({ units: H, returnSequences }) as tf.RNN, mergeMode: 'concat' }));
      await useBackend('wasm');
      const ours = run(fusedGru({ units: H, returnSequences, bidirectional: true }));
      expect(maxAbsDiff(ref, ours), `returnSequences=${returnSequences}`).to.be.below(TOL);
    }
  });

  it('FusedGRU returnState + initial state, inside a functional model that trains (loss goes down)', async () => {
    await useBackend('wasm');
    const T = 6, E = 4, H = 8;
    const inp = tf.input({ shape: [T, E] });
    const state = tf.input({ shape: [H] });
    const [seq, last] = fusedGru({ units: H, returnSequences: true, returnState: true, recurrentActivation: 'sigmoid' }).apply([inp, state]) as tf.SymbolicTensor[];
    expect(seq!.shape).to.deep.equal([null, T, H]);
    expect(last!.shape).to.deep.equal([null, H]);
    const out = tf.layers.dense({ units: 3 }).apply(seq!) as tf.SymbolicTensor;
    const model = tf.model({ inputs: [inp, state], outputs: out });
    compileWithSparseLogitsLoss(model, { optimizer: tf.train.adam(0.05) });
    const r = rng(50);
    const xs = tf.tensor(randArray(16 * T * E, 51), [16, T, E]);
    const h0 = tf.zeros([16, H]);
    const ys = tf.tensor(Array.from({ length: 16 * T }, () => Math.floor(r() * 3)), [16, T, 1]);
    const first = (await model.trainOnBatch([xs, h0], ys)) as number;
    let lastLoss = first;
    for (let i = 0; i < 30; i++) lastLoss = (await model.trainOnBatch([xs, h0], ys)) as number;
    expect(lastLoss).to.be.below(first * 0.9);
    tf.dispose([xs, h0, ys]);
  });

  it('fused sparse softmax cross-entropy: per-row loss and logits gradient', async () => {
    await expectParity(() => {
      const R = 37, C = 300;
      const logits = rand([R, C], 60, 4);
      const r = rng(61);
      const labels = tf.tensor1d(Array.from({ length: R }, (_, i) => (i === 3 ? -1 : i === 5 ? C : Math.floor(r() * C)))); // two out of range: 0 loss, 0 gradient
      const dy = rand([R], 62);
      const rows = sparseSoftmaxCrossEntropyRows(labels, logits as tf.Tensor2D);
      const g = tf.grad((l: tf.Tensor) => tf.sum(tf.mul(sparseSoftmaxCrossEntropyRows(labels, l as tf.Tensor2D), dy)))(logits);
      const mean = tf.grad((l: tf.Tensor) => sparseCategoricalCrossentropyFromLogits(tf.reshape(labels, [R, 1]), l))(logits);
      return [rows, g, mean];
    });
  });

  it("tf.layers' sparseCategoricalCrossentropy on probabilities (native pass): values and gradients, saturated rows included", async () => {
    // reference: tf.layers' own formula, literally (losses.ts sparseCategoricalCrossentropy)
    const reference = (y: tf.Tensor, out: tf.Tensor): tf.Tensor => {
      const eps = 1e-7;
      const C = out.shape[out.shape.length - 1]!;
      let o = tf.clipByValue(out, eps, 1 - eps);
      const oneHot = tf.reshape(tf.oneHot(tf.cast(tf.floor(tf.reshape(y, [-1])), 'int32'), C), o.shape);
      o = tf.div(o, tf.sum(o, -1, true));
      o = tf.clipByValue(o, eps, 1 - eps);
      return tf.neg(tf.sum(tf.mul(oneHot, tf.log(o)), -1));
    };
    const { cpu, wasm } = await onBoth(() => {
      const logits = tf.concat([rand([3, 5, 40], 120, 3), tf.mul(rand([1, 5, 40], 121), 40)], 0); // last batch: probabilities below eps and near 1
      const p = tf.softmax(logits);
      const r = rng(122);
      const y = tf.tensor(Array.from({ length: 20 }, (_, i) => (i === 7 ? 40 : Math.floor(r() * 40))), [4, 5, 1]);
      const dy = rand([4, 5], 123);
      const f = (pp: tf.Tensor) => (tf.getBackend() === 'wasm' ? kerasSparseCategoricalCrossentropy(y, pp) : reference(y, pp));
      return [f(p), tf.grad((pp: tf.Tensor) => tf.sum(tf.mul(f(pp), dy)))(p)];
    });
    // gradients reach ~1/p ≈ 1e7 on saturated rows: compare relative to magnitude there
    cpu.forEach((c, i) => c.forEach((v, j) => expect(Math.abs(v - wasm[i]![j]!), `output ${i}[${j}] ${v}`).to.be.at.most(TOL * Math.max(1, Math.abs(v)))));
  });

  it("a model compiled with 'sparseCategoricalCrossentropy' trains to the cpu weights (native loss swapped in)", async () => {
    const train = async () => {
      const model = tf.sequential();
      model.add(tf.layers.dense({ units: 30, inputShape: [6], activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }));
      model.compile({ optimizer: tf.train.sgd(0.5), loss: 'sparseCategoricalCrossentropy' });
      const x = tf.tensor2d(randArray(16 * 6, 130, 3), [16, 6]);
      const r = rng(131);
      const y = tf.tensor2d(Array.from({ length: 16 }, () => Math.floor(r() * 30)), [16, 1]);
      const losses: number[] = [];
      for (let i = 0; i < 10; i++) losses.push((await model.trainOnBatch(x, y)) as number);
      const w = model.getWeights().map((t) => t.dataSync() as Float32Array);
      tf.dispose([x, y]);
      return { losses, w };
    };
    await useBackend('cpu');
    const ref = await train();
    await useBackend('wasm');
    const ours = await train();
    expect(maxAbsDiff(ref.losses, ours.losses)).to.be.below(TOL);
    ref.w.forEach((w, i) => expect(maxAbsDiff(w, ours.w[i]!), `weight ${i}`).to.be.below(TOL));
    expect(ours.losses[9]!).to.be.below(ours.losses[0]!);
  });

  it('fused cross-entropy equals softmax + sparseCategoricalCrossentropy (the Keras way)', async () => {
    await useBackend('wasm');
    const [a, b] = tf.tidy(() => {
      const logits = rand([4, 6, 50], 70, 3);
      const r = rng(71);
      const y = tf.tensor(Array.from({ length: 24 }, () => Math.floor(r() * 50)), [4, 6, 1]);
      const ref = tf.neg(tf.mean(tf.sum(tf.mul(tf.oneHot(tf.cast(tf.reshape(y, [4, 6]), 'int32'), 50), tf.logSoftmax(logits)), -1)));
      return [sparseCategoricalCrossentropyFromLogits(y, logits), ref];
    });
    expect(Math.abs(a!.dataSync()[0]! - b!.dataSync()[0]!)).to.be.below(TOL);
    tf.dispose([a!, b!]);
  });
});
