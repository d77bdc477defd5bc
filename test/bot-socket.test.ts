/**
 * Socket Mode (SLACK_APP_TOKEN set): the real app opens its connection through
 * apps.connections.open on the loopback Web API with the app token, then takes
 * a slash command and a button click over a loopback WebSocket standing in for
 * Slack's, acking each envelope.
 */
import { expect } from 'chai';
import { LogLevel } from '@slack/bolt';
import { openStore } from '../core/store/db';
import { createApp } from '../bot/app';
import { secretsOf } from '../bot/config';
import { RedactingLogger } from '../bot/logger';
import { getDraft } from '../core/store/drafts';
import { FakeSlack, testConfig, tempDbFile, testCopywriter, blockActionPayload, buttonsOf, SECRETS, REVIEWER, REQUESTER, CHANNEL } from './bot-harness';

// ws ships with @slack/socket-mode (a dependency of @slack/bolt).
// eslint-disable-next-line @typescript-eslint/no-var-requires
const { WebSocketServer } = require('ws') as typeof import('ws');

const CW = testCopywriter();

describe('slack bot in Socket Mode (loopback WebSocket)', function () {
  this.timeout(60_000);
  it('connects with the app token, answers a slash command and a click, acking each envelope', async () => {
    const fake = new FakeSlack();
    await fake.start();
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((ok) => wss.once('listening', () => ok()));
    const wsUrl = `ws://127.0.0.1:${(wss.address() as { port: number }).port}/link`;
    fake.extra['apps.connections.open'] = () => ({ ok: true, url: wsUrl });
    const acks: Array<{ envelope_id: string; payload?: Record<string, unknown> }> = [];
    let socket: import('ws').WebSocket | undefined;
    wss.on('connection', (ws) => {
      socket = ws;
      ws.on('message', (m) => acks.push(JSON.parse(String(m))));
      ws.send(JSON.stringify({ type: 'hello', num_connections: 1, connection_info: { app_id: 'A0COPYDESK' }, debug_info: { host: 'loopback', approximate_connection_time: 3600 } }));
    });

    const dbFile = tempDbFile();
    const db = openStore(dbFile);
    const config = testConfig(fake, dbFile, { SLACK_APP_TOKEN: SECRETS.appToken });
    const lines: string[] = [];
    const bot = createApp({ config, copywriter: await CW.make(db), db, logger: new RedactingLogger(secretsOf(config), LogLevel.DEBUG, (l) => lines.push(l)) });
    expect(bot.mode).to.equal('socket');
    try {
      await bot.start();
      const open = await fake.waitFor(() => fake.calls.find((c) => c.method === 'apps.connections.open'));
      expect(open.authorization).to.equal(`Bearer ${SECRETS.appToken}`);
      await fake.waitFor(() => socket, 10_000, 'websocket connection');

      socket!.send(JSON.stringify({
        envelope_id: 'env-cmd-1', type: 'slash_commands', accepts_response_payload: true,
        payload: { command: '/copy', text: `user:${CW.user} item:${CW.item} n:1`, user_id: REQUESTER, channel_id: CHANNEL, team_id: 'T0TEST', api_app_id: 'A0COPYDESK', response_url: `${fake.url}/respond/s1`, trigger_id: 't1' },
      }));
      const ack = await fake.waitFor(() => acks.find((a) => a.envelope_id === 'env-cmd-1'), 10_000, 'envelope ack');
      expect(String(ack.payload?.text)).to.match(/Writing 1 draft/);
      const post = await fake.waitFor(() => fake.of('chat.postMessage')[0], 30_000, 'drafts posted');
      const id = buttonsOf(post)[0].value;
      await fake.waitFor(() => getDraft(db, id)?.message_ts);

      socket!.send(JSON.stringify({ envelope_id: 'env-click-1', type: 'interactive', accepts_response_payload: false,
        payload: blockActionPayload({ user: REVIEWER, actionId: 'draft_approve', draftId: id, messageTs: getDraft(db, id)!.message_ts! }) }));
      await fake.waitFor(() => acks.find((a) => a.envelope_id === 'env-click-1'), 10_000, 'click ack');
      await fake.waitFor(() => fake.of('chat.update')[0], 10_000, 'chat.update');
      expect(getDraft(db, id)!.status).to.equal('approved');
    } finally {
      await bot.stop();
      wss.close();
      await fake.stop();
      db.close();
    }
    const log = lines.join('\n');
    for (const s of Object.values(SECRETS)) expect(log).to.not.include(s);
  });
});
