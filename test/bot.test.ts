/**
 * The REAL Bolt app in HTTP mode on a loopback port, its Web API pointed
 * (SLACK_API_URL) at a loopback stand-in for Slack; requests signed as Slack
 * signs them. One temp SQLite file per test.
 */
import { expect } from 'chai';
import {
  FakeSlack, startBot, send, sendExternal, sign, slashCommandBody, blockActionPayload, formPayload, viewSubmissionPayload, eventBody,
  blocksOf, buttonsOf, testCopywriter, SECRETS, REVIEWER, REVIEWER2, OUTSIDER, CHANNEL, type RunningBot, type ApiCall,
} from './bot-harness';
import { getDraft, type DraftRow } from '../core/store/drafts';

const CW = testCopywriter();
const FOUR = ['draft_approve', 'draft_reject', 'draft_regenerate', 'draft_edit'];

describe(`slack bot over HTTP (real Bolt app, ${CW.real ? 'real pipeline' : 'pipeline on bridge ports'})`, function () {
  this.timeout(60_000);
  let fake: FakeSlack;
  let run: RunningBot;

  beforeEach(async () => {
    fake = new FakeSlack();
    await fake.start();
    run = await startBot(fake, CW.make);
  });
  afterEach(async () => {
    await run?.stop();
    await fake?.stop();
    // Secrets never reach the log, whatever happened in the test (debug level, Bolt's and the WebClient's own lines included).
    const log = run.logLines.join('\n');
    expect(run.logLines.length).to.be.greaterThan(0);
    for (const s of Object.values(SECRETS)) expect(log).to.not.include(s);
    expect(log).to.not.match(/xox[bp]-/);
    run.db.close();
  });

  /** Sends /copy and returns the posted drafts message and the drafts in the store. */
  async function requestDrafts(text = `user:${CW.user} item:${CW.item} n:2`): Promise<{ post: ApiCall; drafts: DraftRow[]; ackMs: number }> {
    const before = fake.of('chat.postMessage').length;
    const res = await sendExternal(run.port, slashCommandBody(fake, text));
    expect(res.status).to.equal(200);
    const post = await fake.waitFor(() => fake.of('chat.postMessage')[before], 30_000, 'drafts posted');
    const ids = buttonsOf(post).filter((b) => b.action_id === 'draft_approve').map((b) => b.value);
    // The bot stores where it posted once Slack answers.
    await fake.waitFor(() => ids.every((id) => getDraft(run.db, id)?.message_ts), 5000, 'message location stored');
    return { post, drafts: ids.map((id) => getDraft(run.db, id)!), ackMs: res.ms };
  }

  const click = (user: string, actionId: string, d: DraftRow, o: { retryNum?: number; threadTs?: string } = {}) =>
    send(run.port, formPayload(blockActionPayload({ user, actionId, draftId: d.id, messageTs: d.message_ts!, threadTs: o.threadTs })), { retryNum: o.retryNum });

  const auditCount = (draftId: string, action: string) =>
    (run.db.prepare('SELECT COUNT(*) AS n FROM audit_log WHERE draft_id = ? AND action = ?').get(draftId, action) as { n: number }).n;

  it('a /copy request acks within 3 s and posts drafts with the four buttons', async () => {
    const { post, drafts, ackMs } = await requestDrafts();
    expect(ackMs).to.be.below(3000);
    expect(post.params.channel).to.equal(CHANNEL);
    expect(drafts).to.have.length(2);
    for (const d of drafts) {
      expect(d.status).to.equal('pending');
      expect(d.channel).to.equal(CHANNEL);
      expect(d.message_ts).to.match(/^1790000000\.\d{6}$/);
      const mine = buttonsOf(post).filter((b) => b.value === d.id).map((b) => b.action_id);
      expect(mine).to.deep.equal(FOUR);
      const section = blocksOf(post).find((b) => b.block_id === `draft:${d.id}`)!;
      expect(section.text.text.length).to.be.at.most(3000);
      expect(section.text.text).to.include(d.text.slice(0, 10).replace(/&/g, '&amp;'));
    }
    expect(blocksOf(post).length).to.be.at.most(50);
    const ctx = blocksOf(post).filter((b) => b.type === 'context').map((b) => b.elements[0].text).join('\n');
    expect(ctx).to.match(/广告法/);
    expect(ctx).to.include(drafts[0].explanation.slice(0, 8));
    // The copywriter is the only writer of requests and drafts: the request is audited once ('drafted'), then 'posted'.
    const requestId = drafts[0].request_id!;
    const audited = (action: string) => (run.db.prepare('SELECT COUNT(*) AS n FROM audit_log WHERE action = ? AND after_json LIKE ?').get(action, `%${requestId}%`) as { n: number }).n;
    expect(audited('drafted')).to.equal(1);
    expect(audited('posted')).to.equal(1);
    expect(audited('requested')).to.equal(0);
  });

  it('a reviewer approves: chat.update shows who and when, the buttons go, the store says approved, the bandit learns', async () => {
    const { drafts } = await requestDrafts();
    const [d, other] = drafts;
    const res = await click(REVIEWER, 'draft_approve', d);
    expect(res.status).to.equal(200);
    const upd = await fake.waitFor(() => fake.of('chat.update')[0], 10_000, 'chat.update');
    expect(upd.params.ts).to.equal(d.message_ts);
    const decision = blocksOf(upd).find((b) => b.block_id === `decision:${d.id}`)!;
    expect(decision.elements[0].text).to.match(new RegExp(`Approved\\* by <@${REVIEWER}> · <!date\\^\\d+\\^`));
    const buttons = buttonsOf(upd);
    expect(buttons.filter((b) => b.value === d.id)).to.have.length(0);
    expect(buttons.filter((b) => b.value === other.id).map((b) => b.action_id)).to.deep.equal(FOUR);
    const after = getDraft(run.db, d.id)!;
    expect(after.status).to.equal('approved');
    expect(after.decided_by).to.equal(REVIEWER);
    const fb = run.db.prepare("SELECT success FROM bandit_feedback WHERE draft_id = ? AND kind = 'decision'").get(d.id) as { success: number };
    expect(fb.success).to.equal(1);
    expect(auditCount(d.id, 'approved')).to.equal(1);
    const entry = run.db.prepare("SELECT actor, at, before_json, after_json FROM audit_log WHERE draft_id = ? AND action = 'approved'").get(d.id) as Record<string, string>;
    expect(entry.actor).to.equal(REVIEWER);
    expect(JSON.parse(entry.before_json)).to.deep.equal({ status: 'pending' });
    expect(JSON.parse(entry.after_json)).to.include({ status: 'approved' });
    expect(auditCount(d.id, 'bandit_reported')).to.equal(1);
  });

  it('a second click, a retried request and concurrent clicks change the state once', async () => {
    const { drafts } = await requestDrafts();
    const [d, e] = drafts;
    await click(REVIEWER, 'draft_approve', d);
    await fake.waitFor(() => fake.of('chat.update')[0]);
    const decidedAt = getDraft(run.db, d.id)!.decided_at;
    await click(REVIEWER, 'draft_approve', d);
    await click(REVIEWER2, 'draft_reject', d, { retryNum: 1 });
    await click(REVIEWER, 'draft_approve', d, { retryNum: 2 });
    await fake.waitFor(() => fake.of('chat.postEphemeral').length >= 3, 10_000, 'three "already decided" notes');
    expect(fake.of('chat.postEphemeral')[0].params.text).to.match(/already approved by <@UREVIEWER1>/);
    const now = getDraft(run.db, d.id)!;
    expect(now.status).to.equal('approved');
    expect(now.decided_at).to.equal(decidedAt);
    expect(auditCount(d.id, 'approved')).to.equal(1);
    expect(auditCount(d.id, 'rejected')).to.equal(0);
    expect((run.db.prepare("SELECT COUNT(*) AS n FROM bandit_feedback WHERE draft_id = ?").get(d.id) as { n: number }).n).to.equal(1);

    // Eight reviewers' clicks at once on the other draft: one wins.
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => click(i % 2 ? REVIEWER : REVIEWER2, i % 3 ? 'draft_approve' : 'draft_reject', e, { retryNum: i % 4 === 3 ? 1 : undefined })));
    expect(results.every((r) => r.status === 200)).to.equal(true);
    await fake.settle();
    const final = getDraft(run.db, e.id)!;
    expect(['approved', 'rejected']).to.include(final.status);
    expect(auditCount(e.id, 'approved') + auditCount(e.id, 'rejected')).to.equal(1);
  });

  it('a non-reviewer is refused in an ephemeral message and nothing changes', async () => {
    const { drafts } = await requestDrafts();
    const d = drafts[0];
    for (const a of FOUR) await click(OUTSIDER, a, d);
    await fake.waitFor(() => fake.of('chat.postEphemeral').length >= 4, 10_000, 'refusals');
    await fake.settle();
    const notes = fake.of('chat.postEphemeral');
    expect(notes.every((n) => n.params.user === OUTSIDER && /Only Copydesk reviewers/.test(String(n.params.text)))).to.equal(true);
    expect(fake.of('chat.update')).to.have.length(0);
    expect(fake.of('views.open')).to.have.length(0);
    expect(getDraft(run.db, d.id)!.status).to.equal('pending');
    expect(getDraft(run.db, d.id)!.version).to.equal(1);
    expect(auditCount(d.id, 'refused')).to.equal(4);
  });

  it('edit: the modal opens prefilled; a 广告法 violation is refused in the modal; a clean edit becomes version 2 and the message updates', async () => {
    const { drafts } = await requestDrafts();
    const d = drafts[0];
    await click(REVIEWER, 'draft_edit', d);
    const open = await fake.waitFor(() => fake.of('views.open')[0], 10_000, 'views.open');
    const view = (typeof open.params.view === 'string' ? JSON.parse(open.params.view) : open.params.view) as Record<string, any>;
    expect(view.callback_id).to.equal('draft_edit_modal');
    const input = view.blocks.find((b: any) => b.type === 'input');
    expect(input.element.initial_value).to.equal(d.text);

    const bad = await send(run.port, formPayload(viewSubmissionPayload(REVIEWER, view.private_metadata, '全网最低价！最美的连衣裙')));
    expect(bad.status).to.equal(200);
    const errors = JSON.parse(bad.body);
    expect(errors.response_action).to.equal('errors');
    expect(errors.errors.draft_text).to.match(/广告法.*最/);
    expect(getDraft(run.db, d.id)!.version).to.equal(1);

    const edited = '这条雪纺连衣裙轻盈透气，夏天穿刚刚好，快来看看吧';
    const ok = await send(run.port, formPayload(viewSubmissionPayload(REVIEWER, view.private_metadata, edited)));
    expect(ok.status).to.equal(200);
    expect(ok.body).to.equal('');
    const upd = await fake.waitFor(() => fake.of('chat.update')[0], 10_000, 'chat.update after edit');
    const section = blocksOf(upd).find((b) => b.block_id === `draft:${d.id}`)!;
    expect(section.text.text).to.include(edited).and.to.include('edited (v2)');
    const row = getDraft(run.db, d.id)!;
    expect(row).to.include({ text: edited, version: 2, edited: 1, status: 'pending' });
    const versions = run.db.prepare('SELECT version, text, edited_by FROM draft_versions WHERE draft_id = ? ORDER BY version').all(d.id) as Array<{ version: number; text: string; edited_by: string | null }>;
    expect(versions).to.deep.equal([{ version: 1, text: d.text, edited_by: null }, { version: 2, text: edited, edited_by: REVIEWER }]);
    expect(auditCount(d.id, 'edited')).to.equal(1);
    // A stale modal (version 1) cannot overwrite version 2.
    const stale = JSON.parse((await send(run.port, formPayload(viewSubmissionPayload(REVIEWER2, view.private_metadata, '另一个版本的文案，细节很用心')))).body);
    expect(stale.errors.draft_text).to.match(/edited this draft meanwhile/);
    // Approving the edited draft counts as a partial success for the bandit.
    await click(REVIEWER, 'draft_approve', row);
    await fake.waitFor(() => getDraft(run.db, d.id)!.status === 'approved');
    const fb = run.db.prepare("SELECT success FROM bandit_feedback WHERE draft_id = ? AND kind = 'decision'").get(d.id) as { success: number };
    expect(fb.success).to.equal(0.5);
  });

  it('regenerate supersedes the draft, posts a new one in the thread and updates the original', async () => {
    const { post, drafts } = await requestDrafts();
    const d = drafts[0];
    await click(REVIEWER, 'draft_regenerate', d);
    const posted = await fake.waitFor(() => fake.of('chat.postMessage')[1], 30_000, 'regenerated draft');
    expect(posted.params.thread_ts).to.equal(d.message_ts);
    const newId = buttonsOf(posted).find((b) => b.action_id === 'draft_approve')!.value;
    const fresh = getDraft(run.db, newId)!;
    expect(fresh.supersedes).to.equal(d.id);
    expect(fresh.status).to.equal('pending');
    expect(fresh.text).to.not.equal(d.text);
    expect(buttonsOf(posted).map((b) => b.action_id)).to.deep.equal(FOUR);
    expect(getDraft(run.db, d.id)!.status).to.equal('superseded');
    const upd = await fake.waitFor(() => fake.of('chat.update').find((u) => u.params.ts === post.params.ts || u.params.ts === d.message_ts));
    expect(blocksOf(upd).find((b) => b.block_id === `decision:${d.id}`)!.elements[0].text).to.match(/Regenerated\* by <@UREVIEWER1>/);
    // Regenerating it again does nothing.
    await click(REVIEWER, 'draft_regenerate', d);
    await fake.waitFor(() => fake.of('chat.postEphemeral')[0]);
    expect(fake.of('chat.postMessage')).to.have.length(2);
  });

  it('a forged signature and a timestamp older than 5 minutes get 401 and touch nothing', async () => {
    const { drafts } = await requestDrafts();
    const d = drafts[0];
    const callsBefore = fake.calls.length;
    const auditBefore = (run.db.prepare('SELECT COUNT(*) AS n FROM audit_log').get() as { n: number }).n;
    const body = formPayload(blockActionPayload({ user: REVIEWER, actionId: 'draft_approve', draftId: d.id, messageTs: d.message_ts! }));
    const forged = await send(run.port, body, { secret: 'not-the-signing-secret' });
    expect(forged.status).to.equal(401);
    const tampered = await send(run.port, body, { signature: sign(SECRETS.signingSecret, Math.floor(Date.now() / 1000), body.replace('draft_approve', 'draft_reject')) });
    expect(tampered.status).to.equal(401);
    const old = Math.floor(Date.now() / 1000) - 6 * 60;
    const stale = await send(run.port, body, { timestamp: old, signature: sign(SECRETS.signingSecret, old, body) });
    expect(stale.status).to.equal(401);
    const cmd = await send(run.port, slashCommandBody(fake, `user:${CW.user}`), { secret: 'wrong' });
    expect(cmd.status).to.equal(401);
    await fake.settle();
    expect(fake.calls.length).to.equal(callsBefore);
    expect(getDraft(run.db, d.id)!.status).to.equal('pending');
    expect((run.db.prepare('SELECT COUNT(*) AS n FROM audit_log').get() as { n: number }).n).to.equal(auditBefore);
  });

  it('a 429 from chat.update is retried after Retry-After and the decision is kept', async () => {
    const { drafts } = await requestDrafts();
    const d = drafts[0];
    fake.plan('chat.update', { status: 429, retryAfter: 1 });
    const t0 = Date.now();
    await click(REVIEWER, 'draft_reject', d);
    expect(getDraft(run.db, d.id)!.status).to.equal('rejected');
    const upd = await fake.waitFor(() => fake.of('chat.update')[0], 15_000, 'chat.update after 429');
    const limited = fake.calls.find((c) => c.method === 'chat.update' && c.status === 429)!;
    expect(limited).to.not.equal(undefined);
    expect(upd.at - limited.at).to.be.at.least(950);
    expect(upd.at - t0).to.be.below(10_000);
    expect(blocksOf(upd).find((b) => b.block_id === `decision:${d.id}`)!.elements[0].text).to.match(/Rejected/);
    expect(auditCount(d.id, 'rejected')).to.equal(1);
  });

  it('when Slack keeps failing the decision is still saved, audited, and the next render repairs the message', async () => {
    const { drafts } = await requestDrafts();
    const [d, e] = drafts;
    fake.plan('chat.update', { status: 500 }, { status: 500 }, { status: 500 }, { status: 500 });
    await click(REVIEWER, 'draft_approve', d);
    await fake.waitFor(() => fake.of('chat.postEphemeral')[0], 10_000, 'decision-saved note');
    expect(fake.of('chat.postEphemeral')[0].params.text).to.match(/decision \(approved\) is saved/);
    expect(getDraft(run.db, d.id)!.status).to.equal('approved');
    expect((run.db.prepare("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'slack_error'").get() as { n: number }).n).to.equal(1);
    await click(REVIEWER, 'draft_reject', e);
    const upd = await fake.waitFor(() => fake.of('chat.update')[0], 10_000);
    expect(blocksOf(upd).find((b) => b.block_id === `decision:${d.id}`)!.elements[0].text).to.match(/Approved/);
    expect(blocksOf(upd).find((b) => b.block_id === `decision:${e.id}`)!.elements[0].text).to.match(/Rejected/);
  });

  it('invalid requests get the usage ephemerally; an unknown user is named', async () => {
    const bad = await send(run.port, slashCommandBody(fake, 'tone:loud n:9'));
    expect(bad.status).to.equal(200);
    const body = JSON.parse(bad.body);
    expect(body.response_type).to.equal('ephemeral');
    expect(body.text).to.match(/not a tone/).and.to.match(/n must be/).and.to.match(/\/copy user:/);
    const unknown = await send(run.port, slashCommandBody(fake, 'user:nobody-999 item:' + CW.item));
    expect(JSON.parse(unknown.body).response_type).to.equal('ephemeral');
    const r = await fake.waitFor(() => fake.calls.find((c) => c.method.startsWith('respond/')), 20_000, 'respond');
    expect(r.params.text).to.match(/don't know the user `nobody-999`/);
    expect(r.params.response_type).to.equal('ephemeral');
    expect(fake.of('chat.postMessage')).to.have.length(0);
  });

  it('a mention answers in the thread, once even when Slack retries the event', async () => {
    const event = { type: 'app_mention', user: REVIEWER2, text: `<@UBOTUSER> 给 ${CW.user} 写 ${CW.item} 的文案 1 条`, ts: '1790000100.000200', channel: CHANNEL, event_ts: '1790000100.000200' };
    const body = eventBody(event, 'Ev0MENTION1');
    expect((await send(run.port, body, { contentType: 'application/json' })).status).to.equal(200);
    expect((await send(run.port, body, { contentType: 'application/json', retryNum: 1 })).status).to.equal(200);
    const post = await fake.waitFor(() => fake.of('chat.postMessage')[0], 30_000, 'drafts in thread');
    expect(post.params.thread_ts).to.equal(event.ts);
    expect(buttonsOf(post).filter((b) => b.action_id === 'draft_approve')).to.have.length(1);
    await fake.settle(300);
    expect(fake.of('chat.postMessage')).to.have.length(1);
    const req = run.db.prepare('SELECT requested_by, thread_ts, source FROM requests').all();
    expect(req).to.deep.equal([{ requested_by: REVIEWER2, thread_ts: event.ts, source: 'slack' }]);
  });

  it('a DM works like /copy and gets a usage reply in its thread when unclear', async () => {
    const dm = { type: 'message', channel_type: 'im', channel: 'D0DM', user: OUTSIDER, text: 'hello there', ts: '1790000200.000100', event_ts: '1790000200.000100' };
    await send(run.port, eventBody(dm), { contentType: 'application/json' });
    const reply = await fake.waitFor(() => fake.of('chat.postMessage')[0], 10_000);
    expect(reply.params).to.include({ channel: 'D0DM', thread_ts: dm.ts });
    expect(String(reply.params.text)).to.match(/How to ask for copy/);
  });

  it('App Home shows recent requests, pending drafts for a reviewer, approval rates and models', async () => {
    const { drafts } = await requestDrafts();
    await click(REVIEWER, 'draft_approve', drafts[0]);
    await fake.waitFor(() => fake.of('chat.update')[0]);
    await send(run.port, eventBody({ type: 'app_home_opened', user: REVIEWER, channel: 'D0HOME', tab: 'home', event_ts: '1790000300.000100' }), { contentType: 'application/json' });
    const pub = await fake.waitFor(() => fake.of('views.publish')[0], 10_000);
    expect(pub.params.user_id).to.equal(REVIEWER);
    const view = (typeof pub.params.view === 'string' ? JSON.parse(pub.params.view) : pub.params.view) as { type: string; blocks: any[] };
    expect(view.type).to.equal('home');
    const text = view.blocks.map((b) => b.text?.text ?? '').join('\n');
    expect(text).to.include('Recent requests').and.to.include(CW.item);
    expect(text).to.match(/Waiting for your review\* \(1\)/);
    expect(text).to.match(/By tone\*\n• `\w+` 100% \(1\/1\)/);
    expect(text).to.include('*Models*');
    await send(run.port, eventBody({ type: 'app_home_opened', user: OUTSIDER, channel: 'D0HOME2', tab: 'home', event_ts: '1790000300.000200' }), { contentType: 'application/json' });
    const pub2 = await fake.waitFor(() => fake.of('views.publish')[1], 10_000);
    expect(JSON.stringify(pub2.params.view)).to.include('not a reviewer');
  });
});

