/**
 * Which deployment runs: embedded (SQLite: COPYDESK_DB or --db, jobs in this process) by
 * default; distributed (PostgreSQL + BullMQ on Redis) when both COPYDESK_DATABASE_URL and
 * COPYDESK_REDIS_URL are set. Either way the same CampaignTables over the Sql port.
 */
import type { Queue } from 'bullmq';
import { openStore, Db } from '../store/db';
import { sqliteSql } from './sql';
import { CampaignTables } from './tables';
import { openPg } from './pg';
import { checkRedis, openQueue, BatchJob } from './queue';
import { CampaignSpecError } from './spec';

export interface CampaignBackend {
  kind: 'embedded' | 'distributed';
  tables: CampaignTables;
  /** Embedded: the SQLite store (drafts and campaigns in one file). */
  db?: Db;
  redisUrl?: string;
  queue?: Queue<BatchJob>;
  /** Warnings to show once (e.g. Redis eviction policy). */
  warnings: string[];
  close(): Promise<void>;
}

export function distributedUrls(env: NodeJS.ProcessEnv = process.env): { databaseUrl: string; redisUrl: string } | undefined {
  const databaseUrl = env.COPYDESK_DATABASE_URL?.trim();
  const redisUrl = env.COPYDESK_REDIS_URL?.trim();
  if (!databaseUrl && !redisUrl) return undefined;
  if (!databaseUrl || !redisUrl) throw new CampaignSpecError(`the distributed deployment needs both COPYDESK_DATABASE_URL and COPYDESK_REDIS_URL (only ${databaseUrl ? 'COPYDESK_DATABASE_URL' : 'COPYDESK_REDIS_URL'} is set)`);
  if (!/^postgres(ql)?:\/\//.test(databaseUrl)) throw new CampaignSpecError('COPYDESK_DATABASE_URL must be a postgres:// URL');
  if (!/^rediss?:\/\//.test(redisUrl)) throw new CampaignSpecError('COPYDESK_REDIS_URL must be a redis:// URL');
  return { databaseUrl, redisUrl };
}

export async function openBackend(opts: { db?: string; queue?: boolean } = {}): Promise<CampaignBackend> {
  const urls = distributedUrls();
  if (!urls) {
    const db = openStore(opts.db);
    const sql = sqliteSql(db, { closeDb: true });
    return { kind: 'embedded', tables: new CampaignTables(sql), db, warnings: [], close: () => sql.close() };
  }
  // Check both servers before anything is written.
  const redis = await checkRedis(urls.redisUrl);
  const sql = await openPg(urls.databaseUrl);
  const queue = opts.queue === false ? undefined : openQueue(urls.redisUrl);
  return {
    kind: 'distributed', tables: new CampaignTables(sql), redisUrl: urls.redisUrl, queue, warnings: redis.warning ? [redis.warning] : [],
    async close() {
      await queue?.close();
      await sql.close();
    },
  };
}
