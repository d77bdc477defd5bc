/**
 * Running a campaign: create it (validate items, resolve the segment, draw the holdout — all
 * before the one transaction that writes it), then draft its pending users in batches:
 * in this process (embedded), or as BullMQ jobs that any `copydesk worker` takes
 * (distributed). `resume` re-queues whatever is still pending from the store alone, so a
 * Redis flush or restart loses nothing.
 */
import * as path from 'path';
import type { CampaignBackend } from './backend';
import type { CampaignContext } from './context';
import { CampaignSpec, CampaignSpecError, formatSegment, isHoldout } from './spec';
import { resolveSegment } from './segment';
import { CampaignRow, CampaignCounts, newCampaignId } from './tables';
import { draftBatch, BatchResult } from './batch';
import { batchJobId, startWorker } from './queue';
import { PROJECT_ROOT } from '../util/paths';

/** Users per job: big enough that pools and the sentiment call amortise, small enough to spread over workers. */
export const BATCH_SIZE = 50;

export async function createCampaign(backend: CampaignBackend, ctx: CampaignContext, spec: CampaignSpec, createdBy = 'cli', id = newCampaignId()): Promise<CampaignRow> {
  for (const item of spec.items) if (!ctx.deps.store.item(item)) throw new CampaignSpecError(`unknown item "${item}" (not in the store ${ctx.storeDir})`);
  const users = resolveSegment(spec.segment, ctx.store, ctx.deps.preference, spec.limit);
  if (users.length === 0) throw new CampaignSpecError(`segment ${formatSegment(spec.segment)} has no users in the store ${ctx.storeDir}`);
  const members = users.map((u) => ({ userId: u, holdout: isHoldout(id, u, spec.holdout) }));
  const holdoutUsers = members.filter((m) => m.holdout).length;
  return backend.tables.create({
    id, items: spec.items, segment: formatSegment(spec.segment), strategy: spec.strategy, holdout: spec.holdout, limit: spec.limit ?? null,
    storeDir: path.resolve(ctx.storeDir), users: members.length - holdoutUsers, holdoutUsers, createdBy,
  }, members);
}

export function batchesOf<T>(xs: T[], size = BATCH_SIZE): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += size) out.push(xs.slice(i, i + size));
  return out;
}

export interface RunTotals {
  batches: number;
  pools_generated: number;
  seconds: BatchResult['seconds'];
}

/**
 * Embedded: drafts every pending user in this process, batch by batch; with `threads` > 1,
 * that many batches at a time (this thread and threads − 1 worker threads, each with its own
 * models and SQLite connection). A failed batch leaves its users pending (resume retries).
 */
export async function runEmbedded(backend: CampaignBackend, ctx: CampaignContext, id: string, onBatch?: (r: BatchResult) => void, opts: { threads?: number } = {}): Promise<RunTotals> {
  const pending = await backend.tables.pendingUsers(id);
  const totals: RunTotals = { batches: 0, pools_generated: 0, seconds: { insight: 0, pools: 0, personalise: 0, write: 0, total: 0 } };
  const add = (r: BatchResult) => {
    totals.batches++;
    totals.pools_generated += r.pools_generated;
    for (const k of Object.keys(totals.seconds) as Array<keyof RunTotals['seconds']>) totals.seconds[k] += r.seconds[k];
    onBatch?.(r);
  };
  const queue = batchesOf(pending);
  const dbFile = backend.db?.name;
  const extra = Math.max(0, Math.min((opts.threads ?? 1) - 1, queue.length - 1));
  const threads = dbFile && dbFile !== ':memory:' ? Array.from({ length: extra }, () => startDraftThread(dbFile, ctx)) : [];
  try {
    const lanes = [
      (async () => { for (let b = queue.shift(); b; b = queue.shift()) add(await draftBatch(ctx, backend.tables, id, b)); })(),
      ...threads.map(async (t) => { for (let b = queue.shift(); b; b = queue.shift()) add(await t.draft(id, b)); }),
    ];
    await Promise.all(lanes);
  } finally {
    await Promise.all(threads.map((t) => t.stop()));
  }
  await finishIfDone(backend, id);
  return totals;
}

function startDraftThread(dbFile: string, ctx: CampaignContext): { draft(id: string, users: string[]): Promise<BatchResult>; stop(): Promise<void> } {
  const { Worker } = require('worker_threads') as typeof import('worker_threads');
  const w = new Worker(path.join(PROJECT_ROOT, 'core', 'campaign', 'thread.js'), { workerData: { dbFile, storeDir: ctx.storeDir, pseudonymKey: ctx.pseudonymKey } });
  return {
    draft: (id, users) => new Promise((resolve, reject) => {
      const onError = (e: Error) => reject(e);
      w.once('error', onError);
      w.once('message', (m: { ok: boolean; result?: BatchResult; error?: string }) => {
        w.off('error', onError);
        if (m.ok) resolve(m.result!);
        else reject(new Error(m.error));
      });
      w.postMessage({ campaignId: id, users });
    }),
    stop: async () => {
      w.postMessage('stop');
      await new Promise((r) => w.once('exit', r));
    },
  };
}

/** Distributed: one BullMQ job per batch of pending users. Returns the number of jobs added. */
export async function enqueuePending(backend: CampaignBackend, id: string, nonce = 'run'): Promise<number> {
  if (!backend.queue) throw new Error('no queue: the embedded deployment runs jobs in-process');
  const c = await backend.tables.get(id);
  if (!c) throw new CampaignSpecError(`unknown campaign "${id}"`);
  const batches = batchesOf(await backend.tables.pendingUsers(id));
  for (const part of batchesOf(batches, 200)) {
    await backend.queue.addBulk(part.map((users) => ({ name: 'batch', data: { campaignId: id, users }, opts: { jobId: `${batchJobId(id, c.generation, users)}.${nonce}` } })));
  }
  return batches.length;
}

/** Review once every user is drafted or failed. */
export async function finishIfDone(backend: CampaignBackend, id: string): Promise<CampaignCounts> {
  const counts = await backend.tables.counts(id);
  const c = await backend.tables.get(id);
  if (c && c.status === 'drafting' && counts.pending === 0) await backend.tables.setStatus(id, 'review');
  return counts;
}

/**
 * Distributed, without --detach: waits until nothing is pending, polling the store. When no
 * worker is connected to the queue, this process starts one itself (same processor), so the
 * command finishes either way.
 */
export async function waitForCampaign(backend: CampaignBackend, id: string, onProgress: (c: CampaignCounts) => void, opts: { pollMs?: number; localWorker?: boolean } = {}): Promise<CampaignCounts> {
  let local: ReturnType<typeof startWorker> | undefined;
  try {
    if (backend.queue && backend.redisUrl && opts.localWorker !== false) {
      const workers = await backend.queue.getWorkers();
      if (workers.length === 0) local = startWorker(backend.redisUrl, { concurrency: 1 });
    }
    let idle = 0;
    for (;;) {
      const counts = await backend.tables.counts(id);
      onProgress(counts);
      if (counts.pending === 0) return finishIfDone(backend, id);
      // Jobs that failed for good leave users pending: stop once the queue has nothing left to run.
      if (backend.queue) {
        const q = await backend.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children');
        idle = Object.values(q).every((n) => n === 0) ? idle + 1 : 0;
        if (idle >= 3) return counts;
      }
      await new Promise((r) => setTimeout(r, opts.pollMs ?? 1000));
    }
  } finally {
    await local?.close();
  }
}
