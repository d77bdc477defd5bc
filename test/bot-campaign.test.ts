/**
 * `/copy campaign …` on the REAL Bolt app (HTTP mode, loopback Web API stand-in): the command
 * acks at once, ONE message shows the progress (chat.update, never re-posted), ends with a
 * sample and Approve / Reject buttons; a non-reviewer is refused; a reviewer's approval
 * approves every draft of the campaign once. A bad spec gets one ephemeral line, nothing posted.
 */
import { expect } from 'chai';
import { FakeSlack, startBot, send, sendExternal, slashCommandBody, blockActionPayload, formPayload, buttonsOf, testCopywriter, REVIEWER, OUTSIDER, type RunningBot } from './bot-harness';
import { parseCampaignText } from '../bot/listeners/campaign';
import { buildHome } from '../bot/listeners/events/app-home-opened';

const CW = testCopywriter();

describe('slack bot: /copy campaign (real Bolt app)', function () {
  this.timeout(240_000);
  let fake: FakeSlack;
  let run: RunningBot;

  before(async () => {
    fake = new FakeSlack();
    await fake.start();
    run = await startBot(fake, CW.make);
  });
  after(async () => {
    await run?.stop();
    await fake?.stop();
    run?.db.close();
  });

  it('parses the campaign text and names what is wrong', () => {
    expect(parseCampaignText('campaign item:SKU-1001 segment:taste:甜美 limit:20 holdout:0')).to.deep.equal({ ok: true, request: { item: 'SKU-1001', segment: 'taste:甜美', limit: 20, holdout: 0 } });
    expect(parseCampaignText('campaign segment:all')).to.deep.include({ ok: false });
    expect(parseCampaignText('campaign item:SKU-1 segment:colour:red')).to.deep.include({ ok: false });
    expect(parseCampaignText('campaign item:SKU-1 limit:-3')).to.deep.include({ ok: false });
  });

  it('a bad spec is answered in the ack, nothing posted; /copy drafts are not triggered', async () => {
    const res = await sendExternal(run.port, slashCommandBody(fake, 'campaign item:SKU-1001 segment:everyone'));
    expect(res.status).to.equal(200);
    expect(JSON.parse(res.body)).to.include({ response_type: 'ephemeral' });
    expect(JSON.parse(res.body).text).to.match(/segment "everyone"/);
    await new Promise((r) => setTimeout(r, 500));
    expect(fake.of('chat.postMessage')).to.have.length(0);
  });

  it('runs a campaign with live progress in one message, then approve by a reviewer only', async () => {
    const res = await sendExternal(run.port, slashCommandBody(fake, 'campaign item:SKU-1001 segment:all limit:12 holdout:0'));
    expect(res.status).to.equal(200);
    expect(res.ms).to.be.below(3000);
    await fake.waitFor(() => fake.of("chat.postMessage")[0], 30_000, "progress message posted");
    const final = await fake.waitFor(() => fake.of('chat.update').find((u) => u.params.blocks), 200_000, 'final update with the sample');
    expect(fake.of('chat.postMessage')).to.have.length(1);
    const buttons = buttonsOf(final);
    expect(buttons.map((b) => b.action_id)).to.deep.equal(['campaign_approve', 'campaign_reject']);
    const id = buttons[0].value;
    expect(String(final.params.text)).to.match(new RegExp(`Campaign ${id}: .* 12/12 drafted`));
    const messageTs = String(final.params.ts);
    const click = (user: string, actionId: string) => send(run.port, formPayload({ ...blockActionPayload({ user, actionId, draftId: id, messageTs }), actions: [{ type: 'button', action_id: actionId, value: id, block_id: `campaign:${id}`, text: { type: 'plain_text', text: 'x' }, action_ts: `${Date.now() / 1000}` }] }));
    await click(OUTSIDER, 'campaign_approve');
    await fake.waitFor(() => fake.of('chat.postEphemeral').length > 0, 10_000, 'refusal');
    const pending = () => (run.db.prepare("SELECT COUNT(*) AS n FROM campaign_drafts c JOIN drafts d ON d.id = c.draft_id WHERE c.campaign_id = ? AND d.status = 'approved'").get(id) as { n: number }).n;
    expect(pending()).to.equal(0);
    await click(REVIEWER, 'campaign_approve');
    await fake.waitFor(() => fake.of('chat.update').find((u) => /approved by/.test(String(u.params.text))), 10_000, 'approved update');
    expect(pending()).to.equal(12);
    await click(REVIEWER, 'campaign_approve');
    await new Promise((r) => setTimeout(r, 500));
    expect(fake.of('chat.update').filter((u) => /approved by/.test(String(u.params.text)))).to.have.length(1);
    // The App Home lists the campaign for a reviewer, with its counts; an outsider who did not start it does not see it.
    const home = (viewer: string) => buildHome(run.bot.deps, viewer).then((v) => JSON.stringify(v.blocks));
    expect(await home(REVIEWER)).to.include(id).and.match(/12 users, 12 drafted, 0 awaiting review, 12 approved/);
    const outsider = await home(OUTSIDER);
    expect(outsider).to.not.include(id);
    expect(outsider).to.include('no campaigns yet');
  });

  it('echoes nothing a user typed as live markup, and caps the request length', async () => {
    expect(parseCampaignText(`campaign item:SKU-1001 segment:all ${'x'.repeat(2000)}`)).to.deep.include({ ok: false });
    const res = await send(run.port, slashCommandBody(fake, 'campaign item:SKU-1001 segment:<!channel>'));
    expect(res.status).to.equal(200);
    expect(res.body).to.not.include('<!channel>');
  });
});
