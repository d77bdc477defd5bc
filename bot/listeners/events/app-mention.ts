/** `@Copydesk 给 u-381 写 SKU-1042 的文案` in a channel: drafts in the thread. */
import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import type { BotDeps } from '../../deps';
import { replyInThread } from './reply-in-thread';

export type AppMentionArgs = Pick<SlackEventMiddlewareArgs<'app_mention'>, 'event' | 'body'> & Pick<AllMiddlewareArgs, 'client'>;

export function appMention(deps: BotDeps) {
  return async ({ event, body, client }: AppMentionArgs) => {
    if (!event.user) return 'ignored' as const;
    return replyInThread(deps, client, body.event_id ?? `${event.channel}:${event.ts}`, { user: event.user, text: event.text, channel: event.channel, ts: event.ts, thread_ts: event.thread_ts });
  };
}
