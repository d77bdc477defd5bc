/**
 * Distributed campaigns on the real servers (PostgreSQL 127.0.0.1:5432, Redis 127.0.0.1:6379),
 * each run in its own database `campaign_test_<random>` and BullMQ prefix. Two `copydesk worker`
 * processes draft a 300-user campaign; one is killed -9 mid-campaign and a third started:
 * every user ends with exactly one draft and the export has one row per user. A long batch is
 * not run twice (the sandboxed processor keeps the lock renewed: no stalled job before the kill);
 * a redelivered job changes nothing; after a Redis flush `campaign resume` rebuilds the queue
 * from PostgreSQL. Skips with the reason when a server does not answer, except under CI=true.
 */
import { expect } from 'chai';
import { spawn, ChildProcess } from 'child_process';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { writeDemoStore } from '../core/demo/generate';
import { cli, PG_ADMIN, REDIS, inCI, serversAnswer, admin } from './campaign-helpers';

const CLI = path.join(__dirname, '..', 'apps', 'cli', 'copydesk.js');

describe('campaigns (distributed: PostgreSQL + BullMQ workers)', function () {
  this.timeout(600_000);
  const name = `campaign_test_${randomBytes(5).toString('hex')}`;
  const prefix = `campaign_test_${randomBytes(5).toString('hex')}`;
  const dbUrl = PG_ADMIN.replace(/\/[^/]*$/, `/${name}`);
  let env: NodeJS.ProcessEnv;
  let dir: string;
  let storeDir: string;
  const workers: ChildProcess[] = [];
  let pool: import('pg').Pool;
  const closers: Array<() => Promise<unknown>> = [];

  function startWorker(tag: string): ChildProcess {
    const log = fs.openSync(path.join(dir, `worker-${tag}.log`), 'a');
    const w = spawn(process.execPath, [CLI, 'worker', '--concurrency', '1'], { env: { ...process.env, ...env }, stdio: ['ignore', log, log] });
    workers.push(w);
    return w;
  }

  async function count(sql: string, params: unknown[] = []): Promise<number> {
    return Number((await pool.query(sql, params)).rows[0].n);
  }

  before(async function () {
    const why = await serversAnswer();
    if (why) {
      if (inCI) throw new Error(`${why}: CI needs both servers (.ci/run starts them)`);
      this.skip();
    }
    await admin(`CREATE DATABASE ${name}`);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'copydesk-dist-'));
    storeDir = path.join(dir, 'store');
    writeDemoStore(storeDir, { users: 300 });
    env = {
      COPYDESK_DATABASE_URL: dbUrl, COPYDESK_REDIS_URL: REDIS, COPYDESK_QUEUE_PREFIX: prefix, COPYDESK_PSEUDONYM_KEY: 'test-key',
      // Short locks so the killed worker's batch comes back within seconds (production: 60 s).
      COPYDESK_LOCK_MS: '5000', COPYDESK_STALLED_MS: '2000',
    };
    const { Pool } = require('pg') as typeof import('pg');
    pool = new Pool({ connectionString: dbUrl, max: 2 });
  });

  after(async function () {
    for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
    if (!env) return;
    for (const c of closers) await c().catch(() => undefined);
    await pool?.end();
    const IORedis = require('ioredis') as typeof import('ioredis').default;
    const r = new IORedis(REDIS);
    const keys = await r.keys(`${prefix}:*`);
    if (keys.length) await r.del(...keys);
    r.disconnect();
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('2 workers, one killed -9 midway and a third started: every user has exactly one draft; export one row per user; no batch stalled while its worker lived', async () => {
    const { openQueueEvents } = require('../core/campaign/queue') as typeof import('../core/campaign/queue');
    process.env.COPYDESK_QUEUE_PREFIX = prefix;
    const events = openQueueEvents(REDIS);
    closers.push(() => events.close());
    const stalled: Array<{ jobId: string; at: number }> = [];
    events.on('stalled', ({ jobId }) => stalled.push({ jobId, at: Date.now() }));
    await events.waitUntilReady();
    const w1 = startWorker('1');
    startWorker('2');
    const run = await cli(['campaign', 'run', '--item', 'SKU-1001', '--segment', 'all', '--holdout', '0.1', '--store', storeDir, '--detach', '--json'], env);
    expect(run.code, run.stderr).to.equal(0);
    const out = JSON.parse(run.stdout);
    const id = out.campaign_id as string;
    expect(out).to.include({ mode: 'distributed', drafted: 0 });
    const users = out.users as number;
    // Kill worker 1 once it has drafted something (it holds a batch most of the time).
    const t0 = Date.now();
    while ((await count('SELECT COUNT(*) AS n FROM campaign_drafts WHERE campaign_id = $1', [id])) < 50) {
      if (Date.now() - t0 > 240_000) throw new Error(`no progress: ${fs.readFileSync(path.join(dir, 'worker-1.log'), 'utf8').slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    const killedAt = Date.now();
    w1.kill('SIGKILL');
    startWorker('3');
    const status = await cli(['campaign', 'status', id, '--json'], env);
    expect(status.code, status.stderr).to.equal(0);
    expect(JSON.parse(status.stdout)).to.include({ campaign_id: id, users });
    // Wait (the CLI's own resume waits until nothing is pending; workers are connected, so it starts none).
    const resume = await cli(['campaign', 'resume', id, '--json'], env, 400_000);
    expect(resume.code, resume.stderr).to.equal(0);
    expect(JSON.parse(resume.stdout)).to.include({ campaign_id: id, users, drafted: users, failed: 0, pending: 0 });
    expect(await count('SELECT COUNT(*) AS n FROM campaign_drafts WHERE campaign_id = $1', [id])).to.equal(users);
    expect(await count('SELECT COUNT(DISTINCT user_id) AS n FROM campaign_drafts WHERE campaign_id = $1', [id])).to.equal(users);
    expect(await count('SELECT COUNT(*) AS n FROM drafts d JOIN campaign_drafts c ON c.draft_id = d.id WHERE c.campaign_id = $1', [id])).to.equal(users);
    expect(await count('SELECT COUNT(*) AS n FROM drafts')).to.equal(users);
    expect(await count('SELECT COUNT(*) AS n FROM campaign_members m JOIN campaign_drafts c ON c.campaign_id = m.campaign_id AND c.user_id = m.user_id WHERE m.campaign_id = $1 AND m.holdout = 1', [id])).to.equal(0);
    const exp = await cli(['campaign', 'export', id, '--format', 'jsonl'], env);
    const rows = exp.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(rows).to.have.length(users);
    expect(new Set(rows.map((r) => r.user)).size).to.equal(users);
    expect(stalled.filter((s) => s.at < killedAt), JSON.stringify(stalled)).to.deep.equal([]);
    await events.close();

    // A redelivered job (same users again) changes nothing.
    const { openQueue } = require('../core/campaign/queue') as typeof import('../core/campaign/queue');
    const q = openQueue(REDIS);
    const ev2 = openQueueEvents(REDIS);
    closers.push(() => q.close(), () => ev2.close());
    await ev2.waitUntilReady();
    const some = (await pool.query('SELECT user_id FROM campaign_members WHERE campaign_id = $1 AND holdout = 0 ORDER BY position LIMIT 20', [id])).rows.map((r) => r.user_id as string);
    const job = await q.add('batch', { campaignId: id, users: some }, { jobId: `redeliver-${id}` });
    const res = await job.waitUntilFinished(ev2, 120_000);
    expect(res).to.include({ drafted: 0, skipped: 20 });
    expect(await count('SELECT COUNT(*) AS n FROM drafts')).to.equal(users);
    await ev2.close();

    // Redis flushed mid-campaign (10 users not drafted yet, their jobs gone): the store alone rebuilds the queue.
    const lost = some.slice(0, 10);
    const lostDrafts = (await pool.query('SELECT draft_id FROM campaign_drafts WHERE campaign_id = $1 AND user_id = ANY($2)', [id, lost])).rows.map((r) => r.draft_id as string);
    await pool.query('DELETE FROM campaign_drafts WHERE campaign_id = $1 AND user_id = ANY($2)', [id, lost]);
    await pool.query('DELETE FROM draft_versions WHERE draft_id = ANY($1)', [lostDrafts]);
    await pool.query('DELETE FROM drafts WHERE id = ANY($1)', [lostDrafts]);
    await q.obliterate({ force: true });
    await q.close();
    const again = await cli(['campaign', 'resume', id, '--json'], env, 300_000);
    expect(again.code, again.stderr).to.equal(0);
    expect(JSON.parse(again.stdout)).to.include({ drafted: users, pending: 0 });
    expect(await count('SELECT COUNT(*) AS n FROM campaign_drafts WHERE campaign_id = $1', [id])).to.equal(users);
  });
});
