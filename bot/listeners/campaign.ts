/**
 * `/copy campaign item:<id> segment:<spec> [limit:<n>] [holdout:<share>]` in Slack: starts a
 * campaign (core/campaign, through `copydesk campaign run` in a child process so the bot's event
 * loop stays free while thousands of drafts are written), shows its progress in ONE message
 * (chat.update, not re-posted), then a sample of drafts with Approve / Reject buttons for the
 * whole campaign (reviewers only; the decision is stored once, like a draft's).
 */
import { spawn } from 'child_process';
import * as path from 'path';
import type { AllMiddlewareArgs, App, BlockAction, ButtonAction, SlackActionMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { PROJECT_ROOT } from '../../core/util/paths';
import { parseSegment, parseHoldout, parseLimit, CampaignSpecError } from '../../core/campaign/spec';
import { sqliteSql } from '../../core/campaign/sql';
import { CampaignTables } from '../../core/campaign/tables';
import { reviewSample } from '../../core/campaign/report';
import { isReviewer, type BotDeps, type SlackClient } from '../deps';
import { REFUSAL } from '../services/decide';
import { tryCall } from '../services/slack';
import { escapeMrkdwn } from '../blocks/text';
import { MAX_REQUEST_CHARS } from '../parse';

export const CAMPAIGN_ACTIONS = { approve: 'campaign_approve', reject: 'campaign_reject' } as const;
export const CAMPAIGN_USAGE = 'Usage: `/copy campaign item:<item id> segment:<all | taste:甜美 | category:裙> [limit:<n>] [holdout:<0-0.9>]`';
export const SAMPLE_SIZE = 3;

export function isCampaignText(text: string): boolean {
  return /^\s*campaign(\s|$)/i.test(text ?? '');
}

export interface CampaignRequest { item: string; segment: string; limit?: number; holdout: number }

/** Parses `campaign item:… segment:… limit:… holdout:…`; an error message names what is wrong. */
export function parseCampaignText(text: string): { ok: true; request: CampaignRequest } | { ok: false; error: string } {
  if (text.length > MAX_REQUEST_CHARS) return { ok: false, error: `The request is ${text.length.toLocaleString('en-US')} characters long; at most ${MAX_REQUEST_CHARS.toLocaleString('en-US')} are read.` };
  const words = text.trim().split(/\s+/).slice(1);
  const kv = new Map<string, string>();
  for (const w of words) {
    const at = w.indexOf(':');
    if (at <= 0) return { ok: false, error: `"${w.slice(0, 40)}" is not key:value` };
    kv.set(w.slice(0, at).toLowerCase(), w.slice(at + 1));
  }
  for (const k of kv.keys()) if (!['item', 'segment', 'limit', 'holdout'].includes(k)) return { ok: false, error: `unknown key "${k.slice(0, 20)}"` };
  const item = kv.get('item');
  if (!item || !/^[A-Za-z0-9_-]{1,40}$/.test(item)) return { ok: false, error: 'item:<item id> is required' };
  try {
    const segment = kv.get('segment') ?? 'all';
    const seg = parseSegment(segment);
    if (seg.kind === 'csv') return { ok: false, error: 'csv: segments are for the CLI (the file must be on the bot host)' };
    return { ok: true, request: { item, segment, limit: parseLimit(kv.get('limit')), holdout: parseHoldout(kv.get('holdout')) } };
  } catch (e) {
    if (e instanceof CampaignSpecError) return { ok: false, error: e.message };
    throw e;
  }
}

function progressText(id: string | undefined, done: number, total: number, eta?: string): string {
  const pct = total > 0 ? Math.round((100 * done) / total) : 0;
  const bar = '█'.repeat(Math.round(pct / 10)) + '░'.repeat(10 - Math.round(pct / 10));
  return `:mega: Campaign ${id ?? '(starting)'}: ${bar} ${done}/${total || '?'} drafted (${pct}%)${eta ? ` · ETA ${eta}` : ''}`;
}

function tablesOf(deps: BotDeps): CampaignTables {
  return new CampaignTables(sqliteSql(deps.db));
}

async function sampleBlocks(deps: BotDeps, id: string, headline: string): Promise<Record<string, unknown>[]> {
  const sample = await reviewSample(tablesOf(deps), id, SAMPLE_SIZE);
  return [
    { type: 'section', text: { type: 'mrkdwn', text: headline } },
    ...sample.map((s) => ({ type: 'section', text: { type: 'mrkdwn', text: `*${escapeMrkdwn(s.user)}* · \`${escapeMrkdwn(s.draft_id)}\`\n${escapeMrkdwn(s.text.slice(0, 600))}\n_${escapeMrkdwn(s.explanation.slice(0, 200))}_` } })),
    ...(sample.length ? [{ type: 'actions', block_id: `campaign:${id}`, elements: [
      { type: 'button', action_id: CAMPAIGN_ACTIONS.approve, style: 'primary', text: { type: 'plain_text', text: 'Approve campaign' }, value: id },
      { type: 'button', action_id: CAMPAIGN_ACTIONS.reject, style: 'danger', text: { type: 'plain_text', text: 'Reject sample' }, value: id },
    ] }] : []),
  ];
}

/** Runs the campaign in a child `copydesk campaign run`, updating one Slack message as it goes. */
export async function runCampaign(deps: BotDeps, client: SlackClient, req: CampaignRequest, where: { channel: string; user: string }, opts: { updateMs?: number } = {}): Promise<string | undefined> {
  const posted = await tryCall(deps, 'chat.postMessage', () => client.chat.postMessage({ channel: where.channel, text: progressText(undefined, 0, 0) }));
  const ts = posted?.ts as string | undefined;
  const args = [path.join(PROJECT_ROOT, 'apps', 'cli', 'copydesk.js'), 'campaign', 'run', '--item', req.item, '--segment', req.segment, '--holdout', String(req.holdout), '--db', deps.db.name, '--json'];
  if (req.limit !== undefined) args.push('--limit', String(req.limit));
  const child = spawn(process.execPath, args, { env: { ...process.env, COPYDESK_QUIET: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let id: string | undefined;
  let total = 0;
  let done = 0;
  let eta: string | undefined;
  let stdout = '';
  let lastError = '';
  let lastUpdate = 0;
  const update = async (force = false) => {
    if (!ts || (!force && Date.now() - lastUpdate < (opts.updateMs ?? 3000))) return;
    lastUpdate = Date.now();
    await tryCall(deps, 'chat.update', () => client.chat.update({ channel: where.channel, ts, text: progressText(id, done, total, eta) }));
  };
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  let buf = '';
  child.stderr.on('data', (b: Buffer) => {
    buf += b.toString();
    const lines = buf.split('\n');
    buf = lines.pop() ?? '';
    for (const l of lines) {
      const start = /^campaign (c_[0-9a-f]+): (\d+) users/.exec(l);
      if (start) [id, total] = [start[1], Number(start[2])];
      const prog = /^campaign (c_[0-9a-f]+) (\d+)\/(\d+) .*ETA (\S+)/.exec(l);
      if (prog) [id, done, total, eta] = [prog[1], Number(prog[2]), Number(prog[3]), prog[4]];
      if (l.startsWith('copydesk: ') && !l.includes('pseudonym key')) lastError = l.slice('copydesk: '.length);
      void update();
    }
  });
  const code: number = await new Promise((resolve) => child.on('close', (c) => resolve(c ?? 1)));
  if (code !== 0 || !stdout.trim()) {
    const text = `:warning: The campaign could not run: ${lastError || `exit ${code}`}`;
    if (ts) await tryCall(deps, 'chat.update', () => client.chat.update({ channel: where.channel, ts, text }));
    return undefined;
  }
  const out = JSON.parse(stdout.trim().split('\n').pop()!) as { campaign_id: string; users: number; drafted: number; failed: number; seconds: number };
  id = out.campaign_id;
  done = out.drafted;
  total = out.users;
  eta = undefined;
  const headline = `${progressText(id, done, total)} · ${out.failed} failed · ${out.seconds} s\n*Sample for review* (approve to approve all ${out.drafted} drafts; reject to redraft):`;
  if (ts) await tryCall(deps, 'chat.update', async () => client.chat.update({ channel: where.channel, ts, text: progressText(id, done, total), blocks: (await sampleBlocks(deps, id!, headline)) as never }));
  return id;
}

type CommandArgs = Pick<SlackCommandMiddlewareArgs, 'command' | 'ack'> & Pick<AllMiddlewareArgs, 'client'>;
type ButtonArgs = Pick<SlackActionMiddlewareArgs<BlockAction<ButtonAction>>, 'ack' | 'body' | 'action'> & Pick<AllMiddlewareArgs, 'client'>;

export function campaignCommand(deps: BotDeps) {
  return async ({ command, ack, client }: CommandArgs): Promise<string | undefined> => {
    if (!isCampaignText(command.text)) return undefined;
    const parsed = parseCampaignText(command.text);
    if (!parsed.ok) {
      await ack({ response_type: 'ephemeral', text: `${escapeMrkdwn(parsed.error)}\n${CAMPAIGN_USAGE}` });
      return undefined;
    }
    await ack({ response_type: 'ephemeral', text: `:hourglass_flowing_sand: Starting a campaign for \`${escapeMrkdwn(parsed.request.item)}\` → ${escapeMrkdwn(parsed.request.segment)}…` });
    return runCampaign(deps, client, parsed.request, { channel: command.channel_id, user: command.user_id });
  };
}

export function campaignDecideAction(deps: BotDeps, decision: 'approved' | 'rejected') {
  return async ({ ack, body, action, client }: ButtonArgs): Promise<'changed' | 'refused' | 'unchanged'> => {
    await ack();
    const id = action.value ?? '';
    const channel = body.channel?.id ?? body.container?.channel_id;
    const ts = body.container?.message_ts ?? body.message?.ts;
    if (!isReviewer(deps, body.user.id)) {
      if (channel) await tryCall(deps, 'chat.postEphemeral', () => client.chat.postEphemeral({ channel, user: body.user.id, text: REFUSAL }));
      return 'refused';
    }
    const tables = tablesOf(deps);
    const c = await tables.get(id);
    const sample = (await reviewSample(tables, id, SAMPLE_SIZE)).map((s) => s.draft_id);
    if (!c || c.status !== 'review' || sample.length === 0) return 'unchanged';
    const r = await tables.decide(id, decision, sample, body.user.id, decision === 'rejected' ? `sample rejected in Slack by ${body.user.id}` : undefined);
    const text = decision === 'approved'
      ? `:white_check_mark: Campaign ${id} approved by <@${body.user.id}>: ${r.changed.length} drafts approved.`
      : `:x: Campaign ${id}: sample rejected by <@${body.user.id}>; ${r.changed.length} drafts set aside. Redraft with \`copydesk campaign resume ${id}\`.`;
    if (channel && ts) await tryCall(deps, 'chat.update', () => client.chat.update({ channel, ts, text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] as never }));
    return 'changed';
  };
}

export function registerCampaignListeners(app: App, deps: BotDeps): void {
  const done = <A>(h: (a: A) => Promise<unknown>) => async (a: A) => { await h(a); };
  app.command('/copy', done(campaignCommand(deps)) as never);
  app.action({ type: 'block_actions', action_id: CAMPAIGN_ACTIONS.approve }, done(campaignDecideAction(deps, 'approved')) as never);
  app.action({ type: 'block_actions', action_id: CAMPAIGN_ACTIONS.reject }, done(campaignDecideAction(deps, 'rejected')) as never);
}
