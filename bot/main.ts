/** Starts the bot: .env → validated config → store → drafting threads (real copywriter) → Bolt app → recovery of unfinished requests. Used by `copydesk bot` (npm start). */
import { openStore } from '../core/store/db';
import { pseudonymKey } from '../core/privacy/pseudonym';
import { createApp, type CopydeskApp } from './app';
import { ConfigError, describeConfig, loadConfig, secretsOf } from './config';
import { startPooledCopywriter } from './copywriter';
import { loadEnvFile } from './env-file';
import { logLevelFrom, RedactingLogger } from './logger';

export interface RunOptions { envFile?: string }

export async function runBot(opts: RunOptions = {}): Promise<CopydeskApp> {
  const envFile = opts.envFile ?? '.env';
  const hadEnvFile = loadEnvFile(envFile);
  const config = loadConfig(); // throws ConfigError naming every missing or bad setting
  const logger = new RedactingLogger(secretsOf(config), logLevelFrom(process.env.COPYDESK_LOG_LEVEL));
  if (!hadEnvFile) logger.info(`no ${envFile} file; using the environment only`);
  const db = openStore(config.dbFile);
  const t0 = Date.now();
  const copywriter = await startPooledCopywriter(db, { dbFile: config.dbFile, pseudonymKey: config.pseudonymKey ?? pseudonymKey(), threads: config.draftThreads });
  logger.info(`copywriter loaded on ${copywriter.capacity} drafting thread(s) in ${Date.now() - t0} ms`);
  const bot = createApp({ config, copywriter, db, logger });
  const { port } = await bot.start();
  logger.info(`⚡ Copydesk bot running: ${describeConfig({ ...config, port: port ?? config.port })}`);
  const shutdown = async (signal: string) => {
    logger.info(`${signal}: stopping`);
    await bot.stop().catch(() => undefined);
    await copywriter.close?.().catch(() => undefined);
    db.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  return bot;
}

export { ConfigError };
