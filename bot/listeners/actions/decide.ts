/** `draft_approve` / `draft_reject`: ack, then decide exactly once. */
import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { BotDeps } from '../../deps';
import { decide } from '../../services/decide';
import { actionContext } from './context';

export type ButtonArgs = Pick<SlackActionMiddlewareArgs<BlockAction<ButtonAction>>, 'ack' | 'body' | 'action'> & Pick<AllMiddlewareArgs, 'client'>;

export function decideAction(deps: BotDeps, to: 'approved' | 'rejected') {
  return async ({ ack, body, action, client }: ButtonArgs) => {
    await ack();
    return decide(deps, client, actionContext(body, action), to);
  };
}
