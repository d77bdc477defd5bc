/**
 * The Copydesk Slack app: Socket Mode when SLACK_APP_TOKEN is set, otherwise
 * the HTTP receiver on PORT with one endpoint, /slack/events, for commands,
 * interactivity and events (requests are signature-checked by Bolt: v0 HMAC,
 * 5-minute timestamp window, 401 otherwise). The copywriter and the store are
 * injected so tests can drive the real app against a loopback Web API.
 */
import type { Server } from 'http';
import { App, type Logger } from '@slack/bolt';
import type { Db } from '../core/store/db';
import type { BotConfig } from './config';
import type { BotCopywriter } from './copywriter';
import type { BotDeps } from './deps';
import { registerListeners } from './listeners';

export const EVENTS_PATH = '/slack/events';

export interface CreateAppOptions {
  config: BotConfig;
  copywriter: BotCopywriter;
  db: Db;
  logger: Logger;
}

export interface CopydeskApp {
  app: App;
  mode: 'socket' | 'http';
  deps: BotDeps;
  /** Starts listening; in HTTP mode resolves with the bound port (PORT=0 picks a free one). */
  start(): Promise<{ port?: number }>;
  stop(): Promise<void>;
}

export function createApp({ config, copywriter, db, logger }: CreateAppOptions): CopydeskApp {
  const socket = !!config.appToken;
  const app = new App({
    token: config.botToken,
    signingSecret: config.signingSecret,
    appToken: config.appToken,
    socketMode: socket,
    endpoints: EVENTS_PATH,
    logger,
    logLevel: logger.getLevel(),
    clientOptions: {
      slackApiUrl: config.slackApiUrl,
      // 429s wait Retry-After (the WebClient's own handling) and count as a retry; errors back off exponentially.
      retryConfig: { retries: config.retry.retries, factor: 2, minTimeout: config.retry.minTimeout, maxTimeout: config.retry.maxTimeout, randomize: true },
    },
    customRoutes: socket ? undefined : [{ path: '/healthz', method: ['GET'], handler: (_req, res) => { res.writeHead(200, { 'content-type': 'text/plain' }); res.end('ok'); } }],
  });
  const deps: BotDeps = { config, copywriter, db, logger };
  registerListeners(app, deps);
  app.error(async (error) => {
    logger.error(`unhandled error in a listener: ${error.message}`);
  });

  return {
    app,
    mode: socket ? 'socket' : 'http',
    deps,
    async start() {
      if (socket) {
        await app.start();
        return {};
      }
      const server = (await app.start(config.port)) as Server;
      const addr = server.address();
      return { port: typeof addr === 'object' && addr ? addr.port : config.port };
    },
    async stop() {
      await app.stop();
    },
  };
}
