/** The bot's pure parts: request parsing, configuration, redaction, Block Kit limits, .env, manifest. */
import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { LogLevel } from '@slack/bolt';
import { parseCopyRequest } from '../bot/parse';
import { ConfigError, loadConfig, describeConfig } from '../bot/config';
import { RedactingLogger, redact } from '../bot/logger';
import { draftsMessage, ACTIONS } from '../bot/blocks/drafts';
import { editModal, parseEditMetadata } from '../bot/blocks/edit-modal';
import { truncate } from '../bot/blocks/text';
import { parseEnvFile } from '../bot/env-file';
import { modelVersions } from '../bot/models';
import { COMMAND } from '../bot/listeners';
import type { DraftRow } from '../core/store/drafts';

describe('bot: /copy parsing', () => {
  const ok = (text: string) => {
    const r = parseCopyRequest(text);
    if (!r.ok) throw new Error(r.error);
    return r.request;
  };
  it('reads key:value pairs in any order, with defaults', () => {
    expect(ok('user:u-381 item:SKU-1042 tone:warm n:2')).to.deep.equal({ userId: 'u-381', itemId: 'SKU-1042', tone: 'warm', n: 2 });
    expect(ok('n:4 tone:concise item:SKU-1 user:u-9')).to.deep.equal({ userId: 'u-9', itemId: 'SKU-1', tone: 'concise', n: 4 });
    expect(ok('user=u-1')).to.deep.equal({ userId: 'u-1', itemId: undefined, tone: 'auto', n: 3 });
    expect(ok('用户：u-5 商品：SKU-9 语气：安心')).to.deep.equal({ userId: 'u-5', itemId: 'SKU-9', tone: 'reassuring', n: 3 });
  });
  it('reads plain Chinese and English', () => {
    expect(ok('给 u-381 写 SKU-1042 的文案')).to.deep.equal({ userId: 'u-381', itemId: 'SKU-1042', tone: 'auto', n: 3 });
    expect(ok('给用户 u-7 写两条温暖的文案')).to.deep.equal({ userId: 'u-7', itemId: undefined, tone: 'warm', n: 2 });
    expect(ok('3 excited drafts for u-381 about SKU-1042')).to.deep.equal({ userId: 'u-381', itemId: 'SKU-1042', tone: 'excited', n: 3 });
    expect(ok('<@U0BOT> write copy for 381 about 1042, 1 version')).to.deep.equal({ userId: '381', itemId: '1042', tone: 'auto', n: 1 });
  });
  it('refuses what it cannot read, saying why', () => {
    const err = (text: string) => { const r = parseCopyRequest(text); expect(r.ok).to.equal(false); return (r as { error: string }).error; };
    expect(err('')).to.match(/whose copy/);
    expect(err('item:SKU-1')).to.match(/no user/);
    expect(err('user:u-1 n:6')).to.match(/n must be from 1 to 5/);
    expect(err('user:u-1 n:0')).to.match(/n must be from 1 to 5/);
    expect(err('user:u-1 tone:angry')).to.match(/"angry" is not a tone/);
    expect(err('user:u-1 colour:red')).to.match(/option "colour"/);
    expect(err('u-1 SKU-2 x-3')).to.match(/"x-3"/);
    expect(err('user:u-1 user:u-2')).to.match(/two users/);
  });
});

