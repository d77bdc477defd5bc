/**
 * A copy request from Slack (slash command, mention or DM): parse, draft with
 * the copywriter, store, post the drafts message. Problems go back to the
 * person who asked through `reply` (ephemeral for the slash command, in the
 * thread for mentions and DMs).
 */
import { audit } from '../../core/store/db';
import { UnknownEntityError, type DraftRequest } from '../../core/copywriter/types';
import type { BotDeps, SlackClient } from '../deps';
import { parseCopyRequest, USAGE, type CopyRequest } from '../parse';
import { ensureStored } from '../store';
import { postDrafts } from './messages';
import { slackErrorCode } from './slack';

export interface RequestContext {
  requestedBy: string;
  channel: string;
  /** Answer in this thread (mentions, DMs). */
  threadTs?: string;
}

export type Reply = (text: string) => Promise<void>;

export type RequestOutcome =
  | { kind: 'invalid'; error: string }
  | { kind: 'unknown'; entity: 'user' | 'item'; id: string }
  | { kind: 'failed'; error: string }
  | { kind: 'posted'; requestId: string; draftIds: string[]; messageTs: string }
  | { kind: 'not_posted'; requestId: string; error: string };

export function usageText(error: string): string {
  return `:warning: ${error}\n\n${USAGE}`;
}

export function unknownText(entity: 'user' | 'item', id: string): string {
  return `:mag: I don't know the ${entity} \`${id}\`. Check the ${entity} id and try again.`;
}

export const GENERATION_FAILED = ':construction: Sorry, I could not write drafts just now (the copy generator hit an error). Please try again in a minute; the details are in the bot log.';

export function auditInvalid(deps: BotDeps, actor: string, error: string): void {
  audit(deps.db, { actor, action: 'request_invalid', after: { error } });
}

/** Drafts and posts copy for an already parsed request. */
export async function draftAndPost(deps: BotDeps, client: SlackClient, req: CopyRequest, ctx: RequestContext, reply: Reply): Promise<RequestOutcome> {
  const draftReq: DraftRequest = {
    userId: req.userId, itemId: req.itemId, tone: req.tone, n: req.n,
    source: { kind: 'slack', requestedBy: ctx.requestedBy, channel: ctx.channel, threadTs: ctx.threadTs },
  };
  let result;
  try {
    result = await deps.copywriter.draft(draftReq);
  } catch (e) {
    if (e instanceof UnknownEntityError || (e as Error)?.name === 'UnknownEntityError') {
      const u = e as UnknownEntityError;
      audit(deps.db, { actor: ctx.requestedBy, action: 'request_unknown', after: { kind: u.kind, id: u.id } });
      await reply(unknownText(u.kind, u.id));
      return { kind: 'unknown', entity: u.kind, id: u.id };
    }
    const error = (e as Error)?.message ?? String(e);
    deps.logger.error(`drafting failed: ${error}`);
    audit(deps.db, { actor: ctx.requestedBy, action: 'request_failed', after: { error } });
    await reply(GENERATION_FAILED);
    return { kind: 'failed', error };
  }
  ensureStored(deps.db, draftReq, result);
  const draftIds = result.drafts.map((d) => d.id);
  audit(deps.db, { actor: ctx.requestedBy, action: 'requested', after: { request_id: result.request_id, user: result.user, item: req.itemId ?? null, tone: req.tone, n: req.n, drafts: draftIds } });
  if (draftIds.length === 0) {
    await reply(':shrug: Every draft I wrote failed the 广告法 check, so none is offered. Try another tone or item.');
    return { kind: 'not_posted', requestId: result.request_id, error: 'no drafts' };
  }
  try {
    const ts = await postDrafts(deps, client, draftIds, { channel: ctx.channel, threadTs: ctx.threadTs });
    audit(deps.db, { actor: 'bot', action: 'posted', after: { request_id: result.request_id, channel: ctx.channel, ts } });
    return { kind: 'posted', requestId: result.request_id, draftIds, messageTs: ts! };
  } catch (e) {
    const code = slackErrorCode(e);
    deps.logger.error(`posting drafts failed: ${code}`);
    audit(deps.db, { actor: 'bot', action: 'slack_error', after: { call: 'chat.postMessage', error: code, request_id: result.request_id } });
    await reply(code === 'not_in_channel' || code === 'channel_not_found'
      ? ':wave: I can\'t post in this channel yet. Invite me with `/invite @Copydesk` and ask again.'
      : `:warning: The drafts are saved (request \`${result.request_id}\`) but Slack refused the message (${code}). They are listed in my App Home.`);
    return { kind: 'not_posted', requestId: result.request_id, error: code };
  }
}

/** Parses text and runs the request; invalid text gets the usage message. */
export async function requestCopy(deps: BotDeps, client: SlackClient, text: string, ctx: RequestContext, reply: Reply): Promise<RequestOutcome> {
  const parsed = parseCopyRequest(text);
  if (!parsed.ok) {
    auditInvalid(deps, ctx.requestedBy, parsed.error);
    await reply(usageText(parsed.error));
    return { kind: 'invalid', error: parsed.error };
  }
  return draftAndPost(deps, client, parsed.request, ctx, reply);
}
