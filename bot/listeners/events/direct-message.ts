/** A DM to the bot works like /copy; the answer goes in the thread of the DM. */
import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import type { BotDeps } from '../../deps';
import { replyInThread } from './reply-in-thread';

export type DirectMessageArgs = Pick<SlackEventMiddlewareArgs<'message'>, 'event' | 'body'> & Pick<AllMiddlewareArgs, 'client'>;

export function directMessage(deps: BotDeps) {
  return async ({ event, body, client }: DirectMessageArgs) => {
    // Only plain messages people type in the bot's DM (no edits, joins or bot posts).
    if (event.channel_type !== 'im' || event.subtype !== undefined || !('user' in event) || !event.user || 'bot_id' in event && event.bot_id) return 'ignored' as const;
    return replyInThread(deps, client, body.event_id ?? `${event.channel}:${event.ts}`, { user: event.user, text: event.text ?? '', channel: event.channel, ts: event.ts, thread_ts: event.thread_ts });
  };
}
