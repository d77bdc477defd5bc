/**
 * `copydesk bench mf`: the preference model's figures on this machine.
 *  - MovieLens 100k u1…u5: RMSE/MAE per fold and mean, train seconds per fold (wall and CPU);
 *  - Taobao UserBehavior, leave-last (see core/mf/split.ts): NDCG@10, Hit@10… vs popularity
 *    (and the implicit variants: BPR without attributes, weighted ALS);
 *  - demo store: taste recovery (top-3 hidden values among the top-5 of the profile);
 *  - a TF.js version of biased MF (seconds per epoch, RMSE) for the record;
 *  - peak RSS.
 * `--quick`: fold u1 only, fewer sweeps/epochs, no variants (not recorded).
 */
import * as fs from 'fs';
import * as path from 'path';
import type { BenchOptions } from './index';
import { SHARED, sharedPath } from '../../core/data/datasets';
import { loadStore } from '../../core/data/store';
import { demoDir } from '../../core/util/paths';
import { loadInteractions, fromStore } from '../../core/mf/data';
import { evalExplicit, evalLeaveLast, trainModel, TrainOptions, EXPLICIT_ALGORITHM_DEFAULTS, IMPLICIT_ALGORITHM_DEFAULTS } from '../../core/mf/train';
import { tasteRecovery } from '../../core/mf/taste';
import { toRatings } from '../../core/mf/explicit';
import { rmse } from '../../core/mf/metrics';
import { defaultThreads } from '../../core/mf/bayes';
import * as os from 'os';

let peakRss = 0;
/** Peak resident set size so far (the kernel's maxrss, which catches peaks inside synchronous work). */
const sampleRss = () => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss, process.resourceUsage().maxRSS * 1024);
};

const r4 = (x: number) => Math.round(x * 10000) / 10000;
const round = (o: Record<string, number>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, typeof v === 'number' ? r4(v) : v]));

async function movielens(quick: boolean, extra: Partial<TrainOptions>): Promise<Record<string, unknown>> {
  const folds = quick ? [1] : [1, 2, 3, 4, 5];
  const out: Array<Record<string, unknown>> = [];
  for (const f of folds) {
    const train = loadInteractions(sharedPath(`${SHARED.ml100k}/u${f}.base`), 'movielens');
    const test = loadInteractions(sharedPath(`${SHARED.ml100k}/u${f}.test`), 'movielens');
    const cpu0 = process.cpuUsage();
    const r = evalExplicit(train, test, { seed: 42, ...(quick ? { epochs: 30 } : {}), ...extra });
    const cpu = process.cpuUsage(cpu0);
    sampleRss();
    out.push({ fold: `u${f}`, rmse: r4(r.rmse), mae: r4(r.mae), n: r.n, train_seconds: r4(r.train_seconds), cpu_seconds: r4((cpu.user + cpu.system) / 1e6) });
    process.stderr.write(`  ml-100k u${f}: rmse ${r.rmse.toFixed(4)} in ${r.train_seconds.toFixed(2)} s\n`);
  }
  const mean = (k: string) => r4(out.reduce((s, o) => s + (o[k] as number), 0) / out.length);
  return { folds: out, mean: { rmse: mean('rmse'), mae: mean('mae'), train_seconds: mean('train_seconds'), cpu_seconds: mean('cpu_seconds') } };
}

async function taobao(quick: boolean): Promise<Record<string, unknown>> {
  const data = loadInteractions(sharedPath(SHARED.taobao), 'taobao');
  const run = (o: TrainOptions) => {
    const { top: _t, model: _m, baseline, ...r } = evalLeaveLast(data, { seed: 42, ...o });
    sampleRss();
    return { model: round(r as unknown as Record<string, number>), baseline };
  };
  const main = run(quick ? { epochs: 5 } : {});
  process.stderr.write(`  taobao: ndcg10 ${main.model.ndcg10} vs popularity ${main.baseline.ndcg10}\n`);
  const res: Record<string, unknown> = { split: (main.model as Record<string, unknown>).split, bpr_attributes: main.model, popularity: round(main.baseline as unknown as Record<string, number>) };
  if (!quick) {
    res.bpr_no_history_affinity = run({ affinity: 0 }).model;
    res.bpr_no_attributes = run({ affinity: 0, extra: { useFeatures: false } }).model;
    res.wals = run({ algorithm: 'wals', affinity: 0 }).model;
  }
  return res;
}

