/** Registers every listener on the Bolt app (one file per listener; add a line here for a new one). */
import type { App } from '@slack/bolt';
import type { BotDeps } from '../deps';
import { ACTIONS } from '../blocks/drafts';
import { EDIT_VIEW } from '../blocks/edit-modal';
import { copyCommand } from './commands/copy';
import { decideAction } from './actions/decide';
import { regenerateAction } from './actions/regenerate';
import { editAction } from './actions/edit';
import { editSubmit } from './views/edit-submit';
import { appMention } from './events/app-mention';
import { directMessage } from './events/direct-message';
import { appHomeOpened } from './events/app-home-opened';
import { registerCampaignListeners } from './campaign';

export const COMMAND = '/copy';

export function registerListeners(app: App, deps: BotDeps): void {
  const done = <A>(h: (a: A) => Promise<unknown>) => async (a: A) => { await h(a); };
  app.command(COMMAND, done(copyCommand(deps)));
  app.action({ type: 'block_actions', action_id: ACTIONS.approve }, done(decideAction(deps, 'approved')) as never);
  app.action({ type: 'block_actions', action_id: ACTIONS.reject }, done(decideAction(deps, 'rejected')) as never);
  app.action({ type: 'block_actions', action_id: ACTIONS.regenerate }, done(regenerateAction(deps)) as never);
  app.action({ type: 'block_actions', action_id: ACTIONS.edit }, done(editAction(deps)) as never);
  app.view(EDIT_VIEW.callbackId, done(editSubmit(deps)) as never);
  app.event('app_mention', done(appMention(deps)));
  app.event('message', done(directMessage(deps)));
  app.event('app_home_opened', done(appHomeOpened(deps)));
  registerCampaignListeners(app, deps);
}
