/** model_card.md for a trained sentiment model, written by `train sentiment` from what it measured. */
import * as fs from 'fs';
import * as path from 'path';
import type { SentimentConfig } from './classifier';
import type { TrainSummary } from './pipeline';

const pct = (x: number) => (100 * x).toFixed(2);

export function writeModelCard(dir: string, cfg: SentimentConfig, s: TrainSummary, command: string): void {
  const m = cfg.model;
  const width = m.pooling.endsWith('max') ? 2 * m.dim : m.dim;
  const params = m.vocabSize * m.dim + (m.hidden ? width * m.hidden + m.hidden + m.hidden + 1 : width + 1);
  const t = cfg.training as Record<string, unknown>;
  const lines = [
    '# Review sentiment model (models/sentiment)',
    '',
    'Polarity of Chinese reviews (P(positive), calibrated; neutral band) used by `core/sentiment` (`loadSentimentModel()`), the CLI (`copydesk sentiment`, `eval sentiment`) and the copywriter pipeline. Aspects come from the lexicon in `core/sentiment/aspects/lexicon.ts` plus this model on the clause.',
    '',
    '## Data',
    `- Split 8:1:1 (stratified by category and label, seed ${String(t.seed)}): ${(t.data as string[]).join(', ')}. Only the train part is trained on; validation picks the epoch and fits the temperature; the test part is only measured.`,
    `- Trained on whole: ${(t.trainAll as string[]).join(', ') || 'none'}.`,
    `- Evaluation only: ${(t.evalData as string[]).join(', ') || 'none'} (ChnSentiCorp test is held back elsewhere).`,
    `- ${s.trainRows} training rows after dropping ${s.droppedAsLeaks} whose normalised text equals a held-out or evaluation text. Skipped bad rows: ${s.skipped.map((k) => `${path.basename(k.file)}:${k.line} (${k.problem})`).join('; ') || 'none'}.`,
    '',
    '## Architecture',
    `- Features: character ${cfg.features.charOrders.join('/')}-grams${cfg.features.words ? ', jieba words (core/text, e-commerce dictionary)' : ''}${cfg.features.wordBigrams ? ', word bigrams' : ''}; long reviews keep the first and last ${cfg.features.maxChars / 2} characters; ${m.vocabSize - 1} features seen in ≥ ${String(t.minFreq)} training texts.`,
    `- Embedding bag (${m.dim} dims) → ${m.pooling} pooling (${m.pooling.startsWith('sqrtn') ? 'sum / √n' : 'mean'}${m.pooling.endsWith('max') ? ' ‖ relu(max)' : ''}) → dropout ${m.dropout} → ${m.hidden ? `dense ${m.hidden} relu → ` : ''}logit. A tf.LayersModel (custom layer CopydeskMaskedPool).`,
    `- Training: the embedding rows are updated sparsely (row-wise Adagrad, lr ${String(t.embeddingLearningRate)}) from the tfjs gradient at the pooled vector; the head by tfjs Adam (lr ${String(t.learningRate)}); batch ${String(t.batchSize)}; ${String(t.epochs)} epochs, ${t.linearDecay ? 'learning rates falling linearly to 5 %' : `decay ${String(t.lrDecay)} per epoch`}; best epoch by validation accuracy: ${s.bestEpoch}.`,
    `- Calibration: temperature T = ${cfg.temperature.toFixed(3)} fitted on validation (p = sigmoid(z / T)); neutral when |p − 0.5| ≤ ${cfg.neutralHalfWidth}.`,
    `- Parameters: ${params.toLocaleString('en-US')}. Files: model.json + weights.bin (embedding stored as uint8 with scale, tf.io quantisation format), features.txt, config.json: ${(s.modelBytes / 2 ** 20).toFixed(1)} MiB.`,
    '',
    '## Metrics (measured at training time on this machine)',
    '| set | n | accuracy | macro-F1 |',
    '|---|---|---|---|',
    `| validation (online_shopping 10 %) | ${s.validation.n} | ${pct(s.validation.accuracy)} | ${pct(s.validation.macro_f1)} |`,
    `| test (online_shopping 10 %, held out) | ${s.test.n} | ${pct(s.test.accuracy)} | ${pct(s.test.macro_f1)} |`,
    ...Object.entries(s.evalFiles).map(([k, v]) => `| ${k} (eval only) | ${v.n} | ${pct(v.accuracy)} | ${pct(v.macro_f1)} |`),
    '',
    `Validation after calibration: NLL ${s.validation.nll.toFixed(4)}, ECE ${s.validation.ece.toFixed(4)}. Training time: ${Math.round(s.trainingSeconds / 60)} min (${s.trainingSeconds} s, 2 shared cores, wasm backend).`,
    '',
    'Per epoch: ' + s.epochs.map((e) => `${e.epoch}: loss ${e.loss.toFixed(4)}, val ${pct(e.valAccuracy)}${e.eval ? Object.entries(e.eval).map(([k, v]) => `, ${k} ${pct(v)}`).join('') : ''} (${Math.round(e.seconds)} s)`).join('; ') + '.',
    '',
    'Throughput, latency and aspect precision/recall: `copydesk bench sentiment` → models/benchmarks/sentiment.json.',
    '',
    '## Reproduce',
    '```',
    command,
    '```',
    '',
  ];
  fs.writeFileSync(path.join(dir, 'model_card.md'), lines.join('\n'));
}
