/**
 * Campaigns: one item (or a few) pitched to every user of a segment, with a holdout group.
 *
 *   const backend = await openBackend({ db });                // SQLite, or PostgreSQL + BullMQ from the environment
 *   const ctx = await campaignContext(storeDir);              // models over a store folder
 *   const c = await createCampaign(backend, ctx, spec);       // segment resolved, holdout drawn, one transaction
 *   await runEmbedded(backend, ctx, c.id) | enqueuePending(backend, c.id) + `copydesk worker`s
 *   campaignStatus / reviewSample / tables.decide / liftReport / tables.exportRows
 *   importOutcomesSql(backend.tables.sql, file) / recordDecisionsSql: outcomes and decisions feed the bandit in that store
 */
export * from './spec';
export { CampaignTables, controlId } from './tables';
export type { CampaignRow, CampaignCounts, CampaignStatus } from './tables';
export { openBackend, distributedUrls } from './backend';
export type { CampaignBackend } from './backend';
export { campaignContext } from './context';
export type { CampaignContext } from './context';
export { createCampaign, runEmbedded, enqueuePending, waitForCampaign, finishIfDone, BATCH_SIZE } from './runner';
export { draftBatch, POOL_SIZE } from './batch';
export type { BatchResult } from './batch';
export { campaignStatus, reviewSample, liftReport, rateDiff } from './report';
export { ServerUnavailableError, redactUrl } from './pg';
export { startWorker, checkRedis, openQueue, openQueueEvents, QUEUE_NAME } from './queue';
export { openBanditStore, importOutcomesSql, recordDecisionsSql, banditReportSql } from './outcomes-sql';
