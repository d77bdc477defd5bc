/**
 * Each listener alone: called directly with Bolt-shaped arguments, a real
 * WebClient pointed at the loopback Web API stand-in, a temp store and the
 * copywriter (no Bolt app, no HTTP receiver).
 */
import { expect } from 'chai';
import { LogLevel, webApi } from '@slack/bolt';
import { openStore } from '../core/store/db';
import { RedactingLogger } from '../bot/logger';
import type { BotDeps } from '../bot/deps';
import { copyCommand } from '../bot/listeners/commands/copy';
import { decideAction } from '../bot/listeners/actions/decide';
import { regenerateAction } from '../bot/listeners/actions/regenerate';
import { editAction } from '../bot/listeners/actions/edit';
import { editSubmit } from '../bot/listeners/views/edit-submit';
import { appMention } from '../bot/listeners/events/app-mention';
import { directMessage } from '../bot/listeners/events/direct-message';
import { appHomeOpened } from '../bot/listeners/events/app-home-opened';
import { getDraft } from '../core/store/drafts';
import { FakeSlack, testConfig, tempDbFile, testCopywriter, blockActionPayload, viewSubmissionPayload, buttonsOf, REVIEWER, REQUESTER, OUTSIDER, CHANNEL, SECRETS } from './bot-harness';

const CW = testCopywriter();