function demo(quick: boolean): Record<string, unknown> {
  const dir = demoDir();
  if (!fs.existsSync(path.join(dir, 'events.csv'))) return { skipped: `no demo store in ${dir}` };
  const store = loadStore(dir);
  if (!store.tastes) return { skipped: 'the demo store has no tastes.json' };
  const data = fromStore(store);
  const t0 = Date.now();
  const model = trainModel(data, { implicit: true, seed: 42, ...(quick ? { epochs: 5 } : {}) });
  const seconds = (Date.now() - t0) / 1000;
  const users = quick ? Object.keys(store.tastes).slice(0, 100) : undefined;
  const ranking = (() => {
    const { top: _t, model: _m, baseline, ...r } = evalLeaveLast(data, { seed: 42, ...(quick ? { epochs: 5 } : {}) });
    return { model: round(r as unknown as Record<string, number>), popularity: round(baseline as unknown as Record<string, number>) };
  })();
  const withGroups = tasteRecovery(model, store.tastes, { users });
  const noGroups = tasteRecovery(model.withData(data.rows, data.items, new Map()), store.tastes, { users });
  sampleRss();
  process.stderr.write(`  demo taste recovery ${withGroups.recovery.toFixed(3)} (without segment prior ${noGroups.recovery.toFixed(3)})\n`);
  // Ceiling: share of hidden top-3 values the user has ≥ 1 / ≥ 2 distinct viewed items with.
  const attrs = new Map(store.items.map((i) => [i.item_id, new Set(i.attributes.map((a) => `${a.key}#${a.value}`))]));
  const viewed = new Map<string, Set<string>>();
  for (const e of store.events) if (e.event === 'view') viewed.set(e.user_id, (viewed.get(e.user_id) ?? new Set()).add(e.item_id));
  let c1 = 0;
  let c2 = 0;
  let n = 0;
  for (const [u, t] of Object.entries(store.tastes)) for (const h of t.top.slice(0, 3)) {
    const k = [...(viewed.get(u) ?? [])].filter((i) => attrs.get(i)?.has(`${h.key}#${h.value}`)).length;
    c1 += k >= 1 ? 1 : 0;
    c2 += k >= 2 ? 1 : 0;
    n++;
  }
  return {
    train_seconds: r4(seconds),
    leave_last: ranking,
    recovery: round(withGroups as unknown as Record<string, number>),
    recovery_without_segment_prior: round(noGroups as unknown as Record<string, number>),
    hidden_values_with_viewed_items: { atLeast1: r4(c1 / n), atLeast2: r4(c2 / n) },
  };
}

async function tfjs(quick: boolean): Promise<Record<string, unknown>> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { trainTfjsMf } = require('../../core/mf/tfjs') as typeof import('../../core/mf/tfjs');
  const train = loadInteractions(sharedPath(`${SHARED.ml100k}/u1.base`), 'movielens');
  const test = loadInteractions(sharedPath(`${SHARED.ml100k}/u1.test`), 'movielens');
  const tr = toRatings(train.rows);
  const epochs = quick ? 2 : 10;
  const m = await trainTfjsMf(tr, { epochs, factors: 32 });
  const p = m.predict(Int32Array.from(test.rows, (r) => tr.users.get(r.user)), Int32Array.from(test.rows, (r) => tr.items.get(r.item)));
  m.dispose();
  sampleRss();
  return { backend: m.backend, factors: 32, epochs, batch: 2048, optimizer: 'adam 0.01', seconds_per_epoch: r4(m.secondsPerEpoch), u1_rmse: r4(rmse(test.rows.map((r) => r.value), p)) };
}

export async function run(opts: BenchOptions): Promise<Record<string, unknown>> {
  const quick = !!opts.quick;
  sampleRss();
  const timer = setInterval(sampleRss, 200);
  try {
    const explicit = await movielens(quick, {});
    const result: Record<string, unknown> = {
      movielens: { data: 'ml-100k u1..u5 (base → test)', algorithm: 'bayes', ...EXPLICIT_ALGORITHM_DEFAULTS.bayes, threads: defaultThreads(), load_average: os.loadavg().map((x) => Math.round(x * 10) / 10), ...explicit, anchors: { surprise_svd: 0.934, surprise_svdpp: 0.919, baseline_only: 0.944, glocal_k_u1: 0.889 } },
    };
    if (!quick) result.movielens_sgd = { algorithm: 'sgd', ...EXPLICIT_ALGORITHM_DEFAULTS.sgd, ...(await movielens(false, { algorithm: 'sgd' })) };
    result.taobao = { algorithm: 'bpr', ...IMPLICIT_ALGORITHM_DEFAULTS.bpr, ...(await taobao(quick)) };
    result.demo_tastes = demo(quick);
    result.tfjs = await tfjs(quick);
    sampleRss();
    result.peak_rss_mib = Math.round(peakRss / 2 ** 20);
    return result;
  } finally {
    clearInterval(timer);
  }
}
