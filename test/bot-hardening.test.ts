/**
 * The bot under load and attack (issue #20), against the REAL Bolt app over
 * loopback with correctly signed requests and the Web API stand-in: acks while
 * drafting runs on worker threads, bounded parsing, escaping, durable
 * de-duplication (replays, retries after a restart), body caps, future
 * timestamps, self-approval, App Home visibility, edit limits. Assertions are on
 * behaviour (every ack arrives, every draft is posted once), not on speed: the
 * timing goal lives in `npm run bench -- bot`.
 */
import { expect } from 'chai';
import * as http from 'http';
import {
  FakeSlack, startBot, send, sign, slashCommandBody, blockActionPayload, formPayload, viewSubmissionPayload, eventBody, buttonsOf, blocksOf,
  testCopywriter, tempDbFile, SECRETS, REVIEWER, REVIEWER2, REQUESTER, CHANNEL, type RunningBot,
} from './bot-harness';
import { EVENTS_PATH } from '../bot/app';
import { getDraft, type DraftRow } from '../core/store/drafts';
import { escapeMrkdwn } from '../bot/blocks/text';
import { parseCopyRequest, MAX_REQUEST_CHARS } from '../bot/parse';
import { openStore } from '../core/store/db';
import { buildHome } from '../bot/listeners/events/app-home-opened';

const CW = testCopywriter();
const count = (run: RunningBot, sql: string, ...args: unknown[]) => (run.db.prepare(sql).get(...args) as { n: number }).n;
const ackText = (body: string) => (body ? String(JSON.parse(body).text ?? '') : '');

