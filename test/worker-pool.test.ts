/**
 * core/copywriter/worker-pool.ts: drafting on worker threads with the shipped
 * models on a shared SQLite file — results come back, errors keep their type,
 * jobs beyond the pool size wait in order, and drafting again under a stored
 * request id returns the same drafts and writes nothing.
 */
import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DraftPool } from '../core/copywriter/worker-pool';
import { UnknownEntityError } from '../core/domain/types';
import { openStore } from '../core/store/db';
import { realPipelineAvailable } from './bot-harness';

const ROOT = path.join(__dirname, '..');
const firstCell = (f: string) => fs.readFileSync(path.join(ROOT, 'data', 'demo', f), 'utf8').split(/\r?\n/)[1].split(',')[0];

describe('copywriter worker pool (shipped models on a drafting thread)', function () {
  this.timeout(120_000);
  let pool: DraftPool;
  let dbFile: string;
  before(function () {
    if (!realPipelineAvailable()) this.skip();
    dbFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'copydesk-pool-')), 'copydesk.db');
    openStore(dbFile).close();
    pool = new DraftPool({ dbFile, pseudonymKey: 'pool-test-key', size: 1 });
  });
  after(async () => { await pool?.close(); });

  it('drafts on the thread, queues beyond its size, keeps error types, and is idempotent per request id', async () => {
    await pool.ready();
    const user = firstCell('users.csv');
    const item = firstCell('items.csv');
    const jobs = [pool.draft({ userId: user, itemId: item, n: 2, requestId: 'r_pool_1' }), pool.draft({ userId: user, itemId: item, n: 1 }), pool.draft({ userId: 'no-such-user', n: 1 })];
    expect(pool.running).to.equal(1);
    expect(pool.waiting).to.equal(2);
    const [a, b, c] = await Promise.allSettled(jobs);
    expect(a.status).to.equal('fulfilled');
    const first = (a as PromiseFulfilledResult<Awaited<(typeof jobs)[0]>>).value;
    expect(first.request_id).to.equal('r_pool_1');
    expect(first.drafts).to.have.length(2);
    expect(first.user).to.match(/^u_[0-9a-f]{12}$/);
    expect(b.status).to.equal('fulfilled');
    expect(c.status).to.equal('rejected');
    const err = (c as PromiseRejectedResult).reason;
    expect(err).to.be.instanceOf(UnknownEntityError);
    expect([err.kind, err.id]).to.deep.equal(['user', 'no-such-user']);
    // The thread wrote to the shared file; drafting the same request id again changes nothing.
    const db = openStore(dbFile);
    const before = (db.prepare('SELECT COUNT(*) AS n FROM drafts').get() as { n: number }).n;
    const again = await pool.draft({ userId: user, itemId: item, n: 2, requestId: 'r_pool_1' });
    expect(again.drafts.map((d) => d.id)).to.deep.equal(first.drafts.map((d) => d.id));
    expect((db.prepare('SELECT COUNT(*) AS n FROM drafts').get() as { n: number }).n).to.equal(before);
    expect((db.prepare("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'drafted'").get() as { n: number }).n).to.equal(2);
    db.close();
  });
});
