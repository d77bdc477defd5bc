/**
 * Training loop: teacher forcing, Adam with global-norm clipping, seeded batch order, validation loss
 * each epoch, early stopping, checkpoints (weights + Adam state + position) every few minutes so
 * `--resume` continues exactly where it stopped. The best epoch (validation loss) is exported to `out`.
 */
import * as fs from 'fs';
import * as path from 'path';
import { tf } from '../tf/runtime';
import { createProgress } from '../util/progress';
import { buildWeights, batchLoss, DEFAULT_CONFIG, ModelConfig, paramCount, Weights } from './model';
import { CharVocab } from './vocab';
import { batchOrder, disposeBatch, Example, ExemplarInput, makeExamples, Pair, rng, split, toBatch } from './data';
import { RetrievalIndex } from './retrieval';
import { loadOptimizer, loadWeights, saveOptimizer, saveWeights } from './persist';
import { AttributeTable, parseAttrs } from './attrs';

export interface TrainOptions {
  pairs: Pair[];
  /** Where the best model is exported (models/generator). */
  out: string;
  /** Checkpoints (.work/generator). */
  work: string;
  epochs?: number;
  batchSize?: number;
  lr?: number;
  seed?: number;
  valSize?: number;
  patience?: number;
  maxTgt?: number;
  resume?: boolean;
  checkpointMinutes?: number;
  config?: Partial<Omit<ModelConfig, 'vocabSize'>>;
  /** Stop after this many steps in this run (tests, time-boxed runs). */
  maxSteps?: number;
  quiet?: boolean;
  /** Characters seen fewer times are <unk> (default 3). */
  minCharCount?: number;
  /**
   * Retrieval-augmented training: each source ends with this many characters of a similar
   * training pair's copy (one of its 3 nearest by attributes; none for 10 % of the examples).
   */
  exemplarChars?: number;
  /** Which of the 3 (random) or 10 (copy) nearest pairs is a training example's exemplar (see RetrievalIndex.exemplarsForOwnPairs). */
  exemplarPick?: 'random' | 'copy';
  /** Start from this trained model's weights and vocabulary (a new run, not a resume). */
  init?: string;
  log?: (line: string) => void;
}

export interface TrainState {
  epoch: number;
  batchInEpoch: number;
  step: number;
  bestVal: number;
  bestEpoch: number;
  badEpochs: number;
  trainSeconds: number;
  history: Array<{ epoch: number; trainLoss: number; valLoss: number; seconds: number }>;
  done: boolean;
}

export interface TrainResult {
  state: TrainState;
  params: number;
  vocabSize: number;
  trainPairs: number;
  valPairs: number;
}

const clip = (grads: Record<string, tf.Tensor>, maxNorm: number): Record<string, tf.Tensor> =>
  tf.tidy(() => {
    const sq = Object.values(grads).map((g) => tf.sum(tf.square(g)));
    const norm = tf.sqrt(tf.addN(sq)).dataSync()[0];
    if (!(norm > maxNorm)) return { ...grads } as tf.NamedTensorMap;
    const k = maxNorm / norm;
    const out: Record<string, tf.Tensor> = {};
    for (const [n, g] of Object.entries(grads)) out[n] = tf.mul(g, k);
    return out as tf.NamedTensorMap;
  });

export function evalLoss(w: Weights, cfg: ModelConfig, examples: Example[], batchSize: number): number {
  let total = 0;
  let tokens = 0;
  const sorted = [...examples].sort((a, b) => a.tgt.length - b.tgt.length);
  for (let i = 0; i < sorted.length; i += batchSize) {
    const chunk = sorted.slice(i, i + batchSize);
    const b = toBatch(chunk, cfg.copy);
    const n = chunk.reduce((s, e) => s + e.tgt.length, 0);
    total += tf.tidy(() => batchLoss(w, cfg, b, false)).dataSync()[0] * n;
    tokens += n;
    disposeBatch(b);
  }
  return total / Math.max(1, tokens);
}

/**
 * Weights, config and vocabulary of a trained model to start from; with `exemplarChars` the
 * vocabulary gains the exemplar marker (a new embedding row, small random; output bias 0).
 */
