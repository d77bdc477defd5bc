/**
 * The job queue of the distributed deployment: BullMQ on Redis (COPYDESK_REDIS_URL). One
 * queue, `campaign-batches`, under a key prefix (COPYDESK_QUEUE_PREFIX, default `copydesk`);
 * a job is one batch of a campaign's users (jobId campaign.generation.first-user.count, so adding a
 * batch twice is a no-op). Retries with exponential backoff, stalled-job recovery and a rate
 * limit are BullMQ's; drafting runs in BullMQ's sandboxed processor on a worker thread
 * (processor.js), so the worker's event loop keeps renewing job locks while a batch decodes.
 * Redis must keep every key: `maxmemory-policy noeviction` is checked and set when allowed.
 */
import * as path from 'path';
import type { Queue, Worker, QueueEvents, ConnectionOptions, Job } from 'bullmq';
import { redactUrl, ServerUnavailableError } from './pg';
import { PROJECT_ROOT } from '../util/paths';

export const QUEUE_NAME = 'campaign-batches';
export const JOB_ATTEMPTS = 5;

export interface BatchJob {
  campaignId: string;
  users: string[];
}

export function queuePrefix(): string {
  return process.env.COPYDESK_QUEUE_PREFIX ?? 'copydesk';
}

export function redisConnection(url: string): ConnectionOptions {
  const u = new URL(url);
  return {
    host: u.hostname || '127.0.0.1',
    port: Number(u.port || 6379),
    username: u.username || undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: u.pathname && u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0,
    maxRetriesPerRequest: null,
  };
}

/** Pings Redis once with a short timeout (no endless reconnecting); checks/sets maxmemory-policy. */
export async function checkRedis(url: string): Promise<{ policy: string; warning?: string }> {
  const IORedis = require('ioredis') as typeof import('ioredis').default;
  const conn = redisConnection(url) as Record<string, unknown>;
  const r = new IORedis({ ...conn, lazyConnect: true, connectTimeout: 3000, maxRetriesPerRequest: 1, retryStrategy: () => null, enableOfflineQueue: false });
  r.on('error', () => undefined);
  try {
    await r.connect();
    await r.ping();
  } catch (e) {
    r.disconnect();
    throw new ServerUnavailableError('Redis', url, (e as Error).message.split('\n')[0] || (e as Error).name);
  }
  try {
    let policy = 'unknown';
    try {
      const got = (await r.config('GET', 'maxmemory-policy')) as string[];
      policy = got[1] ?? 'unknown';
      if (policy !== 'noeviction') {
        await r.config('SET', 'maxmemory-policy', 'noeviction');
        policy = 'noeviction';
      }
    } catch (e) {
      return { policy, warning: `Redis maxmemory-policy is ${policy} and could not be set to noeviction (${(e as Error).message}); BullMQ needs noeviction` };
    }
    return { policy };
  } finally {
    r.disconnect();
  }
}

export function openQueue(url: string): Queue<BatchJob> {
  const { Queue } = require('bullmq') as typeof import('bullmq');
  return new Queue<BatchJob>(QUEUE_NAME, {
    connection: redisConnection(url),
    prefix: queuePrefix(),
    defaultJobOptions: { attempts: JOB_ATTEMPTS, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: { count: 1000 }, removeOnFail: { count: 1000 } },
  });
}

export function openQueueEvents(url: string): QueueEvents {
  const { QueueEvents } = require('bullmq') as typeof import('bullmq');
  return new QueueEvents(QUEUE_NAME, { connection: redisConnection(url), prefix: queuePrefix() });
}

export function batchJobId(campaignId: string, generation: number, users: string[]): string {
  return `${campaignId}.${generation}.${users[0]}.${users.length}`;
}

/** The sandboxed processor (plain JS: it loads the TypeScript through tsx when not compiled). */
export const PROCESSOR_FILE = path.join(PROJECT_ROOT, 'core', 'campaign', 'processor.js');

export interface WorkerOptions {
  concurrency?: number;
  /** At most this many batches per second over all workers (BullMQ's limiter). */
  ratePerSecond?: number;
  /** Store folder the worker drafts from (default: the one recorded with each campaign). */
  storeDir?: string;
}

export function startWorker(url: string, opts: WorkerOptions = {}): Worker<BatchJob> {
  const { Worker } = require('bullmq') as typeof import('bullmq');
  if (opts.storeDir) process.env.COPYDESK_WORKER_STORE = path.resolve(opts.storeDir);
  return new Worker<BatchJob>(QUEUE_NAME, PROCESSOR_FILE, {
    connection: redisConnection(url),
    prefix: queuePrefix(),
    concurrency: opts.concurrency ?? 1,
    useWorkerThreads: true,
    // A killed worker's job comes back after its lock expires (COPYDESK_LOCK_MS, default 60 s) at the next stalled check.
    lockDuration: Number(process.env.COPYDESK_LOCK_MS ?? 60_000),
    stalledInterval: Number(process.env.COPYDESK_STALLED_MS ?? 15_000),
    maxStalledCount: 3,
    limiter: { max: opts.ratePerSecond ?? 100, duration: 1000 },
  });
}

export type { Job };
export { redactUrl };
