/**
 * The bot's settings, read from the environment once at start and validated:
 * every problem is reported together in one clear message, and secrets are
 * never part of it (only the variable names).
 */

export interface RetryPolicy {
  /** How many times a failed or rate-limited Web API call is retried. */
  retries: number;
  /** First back-off (ms); doubles each time up to maxTimeout. 429s wait Retry-After on top. */
  minTimeout: number;
  maxTimeout: number;
}

export interface BotConfig {
  botToken: string;
  signingSecret: string;
  /** Set → Socket Mode (no public URL needed). */
  appToken?: string;
  /** Base URL of Slack's Web API ending with `/` (tests point it at a loopback server). */
  slackApiUrl?: string;
  /** Slack user IDs allowed to approve, reject, edit and regenerate drafts. */
  reviewers: ReadonlySet<string>;
  dbFile: string;
  port: number;
  retry: RetryPolicy;
  /** COPYDESK_PSEUDONYM_KEY; required in production (see isProduction). */
  pseudonymKey?: string;
  /** Requests with a larger body are refused (413) before being read whole. */
  maxBodyBytes: number;
  /** Drafting threads (COPYDESK_DRAFT_THREADS; default CPUs − 1). */
  draftThreads?: number;
  /** When false (the default), a reviewer cannot approve drafts of a request they made themselves. */
  allowSelfApproval: boolean;
}

/** Default cap on a request body: Slack's payloads are a few KiB; the largest (view submissions) stay far below. */
export const DEFAULT_MAX_BODY_BYTES = 256 * 1024;

/** A bot token as Slack issues them (xoxb-<team digits>-<bot digits>-<24 characters>), as opposed to a test placeholder. */
const REAL_BOT_TOKEN = /^xoxb-\d{8,}-\d{8,}-[A-Za-z0-9]{24,}$/;

/** Production: NODE_ENV=production, or a bot token shaped like a real one. */
export function isProduction(env: Env, botToken: string | undefined): boolean {
  return env.NODE_ENV?.trim() === 'production' || (!!botToken && REAL_BOT_TOKEN.test(botToken));
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`the bot is not configured: ${problems.join('; ')} (see .env.example)`);
    this.name = 'ConfigError';
  }
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 5, minTimeout: 500, maxTimeout: 30_000 };

const SLACK_USER_ID = /^[UW][A-Z0-9]{2,}$/;

type Env = Record<string, string | undefined>;

/** Parses and validates the bot's environment. Throws ConfigError listing every problem. */
export function loadConfig(env: Env = process.env): BotConfig {
  const problems: string[] = [];
  const get = (name: string) => {
    const v = env[name]?.trim();
    return v ? v : undefined;
  };

  const botToken = get('SLACK_BOT_TOKEN');
  if (!botToken) problems.push('SLACK_BOT_TOKEN is missing (the xoxb- bot token from OAuth & Permissions)');
  else if (!botToken.startsWith('xoxb-')) problems.push('SLACK_BOT_TOKEN does not look like a bot token (it should start with xoxb-)');

  const signingSecret = get('SLACK_SIGNING_SECRET');
  if (!signingSecret) problems.push('SLACK_SIGNING_SECRET is missing (Basic Information → App Credentials → Signing Secret)');

  const appToken = get('SLACK_APP_TOKEN');
  if (appToken && !appToken.startsWith('xapp-')) problems.push('SLACK_APP_TOKEN does not look like an app-level token (it should start with xapp-)');

  let slackApiUrl = get('SLACK_API_URL');
  if (slackApiUrl) {
    try {
      const u = new URL(slackApiUrl);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('protocol');
      if (!slackApiUrl.endsWith('/')) slackApiUrl += '/';
    } catch {
      problems.push(`SLACK_API_URL is not an http(s) URL: "${slackApiUrl}"`);
    }
  }

  const reviewerList = (get('COPYDESK_REVIEWERS') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (reviewerList.length === 0) problems.push('COPYDESK_REVIEWERS is missing (comma-separated Slack user IDs, e.g. U012ABCDEF,U034GHIJKL)');
  const badReviewers = reviewerList.filter((r) => !SLACK_USER_ID.test(r));
  if (badReviewers.length) problems.push(`COPYDESK_REVIEWERS has entries that are not Slack user IDs: ${badReviewers.map((r) => `"${r}"`).join(', ')}`);

  const portText = get('PORT') ?? '3000';
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port < 0 || port > 65535) problems.push(`PORT must be a number from 0 to 65535, not "${portText}"`);

  const pseudonymKey = get('COPYDESK_PSEUDONYM_KEY');
  if (!pseudonymKey && isProduction(env, botToken)) {
    problems.push('COPYDESK_PSEUDONYM_KEY is missing: required in production (NODE_ENV=production or a real Slack token), otherwise customer pseudonyms could be recomputed from the public development key');
  }

  const bodyText = get('COPYDESK_MAX_BODY_BYTES');
  const maxBodyBytes = bodyText === undefined ? DEFAULT_MAX_BODY_BYTES : Number(bodyText);
  if (bodyText !== undefined && (!/^\d+$/.test(bodyText) || maxBodyBytes < 1024)) problems.push(`COPYDESK_MAX_BODY_BYTES must be a whole number of bytes, at least 1024, not "${bodyText}"`);

  const threadsText = get('COPYDESK_DRAFT_THREADS');
  const draftThreads = threadsText === undefined ? undefined : Number(threadsText);
  if (threadsText !== undefined && (!/^\d+$/.test(threadsText) || draftThreads! < 1 || draftThreads! > 32)) problems.push(`COPYDESK_DRAFT_THREADS must be a number from 1 to 32, not "${threadsText}"`);

  const selfText = (get('COPYDESK_ALLOW_SELF_APPROVAL') ?? 'false').toLowerCase();
  if (!['true', 'false', '1', '0', 'yes', 'no'].includes(selfText)) problems.push(`COPYDESK_ALLOW_SELF_APPROVAL must be true or false, not "${selfText}"`);

  if (problems.length) throw new ConfigError(problems);
  return {
    botToken: botToken!,
    signingSecret: signingSecret!,
    appToken,
    slackApiUrl,
    reviewers: new Set(reviewerList),
    dbFile: get('COPYDESK_DB') ?? './copydesk.db',
    port,
    retry: DEFAULT_RETRY,
    pseudonymKey,
    maxBodyBytes,
    draftThreads,
    allowSelfApproval: ['true', '1', 'yes'].includes(selfText),
  };
}

/** The values that must never appear in logs. */
export function secretsOf(config: BotConfig): string[] {
  return [config.botToken, config.signingSecret, config.appToken, config.pseudonymKey].filter((s): s is string => !!s);
}

/** A one-line description of the configuration, safe to log. */
export function describeConfig(config: BotConfig): string {
  const mode = config.appToken ? 'Socket Mode' : `HTTP on port ${config.port} (/slack/events)`;
  return `${mode}; ${config.reviewers.size} reviewer(s); store ${config.dbFile}${config.slackApiUrl ? `; Web API ${config.slackApiUrl}` : ''}`;
}