export function warmStart(dir: string, exemplarChars: number, seed: number): { w: Weights; cfg: ModelConfig; vocab: CharVocab } {
  const loaded = loadWeights(dir);
  const vocab = exemplarChars ? loaded.vocab.withExemplarToken() : loaded.vocab;
  const w = loaded.w;
  const extra = vocab.size - loaded.vocab.size;
  if (extra > 0) {
    const grow = (name: string, rows: tf.Tensor) => {
      const old = w.get(name);
      if (!old) throw new Error(`model weight "${name}" is missing in ${dir}`);
      w.set(name, tf.variable(tf.concat([old, rows], 0), true));
      old.dispose();
      rows.dispose();
    };
    grow('emb', tf.randomNormal([extra, loaded.cfg.emb], 0, 0.1, 'float32', seed));
    grow('out_b', tf.zeros([extra]));
  }
  return { w, cfg: { ...loaded.cfg, vocabSize: vocab.size, exemplarChars: exemplarChars || loaded.cfg.exemplarChars }, vocab };
}

export async function trainGenerator(o: TrainOptions): Promise<TrainResult> {
  const log = o.log ?? ((s: string) => process.stderr.write(`${s}\n`));
  const seed = o.seed ?? 42;
  const bs = o.batchSize ?? 32;
  const maxTgt = o.maxTgt ?? 120;
  const epochs = o.epochs ?? 30;
  const patience = o.patience ?? 3;
  const ckptDir = path.join(o.work, 'checkpoint');
  const { train, val } = split(o.pairs, Math.min(o.valSize ?? 250, Math.floor(o.pairs.length / 2)), seed);
  if (train.length === 0) throw new Error('no training pairs left after the validation split');

  let w: Weights;
  let cfg: ModelConfig;
  let vocab: CharVocab;
  let state: TrainState = { epoch: 0, batchInEpoch: 0, step: 0, bestVal: Infinity, bestEpoch: -1, badEpochs: 0, trainSeconds: 0, history: [], done: false };
  const opt = tf.train.adam(o.lr ?? 2e-3);
  const resuming = o.resume && fs.existsSync(path.join(ckptDir, 'state.json'));
  if (resuming) {
    ({ w, cfg, vocab } = loadWeights(ckptDir));
    state = JSON.parse(fs.readFileSync(path.join(ckptDir, 'state.json'), 'utf8')) as TrainState;
    if (state.bestVal === null) state.bestVal = Infinity; // JSON has no Infinity
    await loadOptimizer(ckptDir, opt);
    log(`resuming from ${ckptDir}: epoch ${state.epoch + 1}, batch ${state.batchInEpoch}, step ${state.step}, best val ${state.bestVal.toFixed(4)}`);
  } else if (o.init) {
    ({ w, cfg, vocab } = warmStart(o.init, o.exemplarChars ?? 0, seed));
    cfg = { ...cfg, ...o.config, vocabSize: vocab.size };
    log(`initialised from ${o.init}`);
  } else {
    vocab = CharVocab.build(train.flatMap((p) => [p.content, p.summary]), o.minCharCount ?? 3);
    if (o.exemplarChars) vocab = vocab.withExemplarToken();
    cfg = { ...DEFAULT_CONFIG, ...o.config, vocabSize: vocab.size, exemplarChars: o.exemplarChars || undefined };
    w = buildWeights(cfg, seed);
  }
  let trainExemplars: ExemplarInput | undefined;
  let valExemplars: ExemplarInput | undefined;
  if (cfg.exemplarChars) {
    const index = new RetrievalIndex(train);
    const pick = o.exemplarPick ?? 'random';
    trainExemplars = { texts: index.exemplarsForOwnPairs(pick === 'copy' ? 10 : 3, rng(seed + 7), pick), chars: cfg.exemplarChars, dropRate: 0.1 };
    valExemplars = { texts: val.map((p) => index.nearest(parseAttrs(p.content), 1)[0]?.summary ?? ''), chars: cfg.exemplarChars, dropRate: 0 };
  }
  const trainEx = makeExamples(vocab, train, maxTgt, seed, trainExemplars);
  // No held-out pairs (tiny runs, tests): the training loss stands in for the validation loss.
  const valEx = val.length ? makeExamples(vocab, val, maxTgt, seed + 1, valExemplars) : trainEx;
  const table = AttributeTable.fromAttrStrings(train.map((p) => p.content));
  const params = paramCount(w);
  log(`generator: ${train.length} training / ${val.length} validation pairs, vocab ${vocab.size}, ${params} parameters, config ${JSON.stringify(cfg)}`);

  const perEpoch = Math.ceil(trainEx.length / bs);
  const progress = createProgress('train generator', epochs * perEpoch, { quiet: o.quiet });
  const record = (): Record<string, unknown> => ({
    seed, batchSize: bs, maxTgt, lr: o.lr ?? 2e-3, ...(cfg.exemplarChars ? { exemplarPick: o.exemplarPick ?? 'random', init: o.init } : {}), trainPairs: train.length, valPairs: val.length, valSeed: seed,
    epochs: state.history.length, bestEpoch: state.bestEpoch + 1, bestValLoss: state.bestVal, trainSeconds: Math.round(state.trainSeconds), history: state.history,
  });
  const checkpoint = async () => {
    await saveWeights(ckptDir, w, cfg, vocab, record());
    await saveOptimizer(ckptDir, opt);
    fs.writeFileSync(path.join(ckptDir, 'state.json'), JSON.stringify(state));
  };
  const exportBest = async () => {
    await saveWeights(o.out, w, cfg, vocab, record());
    fs.writeFileSync(path.join(o.out, 'attributes.json'), JSON.stringify(table.toJSON()));
    await saveWeights(path.join(o.work, 'best'), w, cfg, vocab, record());
    fs.writeFileSync(path.join(o.work, 'best', 'attributes.json'), JSON.stringify(table.toJSON()));
  };

  let lastCkpt = Date.now();
  let stepsThisRun = 0;
  let recent: number[] = [];
  let lastVal = state.history.length ? state.history[state.history.length - 1].valLoss : NaN;
  const varList = [...w.values()];
  outer: for (; state.epoch < epochs && !state.done; state.epoch++, state.batchInEpoch = 0) {
    const order = batchOrder(trainEx, bs, seed * 1000 + state.epoch);
    let epochLoss = 0;
    let epochN = 0;
    const t0 = Date.now();
    for (; state.batchInEpoch < order.length; state.batchInEpoch++) {
      if (o.maxSteps !== undefined && stepsThisRun >= o.maxSteps) break outer;
      const t = Date.now();
      const b = toBatch(order[state.batchInEpoch].map((i) => trainEx[i]), cfg.copy);
      const { value, grads } = opt.computeGradients(() => batchLoss(w, cfg, b, true, seed + state.step * 13), varList);
      const clipped = clip(grads, 5);
      opt.applyGradients(clipped as unknown as Parameters<typeof opt.applyGradients>[0]);
      const loss = (await value.data())[0];
      tf.dispose([value, grads, clipped]);
      disposeBatch(b);
      state.step++;
      stepsThisRun++;
      state.trainSeconds += (Date.now() - t) / 1000;
      epochLoss += loss;
      epochN++;
      recent = [...recent.slice(-19), loss];
      progress.update(state.epoch * perEpoch + state.batchInEpoch + 1, { epoch: state.epoch + 1, loss: recent.reduce((a, c) => a + c, 0) / recent.length, val: Number.isFinite(lastVal) ? lastVal : '-' });
      if (Date.now() - lastCkpt > (o.checkpointMinutes ?? 3) * 60_000) {
        state.batchInEpoch++;
        await checkpoint();
        state.batchInEpoch--;
        lastCkpt = Date.now();
      }
    }
    const valLoss = evalLoss(w, cfg, valEx, 64);
    lastVal = valLoss;
    state.history.push({ epoch: state.epoch + 1, trainLoss: epochLoss / Math.max(1, epochN), valLoss, seconds: Math.round((Date.now() - t0) / 1000) });
    log(`epoch ${state.epoch + 1}: train loss ${(epochLoss / Math.max(1, epochN)).toFixed(4)}, val loss ${valLoss.toFixed(4)} (best ${Math.min(state.bestVal, valLoss).toFixed(4)}), ${Math.round(state.trainSeconds)} s training so far`);
    if (valLoss < state.bestVal) {
      state.bestVal = valLoss;
      state.bestEpoch = state.epoch;
      state.badEpochs = 0;
      await exportBest();
    } else if (++state.badEpochs >= patience) {
      log(`early stopping: no validation improvement for ${patience} epochs (best epoch ${state.bestEpoch + 1})`);
      state.done = true;
    }
    state.epoch++;
    state.batchInEpoch = 0;
    await checkpoint();
    lastCkpt = Date.now();
    state.epoch--;
  }
  progress.stop();
  if (!Number.isFinite(state.bestVal)) {
    // Stopped before the first epoch ended (maxSteps): export what we have.
    await checkpoint();
    await exportBest();
  }
  return { state, params, vocabSize: vocab.size, trainPairs: train.length, valPairs: val.length };
}
