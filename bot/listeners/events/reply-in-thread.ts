/**
 * Shared by mentions and DMs: run a copy request and answer in the message's
 * thread, once per event (the event id is kept in the store, so a retry after a
 * restart is recognised too).
 */
import type { BotDeps, SlackClient } from '../../deps';
import { firstReceipt } from '../../outbox';
import { parseCopyRequest } from '../../parse';
import { acceptCopy, auditInvalid, replyOf, runCopyJob, usageText, type RequestOutcome } from '../../services/request-copy';

export interface ThreadMessage { user: string; text: string; channel: string; ts: string; thread_ts?: string }

export async function replyInThread(deps: BotDeps, client: SlackClient, eventKey: string, msg: ThreadMessage): Promise<RequestOutcome> {
  const key = `event:${eventKey}`;
  const threadTs = msg.thread_ts ?? msg.ts;
  const reply = replyOf(deps, client, { reply: 'thread', channel: msg.channel, requestedBy: msg.user, threadTs });
  const parsed = parseCopyRequest(msg.text);
  if (!parsed.ok) {
    if (!firstReceipt(deps.db, key, 'event')) return { kind: 'duplicate' };
    auditInvalid(deps, msg.user, parsed.error);
    await reply(usageText(parsed.error));
    return { kind: 'invalid', error: parsed.error };
  }
  const accepted = acceptCopy(deps, { key, kind: 'event', reply: 'thread', requestedBy: msg.user, channel: msg.channel, threadTs, request: parsed.request });
  if (!accepted) return { kind: 'duplicate' };
  return runCopyJob(deps, client, accepted.id, reply);
}