describe('bot: configuration', () => {
  const env = { SLACK_BOT_TOKEN: 'xoxb-1-2-SECRETVALUE', SLACK_SIGNING_SECRET: 'sshh-signing-secret', COPYDESK_REVIEWERS: 'U01ABC, U02DEF' };
  it('parses a valid environment with defaults', () => {
    const c = loadConfig(env);
    expect([...c.reviewers]).to.deep.equal(['U01ABC', 'U02DEF']);
    expect(c).to.include({ port: 3000, dbFile: './copydesk.db', appToken: undefined, slackApiUrl: undefined });
    expect(loadConfig({ ...env, SLACK_API_URL: 'http://127.0.0.1:9/api', SLACK_APP_TOKEN: 'xapp-1-x', PORT: '0' })).to.include({ slackApiUrl: 'http://127.0.0.1:9/api/', appToken: 'xapp-1-x', port: 0 });
    expect(describeConfig(loadConfig({ ...env, SLACK_APP_TOKEN: 'xapp-1-x' }))).to.match(/^Socket Mode; 2 reviewer/);
  });
  it('lists every problem at once and never echoes a secret', () => {
    try {
      loadConfig({ SLACK_BOT_TOKEN: 'xoxp-user-SECRETVALUE', SLACK_APP_TOKEN: 'wrong-SECRET', COPYDESK_REVIEWERS: 'bob', PORT: '99999', SLACK_API_URL: 'ftp://x' });
      expect.fail('should throw');
    } catch (e) {
      expect(e).to.be.instanceOf(ConfigError);
      const c = e as ConfigError;
      expect(c.problems).to.have.length(6);
      expect(c.message).to.match(/SLACK_BOT_TOKEN .*xoxb-/).and.to.match(/SLACK_SIGNING_SECRET is missing/).and.to.match(/SLACK_APP_TOKEN/).and.to.match(/"bob"/).and.to.match(/PORT/).and.to.match(/SLACK_API_URL/);
      expect(c.message).to.not.include('SECRETVALUE').and.not.include('wrong-SECRET');
    }
    expect(() => loadConfig({})).to.throw(ConfigError, /SLACK_BOT_TOKEN is missing.*SLACK_SIGNING_SECRET is missing.*COPYDESK_REVIEWERS is missing/);
  });
});

describe('bot: logger redaction', () => {
  it('removes configured secrets and anything shaped like a Slack token', () => {
    const lines: string[] = [];
    const log = new RedactingLogger(['my-signing-secret'], LogLevel.DEBUG, (l) => lines.push(l));
    log.debug('headers', { Authorization: 'Bearer xoxb-123-456-abc' }, 'secret=my-signing-secret');
    log.error(new Error('failed with xapp-1-A1-2-xyz'));
    const all = lines.join('\n');
    expect(all).to.not.match(/xoxb-|xapp-|my-signing-secret/);
    expect(all.match(/\[redacted\]/g)).to.have.length(3);
    log.setLevel(LogLevel.WARN);
    log.info('hidden');
    expect(lines).to.have.length(2);
    expect(redact('token xoxp-9-9 ok', [])).to.equal('token [redacted] ok');
  });
});

function row(i: number, over: Partial<DraftRow> = {}): DraftRow {
  return {
    id: `d_${i}`, request_id: 'r_1', user_id: 'u-1', user_pseudonym: 'p_abc', item_id: 'SKU-1', text: `文案 ${i} <b>&`, tone: 'warm', strategy: 'warm/texture/short', segment: 's',
    score: 0.5, compliance_json: JSON.stringify({ ok: true, findings: [] }), explanation: '偏好: 雪纺', status: 'pending', version: 1, edited: 0, supersedes: null,
    decided_by: null, decided_at: null, channel: 'C1', message_ts: '1.1', created_at: '2026-11-27T00:00:00.000Z', ...over,
  };
}

