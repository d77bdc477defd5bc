/**
 * Bench `draft`: the copywriter on the shipped models and the demo store.
 * Model load time; latency of a 3-draft request after load (p50/p95); the share of
 * drafts mentioning one of the user's top-3 preferred attribute values; the share
 * of users with a negative review aspect for the item's category that get the
 * reassuring tone. Targets: load ≤ 3 s, p95 ≤ 1.5 s, both shares ≥ 80%.
 */
import { openStore } from '../../core/store/db';
import type { BenchOptions } from './index';
import { loadCopywriter } from '../../core/copywriter/load';
import { preferenceMention, reassuringRate } from '../../core/copywriter/evaluate';
import { seededRng } from '../../core/util/random';

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

export async function run(opts: BenchOptions): Promise<Record<string, unknown>> {
  const db = openStore(':memory:');
  const t0 = process.hrtime.bigint();
  const cw = await loadCopywriter({ db, pseudonymKey: 'bench', overrides: { rng: seededRng(7) } });
  const loadS = Number(process.hrtime.bigint() - t0) / 1e9;
  const store = cw.store;
  const nUsers = opts.quick ? 10 : 120;
  const step = Math.max(1, Math.floor(store.users.length / nUsers));
  const users = store.users.filter((_, i) => i % step === 0).slice(0, nUsers).map((u) => u.user_id);
  // Warm-up (first call compiles kernels / fills caches), not timed.
  await cw.draft({ userId: users[0], n: 3 });
  const latencies: number[] = [];
  const pref = await preferenceMention(cw, store, users, 3, (ms) => latencies.push(ms));
  const reassure = await reassuringRate(cw, store, opts.quick ? 10 : 100, opts.quick ? 5 : 50);
  const round = (x: number) => Math.round(x * 1000) / 1000;
  const modelS = cw.loadSeconds.preference + cw.loadSeconds.sentiment + cw.loadSeconds.generator;
  return {
    load_seconds: round(loadS),
    model_load_seconds: round(modelS),
    load_parts_seconds: Object.fromEntries(Object.entries(cw.loadSeconds).map(([k, v]) => [k, round(v)])),
    draft3_ms_p50: round(percentile(latencies, 50)),
    draft3_ms_p95: round(percentile(latencies, 95)),
    draft3_requests: latencies.length,
    preference_mention: pref,
    reassuring_tone: reassure,
    targets: { load_seconds: 3, draft3_ms_p95: 1500, preference_mention_rate: 0.8, reassuring_rate: 0.8 },
    pass: {
      load: loadS <= 3,
      model_load: modelS <= 3,
      latency: percentile(latencies, 95) <= 1500,
      preference_mention: pref.rate >= 0.8,
      reassuring: reassure.rate >= 0.8,
    },
  };
}
