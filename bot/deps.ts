/** What every handler gets: configuration, the copywriter, the store and the logger. */
import type { Logger, webApi } from '@slack/bolt';
import type { Db } from '../core/store/db';
import type { BotConfig } from './config';
import type { BotCopywriter } from './copywriter';

export interface BotDeps {
  config: BotConfig;
  copywriter: BotCopywriter;
  db: Db;
  logger: Logger;
}

export type SlackClient = webApi.WebClient;

export function isReviewer(deps: BotDeps, slackUserId: string): boolean {
  return deps.config.reviewers.has(slackUserId);
}
