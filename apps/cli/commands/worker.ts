/**
 * `copydesk worker [--store DIR] [--concurrency K] [--rate N]`: a worker process of the
 * distributed deployment (COPYDESK_DATABASE_URL + COPYDESK_REDIS_URL). BullMQ hands it batches;
 * each runs in a sandboxed processor on a worker thread (locks keep renewing while it decodes).
 * Stops cleanly on SIGINT/SIGTERM (the active batch finishes); a kill -9 loses nothing: the
 * batch's lock expires and another worker redoes it, writing each user's draft at most once.
 */
import { Command } from 'commander';
import { UsageError } from '../usage-error';

function positive(name: string, raw: string, max: number): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new UsageError(`--${name} must be an integer from 1 to ${max} (got "${raw}")`);
  return n;
}

export function register(program: Command): void {
  program
    .command('worker')
    .description('a campaign worker (distributed deployment: needs COPYDESK_DATABASE_URL and COPYDESK_REDIS_URL)')
    .option('--store <dir>', 'the CSV catalogue folder (default: the one each campaign was made from)')
    .option('--concurrency <k>', 'batches at once (each on its own worker thread with its own models)', '1')
    .option('--rate <n>', 'at most n batches per second over all workers (BullMQ limiter)', '100')
    .action(async (o: { store?: string; concurrency: string; rate: string }) => {
      const concurrency = positive('concurrency', o.concurrency, 64);
      const rate = positive('rate', o.rate, 100000);
      const m = require('../../../core/campaign') as typeof import('../../../core/campaign');
      let urls: ReturnType<typeof m.distributedUrls>;
      try {
        urls = m.distributedUrls();
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
      if (!urls) throw new UsageError('worker needs COPYDESK_DATABASE_URL=postgres://… and COPYDESK_REDIS_URL=redis://… (the embedded deployment runs jobs in-process)');
      const redis = await m.checkRedis(urls.redisUrl);
      if (redis.warning) process.stderr.write(`copydesk: warning: ${redis.warning}\n`);
      const sql = await (require('../../../core/campaign/pg') as typeof import('../../../core/campaign/pg')).openPg(urls.databaseUrl, { max: 1 });
      await sql.close();
      const worker = m.startWorker(urls.redisUrl, { concurrency, ratePerSecond: rate, storeDir: o.store });
      worker.on('completed', (job, r) => process.stderr.write(`worker ${process.pid}: ${job.id} drafted ${r?.drafted ?? 0}, skipped ${r?.skipped ?? 0}, failed ${r?.failed ?? 0} (${(r?.seconds?.total ?? 0).toFixed(1)} s)\n`));
      worker.on('failed', (job, err) => process.stderr.write(`worker ${process.pid}: ${job?.id} failed (attempt ${job?.attemptsMade}): ${err.message.split('\n')[0]}\n`));
      worker.on('error', (err) => process.stderr.write(`worker ${process.pid}: ${err.message.split('\n')[0]}\n`));
      await worker.waitUntilReady();
      process.stderr.write(`worker ${process.pid}: ready (queue ${m.QUEUE_NAME}, prefix ${process.env.COPYDESK_QUEUE_PREFIX ?? 'copydesk'}, concurrency ${concurrency}, Redis ${m.redactUrl(urls.redisUrl)})\n`);
      await new Promise<void>((resolve) => {
        const stop = () => void worker.close().then(resolve, resolve);
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}
