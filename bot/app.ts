/**
 * The Copydesk Slack app: Socket Mode when SLACK_APP_TOKEN is set, otherwise
 * HTTP on PORT with one endpoint, /slack/events, for commands, interactivity and
 * events. Over HTTP a small front door (http-guard.ts: body cap, future
 * timestamps, /healthz) sits in front of Bolt's own receiver, which checks each
 * request's signature (v0 HMAC, 5-minute window, 401 otherwise). At start the
 * bot finishes the copy requests a previous process acked but did not post
 * (outbox). The copywriter and the store are injected so tests can drive the
 * real app against a loopback Web API.
 */
import { createServer, type Server } from 'http';
import type { AddressInfo } from 'net';
import { App, HTTPReceiver, type Logger } from '@slack/bolt';
import type { Db } from '../core/store/db';
import type { BotConfig } from './config';
import type { BotCopywriter } from './copywriter';
import type { BotDeps } from './deps';
import { bodyKey, guardedListener } from './http-guard';
import { registerListeners } from './listeners';
import { pruneInbox } from './outbox';
import { recoverCopyJobs, type RequestOutcome } from './services/request-copy';

export const EVENTS_PATH = '/slack/events';
/** How often a running bot looks for requests left unfinished by a bot process that died. */
export const ORPHAN_SWEEP_MS = 30_000;

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
  /** Starts listening; in HTTP mode resolves with the bound port (PORT=0 picks a free one). Recovery then runs in the background. */
  start(): Promise<{ port?: number }>;
  /** Resolves when the requests left unfinished by an earlier process are finished (after start). */
  recovered: Promise<RequestOutcome[]>;
  stop(): Promise<void>;
}

export function createApp({ config, copywriter, db, logger }: CreateAppOptions): CopydeskApp {
  const socket = !!config.appToken;
  const receiver = socket ? undefined : new HTTPReceiver({
    signingSecret: config.signingSecret,
    endpoints: EVENTS_PATH,
    logger,
    logLevel: logger.getLevel(),
    // The front door has buffered the body: its hash is the key of a slash command in the inbox.
    customPropertiesExtractor: (req) => ({ bodyKey: bodyKey((req as { rawBody: Buffer }).rawBody) }),
  });
  const app = new App({
    token: config.botToken,
    appToken: config.appToken,
    socketMode: socket,
    ...(receiver ? { receiver } : { signingSecret: config.signingSecret }),
    logger,
    logLevel: logger.getLevel(),
    clientOptions: {
      slackApiUrl: config.slackApiUrl,
      // 429s wait Retry-After (the WebClient's own handling) and count as a retry; errors back off exponentially.
      retryConfig: { retries: config.retry.retries, factor: 2, minTimeout: config.retry.minTimeout, maxTimeout: config.retry.maxTimeout, randomize: true },
    },
  });
  const deps: BotDeps = { config, copywriter, db, logger };
  registerListeners(app, deps);
  app.error(async (error) => {
    logger.error(`unhandled error in a listener: ${error.message}`);
  });

  let server: Server | undefined;
  let sweep: NodeJS.Timeout | undefined;
  let recoveredResolve!: (v: RequestOutcome[]) => void;
  const recovered = new Promise<RequestOutcome[]>((ok) => { recoveredResolve = ok; });
  const finishOrphans = () => Promise.resolve().then(() => { pruneInbox(db); return recoverCopyJobs(deps, app.client); }).catch((e) => {
    logger.error(`finishing unfinished requests failed: ${(e as Error).message}`);
    return [] as RequestOutcome[];
  });
  const recover = () => {
    void finishOrphans().then(recoveredResolve);
    // Another bot process on the same store may die while this one runs: its jobs are taken over here.
    sweep = setInterval(() => void finishOrphans(), ORPHAN_SWEEP_MS);
    sweep.unref();
  };

  return {
    app,
    mode: socket ? 'socket' : 'http',
    deps,
    recovered,
    async start() {
      if (socket) {
        await app.start();
        recover();
        return {};
      }
      server = createServer(guardedListener(receiver!.requestListener, { eventsPath: EVENTS_PATH, maxBodyBytes: config.maxBodyBytes, logger }));
      await new Promise<void>((ok, fail) => { server!.once('error', fail); server!.listen(config.port, ok); });
      recover();
      return { port: (server.address() as AddressInfo).port };
    },
    async stop() {
      if (sweep) clearInterval(sweep);
      if (socket) {
        await app.stop();
        return;
      }
      if (!server) return;
      const s = server;
      server = undefined;
      await new Promise<void>((ok) => { s.close(() => ok()); s.closeAllConnections(); });
    },
  };
}