describe('slack bot: each handler alone', function () {
  this.timeout(60_000);
  let fake: FakeSlack;
  let deps: BotDeps;
  let client: webApi.WebClient;
  const order: string[] = [];
  const ack = async (r?: unknown) => { order.push(`ack${r ? `:${JSON.stringify(r)}` : ''}`); };

  beforeEach(async () => {
    fake = new FakeSlack();
    await fake.start();
    const dbFile = tempDbFile();
    const db = openStore(dbFile);
    deps = { config: testConfig(fake, dbFile), copywriter: await CW.make(db), db, logger: new RedactingLogger([], LogLevel.ERROR, () => undefined) };
    client = new webApi.WebClient(SECRETS.botToken, { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } });
    order.length = 0;
  });
  afterEach(async () => {
    deps.db.close();
    await fake.stop();
  });

  const command = (text: string) => ({ text, user_id: REQUESTER, channel_id: CHANNEL, command: '/copy', response_url: `${fake.url}/respond/x`, trigger_id: 't' }) as never;
  const respond = async (m: unknown) => { order.push(`respond:${JSON.stringify(m)}`); };

  async function posted() {
    const out = await copyCommand(deps)({ command: command(`user:${CW.user} item:${CW.item} n:1`), ack, respond, client } as never);
    expect(out.kind).to.equal('posted');
    const id = (out as { draftIds: string[] }).draftIds[0];
    return getDraft(deps.db, id)!;
  }
  const button = (user: string, actionId: string, d: { id: string; message_ts: string | null }) => {
    const body = blockActionPayload({ user, actionId, draftId: d.id, messageTs: d.message_ts! }) as any;
    return { ack, body, action: body.actions[0], client } as never;
  };

  it('copyCommand: invalid text → ephemeral usage in the ack, nothing posted', async () => {
    const out = await copyCommand(deps)({ command: command('n:7'), ack, respond, client } as never);
    expect(out.kind).to.equal('invalid');
    expect(order).to.have.length(1);
    expect(order[0]).to.match(/^ack:.*"response_type":"ephemeral".*How to ask for copy/);
    expect(fake.calls).to.have.length(0);
  });

  it('copyCommand: acks before drafting, then posts the drafts message', async () => {
    const d = await posted();
    expect(order[0]).to.match(/^ack:.*Writing 1 draft/);
    const post = fake.of('chat.postMessage')[0];
    expect(post.params.channel).to.equal(CHANNEL);
    expect(buttonsOf(post).map((b) => b.value)).to.deep.equal([d.id, d.id, d.id, d.id]);
    expect(d.message_ts).to.be.a('string');
  });

  it('copyCommand: an unknown item is named in an ephemeral reply', async () => {
    const out = await copyCommand(deps)({ command: command(`user:${CW.user} item:NOPE-1`), ack, respond, client } as never);
    expect(out).to.deep.equal({ kind: 'unknown', entity: 'item', id: 'NOPE-1' });
    expect(order[1]).to.match(/respond:.*don't know the item `NOPE-1`/);
  });

  it('decideAction: a reviewer approves once; an outsider is refused', async () => {
    const d = await posted();
    expect(await decideAction(deps, 'approved')(button(OUTSIDER, 'draft_approve', d))).to.equal('refused');
    expect(getDraft(deps.db, d.id)!.status).to.equal('pending');
    expect(await decideAction(deps, 'approved')(button(REVIEWER, 'draft_approve', d))).to.equal('changed');
    expect(await decideAction(deps, 'rejected')(button(REVIEWER, 'draft_reject', d))).to.equal('unchanged');
    expect(getDraft(deps.db, d.id)!.status).to.equal('approved');
    expect(order.filter((o) => o === 'ack').length).to.equal(3);
    expect(fake.of('chat.update')).to.have.length(2);
  });

  it('regenerateAction: supersedes and posts the successor in the thread', async () => {
    const d = await posted();
    expect(await regenerateAction(deps)(button(REVIEWER, 'draft_regenerate', d))).to.equal('changed');
    expect(getDraft(deps.db, d.id)!.status).to.equal('superseded');
    const post = fake.of('chat.postMessage')[1];
    expect(post.params.thread_ts).to.equal(d.message_ts);
    expect(getDraft(deps.db, buttonsOf(post)[0].value)!.supersedes).to.equal(d.id);
  });

  it('editAction opens the modal; editSubmit refuses empty text and stores a clean edit', async () => {
    const d = await posted();
    expect(await editAction(deps)(button(REVIEWER, 'draft_edit', d))).to.equal('opened');
    const view = fake.of('views.open')[0].params.view as any;
    const meta = typeof view === 'string' ? JSON.parse(view).private_metadata : view.private_metadata;
    const submit = (text: string, user = REVIEWER) => {
      const body = viewSubmissionPayload(user, meta, text) as any;
      return editSubmit(deps)({ ack, body, view: body.view, client } as never);
    };
    expect(await submit('   ')).to.deep.equal({ ok: false, error: 'The copy cannot be empty.' });
    expect((await submit('雪纺连衣裙清新透气', OUTSIDER)).ok).to.equal(false);
    expect(await submit('雪纺连衣裙清新透气，周末出游正合适')).to.deep.equal({ ok: true, version: 2 });
    expect(order.filter((o) => o.startsWith('ack:{"response_action":"errors"')).length).to.equal(2);
    expect(getDraft(deps.db, d.id)!.text).to.equal('雪纺连衣裙清新透气，周末出游正合适');
    expect(fake.of('chat.update')).to.have.length(1);
  });

  it('appMention: answers in the thread, and only once per event id (the id is kept in the store)', async () => {
    const args = { event: { type: 'app_mention', user: REVIEWER, text: `<@UBOTUSER> user:${CW.user} item:${CW.item} n:1`, ts: '1.000001', channel: CHANNEL }, body: { event_id: 'Ev1' }, client } as never;
    expect((await appMention(deps)(args) as { kind: string }).kind).to.equal('posted');
    expect(await appMention(deps)(args)).to.deep.equal({ kind: 'duplicate' });
    expect(fake.of('chat.postMessage')).to.have.length(1);
    expect(fake.of('chat.postMessage')[0].params.thread_ts).to.equal('1.000001');
  });

  it('directMessage: ignores edits and bot posts, answers plain DMs', async () => {
    const dm = (event: Record<string, unknown>) => directMessage(deps)({ event: { channel_type: 'im', channel: 'D1', ts: '2.0', ...event }, body: { event_id: `E${Math.random()}` }, client } as never);
    expect(await dm({ subtype: 'message_changed', user: REVIEWER, text: 'x' })).to.equal('ignored');
    expect(await dm({ bot_id: 'B0BOT', user: 'UBOTUSER', text: 'x' })).to.equal('ignored');
    expect(await dm({ channel_type: 'channel', user: REVIEWER, text: 'x' })).to.equal('ignored');
    expect(((await dm({ user: REVIEWER, text: 'help' })) as { kind: string }).kind).to.equal('invalid');
    expect(fake.of('chat.postMessage')[0].params.thread_ts).to.equal('2.0');
  });

  it('appHomeOpened: publishes the Home tab, ignores the Messages tab', async () => {
    expect(await appHomeOpened(deps)({ event: { type: 'app_home_opened', user: REVIEWER, tab: 'messages', channel: 'D1', event_ts: '1' }, client } as never)).to.equal(false);
    expect(await appHomeOpened(deps)({ event: { type: 'app_home_opened', user: REVIEWER, tab: 'home', channel: 'D1', event_ts: '1' }, client } as never)).to.equal(true);
    expect(fake.of('views.publish')).to.have.length(1);
  });
});
