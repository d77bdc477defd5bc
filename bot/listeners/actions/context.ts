/** Reads who clicked which draft, and where, from a block_actions payload. */
import type { BlockAction, ButtonAction } from '@slack/bolt';
import type { ActionContext } from '../../services/decide';

export function actionContext(body: BlockAction, action: ButtonAction): ActionContext {
  const message = body.message as { ts?: string; thread_ts?: string } | undefined;
  return {
    actor: body.user.id,
    draftId: action.value ?? '',
    channel: body.channel?.id ?? body.container?.channel_id,
    threadTs: message?.thread_ts ?? message?.ts,
  };
}
