/** Helpers of the campaign tests: run the CLI as a child process, read its error lines. */
import { execFile } from 'child_process';
import * as path from 'path';
import { promisify } from 'util';

const exec = promisify(execFile);
const CLI = path.join(__dirname, '..', 'apps', 'cli', 'copydesk.js');

/** Runs the CLI; resolves with its exit code and output (never rejects). */
export async function cli(args: string[], env: NodeJS.ProcessEnv = {}, timeout = 120_000): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await exec(process.execPath, [CLI, ...args], { env: { ...process.env, COPYDESK_PSEUDONYM_KEY: 'test-key', ...env }, timeout, maxBuffer: 64 << 20 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof x.code === 'number' ? x.code : -1, stdout: x.stdout ?? '', stderr: x.stderr ?? '' };
  }
}

/** stderr without the runtime's notices (backend line, dev pseudonym key): what a user reads as the error. */
export function errorLines(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('[copydesk]') && !l.includes('pseudonym key'));
}


/** The servers the distributed tests use (override with COPYDESK_TEST_PG / COPYDESK_TEST_REDIS). */
export const PG_ADMIN = process.env.COPYDESK_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS = process.env.COPYDESK_TEST_REDIS ?? 'redis://127.0.0.1:6379';
export const inCI = ['1', 'true'].includes((process.env.CI ?? '').toLowerCase());

/** Why the distributed tests cannot run here (undefined when PostgreSQL and Redis both answer). */
export async function serversAnswer(): Promise<string | undefined> {
  const { Client } = require('pg') as typeof import('pg');
  const c = new Client({ connectionString: PG_ADMIN, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    await c.end();
  } catch (e) {
    return `PostgreSQL at ${PG_ADMIN} does not answer (${(e as Error).message})`;
  }
  const IORedis = require('ioredis') as typeof import('ioredis').default;
  const r = new IORedis(REDIS, { lazyConnect: true, connectTimeout: 2000, maxRetriesPerRequest: 1, retryStrategy: () => null });
  r.on('error', () => undefined);
  try {
    await r.connect();
    await r.ping();
  } catch (e) {
    return `Redis at ${REDIS} does not answer (${(e as Error).message})`;
  } finally {
    r.disconnect();
  }
  return undefined;
}

/** One statement on the admin database (CREATE / DROP DATABASE). */
export async function admin(sql: string): Promise<void> {
  const { Client } = require('pg') as typeof import('pg');
  const c = new Client({ connectionString: PG_ADMIN });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}
