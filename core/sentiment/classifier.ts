/**
 * The trained classifier as one object: feature index + network + calibration, saved
 * together in a folder (model.json, weights.bin, features.txt, config.json). A classifier
 * may be an ensemble (config `members`): the embedding bag (model.json), an NB-weighted
 * linear model on the same features (linear.bin) and BiGRUs over characters (char-gru/) and
 * jieba words (word-gru/), whose calibrated logits are averaged with weights fitted on
 * validation (core/sentiment/ensemble.ts).
 */
import * as fs from 'fs';
import * as path from 'path';
import { tf, initRuntime } from '../tf/runtime';
import { DataError } from '../data/errors';
import { FeatureIndex, FeatureSpec } from './features';
import { CharGramTable, encodeText } from './fast-encode';
import { BagPredictor, ModelConfig, sigmoid } from './model';
import { loadLayersModel, saveLayersModel } from './io';
import { NEUTRAL_HALF_WIDTH } from './calibrate';
import { LinearMember } from './linear';
import { GruMember, GruConfig } from './gru-member';
import { combineLogits, MemberKind, MemberWeight } from './ensemble';
import { cascadeLogits, CascadeConfig } from './cascade';

export const LINEAR_FILE = 'linear.bin';
/** The GRU members' folders inside the model folder. */
export const GRU_DIRS = { chargru: 'char-gru', wordgru: 'word-gru' } as const;
export type GruKind = keyof typeof GRU_DIRS;

/** The members beside the bag. */
export interface ExtraMembers {
  linear?: LinearMember;
  gru?: Partial<Record<GruKind, GruMember>>;
}

export interface SentimentConfig {
  /** /1: the bag alone; /2: an ensemble (members). */
  format: 'copydesk-sentiment/1' | 'copydesk-sentiment/2';
  features: FeatureSpec;
  /** At most this many feature ids per text. */
  maxLen: number;
  model: ModelConfig;
  /** Ensemble members with their weights and own temperatures (absent: the bag alone). */
  members?: MemberWeight[];
  /** Early exit: the feature members answer confident reviews, the full ensemble the rest (core/sentiment/cascade.ts). */
  cascade?: CascadeConfig;
  /** The BiGRU members' configurations (when they are members). */
  gru?: Partial<Record<GruKind, GruConfig>>;
  /** Logit temperature fitted on validation (p = sigmoid(z / T); for an ensemble, of the combined logit). */
  temperature: number;
  neutralHalfWidth: number;
  /** What the training recorded (data, epochs, time, validation metrics). */
  training?: Record<string, unknown>;
}

export class SentimentClassifier {
  constructor(
    readonly model: tf.LayersModel,
    readonly index: FeatureIndex,
    readonly config: SentimentConfig,
    readonly extra: ExtraMembers = {},
  ) {
    for (const m of config.members ?? []) {
      const given = m.kind === 'bag' || (m.kind === 'linear' ? extra.linear : extra.gru?.[m.kind]);
      if (!given) throw new Error(`the config names a ${m.kind} member but none was given`);
    }
    for (const m of config.cascade?.fast ?? []) if (!(config.members ?? []).some((x) => x.kind === m.kind)) throw new Error(`the cascade's fast path names ${m.kind}, which is not a member`);
  }

  private grams?: CharGramTable;

  /** Feature ids of each text (the same as index.encode(extractFeatures(…)), without the n-gram strings). */
  encode(texts: string[]): number[][] {
    this.grams ??= new CharGramTable(this.index);
    return texts.map((t) => encodeText(this.index, this.grams!, t, this.config.features, this.config.maxLen));
  }

  private fast?: BagPredictor;

  /** Each member's raw logits, in the order of config.members (just the bag for a /1 model). */
  memberLogits(texts: string[], batchSize = 1024): Float32Array[] {
    this.fast ??= new BagPredictor(this.model);
    const seqs = this.encode(texts);
    const members = this.config.members ?? [{ kind: 'bag' as const, weight: 1, temperature: 1 }];
    return members.map((m) => (m.weight === 0 ? new Float32Array(texts.length) : this.memberLogit(m.kind, texts, seqs, batchSize))); // weight 0: not computed
  }