describe(`slack bot hardening (real Bolt app, ${CW.real ? 'real pipeline' : 'pipeline on bridge ports'})`, function () {
  this.timeout(180_000);
  let fake: FakeSlack;
  let run: RunningBot | undefined;

  beforeEach(async () => {
    fake = new FakeSlack();
    await fake.start();
  });
  afterEach(async () => {
    await run?.stop();
    run?.db.close();
    run = undefined;
    await fake.stop();
  });

  async function drafted(text = `user:${CW.user} item:${CW.item} n:2`): Promise<DraftRow[]> {
    const before = fake.draftPosts().length;
    const res = await send(run!.port, slashCommandBody(fake, text));
    expect(res.status).to.equal(200);
    const post = await fake.waitFor(() => fake.draftPosts()[before], 60_000, 'drafts posted');
    const ids = buttonsOf(post).filter((b) => b.action_id === 'draft_approve').map((b) => b.value);
    await fake.waitFor(() => ids.every((id) => getDraft(run!.db, id)?.message_ts), 10_000, 'message location stored');
    return ids.map((id) => getDraft(run!.db, id)!);
  }

  it('50 concurrent signed /copy on the drafting threads: every request is acked, every draft posted once; /healthz answers meanwhile', async () => {
    run = await startBot(fake, CW.make, { threads: 1 });
    const N = 50;
    const bodies = Array.from({ length: N }, () => slashCommandBody(fake, `user:${CW.user} item:${CW.item} n:1`));
    const sent = bodies.map((b) => send(run!.port, b));
    // While the 50 wait for one drafting thread, the main thread still answers.
    const health = await fetch(`http://127.0.0.1:${run.port}/healthz`);
    expect(health.status).to.equal(200);
    expect(await health.text()).to.equal('ok');
    const acks = await Promise.all(sent);
    for (const a of acks) {
      expect(a.status).to.equal(200);
      expect(ackText(a.body)).to.match(/Writing 1 draft|Queued, \d+ ahead/);
    }
    expect(acks.filter((a) => /Queued, \d+ ahead/.test(ackText(a.body))).length).to.be.greaterThan(0);
    await fake.waitFor(() => fake.draftPosts().length >= N || undefined, 150_000, `${N} drafts messages`);
    await fake.settle(300);
    expect(fake.draftPosts()).to.have.length(N);
    expect(count(run, "SELECT COUNT(*) AS n FROM bot_outbox WHERE state = 'posted'")).to.equal(N);
    expect(count(run, 'SELECT COUNT(*) AS n FROM requests')).to.equal(N);
    expect(count(run, "SELECT COUNT(*) AS n FROM drafts WHERE message_ts IS NOT NULL")).to.equal(N);
  });

  it('a 40,000-character request without spaces and "k:v " × 10,000 get a short clear refusal; long option lists stay bounded', async () => {
    run = await startBot(fake, CW.make);
    for (const text of ['x'.repeat(40_000), 'k:v '.repeat(10_000)]) {
      const res = await send(run.port, slashCommandBody(fake, text));
      expect(res.status).to.equal(200);
      const reply = ackText(res.body);
      expect(reply).to.include(`the limit is ${MAX_REQUEST_CHARS.toLocaleString('en-US')}`);
      expect(reply.length).to.be.below(1500);
    }
    // Just under the cap: 250 unknown options → at most 5 problems named, then a count.
    const r = parseCopyRequest('k:v '.repeat(250).trim());
    expect(r.ok).to.equal(false);
    const error = (r as { error: string }).error;
    expect(error.split('; ')).to.have.length(6);
    expect(error).to.match(/and 246 more problem\(s\)\.$/); // 250 unknown options + no user
    expect(error.length).to.be.below(600);
    // The key:value reader still reads what it should.
    expect(parseCopyRequest(`user: ${CW.user} tone:温暖 n:2`)).to.deep.equal({ ok: true, request: { userId: CW.user, itemId: undefined, tone: 'warm', n: 2 } });
    await fake.settle();
    expect(fake.draftPosts()).to.have.length(0);
  });

  it('escapes every user-derived string: <!channel>, <!here>, <@U…>, <url|label> and & never reach Slack as markup', async () => {
    expect(escapeMrkdwn('<!channel> <!here> <@U123ABC> <https://evil.example|click> R&D')).to.equal('&lt;!channel&gt; &lt;!here&gt; &lt;@U123ABC&gt; &lt;https://evil.example|click&gt; R&amp;D');
    run = await startBot(fake, CW.make);
    // Typed literally, Slack sends entities; the error quotes the value escaped again (shown as text, never a ping).
    for (const typed of ['&lt;!channel&gt;', '&lt;!here&gt;', '&lt;@U0VICTIM1&gt;', '&lt;https://evil.example|click&gt;', 'a&amp;b']) {
      const res = await send(run.port, slashCommandBody(fake, `user:${CW.user} tone:${typed}`));
      const reply = ackText(res.body);
      expect(reply).to.match(/is not a tone/);
      expect(reply).to.not.match(/<!channel>|<!here>|<@U0VICTIM1>|<https:\/\/evil/);
      expect(reply).to.match(/&lt;|&amp;/);
    }
    // Unknown user named in a reply (from the copywriter's error): escaped too.
    await send(run.port, slashCommandBody(fake, 'user:&lt;!here&gt;x1'));
    await send(run.port, slashCommandBody(fake, 'user:nobody-42 item:&lt;!channel&gt;'));
    await fake.settle(300);
    const replies = fake.calls.filter((c) => c.method.startsWith('respond/')).map((c) => String(c.params.text));
    for (const t of replies) expect(t).to.not.match(/<!channel>|<!here>/);
    // An edit with markup is stored as typed and rendered escaped.
    const [d] = await drafted(`user:${CW.user} item:${CW.item} n:1`);
    const meta = JSON.stringify({ draftId: d.id, version: 1, channel: CHANNEL, messageTs: d.message_ts });
    const res = await send(run.port, formPayload(viewSubmissionPayload(REVIEWER, meta, '雪纺连衣裙清新透气 <!channel> <@U0VICTIM1> <https://evil.example|看这里> R&D')));
    expect(res.status).to.equal(200);
    const upd = await fake.waitFor(() => fake.of('chat.update')[0], 20_000, 'chat.update');
    const section = JSON.stringify(blocksOf(upd));
    expect(section).to.include('&lt;!channel&gt;').and.include('&lt;@U0VICTIM1&gt;').and.include('&lt;https://evil.example|看这里&gt;').and.include('R&amp;D');
    expect(section).to.not.match(/<!channel>|<@U0VICTIM1>|<https:\/\/evil/);
  });

  it('a replayed signed /copy drafts once; a timestamp more than 5 minutes ahead is refused; an event retried after a restart drafts nothing twice', async () => {
    const dbFile = tempDbFile();
    run = await startBot(fake, CW.make, { dbFile });
    const body = slashCommandBody(fake, `user:${CW.user} item:${CW.item} n:1`);
    const ts = Math.floor(Date.now() / 1000);
    const first = await send(run.port, body, { timestamp: ts });
    expect(ackText(first.body)).to.match(/Writing 1 draft/);
    await fake.waitFor(() => fake.draftPosts()[0], 60_000, 'drafts posted');
    // The same signed request again (a replay inside the 5-minute window): acked, nothing drafted.
    const replay = await send(run.port, body, { timestamp: ts });
    expect(replay.status).to.equal(200);
    expect(ackText(replay.body)).to.equal('');
    const future = ts + 6 * 60;
    const ahead = await send(run.port, slashCommandBody(fake, `user:${CW.user} n:1`), { timestamp: future });
    expect(ahead.status).to.equal(401);

    const event = { type: 'app_mention', user: REQUESTER, text: `<@UBOTUSER> user:${CW.user} item:${CW.item} n:1`, channel: CHANNEL, ts: '1790000300.000100', event_ts: '1790000300.000100' };
    const evBody = eventBody(event, 'EvRESTART01');
    await send(run.port, evBody, { contentType: 'application/json' });
    await fake.waitFor(() => fake.draftPosts()[1], 60_000, 'mention drafts posted');
    // Restart: a new app (new memory) on the same store; Slack retries the event.
    await run.stop();
    run.db.close();
    run = await startBot(fake, CW.make, { dbFile });
    await run.bot.recovered;
    const retry = await send(run.port, evBody, { contentType: 'application/json', retryNum: 1 });
    expect(retry.status).to.equal(200);
    await fake.settle(400);
    expect(fake.draftPosts()).to.have.length(2);
    expect(count(run, 'SELECT COUNT(*) AS n FROM requests')).to.equal(2);
    expect(count(run, "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'duplicate_request'")).to.equal(2);
  });

  it('a body over the cap is refused with 413 before it is read whole; the bot keeps answering', async () => {
    run = await startBot(fake, CW.make, { env: { COPYDESK_MAX_BODY_BYTES: '65536' } });
    // Declared large: refused on the headers.
    const declared = await new Promise<number>((ok, fail) => {
      const req = http.request({ host: '127.0.0.1', port: run!.port, path: EVENTS_PATH, method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(300 * 2 ** 20), 'x-slack-request-timestamp': String(Math.floor(Date.now() / 1000)), 'x-slack-signature': 'v0=00' } }, (res) => { res.resume(); ok(res.statusCode!); });
      req.on('error', fail);
      req.write(Buffer.alloc(64 * 1024, 'a'));
    });
    expect(declared).to.equal(413);
    // Chunked without a length: refused once the count passes the cap.
    const streamed = await new Promise<number>((ok, fail) => {
      const req = http.request({ host: '127.0.0.1', port: run!.port, path: EVENTS_PATH, method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'transfer-encoding': 'chunked', 'x-slack-request-timestamp': String(Math.floor(Date.now() / 1000)), 'x-slack-signature': 'v0=00' } }, (res) => { res.resume(); ok(res.statusCode!); });
      req.on('error', () => undefined);
      const chunk = Buffer.alloc(16 * 1024, 'b');
      let sentBytes = 0;
      const pump = () => { if (sentBytes < 4 * 2 ** 20 && !req.destroyed) { sentBytes += chunk.length; req.write(chunk, () => setImmediate(pump)); } };
      pump();
      setTimeout(() => fail(new Error('no answer to a streamed large body')), 20_000).unref();
    });
    expect(streamed).to.equal(413);
    const health = await fetch(`http://127.0.0.1:${run.port}/healthz`);
    expect(health.status).to.equal(200);
    // A normal signed request still works.
    const ok = await send(run.port, slashCommandBody(fake, 'help'));
    expect(ok.status).to.equal(200);
    expect(ackText(ok.body)).to.match(/How to ask for copy/);
  });

  it('a reviewer cannot approve drafts of their own request (default); another reviewer can; rejecting is allowed', async () => {
    run = await startBot(fake, CW.make);
    const before = fake.draftPosts().length;
    await send(run.port, slashCommandBody(fake, `user:${CW.user} item:${CW.item} n:2`, REVIEWER));
    const post = await fake.waitFor(() => fake.draftPosts()[before], 60_000, 'drafts posted');
    const ids = buttonsOf(post).filter((b) => b.action_id === 'draft_approve').map((b) => b.value);
    await fake.waitFor(() => ids.every((id) => getDraft(run!.db, id)?.message_ts), 10_000);
    const [a, b] = ids.map((id) => getDraft(run!.db, id)!);
    const click = (user: string, actionId: string, d: DraftRow) => send(run!.port, formPayload(blockActionPayload({ user, actionId, draftId: d.id, messageTs: d.message_ts! })));
    await click(REVIEWER, 'draft_approve', a);
    const refusal = await fake.waitFor(() => fake.of('chat.postEphemeral')[0], 10_000, 'refusal');
    expect(String(refusal.params.text)).to.match(/another reviewer has to approve/);
    expect(getDraft(run.db, a.id)!.status).to.equal('pending');
    await click(REVIEWER2, 'draft_approve', a);
    await fake.waitFor(() => getDraft(run!.db, a.id)!.status === 'approved', 10_000, 'approved by the other reviewer');
    expect(getDraft(run.db, a.id)!.decided_by).to.equal(REVIEWER2);
    await click(REVIEWER, 'draft_reject', b);
    await fake.waitFor(() => getDraft(run!.db, b.id)!.status === 'rejected', 10_000, 'rejected');
  });

  it('App Home shows a viewer only their own requests (reviewers also channel requests, never others\' DMs); edits over the limit are refused server-side', async () => {
    run = await startBot(fake, CW.make);
    const [d] = await drafted(`user:${CW.user} item:${CW.item} n:1`);
    // A DM request from REVIEWER2.
    const dm = { type: 'message', channel_type: 'im', channel: 'D0SECRET', user: REVIEWER2, text: `user:${CW.user} item:${CW.item} n:1`, ts: '1790000400.000100', event_ts: '1790000400.000100' };
    await send(run.port, eventBody(dm), { contentType: 'application/json' });
    await fake.waitFor(() => fake.draftPosts()[1], 60_000, 'DM drafts');
    const text = async (viewer: string) => JSON.stringify((await buildHome(run!.bot.deps, viewer)).blocks);
    const outsiderHome = await text('UOTHER0001');
    expect(outsiderHome).to.include('no requests yet');
    expect(await text(REQUESTER)).to.include(`<@${REQUESTER}>`).and.not.include(`<@${REVIEWER2}>`);
    const reviewerHome = await text(REVIEWER);
    expect(reviewerHome).to.include(`<@${REQUESTER}>`).and.not.include(`<@${REVIEWER2}>`);
    expect(await text(REVIEWER2)).to.include(`<@${REVIEWER2}>`);
    // Edit length: the modal caps at 3,000; a forged longer submission is refused too.
    const meta = JSON.stringify({ draftId: d.id, version: 1, channel: CHANNEL, messageTs: d.message_ts });
    const res = await send(run.port, formPayload(viewSubmissionPayload(REVIEWER, meta, '好'.repeat(3001))));
    expect(res.status).to.equal(200);
    expect(JSON.parse(res.body).errors.draft_text).to.match(/limit is 3,000/);
    expect(getDraft(run.db, d.id)!.version).to.equal(1);
  });
});

