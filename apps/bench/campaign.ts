/**
 * Bench `campaign`: users drafted per second, 3,000 users of a 5,000-user demo store
 * (written to .work/ on first use), item SKU-1001, no holdout:
 *   - embedded (SQLite, in this process), with the cost of each step (insight, pools,
 *     personalise, write) and the number of pools;
 *   - distributed (PostgreSQL + BullMQ) with 1 and 2 `copydesk worker` processes, each in its
 *     own database and queue prefix: wall users/s (incl. the workers' model load on their first
 *     job) and steady users/s (from the first batch written to the last), peak RSS per worker;
 *     the 1 → 2 scaling. Goals: ≥ 20 users/s with 2 workers, scaling ≥ 1.6×.
 * `--quick`: 300 users of a 1,000-user store. Load average before and after is recorded.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawn, ChildProcess } from 'child_process';
import { randomBytes } from 'crypto';
import type { BenchOptions } from './index';
import { writeDemoStore } from '../../core/demo/generate';
import { workDir, PROJECT_ROOT } from '../../core/util/paths';
import { openStore } from '../../core/store/db';
import { sqliteSql } from '../../core/campaign/sql';
import { CampaignTables } from '../../core/campaign/tables';
import { campaignContext } from '../../core/campaign/context';
import { createCampaign, runEmbedded, enqueuePending, waitForCampaign } from '../../core/campaign/runner';
import type { CampaignBackend } from '../../core/campaign/backend';

const PG_ADMIN = process.env.COPYDESK_BENCH_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS = process.env.COPYDESK_BENCH_REDIS ?? 'redis://127.0.0.1:6379';
const CLI = path.join(PROJECT_ROOT, 'apps', 'cli', 'copydesk.js');
const r2 = (x: number) => Math.round(x * 100) / 100;

function rssMiB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

async function pgAdmin(sql: string): Promise<void> {
  const { Client } = require('pg') as typeof import('pg');
  const c = new Client({ connectionString: PG_ADMIN, connectionTimeoutMillis: 3000 });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

async function embedded(storeDir: string, users: number): Promise<Record<string, unknown>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'copydesk-bench-campaign-'));
  const db = openStore(path.join(dir, 'bench.db'));
  const sql = sqliteSql(db);
  const backend: CampaignBackend = { kind: 'embedded', tables: new CampaignTables(sql), db, warnings: [], close: () => sql.close() };
  const t0 = Date.now();
  const ctx = await campaignContext(storeDir, { db, pseudonymKey: 'bench' });
  const loadS = (Date.now() - t0) / 1000;
  const t1 = Date.now();
  const c = await createCampaign(backend, ctx, { items: ['SKU-1001'], segment: { kind: 'all' }, limit: users, holdout: 0, strategy: {} });
  const createS = (Date.now() - t1) / 1000;
  const t2 = Date.now();
  const totals = await runEmbedded(backend, ctx, c.id);
  const runS = (Date.now() - t2) / 1000;
  const k = await backend.tables.counts(c.id);
  const rss = process.memoryUsage().rss / 2 ** 20;
  await backend.close();
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
  return {
    users: k.users, drafted: k.drafted, failed: k.failed, model_load_seconds: r2(loadS), create_seconds: r2(createS), draft_seconds: r2(runS),
    users_per_second: r2(k.drafted / runS), pools: totals.pools_generated, users_per_pool: r2(k.drafted / Math.max(1, totals.pools_generated)),
    step_seconds: Object.fromEntries(Object.entries(totals.seconds).map(([s, v]) => [s, r2(v)])),
    ms_per_user: { insight: r2((1000 * totals.seconds.insight) / k.drafted), personalise: r2((1000 * totals.seconds.personalise) / k.drafted), write: r2((1000 * totals.seconds.write) / k.drafted) },
    seconds_per_pool: r2(totals.seconds.pools / Math.max(1, totals.pools_generated)),
    rss_mib: Math.round(rss),
  };
}

async function distributed(storeDir: string, users: number, nWorkers: number): Promise<Record<string, unknown>> {
  const name = `campaign_bench_${randomBytes(4).toString('hex')}`;
  const prefix = name;
  const dbUrl = PG_ADMIN.replace(/\/[^/]*$/, `/${name}`);
  await pgAdmin(`CREATE DATABASE ${name}`);
  const env = { ...process.env, COPYDESK_DATABASE_URL: dbUrl, COPYDESK_REDIS_URL: REDIS, COPYDESK_QUEUE_PREFIX: prefix, COPYDESK_PSEUDONYM_KEY: 'bench' };
  const saved = { ...process.env };
  Object.assign(process.env, { COPYDESK_DATABASE_URL: dbUrl, COPYDESK_REDIS_URL: REDIS, COPYDESK_QUEUE_PREFIX: prefix });
  const workers: ChildProcess[] = [];
  const peak = new Map<number, number>();
  const sampler = setInterval(() => { for (const w of workers) if (w.pid) peak.set(w.pid, Math.max(peak.get(w.pid) ?? 0, rssMiB(w.pid))); }, 500);
  const { openBackend } = require('../../core/campaign/backend') as typeof import('../../core/campaign/backend');
  const backend = await openBackend();
  try {
    for (let i = 0; i < nWorkers; i++) workers.push(spawn(process.execPath, [CLI, 'worker'], { env, stdio: 'ignore' }));
    const ctx = await campaignContext(storeDir, { pseudonymKey: 'bench' });
    const c = await createCampaign(backend, ctx, { items: ['SKU-1001'], segment: { kind: 'all' }, limit: users, holdout: 0, strategy: {} });
    const t0 = Date.now();
    await enqueuePending(backend, c.id);
    const k = await waitForCampaign(backend, c.id, () => undefined, { pollMs: 500, localWorker: false });
    const wallS = (Date.now() - t0) / 1000;
    const times = (await backend.tables.sql.all<{ created_at: string }>('SELECT created_at FROM campaign_drafts WHERE campaign_id = ? ORDER BY created_at', [c.id])).map((r) => Date.parse(r.created_at));
    // Steady state: from the moment the first batch was written (models loaded) to the last.
    const firstBatch = times.filter((t) => t === times[0]).length;
    const steadyS = (times[times.length - 1] - times[0]) / 1000;
    return {
      workers: nWorkers, users: k.users, drafted: k.drafted, failed: k.failed, wall_seconds: r2(wallS), users_per_second_wall: r2(k.drafted / wallS),
      users_per_second_steady: r2((k.drafted - firstBatch) / Math.max(1e-3, steadyS)), peak_rss_mib_per_worker: [...peak.values()].map(Math.round),
    };
  } finally {
    clearInterval(sampler);
    for (const w of workers) w.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 1000));
    for (const w of workers) if (w.exitCode === null) w.kill('SIGKILL');
    await backend.queue?.obliterate({ force: true }).catch(() => undefined);
    await backend.close();
    process.env = saved;
    await pgAdmin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
  }
}

export async function run(opts: BenchOptions): Promise<Record<string, unknown>> {
  const storeUsers = opts.quick ? 1000 : 5000;
  const users = opts.quick ? 300 : 3000;
  const storeDir = path.join(workDir(), `bench-campaign-store-${storeUsers}`);
  if (!fs.existsSync(path.join(storeDir, 'tastes.json'))) writeDemoStore(storeDir, { users: storeUsers });
  const load0 = os.loadavg();
  process.stderr.write(`bench campaign: embedded, ${users} users…\n`);
  const emb = await embedded(storeDir, users);
  process.stderr.write(`bench campaign: embedded ${JSON.stringify(emb)}\n`);
  let dist: Record<string, unknown>[] = [];
  let skipped: string | undefined;
  try {
    await pgAdmin('SELECT 1');
    for (const n of [1, 2]) {
      process.stderr.write(`bench campaign: distributed, ${n} worker(s)…\n`);
      const d = await distributed(storeDir, users, n);
      process.stderr.write(`bench campaign: ${JSON.stringify(d)}\n`);
      dist.push(d);
    }
  } catch (e) {
    skipped = `distributed runs skipped: ${(e as Error).message}`;
    dist = [];
  }
  const one = dist.find((d) => d.workers === 1);
  const two = dist.find((d) => d.workers === 2);
  const scaling = one && two ? r2(Number(two.users_per_second_steady) / Number(one.users_per_second_steady)) : null;
  const scalingWall = one && two ? r2(Number(two.users_per_second_wall) / Number(one.users_per_second_wall)) : null;
  return {
    store_users: storeUsers, campaign_users: users, load_average_before: load0.map(r2), load_average_after: os.loadavg().map(r2),
    embedded: emb, distributed: dist, scaling_1_to_2_steady: scaling, scaling_1_to_2_wall: scalingWall, ...(skipped ? { skipped } : {}),
    targets: { users_per_second_2_workers: 20, scaling_1_to_2: 1.6 },
    pass: two ? { users_per_second_2_workers: Number(two.users_per_second_steady) >= 20, scaling_1_to_2: (scaling ?? 0) >= 1.6 } : null,
  };
}
