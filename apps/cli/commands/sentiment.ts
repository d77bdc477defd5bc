/**
 * Sentiment commands:
 *   copydesk train sentiment --data <file> [--data <file> …] --out <dir> [--eval <file>] [--resume]
 *   copydesk eval sentiment --data <file> --json [--predictions-out <file>]
 *   copydesk sentiment "文本…" [--json]
 */
import * as fs from 'fs';
import * as path from 'path';
import { Command } from 'commander';
import { subcommand } from '../group';
import { UsageError } from '../usage-error';

/** Longest review `copydesk sentiment` takes (reviews are short; a pasted page is a mistake). */
export const MAX_REVIEW_ARG_CHARS = 2000;
import { requireFile, loadLabelledTexts } from '../../../core/data/datasets';
import { workDir } from '../../../core/util/paths';

const collect = (v: string, prev: string[]) => [...prev, v];

function positiveNumber(name: string, integer = false) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) throw new UsageError(`--${name} must be a positive ${integer ? 'integer' : 'number'} (got "${v}")`);
    return n;
  };
}

export function register(program: Command): void {
  const { defaultSentimentDir } = require('../../../core/sentiment') as typeof import('../../../core/sentiment');
  require('./sentiment-cascade').register(program); // `cascade sentiment` (early exit over a saved ensemble)

  subcommand(program, 'train', 'sentiment')
    .description('train the review sentiment classifier (each --data file is split 8:1:1; the held-out parts are never trained on)')
    .option('--data <file>', 'labelled reviews: CSV label,review[,cat] or TSV label<TAB>text_a (repeatable)', collect, [])
    .option('--train-all <file>', 'labelled file trained on whole, not split (it has its own held-out files) (repeatable)', collect, [])
    .option('--eval <file>', 'evaluation-only file, reported each epoch and never trained on (repeatable)', collect, [])
    .option('--out <dir>', 'where to write the trained model', defaultSentimentDir())
    .option('--work <dir>', 'checkpoints', path.join(workDir(), 'sentiment'))
    .option('--resume', 'continue from the last checkpoint in --work')
    .option('--epochs <n>', 'epochs', positiveNumber('epochs', true))
    .option('--batch-size <n>', 'batch size', positiveNumber('batch-size', true))
    .option('--lr <x>', 'learning rate of the head (Adam)', positiveNumber('lr'))
    .option('--emb-lr <x>', 'learning rate of the embedding rows (row-wise Adagrad)', positiveNumber('emb-lr'))
    .option('--dropout <x>', 'dropout on the pooled vector', (v) => (v === '0' ? 0 : positiveNumber('dropout')(v)))
    .option('--dim <n>', 'embedding size', positiveNumber('dim', true))
    .option('--hidden <n>', 'hidden units of the head (0 = linear)', (v) => (v === '0' ? 0 : positiveNumber('hidden', true)(v)))
    .option('--pooling <mode>', 'mean | meanmax | sqrtn | sqrtnmax')
    .option('--min-freq <n>', 'drop features seen in fewer training texts', positiveNumber('min-freq', true))
    .option('--max-features <n>', 'feature index size', positiveNumber('max-features', true))
    .option('--members <list>', 'ensemble members, comma-separated: bag (always), linear, chargru, wordgru (default all four; "bag" trains the bag alone)')
    .option('--linear-epochs <n>', 'epochs of the NB-weighted linear member', positiveNumber('linear-epochs', true))
    .option('--char-gru-epochs <n>', 'epochs of the character BiGRU member', positiveNumber('char-gru-epochs', true))
    .option('--word-gru-epochs <n>', 'epochs of the word BiGRU member', positiveNumber('word-gru-epochs', true))
    .option('--gru-units <n>', 'GRU units per direction (both BiGRU members)', positiveNumber('gru-units', true))
    .option('--gru-lr <x>', 'learning rate of the BiGRU members (Adam)', positiveNumber('gru-lr'))
    .option('--recipe <name>', 'ensemble (default: the four members) | student (one bag distilled from --teacher)')
    .option('--teacher <dir>', 'student recipe: the teacher model folder (default: the shipped model)')
    .option('--alpha <x>', 'student recipe: weight of the hard labels in the distillation loss, 0..1 (default 0.3)', (v) => (v === '0' ? 0 : positiveNumber('alpha')(v)))
    .option('--distill-temperature <x>', 'student recipe: softening temperature of the teacher targets (default 2)', positiveNumber('distill-temperature'))
    .option('--label-noise <action>', 'student recipe: keep | drop | reweight the rows a 4-fold NB-LR flags as probably mislabelled (default keep)')
    .option('--unlabelled <file>', 'student recipe: unlabelled AdvertiseGen / KOBE JSONL for self-training on the teacher\'s confident pseudo-labels (repeatable)', collect, [])
    .option('--pseudo-confidence <x>', 'student recipe: keep a pseudo-label when the teacher\'s max(p, 1 − p) ≥ this (default 0.9)', positiveNumber('pseudo-confidence'))
    .action(async (opts: { unlabelled: string[]; pseudoConfidence?: number; recipe?: string; teacher?: string; alpha?: number; distillTemperature?: number; labelNoise?: string; data: string[]; trainAll: string[]; eval: string[]; out: string; work: string; resume?: boolean; epochs?: number; batchSize?: number; lr?: number; embLr?: number; dropout?: number; dim?: number; hidden?: number; pooling?: string; minFreq?: number; maxFeatures?: number; members?: string; linearEpochs?: number; charGruEpochs?: number; wordGruEpochs?: number; gruUnits?: number; gruLr?: number }) => {
      if (opts.data.length === 0) throw new UsageError('train sentiment needs at least one --data <file> (its held-out parts give the validation split)');
      const { MEMBER_KINDS: KINDS } = require('../../../core/sentiment/ensemble') as typeof import('../../../core/sentiment/ensemble');
      const members = opts.members === undefined ? undefined : opts.members.split(',').map((m) => m.trim()).filter((m) => m !== '');
      if (members && (members.some((m) => !(KINDS as string[]).includes(m)) || !members.includes('bag') || new Set(members).size !== members.length)) throw new UsageError(`--members must list distinct members from ${KINDS.join(', ')} and include bag (got "${opts.members}")`);
      const { POOLINGS } = require('../../../core/sentiment/model') as typeof import('../../../core/sentiment/model');
      if (opts.pooling && !(POOLINGS as string[]).includes(opts.pooling)) throw new UsageError(`--pooling must be one of ${POOLINGS.join(', ')} (got "${opts.pooling}")`);
      [...opts.data, ...opts.trainAll, ...opts.eval].forEach(requireFile);
      const { trainSentiment, TRAIN_DEFAULTS, TRAIN_RECIPES } = require('../../../core/sentiment/pipeline') as typeof import('../../../core/sentiment/pipeline');
      const { LABEL_NOISE_ACTIONS } = require('../../../core/sentiment/label-noise') as typeof import('../../../core/sentiment/label-noise');
      const { DEFAULT_DISTILL } = require('../../../core/sentiment/distill') as typeof import('../../../core/sentiment/distill');
      const recipe = (opts.recipe ?? 'ensemble') as import('../../../core/sentiment/pipeline').TrainRecipe;
      if (!TRAIN_RECIPES.includes(recipe)) throw new UsageError(`--recipe must be one of ${TRAIN_RECIPES.join(', ')} (got "${opts.recipe}")`);
      if (recipe !== 'student' && ([opts.teacher, opts.alpha, opts.distillTemperature, opts.labelNoise, opts.pseudoConfidence].some((v) => v !== undefined) || opts.unlabelled.length > 0)) throw new UsageError('--teacher, --alpha, --distill-temperature, --label-noise, --unlabelled and --pseudo-confidence belong to --recipe student');
      if (opts.pseudoConfidence !== undefined && (opts.pseudoConfidence < 0.5 || opts.pseudoConfidence > 1)) throw new UsageError(`--pseudo-confidence must be between 0.5 and 1 (got ${opts.pseudoConfidence})`);
      opts.unlabelled.forEach(requireFile);
      if (opts.alpha !== undefined && opts.alpha > 1) throw new UsageError(`--alpha must be between 0 and 1 (got ${opts.alpha})`);
      if (opts.labelNoise !== undefined && !(LABEL_NOISE_ACTIONS as string[]).includes(opts.labelNoise)) throw new UsageError(`--label-noise must be one of ${LABEL_NOISE_ACTIONS.join(', ')} (got "${opts.labelNoise}")`);
      const teacher = opts.teacher ?? defaultSentimentDir();
      if (recipe === 'student' && members?.some((m) => m !== 'bag' && m !== 'linear')) throw new UsageError(`--recipe student trains bag (and optionally linear) only (got --members ${opts.members})`);
      if (recipe === 'student') {
        requireFile(path.join(teacher, 'config.json'));
        if (path.resolve(teacher) === path.resolve(opts.out)) throw new UsageError(`--out ${opts.out} is the teacher's folder: write the student elsewhere (e.g. --out .work/sentiment-student/model)`);
      }
      const d = TRAIN_DEFAULTS;
      const summary = await trainSentiment({
        ...d,
        data: opts.data,
        trainAll: opts.trainAll,
        evalFiles: opts.eval,
        out: opts.out,
        work: opts.work,
        resume: !!opts.resume,
        epochs: opts.epochs ?? d.epochs,
        batchSize: opts.batchSize ?? d.batchSize,
        learningRate: opts.lr ?? d.learningRate,
        embeddingLearningRate: opts.embLr ?? d.embeddingLearningRate,
        minFreq: opts.minFreq ?? d.minFreq,
        maxFeatures: opts.maxFeatures ?? d.maxFeatures,
        model: { ...d.model, dim: opts.dim ?? d.model.dim, hidden: opts.hidden ?? d.model.hidden, pooling: (opts.pooling as import('../../../core/sentiment/model').Pooling) ?? d.model.pooling, dropout: opts.dropout ?? d.model.dropout },
        members: (members as import('../../../core/sentiment/ensemble').MemberKind[] | undefined) ?? (recipe === 'student' ? ['bag'] : d.members),
        linear: { ...d.linear, epochs: opts.linearEpochs ?? d.linear.epochs },
        gru: {
          chargru: { ...d.gru.chargru, epochs: opts.charGruEpochs ?? d.gru.chargru.epochs, learningRate: opts.gruLr ?? d.gru.chargru.learningRate, config: { ...d.gru.chargru.config, units: opts.gruUnits ?? d.gru.chargru.config.units } },
          wordgru: { ...d.gru.wordgru, epochs: opts.wordGruEpochs ?? d.gru.wordgru.epochs, learningRate: opts.gruLr ?? d.gru.wordgru.learningRate, config: { ...d.gru.wordgru.config, units: opts.gruUnits ?? d.gru.wordgru.config.units } },
        },
        recipe,
        ...(recipe === 'student' ? { student: { teacher, cacheDir: path.join(workDir(), 'sentiment-teacher'), distill: { alpha: opts.alpha ?? DEFAULT_DISTILL.alpha, temperature: opts.distillTemperature ?? DEFAULT_DISTILL.temperature }, labelNoise: (opts.labelNoise ?? 'keep') as import('../../../core/sentiment/label-noise').LabelNoiseAction, unlabelled: opts.unlabelled, pseudoConfidence: opts.pseudoConfidence } } : {}),
        log: (l) => process.stderr.write(`${l}\n`),
        command: `copydesk ${process.argv.slice(2).map((a) => (/[\s"]/.test(a) ? JSON.stringify(a) : a)).join(' ')}`,
      });
      process.stderr.write(`saved to ${opts.out} (${(summary.modelBytes / 2 ** 20).toFixed(1)} MiB); val acc ${summary.validation.accuracy.toFixed(4)}, test acc ${summary.test.accuracy.toFixed(4)}\n`);
      process.stdout.write(`${JSON.stringify(summary)}\n`);
    });

  subcommand(program, 'eval', 'sentiment')
    .description('accuracy of the sentiment model on a labelled file; prints one JSON object')
    .requiredOption('--data <file>', 'CSV with columns label,review or TSV label<TAB>text_a')
    .option('--json', 'print the result as one JSON line (the default output is the same object)')
    .option('--predictions-out <file>', 'write one predicted label (0/1) per input row, in order')
    .option('--model <dir>', 'model folder', defaultSentimentDir())
    .option('--skip-bad', 'skip bad rows (reported on stderr) instead of refusing the file')
    .action(async (opts: { data: string; json?: boolean; predictionsOut?: string; model: string; skipBad?: boolean }) => {
      const { evaluateFile } = require('../../../core/sentiment/evaluate') as typeof import('../../../core/sentiment/evaluate');
      const loaded = loadLabelledTexts(requireFile(opts.data), { skipBad: !!opts.skipBad });
      for (const s of loaded.skipped) process.stderr.write(`skipped ${opts.data}:${s.line}: ${s.field ?? ''} ${s.problem}\n`);
      if (loaded.rows.length === 0) throw new UsageError(`${opts.data}: no labelled rows`);
      const { metrics, predictions } = await evaluateFile(opts.model, loaded.rows);
      if (opts.predictionsOut) {
        fs.mkdirSync(path.dirname(path.resolve(opts.predictionsOut)), { recursive: true });
        fs.writeFileSync(opts.predictionsOut, `${predictions.join('\n')}\n`);
        if (loaded.skipped.length > 0) process.stderr.write(`note: ${opts.predictionsOut} has one line per loaded row (${loaded.rows.length}); the ${loaded.skipped.length} skipped row(s) have none\n`);
      }
      process.stdout.write(`${JSON.stringify(metrics, null, opts.json ? 0 : 2)}\n`);
    });

  program
    .command('sentiment')
    .description('polarity, calibrated probability and aspects of a review')
    .argument('<text...>', `the review text (at most ${MAX_REVIEW_ARG_CHARS} characters)`)
    .option('--json', 'print one JSON object')
    .option('--model <dir>', 'model folder', defaultSentimentDir())
    .action(async (words: string[], opts: { json?: boolean; model: string }) => {
      const { loadSentimentModel, SentimentInputError, checkReviewText } = require('../../../core/sentiment') as typeof import('../../../core/sentiment');
      const text = words.join(' ');
      if (text.length > MAX_REVIEW_ARG_CHARS) throw new UsageError(`the review is ${text.length} characters long; at most ${MAX_REVIEW_ARG_CHARS} are accepted`);
      try {
        checkReviewText(text);
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
      const analyzer = await loadSentimentModel(opts.model);
      let r;
      try {
        [r] = await analyzer.analyze([text]);
      } catch (e) {
        if (e instanceof SentimentInputError) throw new UsageError(e.message);
        throw e;
      }
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(r)}\n`);
        return;
      }
      const lines = [`label: ${r.label}`, `probability (positive): ${r.probability.toFixed(3)}`];
      if (r.aspects.length === 0) lines.push('aspects: none found');
      else {
        lines.push('aspects:');
        for (const a of r.aspects) lines.push(`  ${a.aspect} ${a.polarity === 'positive' ? '+' : '-'} ${a.polarity}  「${a.evidence}」`);
      }
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