describe('slack bot: generation errors', function () {
  this.timeout(30_000);
  it('post a friendly message (request) and keep the draft reviewable (regenerate)', async () => {
    const fake = new FakeSlack();
    await fake.start();
    let fail = false;
    const run = await startBot(fake, (db) => CW.make(db, { failGenerate: () => fail }));
    try {
      await send(run.port, slashCommandBody(fake, `user:${CW.user} item:${CW.item} n:1`));
      const post = await fake.waitFor(() => fake.of('chat.postMessage')[0]);
      const id = buttonsOf(post)[0].value;
      fail = true;
      await send(run.port, slashCommandBody(fake, `user:${CW.user} item:${CW.item} n:1`));
      const r = await fake.waitFor(() => fake.calls.find((c) => c.method.startsWith('respond/')));
      expect(r.params.text).to.match(/Sorry, I could not write drafts/);
      const d = getDraft(run.db, id)!;
      await send(run.port, formPayload(blockActionPayload({ user: REVIEWER, actionId: 'draft_regenerate', draftId: id, messageTs: d.message_ts! })));
      const msg = await fake.waitFor(() => fake.of('chat.postMessage')[1]);
      expect(msg.params.thread_ts).to.equal(d.message_ts);
      expect(msg.params.text).to.match(/could not write a new draft/);
      expect(getDraft(run.db, id)!.status).to.equal('pending');
      expect(run.logLines.join('\n')).to.include('generator crashed (test)');
    } finally {
      await run.stop();
      await fake.stop();
      run.db.close();
    }
  });
});
