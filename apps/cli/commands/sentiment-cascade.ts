/**
 * `copydesk cascade sentiment --data <file> [--model <dir>] [--out <dir>] [--eval <file>]`: turns a
 * saved ensemble into a confidence cascade (core/sentiment/cascade.ts). The fast path (bag +
 * NB-LR) and the margin are fitted on the validation part of each --data file (the same 8:1:1
 * split, seed and holdout the model was trained with); the test part and --eval files are only
 * measured (bad rows are skipped, as in training). Writes the model folder with config.cascade (in place when --out is the model folder).
 */
import * as fs from 'fs';
import * as path from 'path';
import { Command } from 'commander';
import { subcommand } from '../group';
import { UsageError } from '../usage-error';
import { requireFile, LabelledText } from '../../../core/data/datasets';

const collect = (v: string, prev: string[]) => [...prev, v];

export function register(program: Command): void {
  const { defaultSentimentDir } = require('../../../core/sentiment') as typeof import('../../../core/sentiment');
  subcommand(program, 'cascade', 'sentiment')
    .description('fit an early-exit cascade on a saved ensemble: bag + NB-LR answer confident reviews, the full ensemble the rest')
    .option('--data <file>', 'the labelled file(s) the model was split from (their validation part picks the cascade) (repeatable)', collect, [])
    .option('--eval <file>', 'evaluation-only file, measured, never used to choose (repeatable)', collect, [])
    .option('--model <dir>', 'the ensemble model folder', defaultSentimentDir())
    .option('--out <dir>', 'where to write the cascade model (default: --model, in place)')
    .option('--min-agreement <x>', 'smallest validation agreement with the full ensemble the margin must reach, 0..1 (default 1)')
    .action(async (opts: { data: string[]; eval: string[]; model: string; out?: string; minAgreement?: string }) => {
      const { SentimentClassifier } = require('../../../core/sentiment/classifier') as typeof import('../../../core/sentiment/classifier');
      const { fitCascade } = require('../../../core/sentiment/cascade') as typeof import('../../../core/sentiment/cascade');
      const { withoutCascade } = require('../../../core/sentiment/classifier') as typeof import('../../../core/sentiment/classifier');
      const { stratifiedSplit, loadCorpus, SPLIT_SEED } = require('../../../core/sentiment/data') as typeof import('../../../core/sentiment/data');
      const { evaluateRows } = require('../../../core/sentiment/evaluate') as typeof import('../../../core/sentiment/evaluate');
      if (opts.data.length === 0) throw new UsageError('--data is required (the file(s) the model was split from)');
      const minAgreement = opts.minAgreement === undefined ? 1 : Number(opts.minAgreement);
      if (!(minAgreement > 0 && minAgreement <= 1)) throw new UsageError(`--min-agreement must be in (0, 1] (got "${opts.minAgreement}")`);
      const cls = await SentimentClassifier.load(opts.model);
      if (!cls.config.members) throw new UsageError(`${opts.model}: a bag-only model has nothing to cascade to`);
      const seed = (cls.config.training?.seed as number) ?? SPLIT_SEED;
      const holdout = (cls.config.training?.holdout as number) ?? 0.1;
      const val: LabelledText[] = [];
      const test: LabelledText[] = [];
      for (const f of opts.data) {
        const sp = stratifiedSplit(loadCorpus(requireFile(f)).rows, holdout, holdout, seed);
        val.push(...sp.val);
        test.push(...sp.test);
      }
      const full = withoutCascade(cls);
      const plain = full.config;
      const parts = full.memberLogits(val.map((r) => r.text));
      const { cascade, table } = fitCascade(parts, full.config.members!, full.config.temperature, val.map((r) => r.label), { minAgreement });
      for (const r of table) process.stderr.write(`margin ${r.margin.toFixed(2)}: share ${(100 * r.share).toFixed(1)} %, agreement ${(100 * r.agreement).toFixed(2)} %, val acc ${(100 * r.accuracy).toFixed(2)}\n`);
      const out = new SentimentClassifier(cls.model, cls.index, { ...plain, cascade }, cls.extra);
      const measured: Record<string, unknown> = {};
      for (const [name, rows] of [['test', test], ...opts.eval.map((f) => [path.basename(f), loadCorpus(requireFile(f)).rows] as const)] as Array<readonly [string, LabelledText[]]>) {
        const { cascadeLogits } = require('../../../core/sentiment/cascade') as typeof import('../../../core/sentiment/cascade');
        const share = cascadeLogits(out, rows.map((r) => r.text)).fallback.length / Math.max(1, rows.length);
        measured[name] = { cascade: evaluateRows(out, rows).metrics, share, ensemble: evaluateRows(full, rows).metrics };
      }
      const dir = opts.out ?? opts.model;
      if (path.resolve(dir) === path.resolve(opts.model)) fs.writeFileSync(path.join(dir, 'config.json'), `${JSON.stringify(out.config, null, 2)}\n`);
      else await out.save(dir);
      process.stderr.write(`cascade margin ${cascade.margin} (validation share ${(100 * (cascade.selection!.validation as { share: number }).share).toFixed(1)} %) written to ${dir}\n`);
      process.stdout.write(`${JSON.stringify({ cascade, table, measured })}\n`);
    });
}
