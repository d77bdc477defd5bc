/**
 * The PostgreSQL side of the distributed store: a pg Pool from COPYDESK_DATABASE_URL (a
 * short connect timeout, so an unreachable server is one clear line, not a hang) and the SQL
 * migrations kept in core/campaign/pg/*.sql, applied once each under an advisory lock
 * (several workers may start at the same time).
 */
import * as fs from 'fs';
import * as path from 'path';
import { PROJECT_ROOT } from '../util/paths';
import { postgresSql, Sql } from './sql';

export const PG_MIGRATIONS_DIR = path.join(PROJECT_ROOT, 'core', 'campaign', 'pg');
const MIGRATION_LOCK = 4217017;

/** PostgreSQL or Redis does not answer: printed as one line, exit 1. */
export class ServerUnavailableError extends Error {
  constructor(readonly server: 'PostgreSQL' | 'Redis', url: string, detail: string) {
    super(`${server} at ${redactUrl(url)} does not answer (${detail})`);
    this.name = 'ServerUnavailableError';
  }
}

/** The URL without its password (never logged). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '<unparseable URL>';
  }
}

export async function migratePg(sql: Sql): Promise<number> {
  const files = fs.readdirSync(PG_MIGRATIONS_DIR).filter((f) => /^\d+_.*\.sql$/.test(f)).sort();
  return sql.tx(async (q) => {
    await q.run(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`);
    await q.run('CREATE TABLE IF NOT EXISTS copydesk_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)');
    const done = new Set((await q.all<{ name: string }>('SELECT name FROM copydesk_migrations')).map((r) => r.name));
    let applied = 0;
    for (const f of files) {
      if (done.has(f)) continue;
      await q.run(fs.readFileSync(path.join(PG_MIGRATIONS_DIR, f), 'utf8'));
      await q.run('INSERT INTO copydesk_migrations (name, applied_at) VALUES (?, ?)', [f, new Date().toISOString()]);
      applied++;
    }
    return applied;
  });
}

/** Connects (pooled), checks the server answers, applies migrations. */
export async function openPg(url: string, opts: { max?: number } = {}): Promise<Sql> {
  const { Pool } = require('pg') as typeof import('pg');
  const pool = new Pool({ connectionString: url, max: opts.max ?? 4, connectionTimeoutMillis: 3000, idleTimeoutMillis: 10000 });
  pool.on('error', () => undefined);
  try {
    await pool.query('SELECT 1');
  } catch (e) {
    await pool.end().catch(() => undefined);
    throw new ServerUnavailableError('PostgreSQL', url, (e as Error).message.split('\n')[0] || (e as Error).name);
  }
  const sql = postgresSql(pool);
  await migratePg(sql);
  return sql;
}
