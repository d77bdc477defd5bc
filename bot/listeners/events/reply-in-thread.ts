/** Shared by mentions and DMs: run a copy request and answer in the message's thread, once per event. */
import type { BotDeps, SlackClient } from '../../deps';
import { requestCopy, type RequestOutcome } from '../../services/request-copy';
import { afterAck, slackErrorCode } from '../../services/slack';

/** Event ids already handled (Slack retries an event it thinks we missed: X-Slack-Retry-Num). */
export class SeenEvents {
  private readonly seen = new Set<string>();
  constructor(private readonly max = 5000) {}
  /** True the first time a key is offered. */
  first(key: string): boolean {
    if (this.seen.has(key)) return false;
    this.seen.add(key);
    if (this.seen.size > this.max) this.seen.delete(this.seen.values().next().value as string);
    return true;
  }
}

export interface ThreadMessage { user: string; text: string; channel: string; ts: string; thread_ts?: string }

export async function replyInThread(deps: BotDeps, client: SlackClient, seen: SeenEvents, eventKey: string, msg: ThreadMessage): Promise<RequestOutcome | 'duplicate'> {
  if (!seen.first(eventKey)) return 'duplicate';
  await afterAck(); // Bolt has acked the event; let the response go out before drafting
  const threadTs = msg.thread_ts ?? msg.ts;
  const reply = async (text: string) => {
    await client.chat.postMessage({ channel: msg.channel, thread_ts: threadTs, text }).catch((e) => deps.logger.error(`chat.postMessage failed: ${slackErrorCode(e)}`));
  };
  return requestCopy(deps, client, msg.text, { requestedBy: msg.user, channel: msg.channel, threadTs }, reply);
}
