/**
 * One writer per table (issue 18): a Slack request stores each draft once, with one 'drafted'
 * audit row for the request; a reviewer's decision, its audit row and the strategy bandit's
 * update commit in one transaction (all or nothing). Runs the bot's handlers on a temp store,
 * the copywriter and the loopback Web API stand-in (see bot-harness.ts).
 */
import { expect } from 'chai';
import { LogLevel, webApi } from '@slack/bolt';
import { openStore } from '../core/store/db';
import { getDraft } from '../core/store/drafts';
import { RedactingLogger } from '../bot/logger';
import type { BotDeps } from '../bot/deps';
import { copyCommand } from '../bot/listeners/commands/copy';
import { decide } from '../bot/services/decide';
import { FakeSlack, testConfig, tempDbFile, testCopywriter, REVIEWER, REQUESTER, CHANNEL, SECRETS } from './bot-harness';

const CW = testCopywriter();

describe('one writer per table: drafts, audit rows and the bandit', function () {
  this.timeout(120_000);
  let fake: FakeSlack;
  let deps: BotDeps;
  let client: webApi.WebClient;
  const count = (sql: string, ...args: unknown[]) => (deps.db.prepare(sql).get(...args) as { n: number }).n;

  beforeEach(async () => {
    fake = new FakeSlack();
    await fake.start();
    const dbFile = tempDbFile();
    const db = openStore(dbFile);
    deps = { config: testConfig(fake, dbFile), copywriter: await CW.make(db), db, logger: new RedactingLogger([], LogLevel.ERROR, () => undefined) };
    client = new webApi.WebClient(SECRETS.botToken, { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } });
  });
  afterEach(async () => {
    deps.db.close();
    await fake.stop();
  });

  async function request(n: number): Promise<{ requestId: string; draftIds: string[] }> {
    const command = { text: `user:${CW.user} item:${CW.item} n:${n}`, user_id: REQUESTER, channel_id: CHANNEL, command: '/copy', response_url: `${fake.url}/respond/x`, trigger_id: 't' };
    const out = await copyCommand(deps)({ command, ack: async () => undefined, respond: async () => undefined, client } as never);
    expect(out.kind).to.equal('posted');
    const draftIds = (out as { draftIds: string[] }).draftIds;
    return { requestId: getDraft(deps.db, draftIds[0])!.request_id!, draftIds };
  }

  it('a request: one row in requests, one insert per draft (one first version each), one drafted audit row', async () => {
    const { requestId, draftIds } = await request(2);
    expect(draftIds).to.have.length(2);
    expect(count('SELECT COUNT(*) AS n FROM requests WHERE id = ?', requestId)).to.equal(1);
    expect(count('SELECT COUNT(*) AS n FROM drafts WHERE request_id = ?', requestId)).to.equal(2);
    for (const id of draftIds) expect(count('SELECT COUNT(*) AS n FROM draft_versions WHERE draft_id = ?', id)).to.equal(1);
    expect(count("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'drafted'")).to.equal(1);
    expect(count("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'drafted' AND after_json LIKE ?", `%${requestId}%`)).to.equal(1);
    // posting is its own event: one row, not a second 'drafted'
    expect(count("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'posted' AND after_json LIKE ?", `%${requestId}%`)).to.equal(1);
  });

  it('a decision, its audit row and the bandit update commit together: a failure after the bandit write leaves none of them', async () => {
    const { draftIds } = await request(1);
    const [id] = draftIds;
    const real = deps.copywriter.recordDecision.bind(deps.copywriter);
    // the bandit is written, then the transaction fails before it commits
    deps.copywriter.recordDecision = (draftId, decision) => {
      real(draftId, decision);
      throw new Error('crash after the bandit update (test)');
    };
    const ctx = { actor: REVIEWER, draftId: id, channel: CHANNEL };
    expect(await decide(deps, client as never, ctx, 'approved')).to.equal('failed');
    expect(getDraft(deps.db, id)!.status).to.equal('pending');
    expect(count("SELECT COUNT(*) AS n FROM audit_log WHERE draft_id = ? AND action IN ('approved', 'bandit_reported')", id)).to.equal(0);
    expect(count('SELECT COUNT(*) AS n FROM bandit_feedback WHERE draft_id = ?', id)).to.equal(0);

    deps.copywriter.recordDecision = real;
    expect(await decide(deps, client as never, ctx, 'approved')).to.equal('changed');
    expect(getDraft(deps.db, id)!.status).to.equal('approved');
    expect(count("SELECT COUNT(*) AS n FROM audit_log WHERE draft_id = ? AND action = 'approved'", id)).to.equal(1);
    expect(count("SELECT COUNT(*) AS n FROM audit_log WHERE draft_id = ? AND action = 'bandit_reported'", id)).to.equal(1);
    expect(count("SELECT COUNT(*) AS n FROM bandit_feedback WHERE draft_id = ? AND kind = 'decision'", id)).to.equal(1);
    // a second click changes nothing: the draft, the audit log and the bandit stay as they are
    expect(await decide(deps, client as never, ctx, 'approved')).to.equal('unchanged');
    expect(count("SELECT COUNT(*) AS n FROM audit_log WHERE draft_id = ? AND action IN ('approved', 'bandit_reported')", id)).to.equal(2);
    expect(count('SELECT COUNT(*) AS n FROM bandit_feedback WHERE draft_id = ?', id)).to.equal(1);
  });
});
