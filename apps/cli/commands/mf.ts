/**
 * `copydesk train mf`, `copydesk eval mf`, `copydesk profile`: the preference model
 * (matrix factorization) from the command line. Progress goes to stderr; `eval mf` prints
 * exactly one JSON object on stdout.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Command, Option } from 'commander';
import { subcommand } from '../group';
import { UsageError } from '../usage-error';
import { createProgress } from '../../../core/util/progress';
import { describeSkipped } from '../../../core/data/table';
import { loadStore } from '../../../core/data/store';
import { demoDir } from '../../../core/util/paths';
import { loadInteractions, DataFormat, InteractionData } from '../../../core/mf/data';
import { trainModel, evalExplicit, evalRanking, evalLeaveLast, relevantSets, epochsFor, TrainOptions } from '../../../core/mf/train';
import { DEFAULT_WEIGHTS, EventWeights } from '../../../core/mf/implicit';
import { defaultModelDir, loadPreferenceModel } from '../../../core/mf/index';
import { writeModelCard } from '../../../core/mf/card';

const FORMATS = ['movielens', 'taobao', 'store'] as const;

interface CommonOpts {
  format?: DataFormat;
  implicit?: boolean;
  factors?: string;
  epochs?: string;
  algorithm?: string;
  seed?: string;
  weights?: string;
  skipBad?: boolean;
  quiet?: boolean;
}

function positiveInt(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`--${name} must be a positive integer (got "${v}")`);
  return n;
}

/** `view=1,click=2,cart=4,fav=4,buy=8,rate=4` → weights. */
export function parseWeights(s: string | undefined): Partial<EventWeights> | undefined {
  if (!s) return undefined;
  const out: Partial<EventWeights> = {};
  for (const part of s.split(',')) {
    const [k, v] = part.split('=').map((x) => x.trim());
    if (!(k in DEFAULT_WEIGHTS)) throw new UsageError(`--weights: unknown event "${k}" (have ${Object.keys(DEFAULT_WEIGHTS).join(', ')})`);
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw new UsageError(`--weights: ${k} needs a number ≥ 0 (got "${v}")`);
    out[k as keyof EventWeights] = n;
  }
  return out;
}

function load(file: string, o: CommonOpts): InteractionData {
  const data = loadInteractions(file, o.format, { skipBad: o.skipBad });
  const note = describeSkipped({ rows: data.rows, skipped: data.skipped, file: data.file });
  if (note) process.stderr.write(`${note}\n`);
  return data;
}

function trainOptions(o: CommonOpts, label: string): { opts: TrainOptions; stop: () => void } {
  const opts: TrainOptions = {
    implicit: !!o.implicit,
    algorithm: o.algorithm as TrainOptions['algorithm'],
    factors: positiveInt('factors', o.factors),
    epochs: positiveInt('epochs', o.epochs),
    seed: o.seed !== undefined ? Number(o.seed) : undefined,
    weights: parseWeights(o.weights),
  };
  const total = epochsFor(opts);
  const bar = createProgress(label, total, { quiet: o.quiet });
  opts.onEpoch = (epoch, _total, loss) => bar.update(epoch, { epoch, loss });
  return { opts, stop: () => bar.stop() };
}

function commonOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--format <format>', 'input format (default: guessed from the path)').choices(FORMATS as unknown as string[]))
    .option('--implicit', 'treat events as implicit feedback and rank items (default: explicit ratings)')
    .option('--factors <k>', 'latent factors')
    .option('--epochs <n>', 'epochs (SGD, BPR, ALS) or Gibbs sweeps (bayes)')
    .option('--algorithm <name>', 'explicit: bayes (default) | sgd; implicit: bpr (default) | wals')
    .option('--seed <n>', 'random seed', '42')
    .option('--weights <list>', `implicit event weights, e.g. ${Object.entries(DEFAULT_WEIGHTS).map(([k, v]) => `${k}=${v}`).join(',')}`)
    .option('--skip-bad', 'skip malformed rows (and report them) instead of refusing the file')
    .option('--quiet', 'no progress output');
}

