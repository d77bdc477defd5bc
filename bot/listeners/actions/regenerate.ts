/** `draft_regenerate`: ack, supersede the draft and post a new one in the thread. */
import type { BotDeps } from '../../deps';
import { regenerate } from '../../services/decide';
import { afterAck } from '../../services/slack';
import { actionContext } from './context';
import type { ButtonArgs } from './decide';

export function regenerateAction(deps: BotDeps) {
  return async ({ ack, body, action, client }: ButtonArgs) => {
    await ack();
    await afterAck();
    return regenerate(deps, client, actionContext(body, action));
  };
}
