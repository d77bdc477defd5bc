/**
 * Saving and loading the generator: `model.json` (format, config, weight manifest in the tf.io
 * layout, training record), `weights.bin` (tf.io.encodeWeights of the named variables, float32),
 * `vocab.json` (token list). The trainer adds `attributes.json` (key→values table for the
 * contradiction check). No training copy is stored: the retrieval index is built from the shared
 * data at run time when wanted.
 */
import * as fs from 'fs';
import * as path from 'path';
import { tf } from '../tf/runtime';
import { ModelConfig, Weights } from './model';
import { CharVocab } from './vocab';

export const FORMAT = 'copydesk-seq2seq/1';

export interface ModelJson {
  format: string;
  config: ModelConfig;
  weightsManifest: Array<{ paths: string[]; weights: tf.io.WeightsManifestEntry[] }>;
  training?: Record<string, unknown>;
}

export async function saveWeights(dir: string, w: Weights, cfg: ModelConfig, vocab: CharVocab, training?: Record<string, unknown>): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  const named = [...w.entries()].map(([name, tensor]) => ({ name, tensor }));
  const { data, specs } = await tf.io.encodeWeights(named);
  const json: ModelJson = { format: FORMAT, config: cfg, weightsManifest: [{ paths: ['weights.bin'], weights: specs }], training };
  // Write to temporary names first so an interrupted save never leaves a half-written checkpoint.
  fs.writeFileSync(path.join(dir, 'weights.bin.tmp'), Buffer.from(data));
  fs.writeFileSync(path.join(dir, 'model.json.tmp'), JSON.stringify(json, null, 1));
  fs.writeFileSync(path.join(dir, 'vocab.json'), JSON.stringify(vocab.tokens));
  fs.renameSync(path.join(dir, 'weights.bin.tmp'), path.join(dir, 'weights.bin'));
  fs.renameSync(path.join(dir, 'model.json.tmp'), path.join(dir, 'model.json'));
}

export class ModelFileError extends Error {
  constructor(readonly dir: string, problem: string) {
    super(`generator model in ${dir}: ${problem}`);
    this.name = 'ModelFileError';
  }
}

export function loadWeights(dir: string): { w: Weights; cfg: ModelConfig; vocab: CharVocab; json: ModelJson } {
  const need = ['model.json', 'weights.bin', 'vocab.json'];
  for (const f of need) if (!fs.existsSync(path.join(dir, f))) throw new ModelFileError(dir, `${f} is missing (train one with \`copydesk train generator\`)`);
  let json: ModelJson;
  try {
    json = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8')) as ModelJson;
  } catch (e) {
    throw new ModelFileError(dir, `model.json is not valid JSON (${(e as Error).message})`);
  }
  if (json.format !== FORMAT) throw new ModelFileError(dir, `unknown format "${json.format}" (expected ${FORMAT})`);
  const buf = fs.readFileSync(path.join(dir, 'weights.bin'));
  const specs = json.weightsManifest.flatMap((m) => m.weights);
  const expected = specs.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1) * 4, 0);
  if (buf.byteLength !== expected) throw new ModelFileError(dir, `weights.bin has ${buf.byteLength} bytes, the manifest needs ${expected}`);
  const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
  const tensors = tf.io.decodeWeights(ab, specs);
  const w: Weights = new Map();
  for (const [name, t] of Object.entries(tensors)) {
    w.set(name, tf.variable(t, true));
    t.dispose();
  }
  const vocab = new CharVocab(JSON.parse(fs.readFileSync(path.join(dir, 'vocab.json'), 'utf8')) as string[]);
  if (vocab.size !== json.config.vocabSize) throw new ModelFileError(dir, `vocab.json has ${vocab.size} tokens, the model ${json.config.vocabSize}`);
  return { w, cfg: json.config, vocab, json };
}

/** Optimizer state next to a checkpoint (Adam moments), so training resumes exactly. */
export async function saveOptimizer(dir: string, opt: tf.Optimizer): Promise<void> {
  const named = await opt.getWeights();
  const { data, specs } = await tf.io.encodeWeights(named);
  fs.writeFileSync(path.join(dir, 'optimizer.bin'), Buffer.from(data));
  fs.writeFileSync(path.join(dir, 'optimizer.json'), JSON.stringify(specs));
}

export async function loadOptimizer(dir: string, opt: tf.Optimizer): Promise<boolean> {
  const f = path.join(dir, 'optimizer.bin');
  if (!fs.existsSync(f)) return false;
  const specs = JSON.parse(fs.readFileSync(path.join(dir, 'optimizer.json'), 'utf8')) as tf.io.WeightsManifestEntry[];
  const buf = fs.readFileSync(f);
  const tensors = tf.io.decodeWeights(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength), specs);
  await opt.setWeights(specs.map((s) => ({ name: s.name, tensor: tensors[s.name] })));
  return true;
}