  /** One member's raw logits (seqs: the texts' feature ids, read by the bag and the linear member). */
  memberLogit(kind: MemberKind, texts: string[], seqs: number[][], batchSize = 1024): Float32Array {
    this.fast ??= new BagPredictor(this.model);
    if (kind === 'bag') return this.fast.logits(seqs, batchSize);
    if (kind === 'linear') return this.extra.linear!.logits(seqs);
    return this.extra.gru![kind]!.logits(texts);
  }

  /**
   * Raw logits (before the final temperature): the bag's, or the ensemble's weighted average of
   * the members' calibrated logits (with a cascade: the fast path's on the same scale for confident texts). Bag pooling runs in JS (BagPredictor); the tf model's own
   * predict() gives the same numbers.
   */
  logits(texts: string[], batchSize = 1024): Float32Array {
    if (this.config.cascade) return cascadeLogits(this, texts, batchSize).logits;
    const parts = this.memberLogits(texts, batchSize);
    return this.config.members ? combineLogits(parts, this.config.members) : parts[0];
  }

  /** Calibrated P(positive). */
  probabilities(texts: string[], batchSize = 1024): Float32Array {
    return this.logits(texts, batchSize).map((z) => sigmoid(z / this.config.temperature));
  }

  async save(dir: string): Promise<void> {
    fs.mkdirSync(dir, { recursive: true });
    await saveLayersModel(this.model, dir);
    fs.writeFileSync(path.join(dir, 'features.txt'), `${this.index.features.join('\n')}\n`);
    if (this.extra.linear) this.extra.linear.save(path.join(dir, LINEAR_FILE));
    for (const [kind, member] of Object.entries(this.extra.gru ?? {})) await member.save(path.join(dir, GRU_DIRS[kind as GruKind]));
    fs.writeFileSync(path.join(dir, 'config.json'), `${JSON.stringify(this.config, null, 2)}\n`);
  }

  static async load(dir: string): Promise<SentimentClassifier> {
    await initRuntime();
    const cfgPath = path.join(dir, 'config.json');
    if (!fs.existsSync(cfgPath)) throw new DataError(cfgPath, undefined, undefined, 'missing: no trained sentiment model here (run `copydesk train sentiment`)');
    let config: SentimentConfig;
    try {
      config = JSON.parse(fs.readFileSync(cfgPath, 'utf8'));
    } catch (e) {
      throw new DataError(cfgPath, undefined, undefined, `not valid JSON (${(e as Error).message})`);
    }
    if (config.format !== 'copydesk-sentiment/1' && config.format !== 'copydesk-sentiment/2') throw new DataError(cfgPath, undefined, 'format', `unknown model format "${config.format}"`);
    const featPath = path.join(dir, 'features.txt');
    if (!fs.existsSync(featPath)) throw new DataError(featPath, undefined, undefined, 'missing');
    const feats = fs.readFileSync(featPath, 'utf8').split('\n');
    if (feats[feats.length - 1] === '') feats.pop();
    const model = await loadLayersModel(dir);
    const index = new FeatureIndex(feats);
    if (index.size !== config.model.vocabSize) throw new DataError(featPath, undefined, undefined, `has ${index.size - 1} features, the model expects ${config.model.vocabSize - 1}`);
    config.neutralHalfWidth ??= NEUTRAL_HALF_WIDTH;
    const kinds = new Set((config.members ?? []).map((m) => m.kind));
    const extra: ExtraMembers = { gru: {} };
    if (kinds.has('linear')) extra.linear = LinearMember.load(path.join(dir, LINEAR_FILE), index.size);
    for (const kind of Object.keys(GRU_DIRS) as GruKind[]) {
      if (!kinds.has(kind)) continue;
      const gc = config.gru?.[kind];
      if (!gc) throw new DataError(cfgPath, undefined, `gru.${kind}`, `missing: the members name ${kind} but its configuration is absent`);
      extra.gru![kind] = await GruMember.load(path.join(dir, GRU_DIRS[kind]), gc);
    }
    return new SentimentClassifier(model, index, config, extra);
  }
}

/** The same members and calibration without the cascade (every review through the whole ensemble). */
export function withoutCascade(cls: SentimentClassifier): SentimentClassifier {
  if (!cls.config.cascade) return cls;
  const { cascade, ...config } = cls.config;
  void cascade;
  return new SentimentClassifier(cls.model, cls.index, config, cls.extra);
}