export function register(program: Command): void {
  commonOptions(subcommand(program, 'train', 'mf').description('train the preference model (matrix factorization) and save it'))
    .requiredOption('--data <file>', 'ratings or events: MovieLens u.data/uN.base, Taobao UserBehavior CSV, or a store folder / its events.csv')
    .requiredOption('--out <dir>', 'folder to save the model in (e.g. models/mf)')
    .action((o: CommonOpts & { data: string; out: string }) => {
      const data = load(o.data, o);
      const { opts, stop } = trainOptions(o, 'train mf');
      const model = trainModel(data, opts);
      stop();
      const saved = model.save(o.out);
      writeModelCard(o.out, model);
      process.stderr.write(`saved ${model.kind} model (${model.info.algorithm}, ${model.users.size} users, ${model.items.size} items) to ${o.out} (${(saved.bytes / 1024).toFixed(0)} KiB) in ${model.info.trainSeconds.toFixed(2)} s\n`);
    });

  commonOptions(subcommand(program, 'eval', 'mf').description('train on one part, evaluate on another; prints one JSON object'))
    .option('--train <file>', 'training data')
    .option('--test <file>', 'test data (same format as --train)')
    .option('--data <file>', 'one file to split instead of --train/--test (with --split)')
    .addOption(new Option('--split <how>', 'leave-last: per user, hold out the latest cart/buy (see the model card)').choices(['leave-last']))
    .option('--json', 'print JSON (the only output format; accepted for clarity)')
    .option('--predictions-out <file>', 'write user<TAB>item<TAB>prediction (explicit) or user<TAB>item1,item2,… top-10 (ranking) lines')
    .action((o: CommonOpts & { train?: string; test?: string; data?: string; split?: string; predictionsOut?: string }) => {
      const { opts, stop } = trainOptions(o, 'eval mf');
      let result: Record<string, unknown>;
      let lines: string[];
      if (o.data || o.split) {
        if (!o.data || !o.split) throw new UsageError('use --data <file> together with --split leave-last (or --train and --test)');
        if (o.train || o.test) throw new UsageError('use either --train/--test or --data/--split, not both');
        if (!o.implicit) throw new UsageError('--split leave-last evaluates ranking: add --implicit');
        const data = load(o.data, o);
        const { top, model: _m, ...r } = evalLeaveLast(data, opts);
        result = { ...r, split: { how: 'leave-last', ...r.split } };
        lines = [...top].map(([u, items]) => `${u}\t${items.join(',')}`);
      } else {
        if (!o.train || !o.test) throw new UsageError('eval mf needs --train <file> and --test <file> (or --data <file> --split leave-last)');
        const train = load(o.train, o);
        const test = loadInteractions(o.test, o.format ?? train.format, { skipBad: o.skipBad });
        if (o.implicit) {
          const { top, model: _m, ...r } = evalRanking(train, relevantSets(test.rows), opts);
          result = r;
          lines = [...top].map(([u, items]) => `${u}\t${items.join(',')}`);
        } else {
          const { predictions, model, ...r } = evalExplicit(train, test, opts);
          result = { ...r, algorithm: model.info.algorithm, factors: model.info.options.factors, epochs: epochsFor(opts) };
          lines = predictions.map(([u, i, p]) => `${u}\t${i}\t${p.toFixed(4)}`);
        }
      }
      stop();
      if (o.predictionsOut) {
        fs.mkdirSync(path.dirname(path.resolve(o.predictionsOut)), { recursive: true });
        fs.writeFileSync(o.predictionsOut, lines.length ? `${lines.join('\n')}\n` : '');
      }
      process.stdout.write(`${JSON.stringify(result)}\n`);
    });

  program
    .command('profile')
    .description("a user's taste profile: top attribute values and categories, with evidence")
    .requiredOption('--user <id>', 'user id')
    .option('--model <dir>', 'model folder', defaultModelDir())
    .option('--store <dir>', "a store folder whose current events and items to use (default: the events the model was trained on)")
    .option('--top <n>', 'entries per list', '5')
    .option('--json', 'print JSON')
    .action((o: { user: string; model: string; store?: string; top: string; json?: boolean }) => {
      const top = positiveInt('top', o.top)!;
      const store = o.store ? loadStore(o.store, { tastes: false }) : undefined;
      const model = loadPreferenceModel(o.model, store);
      // Same rule as `draft`: an id neither the store (--store, or the demo store for the shipped model) nor the model knows is refused, not given a cold-start profile.
      const lookup = store ?? (path.resolve(o.model) === path.resolve(defaultModelDir()) && fs.existsSync(demoDir()) ? loadStore(demoDir(), { tastes: false }) : undefined);
      if (!model.isKnownUser(o.user) && !lookup?.userById.has(o.user)) throw new UsageError(`unknown user "${o.user}"`);
      const p = model.tasteProfile(o.user, top);
      if (o.json) {
        process.stdout.write(`${JSON.stringify(p)}\n`);
        return;
      }
      const fmt = (e: { key: string; value: string; score: number; evidence: Array<{ itemId: string; event: string }> }) =>
        `  ${e.key === 'category' ? e.value : `${e.key}#${e.value}`}  ${e.score.toFixed(3)}  ${e.evidence.map((x) => `${x.itemId}:${x.event}`).join(' ') || '(no events)'}`;
      const out = [`user ${p.userId}${p.coldStart ? ' (cold start: store-wide priors)' : ''}`, 'attributes:', ...p.attributes.map(fmt), 'categories:', ...p.categories.map(fmt)];
      process.stdout.write(`${out.join('\n')}\n`);
    });
}
