/**
 * Training the ensemble's extra members inside `train sentiment` (after the bag):
 * the NB-weighted linear model (seconds, no checkpoint needed) and the character / word
 * BiGRUs (minutes per epoch: progress bar, a checkpoint after every epoch, resume, best
 * epoch by validation accuracy), each with the data the bag was trained on.
 */
import * as fs from 'fs';
import * as path from 'path';
import { LabelledText } from '../data/datasets';
import { createProgress } from '../util/progress';
import { Vocab } from '../text/vocab';
import { EncodedSet, accuracyOf } from './train';
import { trainLinear, LinearMember, LinearOptions } from './linear';
import { buildGruClassifier, buildTokenVocab, encodeTokens, gruLogits, trainGruClassifier, GruConfig, GruMember } from './gru-member';
import { loadLayersModel, saveLayersModel } from './io';

export interface MemberHistory {
  epoch: number;
  loss: number;
  valAccuracy: number;
  seconds: number;
  eval?: Record<string, number>;
}

export interface LabelledSets {
  train: LabelledText[];
  val: LabelledText[];
  evals: Array<{ name: string; rows: LabelledText[] }>;
}

export function trainLinearMember(train: EncodedSet, val: EncodedSet, vocabSize: number, o: Omit<LinearOptions, 'onEpoch'>, log: (l: string) => void): { member: LinearMember; bestEpoch: number; history: MemberHistory[] } {
  const history: MemberHistory[] = [];
  let t = Date.now();
  const r = trainLinear(train, val, vocabSize, {
    ...o,
    onEpoch: (i) => {
      history.push({ epoch: i.epoch, loss: i.loss, valAccuracy: i.valAccuracy, seconds: (Date.now() - t) / 1000 });
      t = Date.now();
      log(`linear epoch ${i.epoch}/${o.epochs} loss ${i.loss.toFixed(4)} val_acc ${i.valAccuracy.toFixed(4)}`);
    },
  });
  return { member: r.member, bestEpoch: r.bestEpoch, history };
}

export interface GruStageOptions {
  config: Omit<GruConfig, 'vocabSize'>;
  epochs: number;
  batchSize: number;
  learningRate: number;
  seed: number;
  /** Checkpoints: work/<level>-gru/{last,best}, vocab.json, state.json. */
  work: string;
  resume: boolean;
  log: (l: string) => void;
}

interface GruState {
  epochsDone: number;
  bestEpoch: number;
  bestVal: number;
  seconds: number;
  history: MemberHistory[];
  signature: string;
}

/** Trains (or resumes) a BiGRU member; returns the best epoch's member. */
export async function trainGruMember(sets: LabelledSets, o: GruStageOptions): Promise<{ member: GruMember; config: GruConfig; bestEpoch: number; history: MemberHistory[]; seconds: number; resumedSeconds: number }> {
  const level = o.config.level;
  const name = `${level}-GRU`;
  const dir = path.join(o.work, `${level}-gru`);
  fs.mkdirSync(dir, { recursive: true });
  const statePath = path.join(dir, 'state.json');
  const vocabPath = path.join(dir, 'vocab.json');
  const signature = JSON.stringify({ config: o.config, batchSize: o.batchSize, learningRate: o.learningRate, seed: o.seed, n: sets.train.length });
  let state: GruState | undefined;
  if (o.resume && fs.existsSync(statePath)) {
    state = JSON.parse(fs.readFileSync(statePath, 'utf8')) as GruState;
    if (state.signature !== signature) throw new Error(`--resume: the ${name} checkpoint in ${dir} was made with other settings; start without --resume`);
    o.log(`${name}: resuming after epoch ${state.epochsDone} (best val ${state.bestVal.toFixed(4)} at epoch ${state.bestEpoch})`);
  }
  const vocab = state ? Vocab.load(vocabPath) : buildTokenVocab(level, sets.train.map((r) => r.text), o.config.maxChars);
  if (!state) vocab.save(vocabPath);
  const enc = (rows: LabelledText[]): EncodedSet => ({ seqs: rows.map((r) => encodeTokens(level, vocab, r.text, o.config.maxChars)), labels: rows.map((r) => r.label) });
  const train = enc(sets.train);
  const val = enc(sets.val);
  const evals = sets.evals.map((e) => ({ name: e.name, set: enc(e.rows) }));
  const config: GruConfig = { ...o.config, vocabSize: vocab.size };
  o.log(`${name}: ${vocab.size} tokens, ${train.seqs.length} training texts, ${JSON.stringify(o.config)}`);
  const st: GruState = state ?? { epochsDone: 0, bestEpoch: 0, bestVal: -1, seconds: 0, history: [], signature };
  const resumedSeconds = st.seconds;
  const model = state && st.epochsDone > 0 ? await loadLayersModel(path.join(dir, 'last')) : buildGruClassifier(config, o.seed);
  const batches = Math.ceil(train.seqs.length / o.batchSize);
  const bar = createProgress(`train sentiment ${name}`, o.epochs * batches);
  let lastVal: number | string = st.history.length ? st.history[st.history.length - 1].valAccuracy : '-';
  await trainGruClassifier(model, train, val, {
    epochs: o.epochs,
    batchSize: o.batchSize,
    learningRate: o.learningRate,
    seed: o.seed,
    startEpoch: st.epochsDone,
    onBatch: (i) => bar.update(i.epoch * i.batches + i.batch, { epoch: `${i.epoch + 1}/${o.epochs}`, loss: i.loss, val_acc: lastVal }),
    onEpoch: async (i) => {
      lastVal = i.valAccuracy;
      const ev: Record<string, number> = {};
      for (const e of evals) ev[e.name] = accuracyOf(gruLogits(model, e.set.seqs), e.set.labels);
      st.history.push({ epoch: i.epoch, loss: i.loss, valAccuracy: i.valAccuracy, seconds: i.seconds, eval: ev });
      st.epochsDone = i.epoch;
      st.seconds += i.seconds;
      o.log(`${name} epoch ${i.epoch}/${o.epochs} loss ${i.loss.toFixed(4)} val_acc ${i.valAccuracy.toFixed(4)} ${Object.entries(ev).map(([k, v]) => `${k} ${v.toFixed(4)}`).join(' ')} (${i.seconds.toFixed(0)} s)`);
      await saveLayersModel(model, path.join(dir, 'last'), { quantize: false });
      if (i.valAccuracy > st.bestVal) {
        st.bestVal = i.valAccuracy;
        st.bestEpoch = i.epoch;
        await saveLayersModel(model, path.join(dir, 'best'), { quantize: false });
      }
      fs.writeFileSync(statePath, JSON.stringify(st));
    },
  });
  bar.stop();
  model.dispose();
  const best = await loadLayersModel(path.join(dir, 'best'));
  return { member: new GruMember(best, vocab, config), config, bestEpoch: st.bestEpoch, history: st.history, seconds: st.seconds, resumedSeconds };
}
