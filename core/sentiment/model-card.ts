/** model_card.md for a trained sentiment model, written by `train sentiment` from what it measured. */
import * as fs from 'fs';
import * as path from 'path';
import type { SentimentConfig } from './classifier';
import type { TrainSummary } from './summary';
import { GRU_DIRS, GruKind } from './classifier';
import type { GruConfig } from './gru-member';

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
    ...studentLines(t),
    ...memberLines(cfg, s),
    `- Calibration: ${cfg.members ? 'each member\'s logit is divided by its own temperature, the weighted sum by a final' : ''} temperature T = ${cfg.temperature.toFixed(3)} fitted on validation (p = sigmoid(z / T)); neutral when |p − 0.5| ≤ ${cfg.neutralHalfWidth}.`,
    `- Parameters: ${(params + (cfg.members?.some((x) => x.kind === 'linear') ? m.vocabSize : 0) + Object.values(cfg.gru ?? {}).reduce((a, g) => a + gruParams(g), 0)).toLocaleString('en-US')}. Files: model.json + weights.bin (embedding stored as uint8 with scale, tf.io quantisation format), features.txt, config.json${cfg.members?.some((x) => x.kind === 'linear') ? ', linear.bin (float32)' : ''}${Object.keys(cfg.gru ?? {}).map((k) => `, ${GRU_DIRS[k as GruKind]}/ (model.json, weights.bin with the token table as uint8, vocab.json)`).join('')}: ${(s.modelBytes / 2 ** 20).toFixed(1)} MiB.`,
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
    (s.members ? 'Bag per epoch: ' : 'Per epoch: ') + s.epochs.map((e) => `${e.epoch}: loss ${e.loss.toFixed(4)}, val ${pct(e.valAccuracy)}${e.eval ? Object.entries(e.eval).map(([k, v]) => `, ${k} ${pct(v)}`).join('') : ''} (${Math.round(e.seconds)} s)`).join('; ') + '.',
    '',
    ...memberTable(s),
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

/** The student recipe's distillation settings (core/sentiment/distill.ts, label-noise.ts). */
function studentLines(t: Record<string, unknown>): string[] {
  if (t.recipe !== 'student') return [];
  const st = t.student as { teacher: string; distill: { alpha: number; temperature: number }; labelNoise: string; teacherAgreement: number; flagged: number; trainRows: number };
  return [
    `- Distilled (\`--recipe student\`) from the teacher ${st.teacher}/ (its calibrated logits z_t over every training row, cached): loss α·BCE(y, σ(z)) + (1 − α)·τ²·BCE(σ(z_t/τ), σ(z/τ)) with α ${st.distill.alpha}, τ ${st.distill.temperature}${t.linear ? ' (the linear member on the same loss)' : ''}; the teacher agrees with ${pct(st.teacherAgreement)} % of the training labels.`,
    `- Label noise: ${st.labelNoise === 'keep' ? 'all rows kept' : `${st.flagged} rows flagged as probably mislabelled by a 4-fold NB-LR (confident learning) were ${st.labelNoise === 'drop' ? 'dropped' : 'down-weighted to their out-of-fold P(given label)'}`}; ${st.trainRows} rows trained on.`,
  ];
}

function gruParams(c: GruConfig): number {
  const gru = 2 * (3 * c.units * (c.dim + c.units) + 3 * c.units);
  const pooled = 4 * c.units;
  return c.vocabSize * c.dim + gru + (c.hidden ? pooled * c.hidden + c.hidden + c.hidden + 1 : pooled + 1);
}

function memberLines(cfg: SentimentConfig, s: TrainSummary): string[] {
  if (!cfg.members) return [];
  const t = cfg.training as Record<string, unknown>;
  const lin = t.linear as { epochs: number; learningRate: number; l2: number; nb: boolean } | undefined;
  const gts = (t.gru ?? {}) as Record<string, { epochs: number; batchSize: number; learningRate: number }>;
  const best = (k: string) => s.members?.find((x) => x.kind === k)?.bestEpoch;
  const out: string[] = [];
  if (lin) out.push(`- Linear member: ${lin.nb ? 'NB-weighted (log-count ratios) ' : ''}logistic regression on the same features (distinct features of a text, scaled by 1/√n), per-coordinate Adagrad lr ${lin.learningRate}, L2 ${lin.l2}, ${lin.epochs} epochs; best epoch by validation accuracy: ${best('linear')}.`);
  for (const [kind, g] of Object.entries(cfg.gru ?? {})) {
    const gt = gts[kind];
    if (!g || !gt) continue;
    const what = g.level === 'word' ? 'jieba words (e-commerce dictionary)' : 'characters (core/text `chars`)';
    out.push(`- ${g.level === 'word' ? 'Word' : 'Char'}-BiGRU member: ${g.vocabSize} ${what} seen ≥ 2 times, from the first and last ${g.maxChars / 2} characters of a long review → embedding ${g.dim} → bidirectional GRU ${g.units}+${g.units} (fused native kernel) → masked mean ‖ max over time → dropout ${g.dropout} → dense ${g.hidden} relu → logit; Adam lr ${gt.learningRate} falling linearly to 10 %, batch ${gt.batchSize} (length-bucketed), global-norm clip 5, ${gt.epochs} epochs; best epoch by validation accuracy: ${best(kind)}. The backward GRU reads each text reversed (both padded at the end), so padding never changes a logit.`);
  }
  out.push(`- Ensemble: p = sigmoid(Σ wᵢ zᵢ / Tᵢ / T) with weights ${cfg.members.map((x) => `${x.kind} ${x.weight.toFixed(2)}`).join(', ')} (grid on the simplex, step 0.05, lowest validation NLL).`);
  return out;
}

function memberTable(s: TrainSummary): string[] {
  if (!s.members) return [];
  const names = Object.keys(s.members[0].evalAccuracy);
  return [
    'Members alone (best epoch) and the ensemble, accuracy:',
    '',
    `| member | weight | T | val | test | ${names.join(' | ')} |`,
    `|---|---|---|---|---|${names.map(() => '---|').join('')}`,
    ...s.members.map((m) => `| ${m.kind} | ${m.weight.toFixed(2)} | ${m.temperature.toFixed(3)} | ${pct(m.valAccuracy)} | ${pct(m.testAccuracy)} | ${names.map((n) => pct(m.evalAccuracy[n])).join(' | ')} |`),
    `| **ensemble** | | | **${pct(s.validation.accuracy)}** | **${pct(s.test.accuracy)}** | ${names.map((n) => `**${pct(s.evalFiles[n].accuracy)}**`).join(' | ')} |`,
    '',
    ...s.members.filter((m) => m.history && m.kind.endsWith('gru')).map((m) => `${m.kind === 'wordgru' ? 'Word' : 'Char'}-BiGRU per epoch: ${m.history!.map((e) => `${e.epoch}: loss ${e.loss.toFixed(4)}, val ${pct(e.valAccuracy)}${e.eval ? Object.entries(e.eval).map(([k, v]) => `, ${k} ${pct(v)}`).join('') : ''} (${Math.round(e.seconds)} s)`).join('; ')}.\n`),
  ];
}
