/** The App Home tab: published fresh each time a user opens it. */
import type { AllMiddlewareArgs, SlackEventMiddlewareArgs, types } from '@slack/bolt';
import { homeView, type HomeCampaign } from '../../blocks/home';
import { sqliteSql } from '../../../core/campaign/sql';
import { CampaignTables } from '../../../core/campaign/tables';
import { isReviewer, type BotDeps, type SlackClient } from '../../deps';
import { modelVersions } from '../../models';
import { approvalRates, countPending, pendingDrafts, recentRequests } from '../../../core/store/drafts';
import { tryCall } from '../../services/slack';

export type AppHomeArgs = Pick<SlackEventMiddlewareArgs<'app_home_opened'>, 'event'> & Pick<AllMiddlewareArgs, 'client'>;

/** Recent campaigns this viewer may see: reviewers all, others the ones they started. */
export async function visibleCampaigns(deps: BotDeps, viewer: string, reviewer: boolean, limit = 10): Promise<HomeCampaign[]> {
  const tables = new CampaignTables(sqliteSql(deps.db));
  const rows = (await tables.list(50)).filter((c) => reviewer || c.createdBy === viewer).slice(0, limit);
  return Promise.all(rows.map(async (c) => {
    const n = await tables.counts(c.id);
    return { id: c.id, items: c.items, segment: c.segment, status: c.status, createdAt: c.createdAt, users: n.users, drafted: n.drafted, approved: n.approved, pendingReview: n.pending_review };
  }));
}

export async function buildHome(deps: BotDeps, viewer: string, now = new Date()): Promise<types.HomeView> {
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
    campaigns: await visibleCampaigns(deps, viewer, reviewer),
  });
}

export async function publishHome(deps: BotDeps, client: SlackClient, viewer: string): Promise<boolean> {
  const view = await buildHome(deps, viewer);
  return !!(await tryCall(deps, 'views.publish', () => client.views.publish({ user_id: viewer, view })));
}

export function appHomeOpened(deps: BotDeps) {
  return async ({ event, client }: AppHomeArgs) => {
    if (event.tab !== 'home') return false;
    return publishHome(deps, client, event.user);
  };
}
