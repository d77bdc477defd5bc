/** The App Home tab: published fresh each time a user opens it. */
import type { AllMiddlewareArgs, SlackEventMiddlewareArgs, types } from '@slack/bolt';
import { homeView } from '../../blocks/home';
import { isReviewer, type BotDeps, type SlackClient } from '../../deps';
import { modelVersions } from '../../models';
import { approvalRates, countPending, pendingDrafts, recentRequests } from '../../store';
import { tryCall } from '../../services/slack';

export type AppHomeArgs = Pick<SlackEventMiddlewareArgs<'app_home_opened'>, 'event'> & Pick<AllMiddlewareArgs, 'client'>;

export function buildHome(deps: BotDeps, viewer: string, now = new Date()): types.HomeView {
  const since = new Date(now.getTime() - 30 * 86400_000).toISOString();
  const reviewer = isReviewer(deps, viewer);
  return homeView({
    viewer,
    isReviewer: reviewer,
    // Only what this viewer may see: their own requests, and channel requests for reviewers.
    recent: recentRequests(deps.db, viewer, reviewer),
    pending: reviewer ? pendingDrafts(deps.db, viewer) : [],
    pendingTotal: reviewer ? countPending(deps.db, viewer) : 0,
    byTone: approvalRates(deps.db, 'tone', since),
    byStrategy: approvalRates(deps.db, 'strategy', since),
    models: modelVersions(),
  });
}

export async function publishHome(deps: BotDeps, client: SlackClient, viewer: string): Promise<boolean> {
  return !!(await tryCall(deps, 'views.publish', () => client.views.publish({ user_id: viewer, view: buildHome(deps, viewer) })));
}

export function appHomeOpened(deps: BotDeps) {
  return async ({ event, client }: AppHomeArgs) => {
    if (event.tab !== 'home') return false;
    return publishHome(deps, client, event.user);
  };
}
