/**
 * A drafting thread of the embedded deployment: its own SQLite connection (WAL; writes are
 * short transactions) and its own models over the campaign's store; drafts the batches the
 * main thread posts, one at a time, and posts each BatchResult back.
 */
import { parentPort, workerData } from 'worker_threads';
import { openStore } from '../store/db';
import { sqliteSql } from './sql';
import { CampaignTables } from './tables';
import { campaignContext } from './context';
import { draftBatch } from './batch';

const { dbFile, storeDir, pseudonymKey } = workerData as { dbFile: string; storeDir: string; pseudonymKey: string };
const db = openStore(dbFile);
const tables = new CampaignTables(sqliteSql(db));
const ready = campaignContext(storeDir, { db, pseudonymKey });

parentPort!.on('message', async (msg: { campaignId: string; users: string[] } | 'stop') => {
  if (msg === 'stop') {
    db.close();
    process.exit(0);
  }
  try {
    const r = await draftBatch(await ready, tables, msg.campaignId, msg.users);
    parentPort!.postMessage({ ok: true, result: r });
  } catch (e) {
    parentPort!.postMessage({ ok: false, error: (e as Error).message });
  }
});
