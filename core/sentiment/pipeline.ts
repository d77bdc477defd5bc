/**
 * `train sentiment` end to end: load the labelled files, split each 8:1:1 (stratified,
 * fixed seed), drop training texts that also occur in a held-out part or an eval file,
 * build the feature index, train with checkpoints (resumable), keep the epoch with the best
 * validation accuracy; then train the other ensemble members (NB-weighted linear, char- and
 * word-BiGRUs; core/sentiment/members.ts), fit their weights and the temperature on validation,
 * and save the model folder.
 */
import * as fs from 'fs';
import * as path from 'path';
import { tf, initRuntime } from '../tf/runtime';
import { LabelledText } from '../data/datasets';
import { createProgress } from '../util/progress';
import { loadCorpus, loadUnlabelledTexts, stratifiedSplit, withoutLeaks, SPLIT_SEED } from './data';
import { DEFAULT_FEATURES, extractFeatures, FeatureIndex, FeatureSpec } from './features';
import { buildModel, DEFAULT_MODEL, ModelConfig, predictLogits, sigmoid } from './model';
import { trainModel, EncodedSet, accuracyOf } from './train';
import { fitTemperature, expectedCalibrationError, NEUTRAL_HALF_WIDTH, nll } from './calibrate';
import { binaryMetrics } from './metrics';
import { SentimentClassifier, SentimentConfig, ExtraMembers, GruKind } from './classifier';
import { loadLayersModel, saveLayersModel, folderBytes } from './io';
import { writeModelCard } from './model-card';
import type { TrainSummary } from './summary';
import { DEFAULT_LINEAR, LinearOptions } from './linear';
import { DEFAULT_CHAR_GRU, DEFAULT_WORD_GRU, GruConfig, GruMember } from './gru-member';
import { combineLogits, fitEnsemble, MemberKind, MemberWeight } from './ensemble';
import { trainLinearMember, trainGruMember, MemberHistory } from './members';
import { DistillOptions } from './distill';
import { teacherLogits } from './teacher';
import { flagLabelIssues, outOfFoldProbabilities, LabelNoiseAction } from './label-noise';

/**
 * ensemble: the bag, then the other members, weights fitted on validation (the shipped recipe).
 * student: one bag distilled from a trained teacher (the shipped ensemble) on its cached soft
 * targets mixed with the hard labels; optionally with probably-mislabelled rows dropped or
 * down-weighted (confident learning, core/sentiment/label-noise.ts).
 */
export type TrainRecipe = 'ensemble' | 'student';
export const TRAIN_RECIPES: TrainRecipe[] = ['ensemble', 'student'];

export interface StudentOptions {
  /** The teacher's model folder. */
  teacher: string;
  /** Where the teacher's logits are cached (shared by runs with other student settings). */
  cacheDir: string;
  distill: DistillOptions;
  labelNoise: LabelNoiseAction;
  /** Unlabelled text files (AdvertiseGen / KOBE JSONL) for self-training on confident pseudo-labels. */
  unlabelled?: string[];
  /** Self-training keeps an unlabelled text when the teacher's max(p, 1 − p) is at least this. */
  pseudoConfidence?: number;
}

export interface TrainSentimentOptions {
  /** Labelled files split 8:1:1 (train / validation / test, stratified, fixed seed). */
  data: string[];
  /** Labelled files trained on whole (they have their own held-out files, e.g. ChnSentiCorp train). */
  trainAll: string[];
  /** Evaluation-only files (e.g. ChnSentiCorp dev): never trained on, reported each epoch. */
  evalFiles: string[];
  out: string;
  work: string;
  resume: boolean;
  epochs: number;
  batchSize: number;
  learningRate: number;
  embeddingLearningRate: number;
  lrDecay: number;
  linearDecay: boolean;
  minFreq: number;
  maxFeatures: number;
  maxLen: number;
  features: FeatureSpec;
  model: Omit<ModelConfig, 'vocabSize'>;
  /** The ensemble's members ('bag' is always one); just ['bag'] trains the bag alone. */
  members: MemberKind[];
  linear: Omit<LinearOptions, 'seed' | 'onEpoch'>;
  /** The BiGRU members' settings (used when they are members). */
  gru: Record<GruKind, GruTraining>;
  /** Fraction of each data file held out for validation, and the same again for test. */
  holdout: number;
  /** Default 'ensemble'. */
  recipe?: TrainRecipe;
  /** The student recipe's settings (recipe 'student'). */
  student?: StudentOptions;
  seed: number;
  log: (line: string) => void;
  /** The command line, for the model card. */
  command?: string;
}