describe('bot: Block Kit', () => {
  it('one section per draft with the four buttons (value = draft id), mrkdwn escaped', () => {
    const m = draftsMessage([row(1), row(2)], { requestedBy: 'U1', userPseudonym: 'p_abc', itemId: 'SKU-1' });
    const actions = m.blocks.filter((b) => b.type === 'actions') as Array<{ elements: Array<{ action_id: string; value: string }> }>;
    expect(actions).to.have.length(2);
    expect(actions[0].elements.map((e) => e.action_id)).to.deep.equal(Object.values(ACTIONS));
    expect(actions[1].elements.every((e) => e.value === 'd_2')).to.equal(true);
    expect(JSON.stringify(m.blocks)).to.include('&lt;b&gt;&amp;').and.not.include('<b>');
    expect(m.text).to.match(/2 draft\(s\) for p_abc/);
  });
  it('decided drafts lose their buttons and say who decided and when', () => {
    const m = draftsMessage([row(1, { status: 'approved', decided_by: 'U9', decided_at: '2026-11-27T10:00:00.000Z' }), row(2, { status: 'rejected', decided_by: 'U9', decided_at: '2026-11-27T10:00:00.000Z' })], { userPseudonym: 'p' });
    expect(m.blocks.filter((b) => b.type === 'actions')).to.have.length(0);
    expect(JSON.stringify(m.blocks)).to.include('Approved* by <@U9> · <!date^1795773600^').and.include('Rejected* by <@U9>');
  });
  it('respects 50 blocks and 3,000 characters per section', () => {
    const m = draftsMessage(Array.from({ length: 20 }, (_, i) => row(i, { text: '长'.repeat(5000), explanation: '解'.repeat(3000) })), { userPseudonym: 'p' });
    expect(m.blocks.length).to.be.at.most(50);
    for (const b of m.blocks as Array<{ type: string; text?: { text: string }; elements?: Array<{ text?: string }> }>) {
      if (b.text) expect(b.text.text.length).to.be.at.most(3000);
      for (const e of b.elements ?? []) if (e.text && typeof e.text === 'string') expect(e.text.length).to.be.at.most(2000);
    }
    expect(JSON.stringify(m.blocks.at(-1))).to.match(/more draft\(s\) not shown/);
    expect(truncate('😀😀😀', 4)).to.equal('😀…');
  });
  it('the edit modal is prefilled and carries the draft and version', () => {
    const v = editModal(row(3), { draftId: 'd_3', version: 1 });
    expect(JSON.stringify(v.blocks)).to.include('"initial_value":"文案 3 <b>&"');
    expect(parseEditMetadata(v.private_metadata)).to.deep.equal({ draftId: 'd_3', version: 1 });
    expect(parseEditMetadata('{"x":1}')).to.equal(undefined);
  });
});

describe('bot: .env, models, manifest', () => {
  it('parses .env lines (comments, quotes, empty values skipped)', () => {
    expect(parseEnvFile('# c\nA=1\nB="two words"\nexport C=3 # note\nD=\n')).to.deep.equal({ A: '1', B: 'two words', C: '3' });
  });
  it('reads model versions from VERSION files or model cards', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'models-'));
    fs.mkdirSync(path.join(dir, 'mf'));
    fs.writeFileSync(path.join(dir, 'mf', 'model_card.md'), '# MF model\n\n- version: mf-2026-11-27 (bpr, k=32)\n');
    fs.mkdirSync(path.join(dir, 'gen'));
    fs.writeFileSync(path.join(dir, 'gen', 'VERSION'), 'gen-v3\n');
    expect(modelVersions(dir)).to.deep.equal([{ name: 'gen', version: 'gen-v3' }, { name: 'mf', version: 'mf-2026-11-27 (bpr, k=32)' }]);
  });
  it('the manifest declares what the app uses: /copy, the events, interactivity, App Home, scopes', () => {
    const m = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'bot', 'manifest.json'), 'utf8'));
    expect(m.features.slash_commands.map((c: { command: string }) => c.command)).to.deep.equal([COMMAND]);
    expect(m.settings.event_subscriptions.bot_events).to.have.members(['app_home_opened', 'app_mention', 'message.im']);
    expect(m.settings.interactivity.is_enabled).to.equal(true);
    expect(m.features.app_home.home_tab_enabled).to.equal(true);
    expect(m.settings.socket_mode_enabled).to.equal(true);
    expect(m.oauth_config.scopes.bot).to.include.members(['commands', 'chat:write', 'app_mentions:read', 'im:history', 'channels:history', 'groups:history']);
  });
});