describe('slack bot: fail closed on privacy', () => {
  const { loadConfig, ConfigError } = require('../bot/config') as typeof import('../bot/config');
  const base = { SLACK_SIGNING_SECRET: 's', COPYDESK_REVIEWERS: REVIEWER };
  it('production (NODE_ENV=production or a real-looking token) refuses to start without COPYDESK_PSEUDONYM_KEY', () => {
    const realLooking = `xoxb-${'1'.repeat(12)}-${'2'.repeat(13)}-${'A'.repeat(24)}`;
    for (const env of [{ ...base, SLACK_BOT_TOKEN: SECRETS.botToken, NODE_ENV: 'production' }, { ...base, SLACK_BOT_TOKEN: realLooking }]) {
      let err: unknown;
      try { loadConfig(env); } catch (e) { err = e; }
      expect(err).to.be.instanceOf(ConfigError);
      expect((err as Error).message).to.match(/COPYDESK_PSEUDONYM_KEY is missing: required in production/);
      expect((err as Error).message).to.not.include(realLooking);
      expect(loadConfig({ ...env, COPYDESK_PSEUDONYM_KEY: 'a-real-secret' }).pseudonymKey).to.equal('a-real-secret');
    }
    // A test token outside production starts (with the development key, warned about by core).
    expect(loadConfig({ ...base, SLACK_BOT_TOKEN: SECRETS.botToken }).pseudonymKey).to.equal(undefined);
    expect(loadConfig({ ...base, SLACK_BOT_TOKEN: SECRETS.botToken }).allowSelfApproval).to.equal(false);
  });
  it('the store file is shared: a second connection sees the inbox (durable, not in memory)', () => {
    const f = tempDbFile();
    const a = openStore(f);
    const b = openStore(f);
    const { firstReceipt } = require('../bot/outbox') as typeof import('../bot/outbox');
    expect(firstReceipt(a, 'event:Ev1', 'event')).to.equal(true);
    expect(firstReceipt(b, 'event:Ev1', 'event')).to.equal(false);
    a.close();
    b.close();
  });
});

describe('slack bot: /copy subcommands handled by other listener files', () => {
  it('a first word listed in COPY_SUBCOMMANDS is left alone (no ack, no answer); anything else is a copy request', async () => {
    const { COPY_SUBCOMMANDS, copyCommand, isSubcommand } = require('../bot/listeners/commands/copy') as typeof import('../bot/listeners/commands/copy');
    COPY_SUBCOMMANDS.push('campaign');
    try {
      let acked = 0;
      const out = await copyCommand({} as never)({ command: { text: '  Campaign spring-sale', user_id: REQUESTER, channel_id: CHANNEL } as never, ack: (async () => { acked++; }) as never, respond: (async () => undefined) as never, client: {} as never });
      expect(out).to.deep.equal({ kind: 'subcommand' });
      expect(acked).to.equal(0);
      expect(isSubcommand('user:u-1 campaign')).to.equal(false);
    } finally {
      COPY_SUBCOMMANDS.splice(COPY_SUBCOMMANDS.indexOf('campaign'), 1);
    }
  });
});
