/**
 * What one BullMQ job does on a worker thread: opens (once per thread) the PostgreSQL store
 * and the models over the campaign's store folder, drafts the batch (core/campaign/batch.ts)
 * and reports progress. Idempotent, so a retried or stalled-and-redelivered job changes nothing.
 */
import type { SandboxedJob } from 'bullmq';
import { openPg } from './pg';
import { CampaignTables } from './tables';
import { campaignContext } from './context';
import { draftBatch, BatchResult } from './batch';
import type { BatchJob } from './queue';
import type { Sql } from './sql';

let sqlP: Promise<Sql> | undefined;

export async function process(job: SandboxedJob<BatchJob, BatchResult>): Promise<BatchResult> {
  const url = globalThis.process.env.COPYDESK_DATABASE_URL;
  if (!url) throw new Error('COPYDESK_DATABASE_URL is not set on the worker');
  sqlP ??= openPg(url, { max: 2 });
  const tables = new CampaignTables(await sqlP);
  const c = await tables.get(job.data.campaignId);
  if (!c) throw new Error(`unknown campaign "${job.data.campaignId}"`);
  const ctx = await campaignContext(globalThis.process.env.COPYDESK_WORKER_STORE ?? c.storeDir);
  const r = await draftBatch(ctx, tables, c.id, job.data.users);
  await job.updateProgress(100);
  return r;
}
