/**
 * The trained classifier as one object: feature index + network + calibration, saved
 * together in a folder (model.json, weights.bin, features.txt, config.json).
 */
import * as fs from 'fs';
import * as path from 'path';
import { tf, initRuntime } from '../tf/runtime';
import { DataError } from '../data/errors';
import { extractFeatures, FeatureIndex, FeatureSpec } from './features';
import { BagPredictor, ModelConfig, sigmoid } from './model';
import { loadLayersModel, saveLayersModel } from './io';
import { NEUTRAL_HALF_WIDTH } from './calibrate';

export interface SentimentConfig {
  format: 'copydesk-sentiment/1';
  features: FeatureSpec;
  /** At most this many feature ids per text. */
  maxLen: number;
  model: ModelConfig;
  /** Logit temperature fitted on validation (p = sigmoid(z / T)). */
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
  ) {}

  encode(texts: string[]): number[][] {
    return texts.map((t) => this.index.encode(extractFeatures(t, this.config.features), this.config.maxLen));
  }

  private fast?: BagPredictor;

  /** Raw logits (before temperature). Pooling runs in JS (BagPredictor); the tf model's own predict() gives the same numbers. */
  logits(texts: string[], batchSize = 1024): Float32Array {
    this.fast ??= new BagPredictor(this.model);
    return this.fast.logits(this.encode(texts), batchSize);
  }

  /** Calibrated P(positive). */
  probabilities(texts: string[], batchSize = 1024): Float32Array {
    return this.logits(texts, batchSize).map((z) => sigmoid(z / this.config.temperature));
  }

  async save(dir: string): Promise<void> {
    fs.mkdirSync(dir, { recursive: true });
    await saveLayersModel(this.model, dir);
    fs.writeFileSync(path.join(dir, 'features.txt'), `${this.index.features.join('\n')}\n`);
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
    if (config.format !== 'copydesk-sentiment/1') throw new DataError(cfgPath, undefined, 'format', `unknown model format "${config.format}"`);
    const featPath = path.join(dir, 'features.txt');
    if (!fs.existsSync(featPath)) throw new DataError(featPath, undefined, undefined, 'missing');
    const feats = fs.readFileSync(featPath, 'utf8').split('\n');
    if (feats[feats.length - 1] === '') feats.pop();
    const model = await loadLayersModel(dir);
    const index = new FeatureIndex(feats);
    if (index.size !== config.model.vocabSize) throw new DataError(featPath, undefined, undefined, `has ${index.size - 1} features, the model expects ${config.model.vocabSize - 1}`);
    config.neutralHalfWidth ??= NEUTRAL_HALF_WIDTH;
    return new SentimentClassifier(model, index, config);
  }
}
