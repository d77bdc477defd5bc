/**
 * The real bot as separate processes (`bot/main.ts` runBot: drafting threads,
 * recovery at start) on one SQLite file, driven with signed requests over
 * loopback against the Web API stand-in: kill -9 while drafting and while
 * chat.postMessage is in flight (the stand-in hangs on purpose), restart, and
 * check that what the user was promised is posted exactly once; two processes
 * answering concurrent clicks on the same drafts decide each once and lose no
 * bandit update.
 */
import { expect } from 'chai';
import { FakeSlack, send, slashCommandBody, blockActionPayload, formPayload, buttonsOf, spawnBot, killHard, tempDbFile, testCopywriter, REVIEWER, REVIEWER2, type BotProcess } from './bot-harness';
import { openStore, type Db } from '../core/store/db';
import { getDraft } from '../core/store/drafts';

const CW = testCopywriter();

describe('slack bot processes: kill -9 and two processes on one store', function () {
  this.timeout(240_000);
  let fake: FakeSlack;
  const procs: BotProcess[] = [];
  let db: Db | undefined;

  beforeEach(async () => {
    fake = new FakeSlack();
    await fake.start();
  });
  afterEach(async () => {
    for (const p of procs.splice(0)) if (p.child.exitCode === null) await killHard(p);
    db?.close();
    db = undefined;
    await fake.stop();
  });

  const start = async (dbFile: string) => {
    const p = await spawnBot(fake, dbFile);
    procs.push(p);
    return p;
  };
  const outbox = (d: Db) => d.prepare('SELECT id, state, message_ts FROM bot_outbox').all() as Array<{ id: string; state: string; message_ts: string | null }>;
  const heldDrafts = () => fake.messages.filter((m) => m.metadata?.event_type === 'copydesk_drafts');

  it('killed while drafting: after the restart the drafts are written once and posted once', async () => {
    const dbFile = tempDbFile();
    const p1 = await start(dbFile);
    const ack = await send(p1.port, slashCommandBody(fake, `user:${CW.user} item:${CW.item} n:5`));
    expect(JSON.parse(ack.body).text).to.match(/Writing 5 draft/);
    await killHard(p1);
    db = openStore(dbFile);
    expect(outbox(db).map((j) => j.state)).to.deep.equal(['queued']);
    expect(fake.draftPosts()).to.have.length(0);
    await start(dbFile);
    await fake.waitFor(() => fake.draftPosts()[0], 90_000, 'recovered drafts posted');
    await fake.settle(500);
    expect(fake.draftPosts()).to.have.length(1);
    const [job] = outbox(db);
    expect(job.state).to.equal('posted');
    expect((db.prepare('SELECT COUNT(*) AS n FROM requests').get() as { n: number }).n).to.equal(1);
    const ids = buttonsOf(fake.draftPosts()[0]).filter((b) => b.action_id === 'draft_approve').map((b) => b.value);
    const stored = db.prepare('SELECT id FROM drafts WHERE request_id = ?').all(job.id) as Array<{ id: string }>;
    expect(stored.map((r) => r.id).sort()).to.deep.equal([...ids].sort());
    expect((db.prepare("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'drafted'").get() as { n: number }).n).to.equal(1);
  });

  for (const reached of [true, false]) {
    it(`killed during chat.postMessage (the message ${reached ? 'reached' : 'never reached'} Slack): after the restart it is posted exactly once`, async () => {
      const dbFile = tempDbFile();
      fake.plan('chat.postMessage', { status: 'hang', posted: reached });
      const p1 = await start(dbFile);
      await send(p1.port, slashCommandBody(fake, `user:${CW.user} item:${CW.item} n:2`));
      await fake.waitFor(() => fake.draftPosts()[0], 60_000, 'postMessage in flight');
      await killHard(p1);
      db = openStore(dbFile);
      expect(outbox(db).map((j) => j.state)).to.deep.equal(['posting']);
      await start(dbFile);
      await fake.waitFor(() => outbox(db!)[0].state === 'posted', 60_000, 'job posted after restart');
      await fake.settle(500);
      expect(heldDrafts()).to.have.length(1);
      expect(fake.draftPosts()).to.have.length(reached ? 1 : 2);
      const [job] = outbox(db);
      expect(job.message_ts).to.equal(heldDrafts()[0].ts);
      const drafts = db.prepare('SELECT message_ts FROM drafts WHERE request_id = ?').all(job.id) as Array<{ message_ts: string }>;
      expect(drafts.length).to.be.greaterThan(0);
      for (const d of drafts) expect(d.message_ts).to.equal(job.message_ts);
    });
  }

  it('killed while posting a regenerated draft: after the restart it is posted once in the thread and the original message updated', async () => {
    const dbFile = tempDbFile();
    const p1 = await start(dbFile);
    db = openStore(dbFile);
    await send(p1.port, slashCommandBody(fake, `user:${CW.user} item:${CW.item} n:1`));
    const first = await fake.waitFor(() => fake.draftPosts()[0], 60_000, 'drafts posted');
    const id = buttonsOf(first).find((b) => b.action_id === 'draft_approve')!.value;
    await fake.waitFor(() => getDraft(db!, id)?.message_ts, 10_000, 'location stored');
    const d = getDraft(db, id)!;
    fake.plan('chat.postMessage', { status: 'hang', posted: false });
    await send(p1.port, formPayload(blockActionPayload({ user: REVIEWER, actionId: 'draft_regenerate', draftId: id, messageTs: d.message_ts! })));
    await fake.waitFor(() => fake.draftPosts()[1], 60_000, 'regenerated draft in flight');
    await killHard(p1);
    const job = () => db!.prepare("SELECT state, draft_ids_json FROM bot_outbox WHERE id LIKE 'g_%'").get() as { state: string; draft_ids_json: string };
    expect(job().state).to.equal('posting');
    await start(dbFile);
    await fake.waitFor(() => job().state === 'posted', 60_000, 'regenerated draft posted after restart');
    await fake.settle(500);
    const held = heldDrafts();
    expect(held).to.have.length(2);
    expect(held[1].thread_ts).to.equal(d.message_ts);
    const successor = JSON.parse(job().draft_ids_json)[0];
    expect(getDraft(db, successor)!.supersedes).to.equal(id);
    expect(getDraft(db, successor)!.message_ts).to.equal(held[1].ts);
    expect(getDraft(db, id)!.status).to.equal('superseded');
    expect(fake.of('chat.update').some((u) => u.params.ts === d.message_ts)).to.equal(true);
  });

  it('the bot bench runs end to end (quick: 5 concurrent /copy against `copydesk bot`)', async () => {
    const { run } = require('../bot/bench') as typeof import('../bot/bench');
    const r = await run({ quick: true, args: [] });
    expect(r.requests).to.equal(5);
    expect(r.acked_ok).to.equal(5);
    expect(r.drafts_messages_posted).to.equal(5);
    expect(r.drafting_threads).to.be.at.least(1);
  });

  it('two bot processes on one store: concurrent clicks on both decide each draft once and every bandit update lands', async () => {
    const dbFile = tempDbFile();
    const [a, b] = await Promise.all([start(dbFile), start(dbFile)]);
    db = openStore(dbFile);
    for (const p of [a, b]) await send(p.port, slashCommandBody(fake, `user:${CW.user} item:${CW.item} n:5`));
    await fake.waitFor(() => fake.draftPosts().length >= 2 || undefined, 90_000, 'two drafts messages');
    const ids = fake.draftPosts().flatMap((post) => buttonsOf(post).filter((x) => x.action_id === 'draft_approve').map((x) => x.value));
    await fake.waitFor(() => ids.every((id) => getDraft(db!, id)?.message_ts), 20_000, 'locations stored');
    const clicks: Array<Promise<{ status: number }>> = [];
    for (const id of ids) {
      const d = getDraft(db, id)!;
      for (const [k, p] of [a, b, a, b, a, b].entries()) {
        const body = formPayload(blockActionPayload({ user: k % 2 ? REVIEWER : REVIEWER2, actionId: k < 3 ? 'draft_approve' : 'draft_reject', draftId: id, messageTs: d.message_ts! }));
        clicks.push(send(p.port, body));
      }
    }
    const res = await Promise.all(clicks);
    for (const r of res) expect(r.status).to.equal(200);
    await fake.waitFor(() => ids.every((id) => getDraft(db!, id)!.status !== 'pending') || undefined, 60_000, 'all decided');
    await fake.settle(500);
    for (const id of ids) {
      const n = (db.prepare("SELECT COUNT(*) AS n FROM audit_log WHERE draft_id = ? AND action IN ('approved','rejected')").get(id) as { n: number }).n;
      expect(n, `decisions on ${id}`).to.equal(1);
      const reported = (db.prepare("SELECT COUNT(*) AS n FROM audit_log WHERE draft_id = ? AND action = 'bandit_reported'").get(id) as { n: number }).n;
      expect(reported, `bandit reports on ${id}`).to.equal(1);
    }
    expect((db.prepare("SELECT COUNT(*) AS n FROM bandit_feedback WHERE kind = 'decision'").get() as { n: number }).n).to.equal(ids.length);
    // One strategy-bandit trial per decided draft (the phrasing bandit's arms, `phrasing:<segment>`, learn per line).
    const trials = (db.prepare("SELECT SUM(alpha + beta - 2) AS t FROM bandit_arms WHERE segment NOT LIKE 'phrasing:%'").get() as { t: number }).t;
    expect(trials).to.be.closeTo(ids.length, 1e-9);
    const logs = procs.map((p) => p.output.join('')).join('\n');
    expect(logs).to.not.match(/database is locked|SQLITE_BUSY/);
  });
});
