/**
 * Bench suite `sentiment`: accuracy of the shipped model on the held-out online_shopping
 * test part (fixed 8:1:1 split) and ChnSentiCorp dev, batched throughput, single-review
 * latency (p50/p95, full analyze() with aspects), model size, aspect P/R on the
 * hand-labelled set (and on the demo store's reviews.csv when it has aspect columns); for a
 * cascade, the share of the batch sent to the full ensemble.
 */
import * as os from 'os';
import * as path from 'path';
import type { BenchOptions } from './index';
import { sharedPath, SHARED } from '../../core/data/datasets';
import { loadCorpus, stratifiedSplit, SPLIT_SEED } from '../../core/sentiment/data';
import { loadSentimentModel, defaultSentimentDir } from '../../core/sentiment';
import { evaluateRows } from '../../core/sentiment/evaluate';
import { evaluateAspects, loadAspectSet, DEFAULT_ASPECT_SET, demoAspectRows, clauseSet, evaluateNegativeAspects } from '../../core/sentiment/aspect-eval';
import { DOUBT_MIN_CONFIDENCE } from '../../core/copywriter/pipeline';
import { initRuntime } from '../../core/tf/runtime';
import { folderBytes } from '../../core/sentiment/io';
import { cascadeLogits } from '../../core/sentiment/cascade';
import { withoutCascade } from '../../core/sentiment/classifier';

function percentile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

export async function run(opts: BenchOptions): Promise<Record<string, unknown>> {
  const dir = opts.args[0] ?? defaultSentimentDir();
  const analyzer = await loadSentimentModel(dir);
  const cls = analyzer.classifier;
  const limit = opts.quick ? 300 : Infinity;
  const shop = stratifiedSplit(loadCorpus(sharedPath(SHARED.onlineShopping)).rows, 0.1, 0.1, (cls.config.training?.seed as number) ?? SPLIT_SEED);
  const test = shop.test.slice(0, limit);
  const dev = loadCorpus(sharedPath(SHARED.chnDev)).rows.slice(0, limit);
  const shopM = evaluateRows(cls, test);
  const devM = evaluateRows(cls, dev);
  // Throughput: a large batch of reviews (the test part), classification only.
  // CPU seconds are reported too: the machine is shared, so wall time depends on the load.
  const batchTexts = test.map((r) => r.text);
  const load = os.loadavg()[0];
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  cls.probabilities(batchTexts);
  const throughput = batchTexts.length / (Number(process.hrtime.bigint() - t0) / 1e9);
  const cpu = process.cpuUsage(c0);
  const perCpuSecond = batchTexts.length / ((cpu.user + cpu.system) / 1e6);
  // Where the batched time goes: the bag's features (shared with the linear member), then each member.
  const secondsOf = (f: () => unknown) => {
    const s = process.hrtime.bigint();
    f();
    return +(Number(process.hrtime.bigint() - s) / 1e9).toFixed(3);
  };
  let seqs: number[][] = [];
  const breakdown: Record<string, number> = { features: secondsOf(() => (seqs = cls.encode(batchTexts))) };
  if (cls.config.members) {
    for (const m of cls.config.members) {
      if (m.kind === 'linear') breakdown.linear = secondsOf(() => cls.extra.linear!.logits(seqs));
      else if (m.kind !== 'bag') breakdown[m.kind] = secondsOf(() => cls.extra.gru![m.kind as 'chargru' | 'wordgru']!.logits(batchTexts));
    }
  }
  // With a cascade the BiGRU seconds above are for every review; only the fallback share runs them.
  // The same batch through the whole ensemble right after, for a same-load comparison.
  const cascade = cls.config.cascade
    ? {
        margin: cls.config.cascade.margin,
        fallback_share: +(cascadeLogits(cls, batchTexts).fallback.length / batchTexts.length).toFixed(4),
        ensemble_reviews_per_second: Math.round(batchTexts.length / secondsOf(() => withoutCascade(cls).probabilities(batchTexts))),
        what: 'share of the batch the fast path (bag + NB-LR) sends to the full ensemble (|p − 0.5| < margin); the whole ensemble on the same batch just after (wall)',
      }
    : undefined;
  // Latency: one review at a time through analyze() (label + probability + aspects).
  const lat: number[] = [];
  const latCpu: number[] = [];
  const sample = test.slice(0, opts.quick ? 50 : 300);
  await analyzer.analyze([sample[0].text]);
  for (const r of sample) {
    const s = process.hrtime.bigint();
    const c = process.cpuUsage();
    await analyzer.analyze([r.text]);
    lat.push(Number(process.hrtime.bigint() - s) / 1e6);
    const d = process.cpuUsage(c);
    latCpu.push((d.user + d.system) / 1e3);
  }
  const size = folderBytes(dir);
  const aspects = evaluateAspects(analyzer, loadAspectSet(DEFAULT_ASPECT_SET));
  const demo = demoAspectRows();
  return {
    backend: await initRuntime(),
    model: { dir: path.relative(process.cwd(), dir), bytes: size, MiB: +(size / 2 ** 20).toFixed(2), features: cls.index.size - 1, config: cls.config.model, members: cls.config.members ?? 'bag only', gru: cls.config.gru, temperature: cls.config.temperature },
    online_shopping_test: { ...shopM.metrics, note: 'held-out 10% of online_shopping_10_cats (stratified by cat+label, fixed seed); never trained on' },
    chnsenticorp_dev: { ...devM.metrics, note: 'ChnSentiCorp dev; never trained on (training rows equal to a dev text are dropped)' },
    throughput_reviews_per_second: Math.round(throughput),
    throughput_reviews_per_cpu_second: Math.round(perCpuSecond),
    throughput_seconds_by_part: { ...breakdown, n: batchTexts.length, what: 'wall seconds for the same reviews: the n-gram features (bag and linear) and each other member (its own tokens + network)' },
    ...(cascade ? { cascade } : {}),
    throughput_note: `batched classification of the ${batchTexts.length} test reviews (features + model); wall-clock on a shared machine (1-min load average ${load.toFixed(1)} on ${os.cpus().length} cores) and per CPU-second of this process`,
    latency_ms: { p50: +percentile(lat, 0.5).toFixed(2), p95: +percentile(lat, 0.95).toFixed(2), cpu_p50: +percentile(latCpu, 0.5).toFixed(2), cpu_p95: +percentile(latCpu, 0.95).toFixed(2), n: lat.length, what: 'analyze([one review]): label, probability, aspects; wall and CPU ms' },
    aspects_hand_labelled: aspects,
    aspects_demo_store: demo ? evaluateAspects(analyzer, demo) : 'data/demo/reviews.csv not present or without aspect columns',
    negative_aspects_clause_set: { ...evaluateNegativeAspects(analyzer, clauseSet(), DOUBT_MIN_CONFIDENCE), min_confidence: DOUBT_MIN_CONFIDENCE, what: 'the doubts the copywriter answers: (clause, aspect, negative) with confidence ≥ min_confidence, on core/sentiment/aspects/clause-set.jsonl + the demo store\'s review clauses' },
    training: cls.config.training,
  };
}