export interface GruTraining {
  config: Omit<GruConfig, 'vocabSize'>;
  epochs: number;
  batchSize: number;
  learningRate: number;
}

export const TRAIN_DEFAULTS: Omit<TrainSentimentOptions, 'data' | 'trainAll' | 'evalFiles' | 'out' | 'work' | 'resume' | 'log'> = {
  epochs: 2,
  batchSize: 64,
  learningRate: 0.005,
  embeddingLearningRate: 0.03,
  lrDecay: 0.5,
  linearDecay: true,
  minFreq: 2,
  maxFeatures: 200_000,
  maxLen: 2000,
  features: DEFAULT_FEATURES,
  model: DEFAULT_MODEL,
  members: ['bag', 'linear', 'chargru', 'wordgru'],
  linear: DEFAULT_LINEAR,
  gru: {
    chargru: { config: DEFAULT_CHAR_GRU, epochs: 3, batchSize: 64, learningRate: 0.002 },
    wordgru: { config: DEFAULT_WORD_GRU, epochs: 2, batchSize: 64, learningRate: 0.002 },
  },
  holdout: 0.1,
  seed: SPLIT_SEED,
};

export type { TrainSummary } from './summary';

interface State {
  epochsDone: number;
  bestEpoch: number;
  bestVal: number;
  seconds: number;
  history: TrainSummary['epochs'];
  signature: string;
}

/** A short name for a data file: its base name, with the folder for generic names (chnsenticorp/dev). */
const base = (f: string) => {
  const b = path.basename(f).replace(/\.(csv|tsv)$/, '');
  return /^(train|dev|test|val)$/.test(b) ? `${path.basename(path.dirname(path.resolve(f)))}/${b}` : b;
};

export async function trainSentiment(o: TrainSentimentOptions): Promise<TrainSummary> {
  if (o.recipe === 'student') {
    if (!o.student) throw new Error('the student recipe needs its settings (teacher folder, distillation)');
    if (o.members.some((k) => k !== 'bag' && k !== 'linear')) throw new Error(`the student recipe trains the bag (and optionally the linear member) only (got ${o.members.join(', ')})`);
  }
  if (!o.members.includes('bag')) throw new Error(`the ensemble always has the bag as a member (got ${o.members.join(', ')})`);
  await initRuntime();
  const t0 = Date.now();
  // ---- data ----
  const train: LabelledText[] = [];
  const val: LabelledText[] = [];
  const test: LabelledText[] = [];
  const skipped: TrainSummary['skipped'] = [];
  for (const file of o.data) {
    const c = loadCorpus(file);
    for (const s of c.skipped) {
      skipped.push({ file, line: s.line, problem: `${s.field ? `${s.field} ` : ''}${s.problem}` });
      o.log(`skipped ${file}:${s.line}: ${s.field ?? ''} ${s.problem}`);
    }
    const sp = stratifiedSplit(c.rows, o.holdout, o.holdout, o.seed);
    train.push(...sp.train);
    val.push(...sp.val);
    test.push(...sp.test);
    o.log(`${base(file)}: ${c.rows.length} rows → train ${sp.train.length}, val ${sp.val.length}, test ${sp.test.length}`);
  }
  for (const file of o.trainAll) {
    const c = loadCorpus(file);
    for (const s of c.skipped) {
      skipped.push({ file, line: s.line, problem: `${s.field ? `${s.field} ` : ''}${s.problem}` });
      o.log(`skipped ${file}:${s.line}: ${s.field ?? ''} ${s.problem}`);
    }
    train.push(...c.rows);
    o.log(`${base(file)}: ${c.rows.length} rows → all train`);
  }
  const evals = o.evalFiles.map((f) => ({ name: base(f), rows: loadCorpus(f).rows }));
  const clean = withoutLeaks(train, [val, test, ...evals.map((e) => e.rows)]);
  o.log(`training rows ${clean.rows.length} (dropped ${clean.dropped} equal to a held-out or eval text)`);

  // ---- features ----
  const signature = JSON.stringify({ data: o.data.map(base), trainAll: o.trainAll.map(base), evalFiles: o.evalFiles.map(base), features: o.features, minFreq: o.minFreq, maxFeatures: o.maxFeatures, model: o.model, seed: o.seed, holdout: o.holdout, ...(o.recipe === 'student' ? { recipe: 'student', student: { ...o.student, cacheDir: undefined, unlabelled: o.student?.unlabelled?.map(base) }, lr: o.learningRate, embLr: o.embeddingLearningRate } : {}) });
  fs.mkdirSync(o.work, { recursive: true });
  const statePath = path.join(o.work, 'state.json');
  const indexPath = path.join(o.work, 'features.txt');
  let state: State | undefined;
  if (o.resume && fs.existsSync(statePath)) {
    state = JSON.parse(fs.readFileSync(statePath, 'utf8')) as State;
    if (state.signature !== signature) throw new Error(`--resume: the checkpoint in ${o.work} was made with other data or settings; start without --resume`);
    o.log(`resuming after epoch ${state.epochsDone} (best val ${state.bestVal.toFixed(4)} at epoch ${state.bestEpoch})`);
  }
  const fp = createProgress('features', clean.rows.length + val.length + test.length);
  let done = 0;
  const feat = (rows: LabelledText[]) =>
    rows.map((r) => {
      const f = extractFeatures(r.text, o.features);
      if (++done % 2000 === 0) fp.update(done);
      return f;
    });
  const fTrain = feat(clean.rows);
  const fVal = feat(val);
  const fTest = feat(test);
  fp.update(done);
  fp.stop();
  let index: FeatureIndex;
  if (state) index = new FeatureIndex(fs.readFileSync(indexPath, 'utf8').split('\n').filter((l) => l !== ''));
  else {
    index = FeatureIndex.build(fTrain, { minFreq: o.minFreq, maxSize: o.maxFeatures });
    fs.writeFileSync(indexPath, `${index.features.join('\n')}\n`);
  }
  o.log(`feature index: ${index.size - 1} features`);
  const enc = (fs_: string[][], rows: LabelledText[]): EncodedSet => ({ seqs: fs_.map((f) => index.encode(f, o.maxLen)), labels: rows.map((r) => r.label) });
  const trainSet = enc(fTrain, clean.rows);
  const valSet = enc(fVal, val);
  const testSet = enc(fTest, test);
  const evalSets = evals.map((e) => ({ name: e.name, set: enc(e.rows.map((r) => extractFeatures(r.text, o.features)), e.rows) }));
  let studentInfo: TrainSummary['student'];
  if (o.recipe === 'student') {
    const so = o.student!;
    const zt = await teacherLogits(so.teacher, clean.rows.map((r) => r.text), o.student!.cacheDir, o.log);
    trainSet.teacher = zt;
    const teacherAgreement = accuracyOf(zt, trainSet.labels);
    let flagged = 0;
    if (so.labelNoise !== 'keep') {
      const p = outOfFoldProbabilities(trainSet, valSet, index.size, { ...o.linear, epochs: 2, seed: o.seed });
      const flags = flagLabelIssues(p, trainSet.labels);
      flagged = flags.filter(Boolean).length;
      if (so.labelNoise === 'drop') {
        const keep = flags.map((f, i) => (f ? -1 : i)).filter((i) => i >= 0);
        trainSet.seqs = keep.map((i) => trainSet.seqs[i]);
        trainSet.labels = keep.map((i) => trainSet.labels[i]);
        trainSet.teacher = Float32Array.from(keep, (i) => zt[i]);
      } else trainSet.weights = Float32Array.from(flags, (f, i) => (f ? (trainSet.labels[i] ? p[i] : 1 - p[i]) : 1));
      o.log(`label noise: ${flagged} of ${flags.length} training rows flagged as probably mislabelled (4-fold NB-LR, confident learning) → ${so.labelNoise}`);
    }
    let pseudoLabelled: number | undefined;
    let unlabelledSeen: number | undefined;
    if (so.unlabelled?.length) {
      const texts = so.unlabelled.flatMap((f) => loadUnlabelledTexts(f));
      const zu = await teacherLogits(so.teacher, texts, so.cacheDir, o.log);
      const min = so.pseudoConfidence ?? 0.9;
      const keep = texts.map((_, i) => i).filter((i) => Math.max(sigmoid(zu[i]), 1 - sigmoid(zu[i])) >= min);
      const seqs = keep.map((i) => index.encode(extractFeatures(texts[i], o.features), o.maxLen));
      const teacherAll = new Float32Array(trainSet.seqs.length + keep.length);
      teacherAll.set(trainSet.teacher!);
      keep.forEach((i, k) => (teacherAll[trainSet.seqs.length + k] = zu[i]));
      if (trainSet.weights) trainSet.weights = Float32Array.from([...trainSet.weights, ...keep.map(() => 1)]);
      trainSet.seqs = [...trainSet.seqs, ...seqs];
      trainSet.labels = [...trainSet.labels, ...keep.map((i) => (zu[i] > 0 ? 1 : 0))];
      trainSet.teacher = teacherAll;
      pseudoLabelled = keep.length;
      unlabelledSeen = texts.length;
      o.log(`self-training: ${keep.length} of ${texts.length} unlabelled texts pseudo-labelled (teacher confidence ≥ ${min}; ${keep.filter((i) => zu[i] > 0).length} positive)`);
    }
    studentInfo = { teacherAgreement, flagged, labelNoise: so.labelNoise, trainRows: trainSet.seqs.length, ...(pseudoLabelled !== undefined ? { pseudoLabelled, unlabelledSeen } : {}) };
    o.log(`student: teacher agrees with ${(100 * teacherAgreement).toFixed(2)} % of the training labels; distillation α ${so.distill.alpha}, τ ${so.distill.temperature}; ${trainSet.seqs.length} rows`);
  }

  // ---- model ----
  const modelCfg: ModelConfig = { ...o.model, vocabSize: index.size };
  const ckptDir = path.join(o.work, 'last');
  const accumPath = path.join(o.work, 'accum.bin');
  const bestDir = path.join(o.work, 'best');
  let model = state ? await loadLayersModel(ckptDir) : buildModel(modelCfg);
  state ??= { epochsDone: 0, bestEpoch: 0, bestVal: -1, seconds: 0, history: [], signature };
  const st = state;
  const batches = Math.ceil(trainSet.seqs.length / o.batchSize);
  const bar = createProgress('train sentiment', o.epochs * batches);
  let runEpochSeconds = 0;
  let lastVal = st.history.length ? st.history[st.history.length - 1].valAccuracy : NaN;
  await trainModel(model, trainSet, valSet, {
    epochs: o.epochs,
    batchSize: o.batchSize,
    learningRate: o.learningRate,
    embeddingLearningRate: o.embeddingLearningRate,
    accum: st.epochsDone > 0 && fs.existsSync(accumPath) ? new Float32Array(new Uint8Array(fs.readFileSync(accumPath)).buffer) : undefined,
    lrDecay: o.lrDecay,
    linearDecay: o.linearDecay,
    seed: o.seed,
    distill: o.recipe === 'student' ? o.student!.distill : undefined,
    startEpoch: st.epochsDone,
    onBatch: (i) => bar.update(i.epoch * i.batches + i.batch, { epoch: `${i.epoch + 1}/${o.epochs}`, loss: i.loss, val_acc: Number.isNaN(lastVal) ? '-' : lastVal }),
    onEpoch: async (i) => {
      lastVal = i.valAccuracy;
      const ev: Record<string, number> = {};
      for (const e of evalSets) ev[e.name] = binaryMetrics([...predictLogits(model, e.set.seqs)].map((z) => (z > 0 ? 1 : 0)), e.set.labels).accuracy;
      st.history.push({ epoch: i.epoch, loss: i.loss, valAccuracy: i.valAccuracy, seconds: i.seconds, eval: ev });
      fs.writeFileSync(accumPath, Buffer.from(i.accum.buffer, i.accum.byteOffset, i.accum.byteLength));
      st.epochsDone = i.epoch;
      st.seconds += i.seconds;
      runEpochSeconds += i.seconds;
      o.log(`epoch ${i.epoch}/${o.epochs} loss ${i.loss.toFixed(4)} val_acc ${i.valAccuracy.toFixed(4)} ${Object.entries(ev).map(([k, v]) => `${k} ${v.toFixed(4)}`).join(' ')} (${i.seconds.toFixed(0)} s)`);
      await saveLayersModel(model, ckptDir, { quantize: false });
      if (i.valAccuracy > st.bestVal) {
        st.bestVal = i.valAccuracy;
        st.bestEpoch = i.epoch;
        await saveLayersModel(model, bestDir, { quantize: false });
      }
      fs.writeFileSync(statePath, JSON.stringify(st));
    },
  });
  bar.stop();

  // ---- best epoch of the bag, then the other members ----
  model.dispose();
  model = await loadLayersModel(bestDir);
  const bagModel = model;
  const kinds: MemberKind[] = ['bag', ...o.members.filter((k) => k !== 'bag')]; // the bag first: parts[k] belongs to kinds[k]
  const labelled = [{ name: 'val', rows: val, set: valSet }, { name: 'test', rows: test, set: testSet }, ...evalSets.map((e, i) => ({ name: e.name, rows: evals[i].rows, set: e.set }))];
  const parts: Float32Array[][] = [labelled.map((l) => predictLogits(bagModel, l.set.seqs))];
  const bests: number[] = [st.bestEpoch];
  const histories: Array<MemberHistory[] | undefined> = [undefined];
  const extra: ExtraMembers = { gru: {} };
  const gruConfigs: Partial<Record<GruKind, GruConfig>> = {};
  let gruResumedSeconds = 0;
  for (const kind of kinds.filter((k) => k !== 'bag')) {
    if (kind === 'linear') {
      const r = trainLinearMember(trainSet, valSet, index.size, { ...o.linear, seed: o.seed, distill: o.recipe === 'student' ? o.student!.distill : undefined }, o.log);
      extra.linear = r.member;
      parts.push(labelled.map((l) => r.member.logits(l.set.seqs)));
      bests.push(r.bestEpoch);
      histories.push(r.history);
    } else {
      const gk = kind as GruKind;
      const r = await trainGruMember({ train: clean.rows, val, evals: evals.map((e) => ({ name: e.name, rows: e.rows })) }, { ...o.gru[gk], seed: o.seed, work: o.work, resume: o.resume, log: o.log });
      extra.gru![gk] = r.member;
      gruConfigs[gk] = r.config;
      gruResumedSeconds += r.resumedSeconds;
      parts.push(labelled.map((l) => r.member.logits(l.rows.map((x) => x.text))));
      bests.push(r.bestEpoch);
      histories.push(r.history);
    }
  }
  // parts[member][set] → per set, the members' logits
  const bySet = labelled.map((_, j) => parts.map((p) => p[j]));
  const members = kinds.length > 1 ? fitEnsemble(kinds, bySet[0], valSet.labels) : undefined;
  if (members) o.log(`ensemble: ${members.map((m) => `${m.kind} ${m.weight.toFixed(2)} (T ${m.temperature.toFixed(3)})`).join(', ')}`);
  const combined = bySet.map((ps) => (members ? combineLogits(ps, members) : ps[0]));

  // ---- calibration, final metrics ----
  const valLogits = combined[0];
  const temperature = fitTemperature(valLogits, valSet.labels);
  const cls = (z: Float32Array) => [...z].map((x) => (x > 0 ? 1 : 0));
  const validation = {
    ...binaryMetrics(cls(valLogits), valSet.labels),
    ece: expectedCalibrationError(valLogits.map((z) => sigmoid(z / temperature)), valSet.labels),
    nll: nll(valLogits, valSet.labels, temperature),
  };
  const testM = binaryMetrics(cls(combined[1]), testSet.labels);
  const evalM: TrainSummary['evalFiles'] = {};
  evalSets.forEach((e, i) => (evalM[e.name] = binaryMetrics(cls(combined[2 + i]), e.set.labels)));
  const acc = (z: Float32Array, j: number) => binaryMetrics(cls(z), labelled[j].set.labels).accuracy;
  const summary: TrainSummary = {
    trainRows: clean.rows.length,
    droppedAsLeaks: clean.dropped,
    skipped,
    epochs: st.history,
    bestEpoch: st.bestEpoch,
    temperature,
    validation,
    test: testM,
    evalFiles: evalM,
    trainingSeconds: Math.round(st.seconds + gruResumedSeconds + (Date.now() - t0) / 1000 - runEpochSeconds),
    modelBytes: 0,
    ...(studentInfo ? { student: studentInfo } : {}),
    members: members?.map((m, k) => ({
      ...m,
      bestEpoch: bests[k],
      valAccuracy: acc(parts[k][0], 0),
      testAccuracy: acc(parts[k][1], 1),
      evalAccuracy: Object.fromEntries(evalSets.map((e, i) => [e.name, acc(parts[k][2 + i], 2 + i)])),
      history: histories[k],
    })),
  };
  const config: SentimentConfig = {
    format: members ? 'copydesk-sentiment/2' : 'copydesk-sentiment/1',
    features: o.features,
    maxLen: o.maxLen,
    model: modelCfg,
    ...(members ? { members } : {}),
    ...(Object.keys(gruConfigs).length ? { gru: gruConfigs } : {}),
    temperature,
    neutralHalfWidth: NEUTRAL_HALF_WIDTH,
    training: { data: o.data.map(base), trainAll: o.trainAll.map(base), evalData: o.evalFiles.map(base), epochs: o.epochs, batchSize: o.batchSize, learningRate: o.learningRate, lrDecay: o.lrDecay, linearDecay: o.linearDecay, embeddingLearningRate: o.embeddingLearningRate, minFreq: o.minFreq, holdout: o.holdout, seed: o.seed, bestEpoch: st.bestEpoch, trainRows: clean.rows.length, ...(o.recipe === 'student' ? { recipe: 'student', student: { teacher: path.relative(process.cwd(), path.resolve(o.student!.teacher)) || '.', distill: o.student!.distill, labelNoise: o.student!.labelNoise, ...studentInfo } } : {}), validation, test: testM, evalFiles: evalM, ...(members ? { linear: o.linear, gru: Object.fromEntries(Object.keys(gruConfigs).map((k) => [k, { epochs: o.gru[k as GruKind].epochs, batchSize: o.gru[k as GruKind].batchSize, learningRate: o.gru[k as GruKind].learningRate }])) } : {}) },
  };
  const classifier = new SentimentClassifier(model, index, config, extra);
  await classifier.save(o.out);
  summary.modelBytes = folderBytes(o.out);
  fs.writeFileSync(path.join(o.work, 'summary.json'), JSON.stringify(summary, null, 2));
  writeModelCard(o.out, config, summary, o.command ?? 'copydesk train sentiment …');
  Object.values(extra.gru ?? {}).forEach((g: GruMember) => g.model.dispose());
  model.dispose();
  void tf;
  return summary;
}
